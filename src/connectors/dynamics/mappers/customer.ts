import type { Address, Contact, Customer } from '../../../model/index.js';
import type { Row } from '../client.js';
import { countryCode, countryName, moneyOf, num, stamp, text } from './values.js';

/** What a customer read needs of an account (and its contacts, expanded). */
export const ACCOUNT_SELECT = [
  'accountid',
  'accountnumber',
  'name',
  'emailaddress1',
  'telephone1',
  'creditlimit',
  'revenue',
  'creditonhold',
  'customertypecode',
  'statecode',
  '_transactioncurrencyid_value',
  '_primarycontactid_value',
  'address1_line1',
  'address1_line2',
  'address1_city',
  'address1_stateorprovince',
  'address1_postalcode',
  'address1_country',
  'modifiedon',
].join(',');

export const ACCOUNT_EXPAND =
  'transactioncurrencyid($select=isocurrencycode),contact_customer_accounts($select=contactid,firstname,lastname,emailaddress1,telephone1)';

const CURRENCY_COUNTRY: Readonly<Record<string, string>> = { GBP: 'GB', USD: 'US', CAD: 'CA', AUD: 'AU' };

/** An account as a canonical customer: its number is accountnumber (rows without one are not read). */
export function customerFromAccount(row: Row, defaultCurrency: string): Customer {
  const currency =
    text((row.transactioncurrencyid as Row | null | undefined)?.isocurrencycode) ?? defaultCurrency;
  const contacts: Contact[] = ((row.contact_customer_accounts as Row[] | undefined) ?? []).map((c) => {
    const email = text(c.emailaddress1);
    const phone = text(c.telephone1);
    const first = text(c.firstname);
    const last = text(c.lastname);
    return {
      ...(first ? { firstName: first } : {}),
      ...(last ? { lastName: last } : {}),
      ...(email ? { email } : {}),
      ...(phone ? { phone } : {}),
      isPrimary: !!c.contactid && c.contactid === row._primarycontactid_value,
    };
  });
  const addresses: Address[] = [];
  const line1 = text(row.address1_line1);
  const country = countryCode(text(row.address1_country), CURRENCY_COUNTRY[currency]);
  if (line1 && country) {
    const line2 = text(row.address1_line2);
    const city = text(row.address1_city);
    const region = text(row.address1_stateorprovince);
    const postalCode = text(row.address1_postalcode);
    const phone = text(row.telephone1);
    addresses.push({
      kind: 'main',
      line1,
      ...(line2 ? { line2 } : {}),
      ...(city ? { city } : {}),
      ...(region ? { region } : {}),
      ...(postalCode ? { postalCode } : {}),
      country,
      ...(phone ? { phone } : {}),
    });
  }
  const email = text(row.emailaddress1);
  const creditLimit = moneyOf(row.creditlimit, currency);
  const annualRevenue = moneyOf(row.revenue, currency);
  const onHold = row.creditonhold === true;
  return {
    number: String(row.accountnumber),
    name: text(row.name) ?? String(row.accountnumber),
    ...(email ? { email } : {}),
    type: 'B2B',
    status: row.statecode === 1 ? 'inactive' : onHold ? 'credit_hold' : 'active',
    onHold,
    ...(creditLimit ? { creditLimit } : {}),
    ...(annualRevenue ? { annualRevenue } : {}),
    currency,
    contacts,
    addresses,
    updatedAt: stamp(row),
  };
}

/** The account columns a new customer sets (the caller adds currency and relationship type). */
export function accountForCreate(c: Customer, customerTypeCode: number): Record<string, unknown> {
  const a: Record<string, unknown> = {
    accountnumber: c.number,
    name: c.name,
    customertypecode: customerTypeCode,
    creditonhold: c.onHold,
  };
  if (c.email) a.emailaddress1 = c.email;
  if (c.creditLimit) a.creditlimit = num(c.creditLimit.amount);
  if (c.annualRevenue) a.revenue = num(c.annualRevenue.amount);
  const addr = c.addresses.find((x) => x.kind === 'main') ?? c.addresses[0];
  if (addr) {
    a.address1_line1 = addr.line1;
    if (addr.line2) a.address1_line2 = addr.line2;
    if (addr.city) a.address1_city = addr.city;
    if (addr.region) a.address1_stateorprovince = addr.region;
    if (addr.postalCode) a.address1_postalcode = addr.postalCode;
    a.address1_country = countryName(addr.country);
    if (addr.phone) a.telephone1 = addr.phone;
  }
  return a;
}

/** The fields an existing account takes (§6.1): credit limit, annual revenue, on hold — when owned. */
export const ACCOUNT_UPDATABLE = ['creditLimit', 'annualRevenue', 'onHold'] as const;

export function accountForUpdate(c: Customer, fields: readonly string[]): Record<string, unknown> {
  const a: Record<string, unknown> = {};
  if (fields.includes('creditLimit')) a.creditlimit = c.creditLimit ? num(c.creditLimit.amount) : null;
  if (fields.includes('annualRevenue')) a.revenue = c.annualRevenue ? num(c.annualRevenue.amount) : null;
  if (fields.includes('onHold')) a.creditonhold = c.onHold;
  return a;
}

/** The contacts of a new account, each associated with it and none made its primary contact. */
export function contactsForCreate(c: Customer): Array<Record<string, unknown>> {
  const people = c.contacts.length
    ? c.contacts
    : c.email
      ? [{ lastName: c.name, email: c.email, isPrimary: false } as Contact]
      : [];
  return people.map((p) => {
    const row: Record<string, unknown> = { lastname: p.lastName ?? p.firstName ?? c.name };
    if (p.firstName && p.lastName) row.firstname = p.firstName;
    if (p.email) row.emailaddress1 = p.email;
    if (p.phone) row.telephone1 = p.phone;
    return row;
  });
}
