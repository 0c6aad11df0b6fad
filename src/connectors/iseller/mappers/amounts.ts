import { Decimal } from 'decimal.js';
import { type Money, money } from '../../../model/index.js';
import { rejected } from '../../sdk/errors.js';
import type { Amount } from '../types.js';

/** Currencies whose amounts have no minor unit in practice (the rupiah: totals match to the rupiah). */
const WHOLE = new Set(['IDR', 'JPY', 'KRW', 'VND']);
export const decimalsOf = (currency: string): number => (WHOLE.has(currency) ? 0 : 2);

/** An iSeller amount ("55000.0000" or 55000) as a Decimal, never through a float sum. */
export function dec(v: Amount | null | undefined, what = 'an amount'): Decimal {
  if (v === undefined || v === null || v === '') return new Decimal(0);
  try {
    const d = new Decimal(v);
    if (d.isFinite()) return d;
  } catch {
    // falls through to the refusal below
  }
  throw rejected('invalid_data', `${what} is not a number: ${String(v)}`);
}

export const sum = (values: readonly Decimal[]): Decimal =>
  values.reduce((a, b) => a.plus(b), new Decimal(0));

export const cash = (d: Decimal, currency: string): Money => money(d, currency);

/** Two amounts equal once each is rounded to the currency's unit (to the rupiah for IDR). */
export function sameToUnit(a: Decimal, b: Decimal, currency: string): boolean {
  const n = decimalsOf(currency);
  return a.toDecimalPlaces(n, Decimal.ROUND_HALF_UP).equals(b.toDecimalPlaces(n, Decimal.ROUND_HALF_UP));
}

export const show = (d: Decimal, currency: string): string =>
  d.toFixed(decimalsOf(currency), Decimal.ROUND_HALF_UP);
