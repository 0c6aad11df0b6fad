import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { SalesOrder } from '../../../model/index.js';
import type { MagentoOrder } from '../sales-types.js';
import { cancelOrder, holdOrder, refundOrder, unholdOrder } from '../sandbox/order-lifecycle.js';
import { type PlaceOrderInput, placeOrder } from '../sandbox/place-order.js';
import { SandboxStore } from '../sandbox/store.js';
import { salesOrderToMagento } from './order-to-magento.js';
import { lifecycleFromMagento, ORDER_TYPE, salesOrderFromMagento } from './sales-order.js';

const S = { baseCurrency: 'USD' };

function shop(): SandboxStore {
  const store = new SandboxStore();
  store.seed({ customers: 2, products: 4 });
  return store;
}

const read = (o: MagentoOrder) => SalesOrder.parse(salesOrderFromMagento(o, S));

/** The model's totals formula, to the cent. */
function expectTotalsHold(so: SalesOrder) {
  const lines = so.lines.reduce((s, l) => s.plus(l.total.amount), new Decimal(0));
  const total = lines
    .minus(so.discountTotal?.amount ?? 0)
    .plus(so.shippingTotal?.amount ?? 0)
    .plus(so.taxTotal.amount);
  expect(total.toFixed(2)).toBe(new Decimal(so.orderTotal.amount).toFixed(2));
  const taxes = so.taxLines.reduce((s, t) => s.plus(t.tax.amount), new Decimal(0));
  expect(taxes.toFixed(2)).toBe(new Decimal(so.taxTotal.amount).toFixed(2));
  for (const l of so.lines) {
    const expected = new Decimal(l.quantity).times(l.unitPrice.amount).minus(l.discount?.amount ?? 0);
    expect(new Decimal(l.total.amount).toFixed(2)).toBe(expected.toFixed(2));
  }
}

const carts: Array<[string, Omit<PlaceOrderInput, 'lines'> & { lines: PlaceOrderInput['lines'] }]> = [
  [
    'USD, New York rate, a discounted row',
    {
      customerId: 1,
      lines: [
        { sku: 'MAG00001', qty: 3, price: '19.99', discount: '5', taxPercent: '8.875' },
        { sku: 'MAG00002', qty: 1, price: '0.99', taxPercent: '8.875' },
      ],
    },
  ],
  [
    'EUR, two VAT rates and an untaxed row, guest',
    {
      guest: { email: 'anna@example.nl', firstname: 'Anna', lastname: 'de Vries' },
      currency: 'EUR',
      address: { country_id: 'NL', region: '', region_code: '', city: 'Utrecht', postcode: '3511' },
      shippingAmount: '6.95',
      lines: [
        { sku: 'MAG00001', qty: 2, price: '41.67', taxPercent: '21' },
        { sku: 'MAG00003', qty: 1, price: '9.99', discount: '0.99', taxPercent: '9' },
        { sku: 'MAG00004', qty: 5, price: '1.10' },
      ],
    },
  ],
  [
    'GBP, fractional quantity, discounts on every row, free shipping',
    {
      customerId: 2,
      currency: 'GBP',
      shippingMethod: 'freeshipping_freeshipping',
      shippingAmount: '0',
      lines: [
        { sku: 'MAG00002', qty: '2.5', price: '3.33', discount: '0.33', taxPercent: '20' },
        { sku: 'MAG00004', qty: 7, price: '0.07', discount: '0.01', taxPercent: '20' },
      ],
    },
  ],
];

