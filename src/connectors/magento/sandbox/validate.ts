import type { MagentoCustomer } from '../types.js';
import type { CountryInfo } from './directory.js';
import { type ErrorBody, fail, required } from './errors.js';

/** Magento 2.4.7+ refuses names with characters outside letters, marks, digits, spaces and , - _ . ' ’ ` & */
const NAME = /^[\p{L}\p{M}\d\s,\-_.'’`&]{1,255}$/u;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The checks Magento runs when a customer is saved, with its messages; undefined when it saves. */
export function validateCustomer(
  c: MagentoCustomer,
  countries: Readonly<Record<string, CountryInfo>>,
): ErrorBody | undefined {
  for (const f of ['email', 'firstname', 'lastname'] as const) if (!c[f]) return required(f);
  if (!EMAIL.test(c.email)) return fail('"%fieldName" is not a valid email address.', { fieldName: 'Email' });
  if (!NAME.test(c.firstname)) return fail('First Name is not valid!');
  if (!NAME.test(c.lastname)) return fail('Last Name is not valid!');
  for (const a of c.addresses ?? []) {
    for (const f of ['firstname', 'lastname', 'city', 'country_id', 'telephone', 'postcode'] as const)
      if (!a[f]) return required(f);
    if (!a.street?.length || !a.street[0]) return required('street');
    if (!countries[a.country_id!])
      return fail('Invalid value of "%value" provided for the %fieldName field.', {
        fieldName: 'countryId',
        value: a.country_id!,
      });
    const regions = countries[a.country_id!]?.available_regions;
    const regionId = a.region_id ?? a.region?.region_id;
    if (regions?.length && !regions.some((r) => Number(r.id) === regionId)) {
      // A country with a region list needs one of its regions (Magento: "regionId" is required).
      if (!regionId) return required('regionId');
      return fail('Invalid value of "%value" provided for the %fieldName field.', {
        fieldName: 'regionId',
        value: String(regionId),
      });
    }
  }
  return undefined;
}
