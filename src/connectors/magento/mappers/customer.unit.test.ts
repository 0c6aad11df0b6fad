import { describe, expect, it } from 'vitest';
import { Customer } from '../../../model/index.js';
import { isLedgerlinkError } from '../../sdk/errors.js';
import type { MagentoCustomer } from '../types.js';
import { customerFromMagento, customerToMagento, groupIdFor, mergeCustomer, namesOf } from './customer.js';

const settings = { websiteId: 2, storeId: 3, defaultGroupId: 5, baseCurrency: 'USD' };

const customer = (patch: Record<string, unknown> = {}) =>
  Customer.parse({
    number: 'C1',
    name: 'Acme Trading Co',
    email: 'buyer@acme.example',
    currency: 'USD',
    creditLimit: { amount: '12345678901.23', currency: 'USD' },
    addresses: [
      { kind: 'main', line1: '1 A St', city: 'X', postalCode: '1', country: 'US', phone: '5' },
      {
        kind: 'shipping',
        line1: '2 B St',
        line2: 'Unit 4',
        city: 'Y',
        postalCode: '2',
        country: 'NL',
        phone: '6',
      },
    ],
    updatedAt: '2026-01-01T00:00:00Z',
    ...patch,
  });

/** The rejection a mapper throws, as data. */
function refusal(fn: () => unknown): { code: string; category: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (isLedgerlinkError(e)) return { code: e.code, category: e.category, message: e.message };
    throw e;
  }
  throw new Error('expected a rejection');
}

describe('canonical customer → Magento', () => {
  it('maps a new customer: names, website, store, group, defaults, and our custom attributes', () => {
    const m = customerToMagento(customer(), settings);
    expect(m).toMatchObject({
      email: 'buyer@acme.example',
      firstname: 'Acme Trading',
      lastname: 'Co',
      website_id: 2,
      store_id: 3,
      group_id: 5,
    });
    expect(m.addresses?.map((a) => [a.default_billing, a.default_shipping])).toEqual([
      [true, false],
      [false, true],
    ]);
    expect(m.addresses?.[1]).toMatchObject({
      street: ['2 B St', 'Unit 4'],
      country_id: 'NL',
      telephone: '6',
    });
    expect(m.custom_attributes).toEqual([
      { attribute_code: 'erp_customer_number', value: 'C1' },
      // Exactly as the source wrote it: no float ever touches the amount.
      { attribute_code: 'credit_limit', value: '12345678901.23' },
      { attribute_code: 'on_hold', value: '0' },
    ]);
  });

  it('takes the names of the primary contact when it has both', () => {
    const c = customer({
      contacts: [
        { firstName: 'Other', lastName: 'Person' },
        { firstName: ' Bea ', lastName: 'Buyer', isPrimary: true },
      ],
    });
    expect(namesOf(c)).toEqual({ firstname: 'Bea', lastname: 'Buyer' });
    expect(namesOf(customer({ name: 'Madonna' }))).toEqual({ firstname: 'Madonna', lastname: 'Madonna' });
  });

  it('new customers join the default group (the seam a class → group map will use)', () => {
    expect(groupIdFor(customer({ class: 'WHOLESALE' }), settings)).toBe(5);
  });

  it('any status but active, or the on-hold flag, sets on_hold', () => {
    const attr = (c: Customer) =>
      customerToMagento(c, settings).custom_attributes?.find((a) => a.attribute_code === 'on_hold')?.value;
    expect(attr(customer({ onHold: true }))).toBe('1');
    expect(attr(customer({ status: 'credit_hold' }))).toBe('1');
    expect(attr(customer())).toBe('0');
  });

  it('refuses, before sending, what Magento would refuse — and says what to fix', () => {
    expect(refusal(() => customerToMagento(customer({ email: undefined }), settings))).toMatchObject({
      code: 'missing_field',
      category: 'rejected',
      message: 'customer C1 has no e-mail address, which Magento requires',
    });
    const noPhone = customer({
      addresses: [{ kind: 'billing', line1: '1 A St', city: 'X', postalCode: '1', country: 'US' }],
    });
    expect(refusal(() => customerToMagento(noPhone, settings))).toMatchObject({
      category: 'rejected',
      message:
        'customer C1: Magento needs a telephone number on address 1 (billing); add a phone to the address or to a contact',
    });
    const noCity = customer({ addresses: [{ line1: '1 A St', postalCode: '1', country: 'US', phone: '1' }] });
    expect(refusal(() => customerToMagento(noCity, settings)).message).toMatch(
      /needs a city on address 1 \(main\)/,
    );
    const noZip = customer({ addresses: [{ line1: '1 A St', city: 'X', country: 'US', phone: '1' }] });
    expect(refusal(() => customerToMagento(noZip, settings)).message).toMatch(/needs a postcode/);
  });

  it('a contact phone stands in for an address without one', () => {
    const c = customer({
      contacts: [{ firstName: 'A', lastName: 'B', phone: '+1 555', isPrimary: true }],
      addresses: [{ line1: '1 A St', city: 'X', postalCode: '1', country: 'US' }],
    });
    expect(customerToMagento(c, settings).addresses?.[0]?.telephone).toBe('+1 555');
  });

  it("resolves a region through Magento's directory, and refuses one it does not know", () => {
    const c = customer({
      addresses: [{ line1: '1', city: 'S', postalCode: '9', region: 'wa', country: 'US', phone: '1' }],
    });
    const lookup = (_country: string, region: string) =>
      region.toLowerCase() === 'wa' ? { region: 'Washington', region_code: 'WA', region_id: 47 } : undefined;
    expect(customerToMagento(c, settings, lookup).addresses?.[0]).toMatchObject({
      region: { region: 'Washington', region_code: 'WA', region_id: 47 },
      region_id: 47,
    });
    expect(refusal(() => customerToMagento(c, settings, () => undefined)).message).toMatch(
      /Magento does not know the region "wa" of US on address 1 \(main\)/,
    );
  });
});

