import { Decimal } from 'decimal.js';
import type { Address, Money } from '../../../model/index.js';
import { allocateMoney, toDecimalString, toUtcIso } from '../../../model/index.js';
import { rejected } from '../../sdk/errors.js';
import { type RawAddress, type RawTax, type Stamped, text } from '../types.js';

/**
 * A record's updatedAt: the latest change among it and the related records it carries (a party's
 * addresses, a product's template). Tryton stamps write_date on every write and leaves it empty
 * until the first one, so create_date stands in for records never written since.
 */
export function stampOf(records: ReadonlyArray<Stamped | null | undefined>): string {
  let latest = 0;
  for (const r of records) {
    const at = Date.parse(r?.write_date ?? r?.create_date ?? '');
    if (!Number.isNaN(at) && at > latest) latest = at;
  }
  return toUtcIso(new Date(latest));
}

/** The calendar day of a timestamp, for documents whose date field is empty (a draft). */
export const dayOf = (stamp: string | null | undefined): string | undefined =>
  stamp ? /^(\d{4}-\d{2}-\d{2})/.exec(stamp)?.[1] : undefined;

/**
 * A Numeric (decimal string) or Float (JSON number: quantities) field as a decimal string; a Numeric
 * keeps Tryton's own digits ("5.00" stays "5.00").
 */
export function decimal(v: unknown): string | undefined {
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return v;
  if (typeof v === 'string' && v.trim()) return toDecimalString(v);
  if (typeof v === 'number' && Number.isFinite(v)) return toDecimalString(v);
  return undefined;
}

export function moneyOf(v: unknown, currency: string): Money | undefined {
  const amount = decimal(v);
  return amount === undefined ? undefined : { amount, currency };
}

/** Money that must be there: a missing amount names the record and the field. */
export function requiredMoney(v: unknown, currency: string, what: string): Money {
  const m = moneyOf(v, currency);
  if (!m) throw rejected('missing_field', `${what} has no value`);
  return m;
}

/** A tax's rate in percent as the model states it: Tryton keeps a fraction (0.20 is 20 %). */
export function ratePercent(t: RawTax | null | undefined): string {
  if (t?.type !== 'percentage' || !t.rate) return '0';
  return new Decimal(t.rate).times(100).toFixed();
}

/**
 * A Tryton address → a canonical address (undefined without a street). The street is a text of
 * several lines: the first is line1, the rest line2. party_name, the name an address is written to,
 * is the addressee's company line; the subdivision's code ("US-TX") gives the region ("TX").
 */
export function addressFromTryton(
  raw: RawAddress | null | undefined,
  kind: Address['kind'],
): Address | undefined {
  const lines = (raw?.street ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (!raw || lines.length === 0) return undefined;
  const out: Record<string, unknown> = { kind, line1: lines[0] };
  const region = text(raw['subdivision.']?.code);
  const opt = {
    company: text(raw.party_name),
    line2: lines.length > 1 ? lines.slice(1).join(', ') : undefined,
    city: text(raw.city),
    region: region?.includes('-') ? region.slice(region.indexOf('-') + 1) : region,
    postalCode: text(raw.postal_code),
  };
  for (const [k, v] of Object.entries(opt)) if (v !== undefined) out[k] = v;
  // Left as Tryton has it; the model names a missing country precisely (countries are imported with
  // trytond_import_countries).
  out.country = text(raw['country.']?.code)?.toUpperCase();
  return out as Address;
}

/** The fields an address needs, below a relation ("addresses.", "invoice_address."). */
export const addressFields = (prefix: string): string[] =>
  ['party_name', 'street', 'postal_code', 'city', 'country.code', 'subdivision.code'].map(
    (f) => `${prefix}${f}`,
  );

/**
 * A document's tax shared over its lines in proportion to their amounts, to the cent; lines that
 * carry no tax get none. Tryton keeps tax per tax (and rounds per document by default), not per line.
 */
export function lineTaxes(
  lines: ReadonlyArray<{ amount?: string | null; taxed: boolean }>,
  taxTotal: string,
): string[] {
  const weights = lines.map((l) => (l.taxed ? (decimal(l.amount) ?? '0') : '0'));
  if (new Decimal(taxTotal).isZero() || weights.every((w) => new Decimal(w).isZero()))
    return lines.map(() => '0.00');
  return allocateMoney(taxTotal, weights);
}
