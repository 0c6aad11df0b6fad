import type { MagentoCustomer } from '../types.js';
import type { CountryInfo } from './directory.js';

/** Magento 2.4.7+ refuses names with characters outside letters, marks, digits, spaces and , - _ . ' ’ ` & */
const NAME = /^[\p{L}\p{M}\d\s,\-_.'’`&]{1,255}$/u;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

type Problem = { message: string; parameters?: Array<Record<string, string>> };

const required = (field: string): Problem => ({
  message: '"%fieldName" is required. Enter and try again.',
  parameters: [{ fieldName: field }],
});

/** The checks Magento runs when a customer is saved, with its messages. */
export function validateCustomer(
  c: MagentoCustomer,
  countries: Readonly<Record<string, CountryInfo>>,
): Problem | undefined {
  for (const f of ['email', 'firstname', 'lastname'] as const) if (!c[f]) return required(f);
  if (!EMAIL.test(c.email))
    return { message: '"%fieldName" is not a valid email address.', parameters: [{ fieldName: c.email }] };
  if (!NAME.test(c.firstname)) return { message: 'First Name is not valid!' };
  if (!NAME.test(c.lastname)) return { message: 'Last Name is not valid!' };
  for (const a of c.addresses ?? []) {
    for (const f of ['firstname', 'lastname', 'city', 'country_id', 'telephone', 'postcode'] as const)
      if (!a[f]) return required(f);
    if (!a.street?.length || !a.street[0]) return required('street');
    const regions = countries[a.country_id!]?.available_regions;
    const regionId = a.region_id ?? a.region?.region_id;
    if (regions?.length && regionId !== undefined && !regions.some((r) => Number(r.id) === regionId)) {
      return {
        message: 'Invalid value of "%value" provided for the %fieldName field.',
        parameters: [{ fieldName: 'regionId', fieldValue: String(regionId) }],
      };
    }
  }
  return undefined;
}
