import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { SalesOrder } from '../../../model/index.js';
import recorded from '../fixtures/order.json' with { type: 'json' };
import type { VendureOrder } from '../types.js';
import { coveredMinor, orderStamp, paidMinor, salesOrderFromVendure } from './sales-order.js';

// Recorded from the Vendure 3.5.4 test peer: two lines at 20 %, fixed shipping taxed at 20 %, a
// settled payment, one unit of the first line in a Pending fulfillment.
const order = recorded as VendureOrder;

describe('Vendure order → canonical sales order', () => {
  it('reads the recorded order: lines, Vendure’s tax summary, shipping and totals to the cent', () => {
    const so = SalesOrder.parse(salesOrderFromVendure(order, 2));
    expect(so).toMatchObject({
      number: 'M8BBABQWDLGRMHKH',
      status: 'PaymentSettled',
      customerNumber: '22',
      guest: false,
      customerEmail: 'rec.shopper@example.com',
      customerName: 'Rec Shopper',
      orderDate: '2026-11-24',
      currency: 'USD',
      shipVia: 'standard-shipping',
      paymentMethod: 'card',
      shippingTotal: { amount: '5.00', currency: 'USD' },
      taxTotal: { amount: '11.39', currency: 'USD' },
      orderTotal: { amount: '68.36', currency: 'USD' },
      paidTotal: { amount: '68.36', currency: 'USD' },
      unpaidBalance: { amount: '0.00', currency: 'USD' },
      updatedAt: '2026-11-24T06:23:43.323Z',
    });
    expect(so.lines).toEqual([
      {
        lineNumber: 1,
        sku: 'REC-MUG',
        description: 'Enamel Mug',
        quantity: '2',
        unit: 'EA',
        unitPrice: { amount: '12.50', currency: 'USD' },
        tax: { amount: '5.00', currency: 'USD' },
        taxRate: '20',
        total: { amount: '25.00', currency: 'USD' },
      },
      {
        lineNumber: 2,
        sku: 'REC-TEA',
        description: 'Loose Tea 250 g',
        quantity: '3',
        unit: 'EA',
        unitPrice: { amount: '8.99', currency: 'USD' },
        tax: { amount: '5.39', currency: 'USD' },
        taxRate: '20',
        total: { amount: '26.97', currency: 'USD' },
      },
    ]);
    expect(so.taxLines).toEqual([
      {
        code: 'Standard VAT',
        rate: '20',
        taxable: { amount: '51.97', currency: 'USD' },
        tax: { amount: '10.39', currency: 'USD' },
      },
      {
        code: 'shipping tax',
        rate: '20',
        taxable: { amount: '5.00', currency: 'USD' },
        tax: { amount: '1.00', currency: 'USD' },
      },
    ]);
    // The canonical invariant: Σ line totals − discount + shipping + tax = order total.
    const sum = so.lines
      .reduce((s, l) => s.plus(l.total.amount), new Decimal(0))
      .plus(so.shippingTotal!.amount)
      .plus(so.taxTotal.amount);
    expect(sum.toFixed(2)).toBe(so.orderTotal.amount);
    expect(so.discountTotal).toBeUndefined();
    // The tax lines add up to the tax total.
    expect(so.taxLines.reduce((s, t) => s.plus(t.tax.amount), new Decimal(0)).toFixed(2)).toBe('11.39');
    expect(so.shippingAddress).toEqual({
      kind: 'shipping',
      firstName: 'Pat',
      lastName: 'Shopper',
      line1: '12 High Street',
      city: 'Leeds',
      postalCode: 'LS1 4AP',
      country: 'GB',
      phone: '+44 113 496 0000',
    });
  });

  it('an order awaiting payment has its whole total unpaid; its ERP number is the externalNumber', () => {
    const waiting: VendureOrder = {
      ...order,
      state: 'ArrangingPayment',
      orderPlacedAt: null,
      payments: [],
      billingAddress: { fullName: null, streetLine1: null, countryCode: null },
      customFields: { erpNumber: 'SO000123' },
    };
    const so = SalesOrder.parse(salesOrderFromVendure(waiting, 2));
    expect(so).toMatchObject({
      externalNumber: 'SO000123',
      paidTotal: { amount: '0.00' },
      unpaidBalance: { amount: '68.36' },
      orderDate: '2026-11-24',
      updatedAt: '2026-11-24T06:23:43.000Z',
    });
    // An empty billing address (Vendure's usual for a shop checkout) is no address, not an error.
    expect(so.billingAddress).toBeUndefined();
  });

  it('discounts on a line and a surcharge keep the totals whole', () => {
    const discounted: VendureOrder = {
      ...order,
      lines: [
        { ...order.lines[0]!, proratedLinePrice: 2250, proratedLinePriceWithTax: 2700 },
        order.lines[1]!,
      ],
      // 22.50 + 26.97 + 5.00 shipping + a 1.00 surcharge = 55.47 without tax; tax 4.50 + 5.39 + 1.00 + 0.20.
      total: 5547,
      totalWithTax: 6656,
    };
    const so = SalesOrder.parse(salesOrderFromVendure(discounted, 2));
    expect(so.lines[0]).toMatchObject({
      discount: { amount: '2.50' },
      tax: { amount: '4.50' },
      total: { amount: '22.50' },
    });
    expect(so.taxTotal.amount).toBe('11.09');
    // The surcharge has no line of its own: it shows as a negative document discount.
    expect(so.discountTotal).toEqual({ amount: '-1.00', currency: 'USD' });
  });

  it('refunds and failed payments are not money received', () => {
    const payments = [
      {
        id: '1',
        method: 'card',
        amount: 6836,
        state: 'Settled',
        refunds: [{ total: 1000, state: 'Settled' }],
      },
      { id: '2', method: 'card', amount: 500, state: 'Declined', refunds: [] },
      { id: '3', method: 'card', amount: 300, state: 'Authorized', refunds: [] },
    ];
    expect(paidMinor({ payments })).toBe(5836);
    expect(coveredMinor({ payments })).toBe(6136);
  });

  it('the change time is the later of updatedAt and orderPlacedAt', () => {
    expect(
      orderStamp({ updatedAt: '2026-01-01T10:00:00.000Z', orderPlacedAt: '2026-01-01T10:00:05.250Z' }),
    ).toBe('2026-01-01T10:00:05.250Z');
    expect(orderStamp({ updatedAt: '2026-01-01T10:00:09.000Z', orderPlacedAt: null })).toBe(
      '2026-01-01T10:00:09.000Z',
    );
  });

  it('an order without a customer is a guest order', () => {
    const so = SalesOrder.parse(salesOrderFromVendure({ ...order, customer: null }, 2));
    expect(so).toMatchObject({ guest: true, customerNumber: 'guest' });
    expect(so.customerEmail).toBeUndefined();
  });

  it('an address without a street is refused with what to fix', () => {
    expect(() =>
      salesOrderFromVendure({ ...order, shippingAddress: { fullName: 'X', countryCode: 'GB' } }, 2),
    ).toThrow('Vendure order M8BBABQWDLGRMHKH: the shipping address has no street; complete it in Vendure');
  });
});
