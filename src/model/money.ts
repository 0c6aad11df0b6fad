import { Decimal } from 'decimal.js';
import { z } from 'zod';

/**
 * Money and quantities travel as decimal strings ("12.50"), never as JS numbers, so that no
 * amount is ever rounded by binary floating point between two systems.
 */
export const DecimalString = z
  .string()
  .regex(/^-?\d+(\.\d+)?$/, { message: 'expected a decimal number written as a string, e.g. "12.50"' });
export type DecimalString = z.infer<typeof DecimalString>;

export const CurrencyCode = z
  .string()
  .regex(/^[A-Z]{3}$/, { message: 'expected an ISO 4217 currency code such as "USD"' });

export const Money = z.object({ amount: DecimalString, currency: CurrencyCode });
export type Money = z.infer<typeof Money>;

/**
 * Normalises a number or numeric string coming from an API into a canonical decimal string.
 * JSON numbers from an API arrive as doubles; for amounts with at most 15 significant digits the
 * shortest round-trip representation is exactly what the API sent, which Decimal preserves.
 */
export function toDecimalString(value: Decimal.Value): string {
  const d = new Decimal(value);
  if (!d.isFinite()) throw new RangeError(`not a finite decimal: ${String(value)}`);
  return d.toFixed();
}

export function money(amount: Decimal.Value, currency: string): Money {
  return { amount: toDecimalString(amount), currency };
}

export function addDecimals(...values: Decimal.Value[]): string {
  return values.reduce<Decimal>((sum, v) => sum.plus(v), new Decimal(0)).toFixed();
}

/** Rounds half away from zero, the rule both Acumatica and Magento use for currency amounts. */
export function roundMoney(value: Decimal.Value, scale = 2): string {
  return new Decimal(value).toDecimalPlaces(scale, Decimal.ROUND_HALF_UP).toFixed(scale);
}

/** Decimal equality independent of trailing zeros ("10.50" equals "10.5"). */
export function decimalsEqual(a: Decimal.Value, b: Decimal.Value): boolean {
  return new Decimal(a).equals(b);
}

/**
 * Converts a decimal string to a JS number for an API whose JSON schema demands a number.
 * Throws rather than silently losing precision beyond what a double can carry.
 */
export function decimalToApiNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || !new Decimal(n).equals(value)) {
    throw new RangeError(`decimal ${value} cannot be represented exactly as a JSON number`);
  }
  return n;
}

/**
 * Splits an amount over weights in cents so that the parts add up to it exactly: each part is
 * rounded down in proportion, and the cents left over go to the largest remainders.
 */
export function allocateMoney(amount: string, weights: readonly string[]): string[] {
  const total = weights.reduce((s, w) => s.plus(new Decimal(w).abs()), new Decimal(0));
  const cents = new Decimal(amount).times(100);
  if (weights.length === 0) return [];
  if (total.isZero()) return weights.map((_, i) => (i === 0 ? new Decimal(amount).toFixed(2) : '0.00'));
  const sign = cents.isNegative() ? -1 : 1;
  const whole = cents.abs();
  const exact = weights.map((w) => whole.times(new Decimal(w).abs()).dividedBy(total));
  const parts = exact.map((e) => e.floor());
  let left = whole.minus(parts.reduce((s, p) => s.plus(p), new Decimal(0))).toNumber();
  const order = exact
    .map((e, i) => ({ i, r: e.minus(e.floor()) }))
    .sort((a, b) => b.r.comparedTo(a.r) || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    parts[i] = parts[i]!.plus(1);
    left--;
  }
  return parts.map((p) => p.times(sign).dividedBy(100).toFixed(2));
}
