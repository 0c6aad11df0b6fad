import type { Address } from '../../../model/index.js';
import { rejected } from '../../sdk/errors.js';
import type { MagentoOrderAddress } from '../sales-types.js';

export interface Names {
  firstname: string;
  lastname: string;
}

/** A full name split at its last space; a one-word name fills both, since Magento accepts neither empty. */
export function splitName(full: string): Names | undefined {
  const name = full.trim().replace(/\s+/g, ' ');
  if (!name) return undefined;
  const cut = name.lastIndexOf(' ');
  return cut > 0
    ? { firstname: name.slice(0, cut), lastname: name.slice(cut + 1) }
    : { firstname: name, lastname: name };
}

/** An order address (billing or shipping) as the canonical Address, with its addressee. */
export function orderAddressIn(
  a: MagentoOrderAddress,
  kind: 'billing' | 'shipping',
  who: string,
): Record<string, unknown> {
  const street = (a.street ?? []).map((x) => x.trim()).filter(Boolean);
  if (!street.length)
    throw rejected('missing_field', `${who}: the ${kind} address has no street; complete it in Magento`);
  if (!a.country_id || !/^[A-Z]{2}$/.test(a.country_id))
    throw rejected('missing_field', `${who}: the ${kind} address has no country; complete it in Magento`);
  const region = a.region || a.region_code;
  return {
    kind,
    ...(a.firstname ? { firstName: a.firstname } : {}),
    ...(a.lastname ? { lastName: a.lastname } : {}),
    ...(a.company ? { company: a.company } : {}),
    ...(a.email ? { email: a.email } : {}),
    line1: street[0],
    ...(street.length > 1 ? { line2: street.slice(1).join(', ') } : {}),
    ...(a.city ? { city: a.city } : {}),
    ...(region ? { region } : {}),
    ...(a.postcode ? { postalCode: a.postcode } : {}),
    country: a.country_id,
    ...(a.telephone ? { phone: a.telephone } : {}),
  };
}

/**
 * A canonical address as an order address. Magento requires names, a city, a postcode and a
 * telephone on every order address; the addressee falls back to the customer, the telephone to the
 * order's other address. What is still missing is refused with what to fix.
 */
export function orderAddressOut(
  a: Address,
  type: 'billing' | 'shipping',
  ctx: { who: string; names: Names; email?: string; phone?: string },
): MagentoOrderAddress {
  const missing = (what: string, fix: string) =>
    rejected('missing_field', `${ctx.who}: Magento needs ${what} on the ${type} address; ${fix}`);
  if (!a.city?.trim()) throw missing('a city', 'fill in the city');
  if (!a.postalCode?.trim()) throw missing('a postcode', 'fill in the postal code');
  const phone = a.phone?.trim() || ctx.phone?.trim();
  if (!phone) throw missing('a telephone number', 'add a phone to the address');
  const email = a.email ?? ctx.email;
  return {
    address_type: type,
    firstname: a.firstName?.trim() || ctx.names.firstname,
    lastname: a.lastName?.trim() || ctx.names.lastname,
    ...(a.company ? { company: a.company } : {}),
    ...(email ? { email } : {}),
    street: a.line2 ? [a.line1, a.line2] : [a.line1],
    city: a.city,
    // An order address keeps the region as text; Magento does not look it up in its directory.
    ...(a.region ? { region: a.region } : {}),
    postcode: a.postalCode,
    country_id: a.country,
    telephone: phone,
  };
}
