import type { Address, Customer } from '../../../model/index.js';
import { rejected } from '../../sdk/errors.js';
import type { MagentoSettings } from '../settings.js';
import {
  attr,
  type CustomAttribute,
  type MagentoAddress,
  type MagentoCustomer,
  mergeAttrs,
} from '../types.js';
import { decimalFrom, updatedAtFrom } from './values.js';

/**
 * Magento has no native field for an ERP account number, a credit limit, an on-hold flag or the
 * ERP's customer class. Ledgerlink writes them as customer attributes with these codes; a real store
 * needs them created (Stores › Attributes › Customer) before the first sync — our assumption.
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

export type CustomerMapSettings = Pick<
  MagentoSettings,
  'websiteId' | 'storeId' | 'defaultGroupId' | 'baseCurrency'
>;

/**
 * The customer group of a new customer. The seam for a class → group value map: today every new
 * customer joins the connection's default group; a map from the ERP class to a Magento group id
 * (configured per connection) plugs in here, and `class` then also moves the group on update.
 */
export function groupIdFor(_c: Customer, s: CustomerMapSettings): number {
  return s.defaultGroupId;
}

interface Names {
  firstname: string;
  lastname: string;
}

/** Magento requires both names: the primary contact's, else the customer's name split at its last space. */
export function namesOf(c: Customer): Names {
  const p = c.contacts.find((x) => x.isPrimary) ?? c.contacts[0];
  if (p?.firstName?.trim() && p.lastName?.trim())
    return { firstname: p.firstName.trim(), lastname: p.lastName.trim() };
  const full = c.name.trim().replace(/\s+/g, ' ');
  const cut = full.lastIndexOf(' ');
  // A one-word name fills both, since Magento accepts neither empty.
  return cut > 0
    ? { firstname: full.slice(0, cut), lastname: full.slice(cut + 1) }
    : { firstname: full, lastname: full };
}

export function addressOut(
  c: Customer,
  a: Address,
  i: number,
  n: Names,
  regions?: RegionLookup,
): MagentoAddress {
  const phone =
    a.phone ??
    c.contacts.find((x) => x.isPrimary && x.phone)?.phone ??
    c.contacts.find((x) => x.phone)?.phone;
  const where = `address ${i + 1} (${a.kind})`;
  const missing = (what: string, fix: string) =>
    rejected('missing_field', `customer ${c.number}: Magento needs ${what} on ${where}; ${fix}`);
  if (!a.line1.trim()) throw missing('a street', 'fill in the first address line');
  if (!a.city?.trim()) throw missing('a city', 'fill in the city');
  if (!a.postalCode?.trim()) throw missing('a postcode', 'fill in the postal code');
  if (!phone?.trim()) throw missing('a telephone number', 'add a phone to the address or to a contact');
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
        `customer ${c.number}: Magento does not know the region "${a.region}" of ${a.country} on ${where}; use its code or name as Magento lists it`,
      );
    }
    out.region = found;
    out.region_id = found.region_id;
  }
  return out;
}

