import { decimalToApiNumber, toDecimalString } from '../../../model/index.js';
import { rejected } from '../../sdk/errors.js';
import { fromMagentoTime } from '../search-criteria.js';

/**
 * A canonical decimal as the JSON number Magento's schema demands. A value a double cannot carry
 * exactly is refused (rejected, with what to fix) rather than sent rounded.
 */
export function apiNumber(value: string, what: string): number {
  try {
    return decimalToApiNumber(value);
  } catch {
    throw rejected(
      'invalid_data',
      `${what} ${value} has more digits than Magento can store exactly; round it in the source system`,
    );
  }
}

/** A number or numeric text from Magento as a canonical decimal string; undefined when empty. */
export function decimalFrom(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  try {
    if (typeof value !== 'number' && typeof value !== 'string') throw new TypeError('not a number');
    return toDecimalString(typeof value === 'string' ? value.trim() : value);
  } catch {
    throw rejected('invalid_data', `${what} "${String(value)}" is not a number; correct it in Magento`);
  }
}

/** A record's updated_at as ISO-8601 UTC; a record without one sorts first (the epoch). */
export function updatedAtFrom(value: unknown, who: string): string {
  if (typeof value !== 'string' || !value) return new Date(0).toISOString();
  try {
    return fromMagentoTime(value);
  } catch {
    throw rejected('invalid_data', `${who}: updated_at "${value}" is not a Magento timestamp`);
  }
}
