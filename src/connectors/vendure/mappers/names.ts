import type { Customer } from '../../../model/index.js';

export interface PersonName {
  firstName: string;
  lastName: string;
}

/** A full name split at its last space ("Ann Marie Buyer" → "Ann Marie" + "Buyer"); one word is a last name. */
export function splitName(full: string | null | undefined): PersonName {
  const name = (full ?? '').trim().replace(/\s+/g, ' ');
  const cut = name.lastIndexOf(' ');
  return cut > 0
    ? { firstName: name.slice(0, cut), lastName: name.slice(cut + 1) }
    : { firstName: '', lastName: name };
}

export const joinName = (first?: string | null, last?: string | null): string =>
  [first, last]
    .map((x) => (x ?? '').trim())
    .filter(Boolean)
    .join(' ');

/**
 * A Vendure customer is a person: the primary contact's names when it has them, else the
 * customer's name split at its last space (a company's ERP name becomes the person's name then).
 */
export function personOf(c: Pick<Customer, 'name' | 'contacts'>): PersonName {
  const p = c.contacts.find((x) => x.isPrimary) ?? c.contacts[0];
  if (p?.firstName?.trim() && p.lastName?.trim())
    return { firstName: p.firstName.trim(), lastName: p.lastName.trim() };
  return splitName(c.name);
}

/** The phone a person answers: the primary contact's, any contact's, else the first address's. */
export function phoneOf(c: Pick<Customer, 'contacts' | 'addresses'>): string | undefined {
  return (
    c.contacts.find((x) => x.isPrimary && x.phone)?.phone ??
    c.contacts.find((x) => x.phone)?.phone ??
    c.addresses.find((a) => a.phone)?.phone
  );
}