describe('Magento order → canonical', () => {
  for (const [name, cart] of carts) {
    it(`totals hold to the cent: ${name}`, () => {
      const o = placeOrder(shop(), cart);
      const so = read(o);
      expectTotalsHold(so);
      expect(so.orderTotal.amount).toBe(new Decimal(o.grand_total).toFixed());
      expect(so.currency).toBe(cart.currency ?? 'USD');
      expect(so.discountTotal).toBeUndefined(); // every discount of these carts is on a row
      expect(so.lines.map((l) => l.sku)).toEqual(cart.lines.map((l) => l.sku));
    });
  }

  it('maps numbers, customer, methods, addresses and one tax line per rate', () => {
    const store = shop();
    const o = placeOrder(store, carts[0]![1]);
    const so = read(o);
    expect(so).toMatchObject({
      number: '000000001',
      orderType: ORDER_TYPE,
      status: 'pending',
      customerNumber: '1',
      guest: false,
      customerEmail: 'shopper1@example.com',
      currency: 'USD',
      shipVia: 'flatrate_flatrate',
      paymentMethod: 'checkmo',
      shippingTotal: { amount: '5', currency: 'USD' },
      taxTotal: { amount: '4.97', currency: 'USD' },
      orderTotal: { amount: '65.93', currency: 'USD' },
      paidTotal: { amount: '0', currency: 'USD' },
      unpaidBalance: { amount: '65.93', currency: 'USD' },
      taxLines: [
        {
          code: 'US-NY-*-Rate 1',
          rate: '8.875',
          taxable: { amount: '55.96', currency: 'USD' },
          tax: { amount: '4.97', currency: 'USD' },
        },
      ],
      billingAddress: { kind: 'billing', line1: '350 Fifth Avenue', region: 'New York', country: 'US' },
      shippingAddress: { kind: 'shipping', postalCode: '10118' },
    });
    expect(so.lines[0]).toMatchObject({
      lineNumber: 1,
      quantity: '3',
      unit: 'EA',
      unitPrice: { amount: '19.99' },
      discount: { amount: '5' },
      tax: { amount: '4.88' },
      taxRate: '8.875',
      total: { amount: '54.97' },
    });
    expect(so.orderDate).toBe(o.created_at!.slice(0, 10));
    expect(so.updatedAt).toBe(`${o.updated_at!.replace(' ', 'T')}.000Z`);
  });

  it('a guest is known by e-mail; two rates each get their own taxable amount', () => {
    const so = read(placeOrder(shop(), carts[1]![1]));
    expect(so).toMatchObject({
      guest: true,
      customerNumber: 'anna@example.nl',
      customerName: 'Anna de Vries',
    });
    expect(so.taxLines.map((t) => [t.code, t.rate, t.taxable.amount, t.tax.amount])).toEqual([
      ['VAT21', '21', '83.34', '17.5'],
      ['VAT9', '9', '9', '0.81'],
    ]);
  });

  it('what else lowered the grand total (a discount on shipping) is the document discount', () => {
    const o = placeOrder(shop(), carts[0]![1]);
    // A cart rule took 2.00 off the shipping: Magento lowers discount_amount and the grand total.
    o.discount_amount = -7;
    o.grand_total = 63.93;
    const so = read(o);
    expect(so.discountTotal).toEqual({ amount: '2', currency: 'USD' });
    expectTotalsHold(so);
  });

  it('without applied taxes the rows name the rates; a child item travels with its parent', () => {
    const o = placeOrder(shop(), carts[0]![1]);
    delete o.extension_attributes!.applied_taxes;
    o.items.push({
      ...o.items[0]!,
      item_id: 99,
      parent_item_id: o.items[0]!.item_id!,
      price: 0,
      row_total: 0,
    });
    const so = read(o);
    expect(so.lines).toHaveLength(2);
    expect(so.taxLines.map((t) => [t.code, t.taxable.amount, t.tax.amount])).toEqual([
      ['8.875%', '55.96', '4.97'],
    ]);
    expectTotalsHold(so);
  });

  it('an order address without a street is an actionable error', () => {
    const o = placeOrder(shop(), carts[0]![1]);
    o.billing_address!.street = [' '];
    expect(() => salesOrderFromMagento(o, S)).toThrow(
      'Magento order 000000001: the billing address has no street; complete it in Magento',
    );
  });
});

