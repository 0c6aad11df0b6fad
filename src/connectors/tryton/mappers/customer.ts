import type { Address, Customer } from '../../../model/index.js';
import { isFalse, isTrue, type RawAddress, type RawContactMechanism, type RawParty, text } from '../types.js';
import { addressFields, addressFromTryton, stampOf } from './common.js';

/**
 * party.party → canonical customer:
 *
 * | canonical      | Tryton                                                                 |
 * | -------------- | ---------------------------------------------------------------------- |
 * | (source id)    | party.id                                                               |
 * | number         | party.code (the party's number from Tryton's sequence)                |
 * | name           | party.name                                                             |
 * | email          | the first active contact mechanism of type email                      |
 * | contacts[0]    | that e-mail and the first phone (or mobile) contact mechanism         |
 * | addresses      | party.addresses: invoice only → billing, delivery only → shipping, else main |
 * | status         | party.active (inactive parties are read too)                          |
 * | currency       | the company's currency (a party has none)                             |
 * | updatedAt      | latest write/create stamp of the party, its addresses and mechanisms  |
 */
export const PARTY_FIELDS = [
  'code',
  'name',
  'active',
  'create_date',
  'write_date',
  ...addressFields('addresses.'),
  'addresses.invoice',
  'addresses.delivery',
  'addresses.active',
  'addresses.create_date',
  'addresses.write_date',
  'contact_mechanisms.type',
  'contact_mechanisms.value',
  'contact_mechanisms.active',
  'contact_mechanisms.create_date',
  'contact_mechanisms.write_date',
];

/** Related records whose changes are the party's changes (see windowDomain). */
export const PARTY_STAMPS = ['addresses.', 'contact_mechanisms.'];

function kindOf(a: RawAddress): Address['kind'] {
  if (isTrue(a.invoice) && !isTrue(a.delivery)) return 'billing';
  if (isTrue(a.delivery) && !isTrue(a.invoice)) return 'shipping';
  return 'main';
}

const mechanism = (raw: RawParty, types: readonly string[]): string | undefined =>
  (raw['contact_mechanisms.'] ?? [])
    .filter((m: RawContactMechanism) => !isFalse(m.active) && types.includes(m.type ?? ''))
    .map((m) => text(m.value))
    .find((v) => v !== undefined);

/** party.party → canonical customer (not yet validated; the engine validates). */
export function customerFromTryton(raw: RawParty, currency: string): Record<string, unknown> {
  const number = text(raw.code) ?? String(raw.id);
  const email = mechanism(raw, ['email']);
  const phone = mechanism(raw, ['phone', 'mobile']);
  const addresses = (raw['addresses.'] ?? [])
    .filter((a) => !isFalse(a.active))
    .map((a) => addressFromTryton(a, kindOf(a)))
    .filter((a): a is Address => a !== undefined);
  const contact: Record<string, unknown> = { isPrimary: true };
  if (email) contact.email = email;
  if (phone) contact.phone = phone;
  const out: Record<string, unknown> = {
    number,
    name: text(raw.name) ?? number,
    status: isFalse(raw.active) ? 'inactive' : 'active',
    onHold: false,
    currency,
    contacts: Object.keys(contact).length > 1 ? [contact] : [],
    addresses,
    updatedAt: stampOf([raw, ...(raw['addresses.'] ?? []), ...(raw['contact_mechanisms.'] ?? [])]),
  };
  if (email) out.email = email;
  return out;
}

/** What a new party needs besides its name: the ids of the countries (and subdivisions) its addresses name. */
export interface PartyTargets {
  countries: ReadonlyMap<string, number>;
  subdivisions: ReadonlyMap<string, number>;
}

/** The subdivision code Tryton keys a region by: "US" + "TX" → "US-TX". */
export const subdivisionCode = (a: Pick<Address, 'country' | 'region'>): string | undefined =>
  a.region ? `${a.country}-${a.region}`.toUpperCase() : undefined;

function addressToTryton(a: Address, t: PartyTargets): Record<string, unknown> {
  const out: Record<string, unknown> = {
    street: [a.line1, a.line2].filter(Boolean).join('\n'),
    invoice: a.kind !== 'shipping',
    delivery: a.kind !== 'billing',
  };
  if (a.city) out.city = a.city;
  if (a.postalCode) out.postal_code = a.postalCode;
  if (a.company) out.party_name = a.company;
  const country = t.countries.get(a.country);
  if (country !== undefined) out.country = country;
  const sub = subdivisionCode(a);
  const subdivision = sub ? t.subdivisions.get(sub) : undefined;
  if (subdivision !== undefined) out.subdivision = subdivision;
  return out;
}

/** Canonical customer → the values of a new party.party, its contact mechanisms and addresses. */
export function partyToTryton(c: Customer, t: PartyTargets): Record<string, unknown> {
  const primary = c.contacts.find((x) => x.isPrimary) ?? c.contacts[0];
  const mechanisms: Array<Record<string, unknown>> = [];
  const email = c.email ?? primary?.email;
  if (email) mechanisms.push({ type: 'email', value: email });
  if (primary?.phone) mechanisms.push({ type: 'phone', value: primary.phone });
  const out: Record<string, unknown> = { name: c.name, active: c.status !== 'inactive' };
  if (mechanisms.length) out.contact_mechanisms = [['create', mechanisms]];
  if (c.addresses.length) out.addresses = [['create', c.addresses.map((a) => addressToTryton(a, t))]];
  return out;
}
