import type { Address, Customer } from '../../../model/index.js';
import { rejected } from '../../sdk/errors.js';
import type { VendureAddress, VendureCustomer } from '../types.js';
import { isoFrom } from '../window.js';
import { joinName, personOf, phoneOf, splitName } from './names.js';

function kindOf(a: VendureAddress): Address['kind'] {
  if (a.defaultBillingAddress && !a.defaultShippingAddress) return 'billing';
  if (a.defaultShippingAddress && !a.defaultBillingAddress) return 'shipping';
  return 'main';
}

function addressIn(c: VendureCustomer, a: VendureAddress, i: number): Record<string, unknown> {
  const who = `Vendure customer ${c.id} (${c.emailAddress})`;
  if (!a.streetLine1?.trim())
    throw rejected('missing_field', `${who}: address ${i + 1} has no street; complete it in Vendure`);
  const addressee = splitName(a.fullName);
  return {
    kind: kindOf(a),
    ...(addressee.firstName ? { firstName: addressee.firstName } : {}),
    ...(addressee.lastName ? { lastName: addressee.lastName } : {}),
    ...(a.company ? { company: a.company } : {}),
    line1: a.streetLine1.trim(),
    ...(a.streetLine2 ? { line2: a.streetLine2 } : {}),
    ...(a.city ? { city: a.city } : {}),
    ...(a.province ? { region: a.province } : {}),
    ...(a.postalCode ? { postalCode: a.postalCode } : {}),
    country: a.country.code.toUpperCase(),
    ...(a.phoneNumber ? { phone: a.phoneNumber } : {}),
  };
}

/**
 * Vendure customer → canonical (Vendure as a source). The number is the ERP's account number when
 * Ledgerlink wrote one (erpCustomerNumber), else the Vendure id, as for a shopper who signed up in
 * the shop. A customer the model cannot hold throws a rejected error saying what to fix.
 */
export function customerFromVendure(c: VendureCustomer, currency: string): Record<string, unknown> {
  const name = joinName(c.firstName, c.lastName) || c.emailAddress;
  const erp = c.customFields?.erpCustomerNumber;
  return {
    number: erp || c.id,
    name,
    email: c.emailAddress,
    status: 'active',
    onHold: false,
    currency,
    contacts: [
      {
        ...(c.firstName ? { firstName: c.firstName } : {}),
        ...(c.lastName ? { lastName: c.lastName } : {}),
        email: c.emailAddress,
        ...(c.phoneNumber ? { phone: c.phoneNumber } : {}),
        isPrimary: true,
      },
    ],
    addresses: (c.addresses ?? []).map((a, i) => addressIn(c, a, i)),
    updatedAt: isoFrom(c.updatedAt),
  };
}

/**
 * The fields of CreateCustomerInput / UpdateCustomerInput for a canonical customer: with `fields`
 * (an update) only what the owned fields change. Names and the phone follow the person
 * (personOf), so owning `name` or `contacts` rewrites both names.
 */
export function customerInput(c: Customer, fields?: readonly string[]): Record<string, unknown> {
  const want = (f: string) => !fields || fields.includes(f);
  const out: Record<string, unknown> = {};
  if (want('name') || want('contacts')) {
    const person = personOf(c);
    if (!person.lastName)
      throw rejected('missing_field', `customer ${c.number} has no name, which Vendure requires`);
    out.firstName = person.firstName;
    out.lastName = person.lastName;
  }
  if (want('contacts')) {
    const phone = phoneOf(c);
    if (phone || fields) out.phoneNumber = phone ?? '';
  }
  if (want('email')) {
    if (!c.email)
      throw rejected('missing_field', `customer ${c.number} has no e-mail address, which Vendure requires`);
    out.emailAddress = c.email;
  }
  if (want('number')) out.customFields = { erpCustomerNumber: c.number };
  return out;
}

/** Which canonical address becomes the default billing and which the default shipping address. */
function defaults(list: readonly Address[]): { billing?: Address; shipping?: Address } {
  const first = (kind: Address['kind']) => list.find((a) => a.kind === kind);
  return {
    billing: first('billing') ?? first('main') ?? list[0],
    shipping: first('shipping') ?? first('main') ?? list[0],
  };
}

/** A canonical address as CreateAddressInput; the addressee falls back to the customer's person. */
export function addressInput(c: Customer, a: Address, list: readonly Address[]): Record<string, unknown> {
  const d = defaults(list);
  const person = personOf(c);
  const fullName = joinName(a.firstName, a.lastName) || joinName(person.firstName, person.lastName);
  const company = a.company ?? (c.type === 'B2B' ? c.name : undefined);
  const phone = a.phone ?? phoneOf(c);
  return {
    ...(fullName ? { fullName } : {}),
    ...(company ? { company } : {}),
    streetLine1: a.line1,
    ...(a.line2 ? { streetLine2: a.line2 } : {}),
    ...(a.city ? { city: a.city } : {}),
    ...(a.region ? { province: a.region } : {}),
    ...(a.postalCode ? { postalCode: a.postalCode } : {}),
    countryCode: a.country,
    ...(phone ? { phoneNumber: phone } : {}),
    defaultBillingAddress: d.billing === a,
    defaultShippingAddress: d.shipping === a,
  };
}

const norm = (v: string | null | undefined) => (v ?? '').trim().toLowerCase().replace(/\s+/g, ' ');

/** Whether Vendure already has this address: same street, postal code and country. */
export function hasAddress(existing: readonly VendureAddress[], a: Address): boolean {
  return existing.some(
    (v) =>
      norm(v.streetLine1) === norm(a.line1) &&
      norm(v.postalCode) === norm(a.postalCode) &&
      norm(v.country.code) === norm(a.country),
  );
}
