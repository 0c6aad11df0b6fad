import { Decimal } from 'decimal.js';
import { decimalToApiNumber, roundMoney } from '../../../model/index.js';

/** A QuickBooks JSON number as a canonical decimal string (its shortest form is what Intuit sent). */
export const dec = (n: number | string | undefined, fallback = '0'): string =>
  n === undefined || n === null || n === '' ? fallback : new Decimal(n).toFixed();

/** A canonical amount as the JSON number QuickBooks takes, rounded to cents. */
export const money2 = (v: Decimal.Value): number => decimalToApiNumber(roundMoney(v, 2));

/** A quantity or unit price as a JSON number, refusing what a double cannot carry exactly. */
export const num = (v: string): number => decimalToApiNumber(new Decimal(v).toFixed());

/** Country names QuickBooks users type into the free-text Country element, as ISO codes. */
const COUNTRY_NAMES: Record<string, string> = {
  'united kingdom': 'GB',
  uk: 'GB',
  'great britain': 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  'northern ireland': 'GB',
  'united states': 'US',
  'united states of america': 'US',
  usa: 'US',
  canada: 'CA',
  australia: 'AU',
  ireland: 'IE',
  france: 'FR',
  germany: 'DE',
  india: 'IN',
};

/** The ISO code of a QuickBooks address's country (CountryCode, a two-letter Country, a known name), else undefined. */
export function countryCode(code: string | undefined, name: string | undefined): string | undefined {
  for (const v of [code, name]) {
    const t = v?.trim();
    if (!t) continue;
    if (/^[A-Za-z]{2}$/.test(t)) return t.toUpperCase() === 'UK' ? 'GB' : t.toUpperCase();
    const known = COUNTRY_NAMES[t.toLowerCase()];
    if (known) return known;
  }
  return undefined;
}
