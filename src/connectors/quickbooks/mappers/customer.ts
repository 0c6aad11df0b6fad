import type { Address, Contact, Customer } from '../../../model/index.js';
import { rejected } from '../../sdk/errors.js';
import type { PhysicalAddress, QboCustomer } from '../types.js';
import { countryCode } from './values.js';

export interface CustomerContext {
  defaultCurrency: string;
  /** The company's own country: QuickBooks addresses often leave Country blank for home addresses. */
  homeCountry: string;
}

function addressFrom(
  a: PhysicalAddress | undefined,
  kind: Address['kind'],
  ctx: CustomerContext,
  who: string,
): Address | undefined {
  if (!a?.Line1) return undefined;
  const country = countryCode(a.CountryCode, a.Country) ?? (a.Country?.trim() ? undefined : ctx.homeCountry);
  if (!country)
    throw rejected(
      'invalid_data',
      `customer ${who}: the ${kind} address's country "${a.Country}" is not one we can turn into a two-letter code; write it as one (e.g. GB) in QuickBooks`,
    );
  return {
    kind,
    line1: a.Line1,
    ...(a.Line2 ? { line2: [a.Line2, a.Line3].filter(Boolean).join(', ') } : {}),
    ...(a.City ? { city: a.City } : {}),
    ...(a.CountrySubDivisionCode ? { region: a.CountrySubDivisionCode } : {}),
    ...(a.PostalCode ? { postalCode: a.PostalCode } : {}),
    country,
  };
}

/**
 * A QuickBooks customer as the canonical one. The number is the FullyQualifiedName (what a person
 * sees as the customer's reference; a sub-customer's includes its parents, "Parent:Child"). QuickBooks
 * Online has no credit limit (the XSD's CreditLimit is QuickBooks Desktop's) and no turnover field:
 * both are left out, so a flow owning them never overwrites the CRM's values with nothing.
 */
export function customerFromQbo(
  c: QboCustomer,
  ctx: CustomerContext,
): Omit<Customer, 'updatedAt'> & { updatedAt: string } {
  const number = c.FullyQualifiedName ?? c.DisplayName ?? c.Id ?? '';
  const addresses = [
    addressFrom(c.BillAddr, 'billing', ctx, number),
    addressFrom(c.ShipAddr, 'shipping', ctx, number),
  ].filter((a): a is Address => a !== undefined);
  const contact: Contact = {
    isPrimary: true,
    ...(c.GivenName ? { firstName: c.GivenName } : {}),
    ...(c.FamilyName ? { lastName: c.FamilyName } : {}),
    ...(c.PrimaryPhone?.FreeFormNumber ? { phone: c.PrimaryPhone.FreeFormNumber } : {}),
  };
  const hasContact = contact.firstName || contact.lastName || contact.phone;
  return {
    number,
    name: c.CompanyName?.trim() || c.DisplayName || number,
    ...(c.PrimaryEmailAddr?.Address ? { email: c.PrimaryEmailAddr.Address } : {}),
    type: 'B2B',
    status: c.Active === false ? 'inactive' : 'active',
    onHold: false,
    currency: c.CurrencyRef?.value ?? ctx.defaultCurrency,
    contacts: hasContact ? [contact] : [],
    addresses,
    updatedAt: new Date(c.MetaData?.LastUpdatedTime ?? 0).toISOString(),
  };
}

function addressTo(a: Address): PhysicalAddress {
  return {
    Line1: a.line1,
    ...(a.line2 ? { Line2: a.line2 } : {}),
    ...(a.city ? { City: a.city } : {}),
    ...(a.region ? { CountrySubDivisionCode: a.region } : {}),
    ...(a.postalCode ? { PostalCode: a.postalCode } : {}),
    Country: a.country,
  };
}

/**
 * A new QuickBooks customer from a canonical one (a CRM account an order needs): DisplayName is the
 * account number (what the lookup finds it by), CompanyName the name, the first billing (else main)
 * address, the e-mail, the primary contact's name and telephone.
 */
export function customerToQbo(c: Customer, ctx: CustomerContext): QboCustomer {
  const bill = c.addresses.find((a) => a.kind === 'billing') ?? c.addresses.find((a) => a.kind === 'main');
  const ship = c.addresses.find((a) => a.kind === 'shipping');
  const contact = c.contacts.find((x) => x.isPrimary) ?? c.contacts[0];
  const phone = contact?.phone ?? bill?.phone;
  return {
    DisplayName: c.number,
    CompanyName: c.name,
    ...(contact?.firstName ? { GivenName: contact.firstName } : {}),
    ...(contact?.lastName ? { FamilyName: contact.lastName } : {}),
    ...(c.email ? { PrimaryEmailAddr: { Address: c.email } } : {}),
    ...(phone ? { PrimaryPhone: { FreeFormNumber: phone } } : {}),
    ...(bill ? { BillAddr: addressTo(bill) } : {}),
    ...(ship ? { ShipAddr: addressTo(ship) } : {}),
    // Only a foreign currency is named: a company without multicurrency refuses CurrencyRef.
    ...(c.currency !== ctx.defaultCurrency ? { CurrencyRef: { value: c.currency } } : {}),
  };
}
