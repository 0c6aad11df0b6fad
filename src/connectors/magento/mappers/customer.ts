import type { Address, Customer } from '../../../model/index.js';
import { rejected } from '../../sdk/errors.js';
import { fromMagentoTime } from '../search-criteria.js';
import {
  attr,
  type CustomAttribute,
  type MagentoAddress,
  type MagentoCustomer,
  mergeAttrs,
} from '../types.js';

/**
 * Magento has no native field for an ERP account number, a credit limit, an on-hold flag or the
 * ERP's customer class. Ledgerlink writes them as customer attributes with these codes; a real store
 * needs them created (Stores › Attributes › Customer) before the first sync.
 */
export const CUSTOMER_ATTRIBUTES = {
  number: 'erp_customer_number',
  creditLimit: 'credit_limit',
  onHold: 'on_hold',
  class: 'customer_class',
} as const;

/** What Magento's directory says of a region: its id, or that the country keeps no list (free text). */
export type RegionLookup = (
  country: string,
  region: string,
) => { region: string; region_code: string; region_id: number } | undefined;

export interface CustomerMapSettings {
  websiteId: number;
  storeId: number;
  defaultGroupId: number;
  baseCurrency: string;
}

function names(c: Customer): { firstname: string; lastname: string } {
  const p = c.contacts.find((x) => x.isPrimary) ?? c.contacts[0];
  if (p?.firstName && p.lastName) return { firstname: p.firstName, lastname: p.lastName };
  const full = c.name.trim();
  const cut = full.lastIndexOf(' ');
  // A one-word name fills both, since Magento requires both.
  return cut > 0
    ? { firstname: full.slice(0, cut), lastname: full.slice(cut + 1) }
    : { firstname: full, lastname: full };
}

function addressOut(
  c: Customer,
  a: Address,
  i: number,
  n: { firstname: string; lastname: string },
  regions?: RegionLookup,
): MagentoAddress {
  const phone = a.phone ?? c.contacts.find((x) => x.phone)?.phone;
  const where = `address ${i + 1} (${a.kind})`;
  if (!phone)
    throw rejected('missing_field', `customer ${c.number}: Magento needs a telephone number on ${where}`);
  if (!a.city) throw rejected('missing_field', `customer ${c.number}: Magento needs a city on ${where}`);
  if (!a.postalCode)
    throw rejected('missing_field', `customer ${c.number}: Magento needs a postcode on ${where}`);
  const out: MagentoAddress = {
    firstname: n.firstname,
    lastname: n.lastname,
    company: c.name,
    street: a.line2 ? [a.line1, a.line2] : [a.line1],
    city: a.city,
    postcode: a.postalCode,
    country_id: a.country,
    telephone: phone,
  };
  if (a.region) {
    const found = regions
      ? regions(a.country, a.region)
      : { region: a.region, region_code: a.region, region_id: 0 };
    if (!found) {
      throw rejected(
        'invalid_data',
        `customer ${c.number}: Magento does not know the region "${a.region}" of ${a.country} on ${where}`,
      );
    }
    out.region = found;
    out.region_id = found.region_id;
  }
  return out;
}

function addressesOut(
  c: Customer,
  n: { firstname: string; lastname: string },
  regions?: RegionLookup,
): MagentoAddress[] {
  const list = c.addresses.map((a, i) => addressOut(c, a, i, n, regions));
  const idx = (kind: Address['kind']) => c.addresses.findIndex((a) => a.kind === kind);
  // The first address is the default for a role no address is marked for.
  const billing = Math.max(idx('billing'), 0);
  const shipping = Math.max(idx('shipping'), 0);
  list.forEach((a, i) => {
    a.default_billing = i === billing;
    a.default_shipping = i === shipping;
  });
  return list;
}

