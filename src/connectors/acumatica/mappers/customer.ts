import type { Address, Contact, Customer } from '../../../model/index.js';
import { decimalToApiNumber, toDecimalString, toUtcIso } from '../../../model/index.js';
import { rejected } from '../../sdk/errors.js';
import {
  type RawAddress,
  type RawContact,
  type RawCustom,
  type RawCustomer,
  str,
  val,
  wrap,
} from '../types.js';
import type { DocumentContext } from './document.js';

const STATUS_IN: Record<string, Customer['status']> = {
  Active: 'active',
  'One-Time': 'active',
  'On Hold': 'on_hold',
  'Credit Hold': 'credit_hold',
  Inactive: 'inactive',
};
const STATUS_OUT: Record<Customer['status'], string> = {
  active: 'Active',
  on_hold: 'On Hold',
  credit_hold: 'Credit Hold',
  inactive: 'Inactive',
};

/** $expand the mapper needs: linked contacts and, explicitly, the addresses inside them; attributes. */
export const CUSTOMER_EXPAND =
  'MainContact,MainContact/Address,BillingContact,BillingContact/Address,ShippingContact,ShippingContact/Address,Contacts,Contacts/Contact,Attributes';

/**
 * The customer's other contacts (its Contacts tab), after the main one: a B2B portal makes them the
 * company's users. One with the main contact's e-mail, or with neither a name nor an e-mail, is left out.
 */
function otherContacts(raw: RawCustomer, mainEmail: string | undefined): Contact[] {
  const seen = new Set(mainEmail ? [mainEmail.toLowerCase()] : []);
  const out: Contact[] = [];
  for (const row of raw.Contacts ?? []) {
    const c = row.Contact;
    const email = str(c?.Email);
    const firstName = str(c?.FirstName);
    const lastName = str(c?.LastName);
    if (!email && !firstName && !lastName) continue;
    if (email && seen.has(email.toLowerCase())) continue;
    if (email) seen.add(email.toLowerCase());
    const contact: Contact = { isPrimary: false };
    if (firstName) contact.firstName = firstName;
    if (lastName) contact.lastName = lastName;
    if (email) contact.email = email;
    const phone = str(c?.Phone1);
    if (phone) contact.phone = phone;
    out.push(contact);
  }
  return out;
}

/**
 * The customer's attributes by AttributeID, then the custom fields the connection reads by their
 * names ($custom answers view → field → {type, value}; a checkbox's value is a JSON boolean).
 */
function attributesOf(raw: RawCustomer, custom: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of raw.Attributes ?? []) {
    const id = str(a.AttributeID);
    const v = val(a.Value);
    if (id && v !== undefined && v !== null) out[id] = String(v);
  }
  const answered = (raw as { custom?: RawCustom }).custom;
  for (const [name, path] of Object.entries(custom)) {
    const [view, field] = path.split('.') as [string, string];
    const v = answered?.[view]?.[field]?.value;
    if (v !== undefined && v !== null) out[name] = String(v);
  }
  return out;
}

/** B2B / B2C from the value of the attribute the connection names; anything else leaves it unset. */
function typeOf(attributes: Record<string, string>, field: string | undefined): Customer['type'] {
  const v = field ? attributes[field]?.trim().toUpperCase() : undefined;
  return v === 'B2B' || v === 'B2C' ? v : undefined;
}

function address(raw: RawAddress | undefined, kind: Address['kind'], phone?: string): Address | undefined {
  const line1 = str(raw?.AddressLine1);
  if (!raw || !line1) return undefined;
  const a: Record<string, unknown> = { kind, line1 };
  const opt = {
    line2: str(raw.AddressLine2),
    city: str(raw.City),
    region: str(raw.State),
    postalCode: str(raw.PostalCode),
    phone,
  };
  for (const [k, v] of Object.entries(opt)) if (v !== undefined) a[k] = v;
  // Left as Acumatica has it; the model names a missing or malformed country precisely.
  a.country = str(raw.Country)?.toUpperCase();
  return a as Address;
}