/** Every address, with Magento's default billing and shipping flags. */
function addressesOut(c: Customer, n: Names, regions?: RegionLookup): MagentoAddress[] {
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

/**
 * The Magento parts each canonical field changes. With `fields` (an update) only the owned fields
 * are produced; without, everything a new customer gets.
 */
export function customerParts(
  c: Customer,
  fields: readonly string[] | undefined,
  s: CustomerMapSettings,
  regions?: RegionLookup,
): Partial<MagentoCustomer> {
  const want = (f: string) => !fields || fields.includes(f);
  const out: Partial<MagentoCustomer> = {};
  const n = namesOf(c);
  if (want('name') || want('contacts')) Object.assign(out, n);
  if (want('email') && c.email) out.email = c.email;
  if (want('addresses')) out.addresses = addressesOut(c, n, regions);
  const attrs: CustomAttribute[] = [];
  if (!fields) attrs.push({ attribute_code: CUSTOMER_ATTRIBUTES.number, value: c.number });
  // Amounts travel as text: exact, and Magento keeps custom attribute values as text anyway. The
  // store has one base currency; converting another currency is a transform's business, not ours.
  if (want('creditLimit') && (c.creditLimit || fields))
    attrs.push({ attribute_code: CUSTOMER_ATTRIBUTES.creditLimit, value: c.creditLimit?.amount ?? '' });
  // Any status but active stops the customer ordering in the shop.
  if (want('onHold') || want('status'))
    attrs.push({
      attribute_code: CUSTOMER_ATTRIBUTES.onHold,
      value: c.onHold || c.status !== 'active' ? '1' : '0',
    });
  if (want('class') && (c.class || fields))
    attrs.push({ attribute_code: CUSTOMER_ATTRIBUTES.class, value: c.class ?? '' });
  if (attrs.length) out.custom_attributes = attrs;
  if (!fields) {
    out.website_id = s.websiteId;
    out.store_id = s.storeId;
    out.group_id = groupIdFor(c, s);
  }
  return out;
}

/** A whole new Magento customer. */
export function customerToMagento(
  c: Customer,
  s: CustomerMapSettings,
  regions?: RegionLookup,
): MagentoCustomer {
  if (!c.email)
    throw rejected('missing_field', `customer ${c.number} has no e-mail address, which Magento requires`);
  return customerParts(c, undefined, s, regions) as MagentoCustomer;
}

/**
 * Overlays only the owned fields on the customer as Magento has it now: the whole customer a PUT
 * must carry where the store takes the body as the customer (before 2.4), and where a customer
 * read anyway is sent back (the company pages).
 */
export function mergeCustomer(
  current: MagentoCustomer,
  c: Customer,
  fields: readonly string[],
  s: CustomerMapSettings,
  regions?: RegionLookup,
): MagentoCustomer {
  const parts = customerParts(c, fields, s, regions);
  const merged: MagentoCustomer = { ...structuredClone(current), ...parts };
  if (parts.custom_attributes)
    merged.custom_attributes = mergeAttrs(current.custom_attributes, parts.custom_attributes);
  return merged;
}

const truthy = (v: unknown) => v === true || v === 1 || v === '1' || v === 'true';

function addressIn(m: MagentoCustomer, a: MagentoAddress, i: number): Record<string, unknown> {
  const who = `Magento customer ${m.id} (${m.email})`;
  const street = (a.street ?? []).map((x) => x.trim()).filter(Boolean);
  if (!street.length)
    throw rejected('missing_field', `${who}: address ${i + 1} has no street; complete it in Magento`);
  if (!a.country_id || !/^[A-Z]{2}$/.test(a.country_id))
    throw rejected('missing_field', `${who}: address ${i + 1} has no country; complete it in Magento`);
  const region = a.region?.region ?? a.region?.region_code;
  return {
    kind: a.default_billing ? 'billing' : a.default_shipping ? 'shipping' : 'main',
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
 * Magento customer → canonical (Magento as a source). A customer the model cannot hold throws a
 * rejected error that says what to fix; the connector turns it into a SourceItem with that error.
 */
export function customerFromMagento(m: MagentoCustomer, s: CustomerMapSettings): Record<string, unknown> {
  const who = `Magento customer ${m.id} (${m.email})`;
  const name = `${m.firstname ?? ''} ${m.lastname ?? ''}`.trim();
  if (!name) throw rejected('missing_field', `${who} has no name; fill in first and last name in Magento`);
  const erpNumber = attr(m.custom_attributes, CUSTOMER_ATTRIBUTES.number);
  const credit = decimalFrom(
    attr(m.custom_attributes, CUSTOMER_ATTRIBUTES.creditLimit),
    `${who}: credit_limit`,
  );
  const onHold = truthy(attr(m.custom_attributes, CUSTOMER_ATTRIBUTES.onHold));
  const cls = attr(m.custom_attributes, CUSTOMER_ATTRIBUTES.class);
  const phone = m.addresses?.find((a) => a.telephone)?.telephone;
  const out: Record<string, unknown> = {
    // A customer who signed up in the shop has no ERP number yet: the Magento id stands in.
    number: typeof erpNumber === 'string' && erpNumber ? erpNumber : String(m.id),
    name,
    email: m.email,
    status: onHold ? 'on_hold' : 'active',
    onHold,
    currency: s.baseCurrency,
    contacts: [
      {
        ...(m.firstname ? { firstName: m.firstname } : {}),
        ...(m.lastname ? { lastName: m.lastname } : {}),
        email: m.email,
        isPrimary: true,
        ...(phone ? { phone } : {}),
      },
    ],
    addresses: (m.addresses ?? []).map((a, i) => addressIn(m, a, i)),
    updatedAt: updatedAtFrom(m.updated_at, who),
  };
  if (credit !== undefined) out.creditLimit = { amount: credit, currency: s.baseCurrency };
  if (typeof cls === 'string' && cls) out.class = cls;
  return out;
}
