import type { Customer } from '../../../model/index.js';
import type { ScCustomer } from '../types.js';
import { scInstant } from './time.js';

const text = (v: string | null | undefined) => (v?.trim() ? v.trim() : undefined);

/** A SellerCloud customer as canonical: its UserID is internal, its e-mail is how others know it. */
export function customerFromSc(c: ScCustomer, currency: string): Customer {
  const first = text(c.FirstName);
  const last = text(c.LastName);
  const name = text(c.BusinessName) ?? ([first, last].filter(Boolean).join(' ') || `Customer ${c.UserID}`);
  const email = text(c.Email);
  return {
    number: String(c.UserID),
    internalNumber: true,
    name,
    ...(email ? { email } : {}),
    type: c.IsWholesale ? 'B2B' : 'B2C',
    status: 'active',
    onHold: false,
    currency,
    contacts: [
      {
        ...(first ? { firstName: first } : {}),
        ...(last ? { lastName: last } : {}),
        ...(email ? { email } : {}),
        isPrimary: true,
      },
    ],
    addresses: [],
    updatedAt: updatedAtOf(c),
  };
}

export const updatedAtOf = (c: ScCustomer): string =>
  scInstant(c.LastModifiedOn) ?? scInstant(c.CreatedOn) ?? new Date(0).toISOString();

/** First and last name for SellerCloud: the primary contact's, else the name split at its last space. */
export function namesOf(c: Customer): { FirstName: string; LastName: string } {
  const contact = c.contacts.find((x) => x.isPrimary) ?? c.contacts[0];
  if (contact?.firstName || contact?.lastName)
    return { FirstName: contact.firstName ?? c.name, LastName: contact.lastName ?? '' };
  const at = c.name.lastIndexOf(' ');
  return at > 0
    ? { FirstName: c.name.slice(0, at), LastName: c.name.slice(at + 1) }
    : { FirstName: c.name, LastName: c.name };
}

/** Create New Customer's body (CustomerType: WholeSale 0, Retail 1). */
export function customerCreateBody(c: Customer, companyId: number): Record<string, unknown> {
  return {
    CompanyID: companyId,
    ...namesOf(c),
    Email: c.email,
    ...(c.type === 'B2B' ? { BusinessName: c.name } : {}),
    CustomerType: c.type === 'B2B' ? 0 : 1,
  };
}

/** Update Customer's body: only the owned fields; anything omitted stays as it is ("provide null or omit"). */
export function customerUpdateBody(c: Customer, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (fields.includes('name')) out.Name = c.name;
  if (fields.includes('email') && c.email) out.Email = c.email;
  if (fields.includes('type') && c.type) out.IsWholesale = c.type === 'B2B';
  return out;
}
