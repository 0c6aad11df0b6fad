import type { Customer } from '../../../model/index.js';
import { fromAccurateDateTime, toAccurateDate } from '../dates.js';
import { type AccCustomer, text } from '../types.js';

/** Countries as Accurate's address fields spell them (free text), to ISO codes; others are left out. */
const COUNTRIES: Record<string, string> = { indonesia: 'ID', singapore: 'SG', malaysia: 'MY' };

export const CUSTOMER_FIELDS =
  'id,customerNo,name,email,mobilePhone,billStreet,billCity,billProvince,billZipCode,billCountry,suspended,lastUpdate';

export function customerFrom(c: AccCustomer, currency: string): Customer {
  const number = text(c.customerNo);
  if (!number) throw new Error(`Accurate customer ${c.id} has no customer number`);
  const country = COUNTRIES[(text(c.billCountry) ?? 'indonesia').toLowerCase()];
  const street = text(c.billStreet);
  return {
    number,
    name: text(c.name) ?? number,
    ...(text(c.email) ? { email: text(c.email) } : {}),
    status: c.suspended ? 'inactive' : 'active',
    onHold: false,
    currency,
    contacts: [],
    addresses:
      street && country
        ? [
            {
              kind: 'billing',
              line1: street,
              ...(text(c.billCity) ? { city: text(c.billCity) } : {}),
              ...(text(c.billProvince) ? { region: text(c.billProvince) } : {}),
              ...(text(c.billZipCode) ? { postalCode: text(c.billZipCode) } : {}),
              country,
              ...(text(c.mobilePhone) ? { phone: text(c.mobilePhone) } : {}),
            },
          ]
        : [],
    updatedAt: c.lastUpdate ? fromAccurateDateTime(c.lastUpdate) : new Date(0).toISOString(),
  };
}

/** The canonical fields an update may own, as save.do names them. */
export const CUSTOMER_UPDATABLE = ['name', 'email', 'addresses'] as const;

/**
 * A customer's save.do body. `customerNo` only when one is given: without it Accurate numbers the
 * customer itself (the seed's "Use Id in customer data as the mapping" off, or an iSeller customer
 * without an ID).
 */
export function customerTo(
  c: Partial<Customer> & { name: string },
  o: { customerNo?: string; branch?: string; today: string; owned?: readonly string[] },
): Record<string, unknown> {
  const owns = (f: string) => !o.owned || o.owned.includes(f);
  const billing = c.addresses?.find((a) => a.kind === 'billing') ?? c.addresses?.[0];
  return {
    name: c.name,
    transDate: toAccurateDate(o.today),
    ...(o.customerNo ? { customerNo: o.customerNo } : {}),
    ...(owns('email') && c.email ? { email: c.email } : {}),
    ...(owns('addresses') && billing
      ? {
          billStreet: billing.line1,
          ...(billing.city ? { billCity: billing.city } : {}),
          ...(billing.region ? { billProvince: billing.region } : {}),
          ...(billing.postalCode ? { billZipCode: billing.postalCode } : {}),
          billCountry: billing.country === 'ID' ? 'Indonesia' : billing.country,
        }
      : {}),
    ...(!o.owned && c.currency ? { currencyCode: c.currency } : {}),
    ...(!o.owned && o.branch ? { branchName: o.branch } : {}),
  };
}