describe('an update changes only the owned fields', () => {
  const current: MagentoCustomer = {
    id: 5,
    email: 'old@x.com',
    firstname: 'Old',
    lastname: 'Name',
    group_id: 4,
    website_id: 2,
    addresses: [
      { id: 9, street: ['Edited in Magento'], city: 'Z', country_id: 'US', telephone: '1', postcode: '1' },
    ],
    custom_attributes: [
      { attribute_code: 'favourite', value: 'blue' },
      { attribute_code: 'credit_limit', value: '1.00' },
    ],
  };

  it('creditLimit alone: the merge keeps names, e-mail, group, addresses and other attributes', () => {
    const merged = mergeCustomer(
      current,
      customer({ creditLimit: { amount: '10.10', currency: 'USD' } }),
      ['creditLimit'],
      settings,
    );
    expect(merged).toEqual({
      ...current,
      custom_attributes: [
        { attribute_code: 'favourite', value: 'blue' },
        { attribute_code: 'credit_limit', value: '10.10' },
      ],
    });
    // The snapshot it started from is left alone.
    expect(current.custom_attributes?.[1]?.value).toBe('1.00');
  });

  it('an owned value that became empty is cleared, not left behind', () => {
    const merged = mergeCustomer(current, customer({ creditLimit: undefined }), ['creditLimit'], settings);
    expect(merged.custom_attributes).toContainEqual({ attribute_code: 'credit_limit', value: '' });
  });

  it('name and e-mail when owned', () => {
    const merged = mergeCustomer(current, customer(), ['name', 'email'], settings);
    expect(merged).toMatchObject({
      firstname: 'Acme Trading',
      lastname: 'Co',
      email: 'buyer@acme.example',
      group_id: 4,
    });
    expect(merged.addresses).toEqual(current.addresses);
  });
});

describe('Magento customer → canonical', () => {
  const m: MagentoCustomer = {
    id: 12,
    email: 'shop@x.com',
    firstname: 'Sam',
    lastname: 'Shopper',
    updated_at: '2026-03-04 05:06:07',
    addresses: [
      {
        street: ['1 Road', 'Flat 2'],
        city: 'Leeds',
        postcode: 'LS1',
        country_id: 'GB',
        telephone: '07',
        default_billing: true,
      },
    ],
    custom_attributes: [
      { attribute_code: 'credit_limit', value: '0.10' },
      { attribute_code: 'on_hold', value: '1' },
      { attribute_code: 'customer_class', value: 'RETAIL' },
    ],
  };

  it('maps back, amounts exact, the Magento id standing in for a missing ERP number', () => {
    const c = Customer.parse(customerFromMagento(m, settings));
    expect(c).toMatchObject({
      number: '12',
      name: 'Sam Shopper',
      creditLimit: { amount: '0.1', currency: 'USD' },
      onHold: true,
      status: 'on_hold',
      class: 'RETAIL',
      updatedAt: '2026-03-04T05:06:07.000Z',
      addresses: [
        { kind: 'billing', line1: '1 Road', line2: 'Flat 2', city: 'Leeds', country: 'GB', phone: '07' },
      ],
    });
  });

  it('a customer the model cannot hold is refused with what to fix in Magento', () => {
    expect(
      refusal(() => customerFromMagento({ ...m, addresses: [{ street: [], country_id: 'GB' }] }, settings)),
    ).toMatchObject({
      code: 'missing_field',
      category: 'rejected',
      message: 'Magento customer 12 (shop@x.com): address 1 has no street; complete it in Magento',
    });
    const badCredit = { ...m, custom_attributes: [{ attribute_code: 'credit_limit', value: '1,500.00' }] };
    expect(refusal(() => customerFromMagento(badCredit, settings))).toMatchObject({
      code: 'invalid_data',
      message:
        'Magento customer 12 (shop@x.com): credit_limit "1,500.00" is not a number; correct it in Magento',
    });
  });
});
