import { describe, expect, it } from 'vitest';
import { Customer, Product } from '../../../model/index.js';
import type { RawCustomer, RawStockItem } from '../types.js';
import { customerFromAcumatica, customerToAcumatica } from './customer.js';
import { productFromAcumatica, productToAcumatica } from './product.js';

const raw: RawCustomer = {
  CustomerID: { value: 'C0042' },
  CustomerName: { value: 'Adams Outfitters' },
  CustomerClass: { value: 'RETAIL' },
  Status: { value: 'Credit Hold' },
  CurrencyID: { value: 'EUR' },
  CreditLimit: { value: 1234.5 },
  MainContact: {
    FirstName: { value: 'Ann' },
    LastName: { value: 'Adams' },
    Email: { value: 'ann@example.com' },
    Phone1: { value: '+1 555 0100' },
    Address: {
      AddressLine1: { value: '1 Main St' },
      City: { value: 'Seattle' },
      State: { value: 'WA' },
      PostalCode: { value: '98101' },
      Country: { value: 'us' },
    },
  },
  LastModifiedDateTime: { value: '2026-01-02T03:04:05.123+02:00' },
};

const USD = { baseCurrency: 'USD' };

describe('Acumatica customer mapping', () => {
  it('attributes and the custom fields a connection reads become attributes; one of them names the type', () => {
    const withAttributes = {
      ...raw,
      Attributes: [
        { AttributeID: { value: 'CUSTTYPE' }, Value: { value: 'b2b' } },
        { AttributeID: { value: 'REGION' }, Value: { value: 'EU' } },
        { AttributeID: { value: 'EMPTY' } },
      ],
      custom: { BAccount: { UsrEnableKNB: { type: 'CustomBooleanField', value: true } } },
      // The Contacts tab: the main contact again (left out), a buyer, and an empty row.
      Contacts: [
        { ContactID: { value: 1 }, Contact: { Email: { value: 'ANN@example.com' } } },
        {
          ContactID: { value: 2 },
          Contact: {
            FirstName: { value: 'Bob' },
            LastName: { value: 'Buyer' },
            Email: { value: 'bob@example.com' },
          },
        },
        { ContactID: { value: 3 }, Contact: {} },
      ],
    };
    const c = Customer.parse(
      customerFromAcumatica(withAttributes, {
        baseCurrency: 'USD',
        customerCustomFields: { KNB: 'BAccount.UsrEnableKNB', PORTAL: 'BAccount.UsrPortal' },
        customerTypeField: 'CUSTTYPE',
      }),
    );
    expect(c.attributes).toEqual({ CUSTTYPE: 'b2b', REGION: 'EU', KNB: 'true' });
    expect(c.contacts.map((x) => x.email)).toEqual(['ann@example.com', 'bob@example.com']);
    expect(c.contacts[1]).toEqual({
      firstName: 'Bob',
      lastName: 'Buyer',
      email: 'bob@example.com',
      isPrimary: false,
    });
    expect(c.type).toBe('B2B');
    // Without the setting the type is not guessed; without attributes none are made up.
    expect(Customer.parse(customerFromAcumatica(withAttributes, USD)).type).toBeUndefined();
    expect(Customer.parse(customerFromAcumatica(raw, USD)).attributes).toBeUndefined();
  });

  it('maps to a valid canonical customer with exact decimals and a UTC timestamp', () => {
    const c = Customer.parse(customerFromAcumatica(raw, USD));
    expect(c).toMatchObject({
      number: 'C0042',
      name: 'Adams Outfitters',
      email: 'ann@example.com',
      class: 'RETAIL',
      status: 'credit_hold',
      onHold: true,
      currency: 'EUR',
      creditLimit: { amount: '1234.5', currency: 'EUR' },
      updatedAt: '2026-01-02T01:04:05.123Z',
    });
    expect(c.addresses).toEqual([
      {
        kind: 'main',
        line1: '1 Main St',
        city: 'Seattle',
        region: 'WA',
        postalCode: '98101',
        country: 'US',
        phone: '+1 555 0100',
      },
    ]);
    expect(c.contacts[0]).toMatchObject({ firstName: 'Ann', lastName: 'Adams', isPrimary: true });
  });

  it('a customer without a country is left for the model to name precisely', () => {
    const noCountry = structuredClone(raw);
    delete noCountry.MainContact!.Address!.Country;
    const r = Customer.safeParse(customerFromAcumatica(noCountry, USD));
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['addresses', 0, 'country']);
  });

  it('a record without its key is an error, not a guess', () => {
    expect(() => customerFromAcumatica({ CustomerName: { value: 'x' } }, USD)).toThrow(
      /without a CustomerID/,
    );
  });

  it('writes only the owned fields on update, always with the key', () => {
    const c = Customer.parse(customerFromAcumatica(raw, USD));
    expect(customerToAcumatica(c, ['creditLimit'])).toEqual({
      CustomerID: { value: 'C0042' },
      CreditLimit: { value: 1234.5 },
    });
    const all = customerToAcumatica(c);
    expect(all.MainContact?.Address?.AddressLine1).toEqual({ value: '1 Main St' });
    expect(all.Status).toEqual({ value: 'Credit Hold' });
  });
});

describe('Acumatica stock item mapping', () => {
  const item: RawStockItem = {
    InventoryID: { value: 'ITEM1' },
    Description: { value: 'Kettle' },
    ItemStatus: { value: 'Active' },
    ValuationMethod: { value: 'Average' },
    DefaultPrice: { value: 19.99 },
    CurrentStdCost: { value: 0 },
    AverageCost: { value: 7.125 },
    BaseUOM: { value: 'EA' },
    DimensionWeight: { value: 1.2 },
    WeightUOM: { value: 'KG' },
    WarehouseDetails: [
      { WarehouseID: { value: 'MAIN' }, QtyOnHand: { value: 10 } },
      { WarehouseID: { value: 'RETAIL' }, QtyOnHand: { value: 2.5 } },
    ],
    LastModified: { value: '2026-01-01T00:00:00+00:00' },
  };

  it('takes the cost the item is valued at, and stock per warehouse, as decimals', () => {
    const p = Product.parse(productFromAcumatica(item, 'USD'));
    expect(p).toMatchObject({
      sku: 'ITEM1',
      listPrice: { amount: '19.99', currency: 'USD' },
      standardCost: { amount: '7.125', currency: 'USD' },
      unit: 'EA',
      weight: { value: '1.2', unit: 'KG' },
    });
    expect(p.stock).toEqual([
      { warehouse: 'MAIN', onHand: '10' },
      { warehouse: 'RETAIL', onHand: '2.5' },
    ]);
    const std = Product.parse(
      productFromAcumatica(
        { ...item, ValuationMethod: { value: 'Standard' }, CurrentStdCost: { value: 8 } },
        'USD',
      ),
    );
    expect(std.standardCost?.amount).toBe('8');
  });

  it('sends a new standard cost as pending, never as the current cost', () => {
    const p = Product.parse(productFromAcumatica(item, 'USD'));
    expect(productToAcumatica(p, ['standardCost', 'listPrice'])).toEqual({
      InventoryID: { value: 'ITEM1' },
      PendingStdCost: { value: 7.125 },
      DefaultPrice: { value: 19.99 },
    });
  });
});
