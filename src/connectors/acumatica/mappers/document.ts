import type { Address, Money } from '../../../model/index.js';
import { toDecimalString, toUtcIso } from '../../../model/index.js';
import { rejected } from '../../sdk/errors.js';
import { type RawAddress, type RawDocContact, str, val, type Wrapped } from '../types.js';

/** What the document mappers need besides the record: lookups the connector made for the page. */
export interface DocumentContext {
  baseCurrency: string;
  /** The CustomerID web orders without an account are booked to. */
  guestCustomerId?: string;
  /** Tax rate schedules by TaxID: the rates and the dates they took effect (invoices carry no rate). */
  taxSchedules: ReadonlyMap<string, ReadonlyArray<{ start: string; rate: string }>>;
  /** The description of each ship via code, the carrier's name a person reads. */
  shipVias: ReadonlyMap<string, string>;
  /** Custom fields read with customers: attribute name → `View.Field`. */
  customerCustomFields?: Readonly<Record<string, string>>;
  /** The attribute or custom field whose value (B2B / B2C) is a customer's type. */
  customerTypeField?: string;
}

/** A decimal field as a decimal string; absent stays absent. */
export function decimal(w: Wrapped<number> | undefined): string | undefined {
  const v = val(w);
  return typeof v === 'number' ? toDecimalString(v) : undefined;
}

export function moneyOf(w: Wrapped<number> | undefined, currency: string): Money | undefined {
  const amount = decimal(w);
  return amount === undefined ? undefined : { amount, currency };
}

/** Money that must be there: a missing amount is an error naming the record and the field. */
export function requiredMoney(w: Wrapped<number> | undefined, currency: string, what: string): Money {
  const m = moneyOf(w, currency);
  if (!m) throw rejected('missing_field', `${what} has no value`);
  return m;
}

/**
 * The calendar date of a date field as Acumatica wrote it ("2026-03-01T00:00:00+02:00" → 2026-03-01):
 * a document date is a day in the tenant's zone, and converting it to UTC could move it a day.
 */
export function datePart(w: Wrapped<string> | undefined): string | undefined {
  const v = str(w);
  const m = v ? /^(\d{4}-\d{2}-\d{2})/.exec(v) : null;
  return m?.[1];
}

export const stampOf = (w: Wrapped<string> | undefined): string =>
  toUtcIso(str(w) ?? new Date(0).toISOString());

/** A document's address block and contact block → one canonical address (undefined without a street). */
export function documentAddress(
  raw: RawAddress | undefined,
  contact: RawDocContact | undefined,
  kind: Address['kind'],
): Address | undefined {
  const line1 = str(raw?.AddressLine1);
  if (!raw || !line1) return undefined;
  const out: Record<string, unknown> = { kind };
  // Acumatica keeps the addressee as one Attention line; the first word is taken as the first name.
  const attention = str(contact?.Attention);
  if (attention) {
    const [first, ...rest] = attention.split(/\s+/);
    out.firstName = first;
    if (rest.length) out.lastName = rest.join(' ');
  }
  const opt = {
    company: str(contact?.BusinessName),
    email: str(contact?.Email),
    line1,
    line2: str(raw.AddressLine2),
    city: str(raw.City),
    region: str(raw.State),
    postalCode: str(raw.PostalCode),
    phone: str(contact?.Phone1),
  };
  for (const [k, v] of Object.entries(opt)) if (v !== undefined) out[k] = v;
  // Left as Acumatica has it; the model names a missing or malformed country precisely.
  out.country = str(raw.Country)?.toUpperCase();
  return out as Address;
}

/** Canonical address → a document's address and contact blocks. */
export function toDocumentAddress(a: Address): { address: RawAddress; contact: RawDocContact } {
  const address: RawAddress = { AddressLine1: { value: a.line1 }, Country: { value: a.country } };
  if (a.line2) address.AddressLine2 = { value: a.line2 };
  if (a.city) address.City = { value: a.city };
  if (a.region) address.State = { value: a.region };
  if (a.postalCode) address.PostalCode = { value: a.postalCode };
  const contact: RawDocContact = {};
  const name = [a.firstName, a.lastName].filter(Boolean).join(' ');
  if (name) contact.Attention = { value: name };
  if (a.company) contact.BusinessName = { value: a.company };
  if (a.email) contact.Email = { value: a.email };
  if (a.phone) contact.Phone1 = { value: a.phone };
  return { address, contact };
}

/** Money split over weights to the cent (see the model). */
export { allocateMoney as allocate } from '../../../model/index.js';
