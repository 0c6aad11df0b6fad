import { Decimal } from 'decimal.js';
import { rejected } from '../sdk/errors.js';

/**
 * Vendure keeps money as integers in minor units, with as many decimal places as the server's
 * MoneyStrategy says (serverConfig.moneyStrategyPrecision, 2 by default — for every currency, JPY
 * included). These convert between that and canonical decimal strings without a JS float.
 */
export function fromMinor(minor: number | string, precision: number): string {
  const d = new Decimal(minor);
  if (!d.isInteger()) throw new RangeError(`not an amount in minor units: ${String(minor)}`);
  return d.dividedBy(new Decimal(10).pow(precision)).toFixed(precision);
}

/**
 * A canonical amount as Vendure's integer. An amount with more decimals than the shop keeps is
 * refused (rejected, saying what to fix) rather than rounded on the way.
 */
export function toMinor(amount: string, precision: number, what: string): number {
  const minor = new Decimal(amount).times(new Decimal(10).pow(precision));
  if (!minor.isInteger())
    throw rejected(
      'invalid_data',
      `${what} ${amount} has more decimal places than Vendure keeps (${precision}); round it in the source system`,
    );
  if (minor.abs().greaterThan(Number.MAX_SAFE_INTEGER))
    throw rejected('invalid_data', `${what} ${amount} is larger than Vendure can store`);
  return minor.toNumber();
}

/** Sums amounts in minor units (integers: exact in a JS number well past any order total). */
export const sumMinor = (values: readonly number[]): number => values.reduce((s, v) => s + v, 0);