/** Acumatica Customer → canonical customer (not yet validated; the engine validates). */
export function customerFromAcumatica(
  raw: RawCustomer,
  ctx: Pick<DocumentContext, 'baseCurrency' | 'customerCustomFields' | 'customerTypeField'>,
): Record<string, unknown> {
  const baseCurrency = ctx.baseCurrency;
  const number = str(raw.CustomerID);
  if (!number) throw rejected('missing_field', 'an Acumatica customer without a CustomerID was returned');
  const main = raw.MainContact;
  const status = STATUS_IN[str(raw.Status) ?? 'Active'] ?? 'active';
  const currency = str(raw.CurrencyID) ?? baseCurrency;
  const contact: Record<string, unknown> = { isPrimary: true };
  for (const [k, v] of Object.entries({
    firstName: str(main?.FirstName),
    lastName: str(main?.LastName),
    email: str(main?.Email),
    phone: str(main?.Phone1),
  })) {
    if (v !== undefined) contact[k] = v;
  }
  const phone = str(main?.Phone1);
  const addresses = [
    address(main?.Address, 'main', phone),
    address(raw.BillingContact?.Address, 'billing', str(raw.BillingContact?.Phone1) ?? phone),
    address(raw.ShippingContact?.Address, 'shipping', str(raw.ShippingContact?.Phone1) ?? phone),
  ].filter((a): a is Address => a !== undefined);
  const creditLimit = val(raw.CreditLimit);
  const out: Record<string, unknown> = {
    number,
    name: str(raw.CustomerName) ?? number,
    status,
    onHold: status === 'on_hold' || status === 'credit_hold',
    currency,
    contacts: [
      ...(Object.keys(contact).length > 1 ? [contact as Contact] : []),
      ...otherContacts(raw, str(main?.Email)),
    ],
    addresses,
    updatedAt: toUtcIso(val(raw.LastModifiedDateTime) ?? new Date(0).toISOString()),
  };
  const email = str(main?.Email) ?? str(raw.Email);
  if (email) out.email = email;
  const cls = str(raw.CustomerClass);
  if (cls) out.class = cls;
  const terms = str(raw.Terms);
  if (terms) out.terms = terms;
  if (typeof creditLimit === 'number') out.creditLimit = { amount: toDecimalString(creditLimit), currency };
  const attributes = attributesOf(raw, ctx.customerCustomFields ?? {});
  if (Object.keys(attributes).length) out.attributes = attributes;
  const type = typeOf(attributes, ctx.customerTypeField);
  if (type) out.type = type;
  return out;
}

function rawAddress(a: Address): RawAddress {
  const out: RawAddress = { AddressLine1: wrap(a.line1), Country: wrap(a.country) };
  if (a.line2) out.AddressLine2 = wrap(a.line2);
  if (a.city) out.City = wrap(a.city);
  if (a.region) out.State = wrap(a.region);
  if (a.postalCode) out.PostalCode = wrap(a.postalCode);
  return out;
}

/**
 * Canonical customer → the Acumatica fields for the given canonical fields (all of them on create).
 * The key (CustomerID) is always sent: PUT identifies the record by it.
 */
export function customerToAcumatica(c: Customer, fields?: readonly string[]): RawCustomer {
  const want = (f: string) => !fields || fields.includes(f);
  const out: RawCustomer = { CustomerID: wrap(c.number) };
  if (want('name')) out.CustomerName = wrap(c.name);
  if (want('class') && c.class) out.CustomerClass = wrap(c.class);
  if (want('status') || want('onHold'))
    out.Status = wrap(c.onHold && c.status === 'active' ? 'On Hold' : STATUS_OUT[c.status]);
  if (want('currency')) out.CurrencyID = wrap(c.currency);
  if (want('creditLimit') && c.creditLimit) out.CreditLimit = wrap(decimalToApiNumber(c.creditLimit.amount));
  const main: RawContact = {};
  const primary = c.contacts.find((x) => x.isPrimary) ?? c.contacts[0];
  if (want('email') && c.email) main.Email = wrap(c.email);
  if (want('contacts') && primary) {
    if (primary.firstName) main.FirstName = wrap(primary.firstName);
    if (primary.lastName) main.LastName = wrap(primary.lastName);
    if (primary.phone) main.Phone1 = wrap(primary.phone);
  }
  if (want('addresses')) {
    const byKind = (k: Address['kind']) => c.addresses.find((a) => a.kind === k);
    const m = byKind('main') ?? c.addresses[0];
    if (m) main.Address = rawAddress(m);
    const b = byKind('billing');
    if (b) out.BillingContact = { Address: rawAddress(b) };
    const s = byKind('shipping');
    if (s) out.ShippingContact = { Address: rawAddress(s) };
  }
  if (Object.keys(main).length) out.MainContact = main;
  return out;
}