/** The Magento parts each canonical field changes; an update touches only these. */
export function customerParts(
  c: Customer,
  fields: readonly string[] | undefined,
  s: CustomerMapSettings,
  regions?: RegionLookup,
): Partial<MagentoCustomer> {
  const want = (f: string) => !fields || fields.includes(f);
  const out: Partial<MagentoCustomer> = {};
  const n = names(c);
  if (want('name') || want('contacts')) Object.assign(out, n);
  if (want('email') && c.email) out.email = c.email;
  if (want('addresses')) out.addresses = addressesOut(c, n, regions);
  const attrs: CustomAttribute[] = [];
  if (!fields) attrs.push({ attribute_code: CUSTOMER_ATTRIBUTES.number, value: c.number });
  if (want('creditLimit') && c.creditLimit)
    attrs.push({ attribute_code: CUSTOMER_ATTRIBUTES.creditLimit, value: c.creditLimit.amount });
  if (want('onHold') || want('status'))
    attrs.push({
      attribute_code: CUSTOMER_ATTRIBUTES.onHold,
      value: c.onHold || c.status !== 'active' ? '1' : '0',
    });
  if (want('class') && c.class) attrs.push({ attribute_code: CUSTOMER_ATTRIBUTES.class, value: c.class });
  if (attrs.length) out.custom_attributes = attrs;
  if (!fields) {
    out.website_id = s.websiteId;
    out.store_id = s.storeId;
    out.group_id = s.defaultGroupId;
  }
  return out;
}

/** A whole new Magento customer. */
export function customerToMagento(
  c: Customer,
  s: CustomerMapSettings,
  regions?: RegionLookup,
): MagentoCustomer {
  if (!c.email) throw rejected('missing_field', `customer ${c.number} has no e-mail, which Magento requires`);
  return customerParts(c, undefined, s, regions) as MagentoCustomer;
}

/** Overlays only the owned fields on the customer as Magento has it (PUT replaces the customer whole). */
export function mergeCustomer(
  current: MagentoCustomer,
  c: Customer,
  fields: readonly string[],
  s: CustomerMapSettings,
  regions?: RegionLookup,
): MagentoCustomer {
  const parts = customerParts(c, fields, s, regions);
  const merged: MagentoCustomer = { ...current, ...parts };
  if (parts.custom_attributes)
    merged.custom_attributes = mergeAttrs(current.custom_attributes, parts.custom_attributes);
  return merged;
}

/** Magento customer → canonical (Magento as a source). */
export function customerFromMagento(m: MagentoCustomer, s: CustomerMapSettings): Record<string, unknown> {
  const credit = attr(m.custom_attributes, CUSTOMER_ATTRIBUTES.creditLimit);
  const onHold = String(attr(m.custom_attributes, CUSTOMER_ATTRIBUTES.onHold) ?? '0') === '1';
  const cls = attr(m.custom_attributes, CUSTOMER_ATTRIBUTES.class);
  const phone = m.addresses?.find((a) => a.telephone)?.telephone;
  const out: Record<string, unknown> = {
    number: String(attr(m.custom_attributes, CUSTOMER_ATTRIBUTES.number) ?? m.id),
    name: `${m.firstname} ${m.lastname}`.trim(),
    email: m.email,
    status: onHold ? 'on_hold' : 'active',
    onHold,
    currency: s.baseCurrency,
    contacts: [
      {
        firstName: m.firstname,
        lastName: m.lastname,
        email: m.email,
        isPrimary: true,
        ...(phone ? { phone } : {}),
      },
    ],
    addresses: (m.addresses ?? []).map((a) => ({
      kind: a.default_billing ? 'billing' : a.default_shipping ? 'shipping' : 'main',
      line1: a.street?.[0] ?? '',
      ...(a.street?.[1] ? { line2: a.street[1] } : {}),
      ...(a.city ? { city: a.city } : {}),
      ...(a.region?.region ? { region: a.region.region } : {}),
      ...(a.postcode ? { postalCode: a.postcode } : {}),
      country: a.country_id,
      ...(a.telephone ? { phone: a.telephone } : {}),
    })),
    updatedAt: m.updated_at ? fromMagentoTime(m.updated_at) : new Date(0).toISOString(),
  };
  if (credit !== undefined && credit !== null && credit !== '')
    out.creditLimit = { amount: String(credit), currency: s.baseCurrency };
  if (typeof cls === 'string' && cls) out.class = cls;
  return out;
}
