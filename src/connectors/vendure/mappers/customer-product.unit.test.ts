import { describe, expect, it } from 'vitest';
import { Customer, Product } from '../../../model/index.js';
import recordedCustomer from '../fixtures/customer.json' with { type: 'json' };
import recordedVariant from '../fixtures/variant.json' with { type: 'json' };
import type { VendureCustomer, VendureVariant } from '../types.js';
import { addressInput, customerFromVendure, customerInput, hasAddress } from './customer.js';
import { productFromVendure, stockOnHandOf, variantInput, variantUpdate } from './product.js';

const customer = (patch: Record<string, unknown> = {}) =>
  Customer.parse({
    number: 'C0042',
    name: 'Acme Trading',
    email: 'buyer@acme.example',
    type: 'B2B',
    currency: 'USD',
    contacts: [{ firstName: 'Ann', lastName: 'Buyer', phone: '+1 555 0100', isPrimary: true }],
    addresses: [
      {
        kind: 'billing',
        line1: '1 Main St',
        city: 'Denver',
        region: 'CO',
        postalCode: '80202',
        country: 'US',
      },
      { kind: 'shipping', line1: '9 Dock Rd', city: 'Denver', postalCode: '80216', country: 'US' },
    ],
    updatedAt: '2026-01-05T10:00:00Z',
    ...patch,
  });

const product = (patch: Record<string, unknown> = {}) =>
  Product.parse({
    sku: 'WID-1',
    name: 'Widget',
    description: 'A widget',
    listPrice: { amount: '19.99', currency: 'USD' },
    unit: 'EA',
    stock: [
      { warehouse: 'MAIN', onHand: '7' },
      { warehouse: 'RETAIL', onHand: '3.5' },
    ],
    updatedAt: '2026-01-05T10:00:00Z',
    ...patch,
  });

describe('Vendure customer ↔ canonical customer', () => {
  it('reads the recorded customer: the Vendure id stands in for a number until the ERP has one', () => {
    const c = Customer.parse(customerFromVendure(recordedCustomer as VendureCustomer, 'USD'));
    expect(c).toMatchObject({
      number: '22',
      name: 'Rec Shopper',
      email: 'rec.shopper@example.com',
      currency: 'USD',
      contacts: [
        { firstName: 'Rec', lastName: 'Shopper', email: 'rec.shopper@example.com', isPrimary: true },
      ],
      addresses: [
        {
          kind: 'shipping',
          firstName: 'Rec',
          lastName: 'Shopper',
          company: 'Tea Room Ltd',
          line1: '5 Market Row',
          line2: 'Unit 2',
          city: 'York',
          region: 'North Yorkshire',
          postalCode: 'YO1 8AA',
          country: 'GB',
          phone: '+44 1904 000000',
        },
      ],
      updatedAt: '2026-11-24T06:23:43.000Z',
    });
    const withErp = { ...recordedCustomer, customFields: { erpCustomerNumber: 'C0042' } } as VendureCustomer;
    expect(customerFromVendure(withErp, 'USD').number).toBe('C0042');
  });

  it('a new customer is the contact person, with the ERP number in erpCustomerNumber', () => {
    expect(customerInput(customer())).toEqual({
      firstName: 'Ann',
      lastName: 'Buyer',
      phoneNumber: '+1 555 0100',
      emailAddress: 'buyer@acme.example',
      customFields: { erpCustomerNumber: 'C0042' },
    });
    // Without a contact, the name is split at its last space.
    expect(customerInput(customer({ contacts: [] }))).toMatchObject({
      firstName: 'Acme',
      lastName: 'Trading',
    });
  });

  it('an update carries only what the owned fields change', () => {
    expect(customerInput(customer(), ['email'])).toEqual({ emailAddress: 'buyer@acme.example' });
    expect(customerInput(customer({ contacts: [] }), ['contacts'])).toEqual({
      firstName: 'Acme',
      lastName: 'Trading',
      phoneNumber: '',
    });
    expect(customerInput(customer(), ['creditLimit'])).toEqual({});
  });

  it('addresses: the company of a B2B customer, the defaults by kind, matched by street, postcode and country', () => {
    const c = customer();
    expect(addressInput(c, c.addresses[0]!, c.addresses)).toEqual({
      fullName: 'Ann Buyer',
      company: 'Acme Trading',
      streetLine1: '1 Main St',
      city: 'Denver',
      province: 'CO',
      postalCode: '80202',
      countryCode: 'US',
      phoneNumber: '+1 555 0100',
      defaultBillingAddress: true,
      defaultShippingAddress: false,
    });
    expect(addressInput(c, c.addresses[1]!, c.addresses)).toMatchObject({
      defaultBillingAddress: false,
      defaultShippingAddress: true,
    });
    const vendure = (recordedCustomer as VendureCustomer).addresses!;
    expect(
      hasAddress(vendure, {
        ...c.addresses[0]!,
        line1: '5  MARKET row',
        postalCode: 'yo1 8aa',
        country: 'GB',
      }),
    ).toBe(true);
    expect(hasAddress(vendure, c.addresses[0]!)).toBe(false);
  });

  it('a customer without an e-mail or a name is refused with the reason', () => {
    expect(() => customerInput(customer({ email: undefined }))).toThrow(
      'customer C0042 has no e-mail address, which Vendure requires',
    );
  });
});

describe('Vendure product variant ↔ canonical product', () => {
  it('reads the recorded variant: price from minor units, stock per stock location', () => {
    expect(Product.parse(productFromVendure(recordedVariant as VendureVariant, 2))).toEqual({
      sku: 'REC-MUG',
      name: 'Enamel Mug',
      status: 'active',
      listPrice: { amount: '12.50', currency: 'USD' },
      unit: 'EA',
      stock: [{ warehouse: 'Default Stock Location', onHand: '39' }],
      updatedAt: '2026-11-24T06:23:43.000Z',
    });
    const disabled = { ...recordedVariant, product: { ...recordedVariant.product, enabled: false } };
    expect(productFromVendure(disabled as VendureVariant, 2).status).toBe('inactive');
  });

  it('a new variant: the price without tax in minor units, whole units of the chosen warehouses', () => {
    expect(variantInput(product(), '9', 2, { languageCode: 'en', stockWarehouses: [] })).toEqual({
      productId: '9',
      sku: 'WID-1',
      enabled: true,
      price: 1999,
      stockOnHand: 10,
      translations: [{ languageCode: 'en', name: 'Widget' }],
    });
    expect(stockOnHandOf(product(), { stockWarehouses: ['MAIN'] })).toBe(7);
    expect(
      stockOnHandOf(product({ stock: [{ warehouse: 'MAIN', onHand: '-2' }] }), { stockWarehouses: [] }),
    ).toBe(0);
  });

  it('an update writes the owned fields only', () => {
    const s = { languageCode: 'en', stockWarehouses: [] };
    expect(
      variantUpdate(product({ listPrice: { amount: '0.1', currency: 'USD' } }), '5', ['listPrice'], 2, s),
    ).toEqual({
      id: '5',
      price: 10,
    });
    expect(variantUpdate(product(), '5', ['stock', 'description'], 2, s)).toEqual({
      id: '5',
      stockOnHand: 10,
    });
  });

  it('a price with more decimals than the shop keeps is refused, not rounded', () => {
    expect(() =>
      variantInput(product({ listPrice: { amount: '19.995', currency: 'USD' } }), '9', 2, {
        languageCode: 'en',
        stockWarehouses: [],
      }),
    ).toThrow('product WID-1: list price 19.995 has more decimal places than Vendure keeps (2)');
  });
});