describe('canonical → Magento order', () => {
  const m = (amount: string) => ({ amount, currency: 'USD' });
  const erp = (patch: Record<string, unknown> = {}) =>
    SalesOrder.parse({
      number: 'SO000123',
      status: 'Open',
      customerNumber: 'C0001',
      customerEmail: 'bea@example.com',
      customerName: 'Bea Buyer',
      orderDate: '2026-03-01',
      currency: 'USD',
      lines: [
        {
          lineNumber: 1,
          sku: 'MAG00001',
          quantity: '2',
          unit: 'EA',
          unitPrice: m('10.00'),
          discount: m('1.00'),
          tax: m('1.52'),
          taxRate: '8',
          total: m('19.00'),
        },
        {
          lineNumber: 2,
          sku: 'MAG00002',
          quantity: '1',
          unit: 'EA',
          unitPrice: m('5.50'),
          tax: m('0.44'),
          total: m('5.50'),
        },
      ],
      shipVia: 'flatrate_flatrate',
      billingAddress: {
        kind: 'billing',
        line1: '1 Shop St',
        city: 'Denver',
        region: 'CO',
        postalCode: '80202',
        country: 'US',
        phone: '+1 555 0101',
      },
      discountTotal: m('2.00'),
      shippingTotal: m('7.00'),
      taxLines: [{ code: 'US-CO-*-Rate 1', rate: '8', taxable: m('24.50'), tax: m('1.96') }],
      taxTotal: m('1.96'),
      orderTotal: m('31.46'),
      paidTotal: m('0'),
      unpaidBalance: m('31.46'),
      updatedAt: '2026-03-01T10:00:00Z',
      ...patch,
    });

  it("states the record's totals exactly, and reads back to the same totals", () => {
    const o = salesOrderToMagento(erp(), {
      storeId: 1,
      customerId: 7,
      productIds: new Map([['mag00001', 11]]),
    });
    expect(o).toMatchObject({
      ext_order_id: 'SO000123',
      customer_id: 7,
      customer_is_guest: 0,
      customer_firstname: 'Bea',
      customer_lastname: 'Buyer',
      state: 'new',
      status: 'pending',
      subtotal: 25.5,
      discount_amount: -3,
      shipping_amount: 7,
      tax_amount: 1.96,
      grand_total: 31.46,
      base_grand_total: 31.46,
      total_due: 31.46,
      payment: { method: 'checkmo', account_status: '', additional_information: [], cc_last4: '' },
    });
    expect(o.items.map((i) => [i.sku, i.product_id, i.row_total, i.discount_amount, i.tax_percent])).toEqual([
      ['MAG00001', 11, 20, 1, 8],
      // A line without a rate takes the order's only rate.
      ['MAG00002', undefined, 5.5, 0, 8],
    ]);
    expect(o.extension_attributes?.applied_taxes).toEqual([
      { code: 'US-CO-*-Rate 1', title: 'US-CO-*-Rate 1', percent: 8, amount: 1.96, base_amount: 1.96 },
    ]);
    // The shipping address defaults to the billing address.
    expect(o.extension_attributes?.shipping_assignments?.[0]?.shipping).toMatchObject({
      method: 'flatrate_flatrate',
      address: { address_type: 'shipping', city: 'Denver', firstname: 'Bea', telephone: '+1 555 0101' },
    });
    const back = read({ ...o, entity_id: 5, increment_id: '000000005', updated_at: '2026-03-01 10:00:00' });
    expect(back.discountTotal).toEqual(m('2'));
    expect(back.orderTotal).toEqual(m('31.46'));
    expectTotalsHold(back);
  });

  it('paid in full: processing, but nothing paid yet on the Magento side (its invoices carry the money); a guest has no customer id', () => {
    const o = salesOrderToMagento(erp({ guest: true, paidTotal: m('31.46'), unpaidBalance: m('0') }), {
      storeId: 1,
      productIds: new Map(),
    });
    expect(o).toMatchObject({
      state: 'processing',
      status: 'processing',
      customer_is_guest: 1,
      total_paid: 0,
      total_due: 31.46,
      payment: expect.objectContaining({ amount_ordered: 31.46, amount_paid: 0 }),
    });
    expect(o.customer_id).toBeUndefined();
  });

  it('refuses what Magento would: no address, no e-mail, no telephone', () => {
    const t = { storeId: 1, productIds: new Map<string, number>() };
    expect(() => salesOrderToMagento(erp({ billingAddress: undefined }), t)).toThrow(
      /needs a billing address/,
    );
    expect(() => salesOrderToMagento(erp({ customerEmail: undefined }), t)).toThrow(
      "order SO000123: Magento needs the customer's e-mail address; neither the order nor its customer (a guest) has one",
    );
    expect(() => salesOrderToMagento(erp({ customerEmail: undefined }), { ...t, customerId: 7 })).toThrow(
      "order SO000123: Magento needs the customer's e-mail address; neither the order nor Magento customer 7 has one",
    );
    // The customer it waited for has one now: the order takes it.
    expect(
      salesOrderToMagento(erp({ customerEmail: undefined }), {
        ...t,
        customerId: 7,
        customer: { email: 'now@example.com', firstname: 'Ann', lastname: 'Lee' },
      }).customer_email,
    ).toBe('now@example.com');
    expect(() =>
      salesOrderToMagento(
        erp({ billingAddress: { kind: 'billing', line1: 'x', city: 'y', postalCode: '1', country: 'US' } }),
        t,
      ),
    ).toThrow(
      'order SO000123: Magento needs a telephone number on the billing address; add a phone to the address',
    );
  });
});

