import { Decimal } from 'decimal.js';
import { type Money, money, toUtcIso } from '../../../model/index.js';
import type { Row } from '../client.js';

export const FORMATTED = '@OData.Community.Display.V1.FormattedValue';

/** A text column: trimmed, undefined when empty. */
export const text = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() ? v.trim() : undefined;

/** A money or decimal column as a canonical decimal string; JSON numbers keep what Dataverse sent. */
export const decimal = (v: unknown): string | undefined =>
  typeof v === 'number' || (typeof v === 'string' && v.trim() !== '') ? new Decimal(v).toFixed() : undefined;

export const moneyOf = (v: unknown, currency: string): Money | undefined => {
  const d = decimal(v);
  return d === undefined ? undefined : money(d, currency);
};

/** The label Dataverse gives a choice or lookup column (Prefer: odata.include-annotations). */
export const formatted = (row: Row, column: string): string | undefined => text(row[`${column}${FORMATTED}`]);

export const stamp = (row: Row): string =>
  toUtcIso(typeof row.modifiedon === 'string' ? row.modifiedon : new Date(0).toISOString());

/**
 * address1_country is free text in Dataverse; the canonical address wants an ISO code. The names
 * people type for the countries our users trade with, both ways.
 */
const COUNTRIES: ReadonlyArray<[string, string[]]> = [
  ['GB', ['united kingdom', 'uk', 'great britain', 'england', 'scotland', 'wales', 'northern ireland']],
  ['IE', ['ireland', 'republic of ireland', 'eire']],
  ['US', ['united states', 'united states of america', 'usa']],
  ['CA', ['canada']],
  ['AU', ['australia']],
  ['NZ', ['new zealand']],
  ['FR', ['france']],
  ['DE', ['germany', 'deutschland']],
  ['NL', ['netherlands', 'holland']],
  ['ES', ['spain']],
  ['IT', ['italy']],
];

export function countryCode(name: string | undefined, fallback?: string): string | undefined {
  const n = name?.trim().toLowerCase();
  if (!n) return fallback;
  if (/^[a-z]{2}$/.test(n)) return n.toUpperCase();
  return COUNTRIES.find(([, names]) => names.includes(n))?.[0];
}

export const countryName = (code: string): string =>
  ({ GB: 'United Kingdom', US: 'United States', IE: 'Ireland' })[code] ??
  (COUNTRIES.find(([c]) => c === code)?.[1][0]?.replace(/\b\w/g, (c) => c.toUpperCase()) || code);

/** A decimal string as the JSON number Dataverse's decimal and money columns take. */
export const num = (v: string): number => new Decimal(v).toNumber();