describe('Magento order → canonical: what happened to it after checkout', () => {
  const cart: PlaceOrderInput = {
    customerId: 1,
    lines: [
      { sku: 'MAG00001', qty: 2, price: '10.00', taxPercent: '8.875' },
      { sku: 'MAG00002', qty: 1, price: '4.00', taxPercent: '8.875' },
    ],
  };
  const m = (amount: string) => ({ amount, currency: 'USD' });

  it('each state: canceled, holded and closed are lifecycles of their own, every other state is open', () => {
    expect(
      [
        'new',
        'pending_payment',
        'processing',
        'complete',
        'payment_review',
        'holded',
        'canceled',
        'closed',
      ].map(lifecycleFromMagento),
    ).toEqual(['open', 'open', 'open', 'open', 'open', 'on_hold', 'canceled', 'closed']);
    expect(lifecycleFromMagento(undefined)).toBe('open');
  });

  it('placed, held, released, canceled: the lifecycle follows, and an unpaid order has nothing paid or refunded', () => {
    const store = shop();
    const id = placeOrder(store, cart).entity_id!;
    const now = () => read(store.orders.get(id)!);
    expect(now()).toMatchObject({ lifecycle: 'open', paidTotal: m('0'), refundedTotal: m('0') });
    holdOrder(store, id);
    expect(now().lifecycle).toBe('on_hold');
    unholdOrder(store, id);
    expect(now().lifecycle).toBe('open');
    expect(cancelOrder(store, id)).toBe(true);
    expect(now()).toMatchObject({ lifecycle: 'canceled', status: 'canceled', paidTotal: m('0') });
  });

  it('captured at checkout, then refunded in part and in full: paid stays, refunded grows, closed at the end', () => {
    const store = shop();
    const placed = placeOrder(store, { ...cart, capture: true });
    const id = placed.entity_id!;
    const now = () => read(store.orders.get(id)!);
    expect(now()).toMatchObject({ lifecycle: 'open', paidTotal: m('31.14'), unpaidBalance: m('0') });
    const second = store.orders.get(id)!.items[1]!.item_id!;
    refundOrder(store, id, { items: [{ order_item_id: second, qty: 1 }], arguments: { shipping_amount: 0 } });
    expect(now()).toMatchObject({ lifecycle: 'open', paidTotal: m('31.14'), refundedTotal: m('4.36') });
    refundOrder(store, id, {});
    expect(now()).toMatchObject({ lifecycle: 'closed', paidTotal: m('31.14'), refundedTotal: m('31.14') });
  });
});
