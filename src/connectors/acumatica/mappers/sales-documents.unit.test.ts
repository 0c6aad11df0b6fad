import { describe, expect, it } from 'vitest';
import { Invoice, Payment, SalesOrder, Shipment } from '../../../model/index.js';
import type { RawPayment, RawSalesInvoice, RawSalesOrder, RawShipment } from '../types.js';
import { allocate, type DocumentContext } from './document.js';
import { invoiceFromAcumatica, rateOn } from './invoice.js';
import { paymentFromAcumatica } from './payment.js';
import { salesOrderFromAcumatica, salesOrderToAcumatica, totalsProblem } from './sales-order.js';
import { shipmentFromAcumatica } from './shipment.js';

const v = <T>(value: T) => ({ value });
const ctx: DocumentContext = {
  baseCurrency: 'USD',
  guestCustomerId: 'WEBGUEST',
  taxSchedules: new Map([
    [
      'NYSTATE',
      [
        { start: '2020-01-01T00:00:00+00:00', rate: '8.5' },
        { start: '2026-01-01T00:00:00+00:00', rate: '8.875' },
      ],
    ],
  ]),
  shipVias: new Map([['UPSGROUND', 'UPS Ground']]),
};

const rawOrder: RawSalesOrder = {
  OrderType: v('SO'),
  OrderNbr: v('SO000042'),
  Status: v('Shipping'),
  Date: v('2026-03-01T00:00:00-08:00'),
  CustomerID: v('C000001'),
  ExternalRef: v('100000123'),
  CurrencyID: v('EUR'),
  ShipVia: v('UPSGROUND'),
  PaymentMethod: v('CCARD'),
  BillToAddress: {
    AddressLine1: v('1 Main St'),
    City: v('Berlin'),
    PostalCode: v('10115'),
    Country: v('de'),
  },
  BillToContact: {
    Attention: v('Ann Marie Adams'),
    BusinessName: v('Adams GmbH'),
    Email: v('ann@example.com'),
  },
  Details: [
    {
      LineNbr: v(1),
      InventoryID: v('ITEM1'),
      LineDescription: v('Kettle'),
      OrderQty: v(3),
      UOM: v('EA'),
      UnitPrice: v(10.1),
      DiscountAmount: v(1.5),
      Amount: v(28.8),
      WarehouseID: v('MAIN'),
    },
    {
      LineNbr: v(2),
      InventoryID: v('ITEM2'),
      OrderQty: v(1),
      UOM: v('EA'),
      UnitPrice: v(0.1),
      DiscountAmount: v(0),
      Amount: v(0.1),
    },
  ],
  TaxDetails: [{ TaxID: v('VAT20'), TaxRate: v(20), TaxableAmount: v(28.9), TaxAmount: v(5.78) }],
  Totals: {
    LineTotalAmount: v(28.9),
    DiscountTotal: v(0),
    Freight: v(15),
    TaxTotal: v(5.78),
    UnpaidBalance: v(19.68),
  },
  TaxTotal: v(5.78),
  OrderTotal: v(49.68),
  LastModified: v('2026-03-02T10:00:00.5+01:00'),
};

describe('Acumatica sales order mapping', () => {
  it('maps an order with exact decimals, its date as written, taxes and balances', () => {
    const o = SalesOrder.parse(salesOrderFromAcumatica(rawOrder, ctx));
    expect(o).toMatchObject({
      number: 'SO000042',
      externalNumber: '100000123',
      orderType: 'SO',
      status: 'Shipping',
      customerNumber: 'C000001',
      guest: false,
      orderDate: '2026-03-01',
      currency: 'EUR',
      shipVia: 'UPSGROUND',
      paymentMethod: 'CCARD',
      shippingTotal: { amount: '15', currency: 'EUR' },
      taxTotal: { amount: '5.78', currency: 'EUR' },
      orderTotal: { amount: '49.68', currency: 'EUR' },
      unpaidBalance: { amount: '19.68', currency: 'EUR' },
      paidTotal: { amount: '30', currency: 'EUR' },
      taxLines: [
        {
          code: 'VAT20',
          rate: '20',
          taxable: { amount: '28.9', currency: 'EUR' },
          tax: { amount: '5.78', currency: 'EUR' },
        },
      ],
      updatedAt: '2026-03-02T09:00:00.500Z',
    });
    expect(o.lines[0]).toEqual({
      lineNumber: 1,
      sku: 'ITEM1',
      description: 'Kettle',
      quantity: '3',
      unit: 'EA',
      unitPrice: { amount: '10.1', currency: 'EUR' },
      discount: { amount: '1.5', currency: 'EUR' },
      total: { amount: '28.8', currency: 'EUR' },
      // Acumatica keeps tax per tax: each line gets its share by amount, to the cent, at the order's one rate.
      tax: { amount: '5.76', currency: 'EUR' },
      taxRate: '20',
      warehouse: 'MAIN',
    });
    expect(o.lines[1]?.discount).toBeUndefined();
    const taxes = o.lines.reduce((sum, l) => sum + Math.round(Number(l.tax?.amount) * 100), 0);
    expect(taxes).toBe(Math.round(Number(o.taxTotal.amount) * 100));
    expect(o.billingAddress).toEqual({
      kind: 'billing',
      firstName: 'Ann',
      lastName: 'Marie Adams',
      company: 'Adams GmbH',
      email: 'ann@example.com',
      line1: '1 Main St',
      city: 'Berlin',
      postalCode: '10115',
      country: 'DE',
    });
    expect(totalsProblem(o)).toBeUndefined();
  });

  it('an order booked to the guest customer is a guest order; a missing total is named', () => {
    expect(salesOrderFromAcumatica({ ...rawOrder, CustomerID: v('WEBGUEST') }, ctx).guest).toBe(true);
    expect(() => salesOrderFromAcumatica({ ...rawOrder, OrderTotal: undefined }, ctx)).toThrow(
      /sales order SO000042: OrderTotal has no value/,
    );
  });

  it('names the first figure Acumatica would compute differently', () => {
    const o = SalesOrder.parse(salesOrderFromAcumatica(rawOrder, ctx));
    const line = { ...o.lines[0]!, total: { amount: '28.79', currency: 'EUR' } };
    expect(totalsProblem({ ...o, lines: [line, o.lines[1]!] })).toMatch(/line 1: 3 × 10.1 − 1.5 is 28.80/);
    expect(totalsProblem({ ...o, orderTotal: { amount: '49.67', currency: 'EUR' } })).toMatch(/is 49.68/);
    expect(totalsProblem({ ...o, taxLines: [] })).toMatch(/no tax lines/);
    expect(totalsProblem({ ...o, discountTotal: { amount: '1', currency: 'EUR' } })).toMatch(
      /document-level discount/,
    );
    expect(totalsProblem({ ...o, taxTotal: { amount: '5.78', currency: 'USD' } })).toMatch(
      /taxTotal is in USD/,
    );
  });

  it('writes a new order with manual prices, taxes as given, freight overridden, both numbers', () => {
    const o = SalesOrder.parse({
      ...salesOrderFromAcumatica(rawOrder, ctx),
      number: '100000123',
      externalNumber: undefined,
      customerNumber: '17',
    });
    const raw = salesOrderToAcumatica(o, {
      orderType: 'SO',
      customerId: 'C000001',
      inventoryIds: { ITEM1: 'KETTLE' },
    });
    expect(raw).toMatchObject({
      OrderType: v('SO'),
      CustomerID: v('C000001'),
      CustomerOrder: v('100000123'),
      ExternalRef: v('100000123'),
      Date: v('2026-03-01T00:00:00+00:00'),
      CurrencyID: v('EUR'),
      DisableAutomaticTaxCalculation: v(true),
      Totals: { Freight: v(15), OverrideFreightAmount: v(true) },
      BillToAddressOverride: v(true),
      BillToContact: {
        Attention: v('Ann Marie Adams'),
        BusinessName: v('Adams GmbH'),
        Email: v('ann@example.com'),
      },
      ShipToAddress: { AddressLine1: v('1 Main St'), Country: v('DE') },
      TaxDetails: [{ TaxID: v('VAT20'), TaxRate: v(20), TaxableAmount: v(28.9), TaxAmount: v(5.78) }],
    });
    expect(raw.Details?.[0]).toMatchObject({
      InventoryID: v('KETTLE'),
      OrderQty: v(3),
      UnitPrice: v(10.1),
      ManualPrice: v(true),
      DiscountAmount: v(1.5),
      ManualDiscount: v(true),
    });
    // No mapped id: the sku is the InventoryID.
    expect(raw.Details?.[1]?.InventoryID).toEqual(v('ITEM2'));
  });
});

describe('Acumatica shipment, invoice and payment mapping', () => {
  it('a shipment lists its orders, lines, tracking numbers and carrier', () => {
    const raw: RawShipment = {
      ShipmentNbr: v('000007'),
      Status: v('Confirmed'),
      ShipmentDate: v('2026-03-05T00:00:00+00:00'),
      CustomerID: v('C000001'),
      ShipVia: v('UPSGROUND'),
      Details: [
        {
          OrderType: v('SO'),
          OrderNbr: v('SO000042'),
          OrderLineNbr: v(1),
          InventoryID: v('ITEM1'),
          ShippedQty: v(2),
          UOM: v('EA'),
        },
      ],
      Orders: [{ OrderType: v('SO'), OrderNbr: v('SO000042') }],
      Packages: [{ TrackingNbr: v('1Z999') }, { TrackingNbr: v('') }, { TrackingNbr: v('1Z999') }],
      LastModifiedDateTime: v('2026-03-05T12:00:00Z'),
    };
    expect(Shipment.parse(shipmentFromAcumatica(raw, ctx))).toEqual({
      number: '000007',
      status: 'Confirmed',
      shipmentDate: '2026-03-05',
      customerNumber: 'C000001',
      orderNumbers: ['SO000042'],
      shipVia: 'UPSGROUND',
      carrier: 'UPS Ground',
      trackingNumbers: ['1Z999'],
      lines: [{ orderNumber: 'SO000042', orderLineNumber: 1, sku: 'ITEM1', quantity: '2', unit: 'EA' }],
      updatedAt: '2026-03-05T12:00:00.000Z',
    });
  });

  it('an invoice takes tax rates from the schedule on its date, and shares tax over lines to the cent', () => {
    const raw: RawSalesInvoice = {
      Type: v('Invoice'),
      ReferenceNbr: v('AR000003'),
      Status: v('Open'),
      Date: v('2026-03-06T00:00:00+00:00'),
      DueDate: v('2026-04-05T00:00:00+00:00'),
      CustomerID: v('C000001'),
      Currency: v('USD'),
      Details: [
        {
          LineNbr: v(1),
          InventoryID: v('ITEM1'),
          Qty: v(1),
          UnitPrice: v(10),
          Amount: v(10),
          OrderNbr: v('SO000042'),
          OrderLineNbr: v(1),
        },
        {
          LineNbr: v(2),
          InventoryID: v('ITEM2'),
          Qty: v(1),
          UnitPrice: v(10),
          Amount: v(10),
          OrderNbr: v('SO000042'),
          OrderLineNbr: v(2),
        },
        {
          LineNbr: v(3),
          InventoryID: v('ITEM3'),
          Qty: v(1),
          UnitPrice: v(10),
          Amount: v(10),
          OrderNbr: v('SO000043'),
          OrderLineNbr: v(1),
        },
      ],
      TaxDetails: [{ TaxID: v('NYSTATE'), TaxableAmount: v(30), TaxAmount: v(2.66) }],
      TaxTotal: v(2.66),
      Amount: v(47.66),
      Balance: v(7.66),
      LastModifiedDateTime: v('2026-03-06T08:00:00Z'),
    };
    const inv = Invoice.parse(invoiceFromAcumatica(raw, ctx));
    expect(inv.taxLines).toEqual([
      {
        code: 'NYSTATE',
        rate: '8.875',
        taxable: { amount: '30', currency: 'USD' },
        tax: { amount: '2.66', currency: 'USD' },
      },
    ]);
    expect(inv.lines.map((l) => l.tax.amount)).toEqual(['0.89', '0.89', '0.88']);
    expect(inv).toMatchObject({
      orderNumbers: ['SO000042', 'SO000043'],
      netTotal: { amount: '45', currency: 'USD' },
      total: { amount: '47.66', currency: 'USD' },
      balance: { amount: '7.66', currency: 'USD' },
      dueDate: '2026-04-05',
    });
    expect(rateOn(ctx.taxSchedules.get('NYSTATE')!, '2025-12-31')).toBe('8.5');
    const unknown = { ...raw, TaxDetails: [{ TaxID: v('MARS'), TaxableAmount: v(1), TaxAmount: v(0) }] };
    expect(() => invoiceFromAcumatica(unknown, ctx)).toThrow(
      /rate of tax MARS is not on Acumatica's Taxes screen/,
    );
  });

  it('allocates in cents, largest remainders first, keeping the sign', () => {
    expect(allocate('0.10', ['1', '1', '1'])).toEqual(['0.04', '0.03', '0.03']);
    expect(allocate('-0.05', ['3', '1'])).toEqual(['-0.04', '-0.01']);
    expect(allocate('1.00', ['0', '0'])).toEqual(['1.00', '0.00']);
  });

  it('a payment names what it pays: orders by OrderNbr, invoices by ReferenceNbr', () => {
    const raw: RawPayment = {
      Type: v('Payment'),
      ReferenceNbr: v('000005'),
      Status: v('Closed'),
      CustomerID: v('C000001'),
      PaymentMethod: v('CCARD'),
      PaymentRef: v('ch_123'),
      PaymentAmount: v(60.25),
      CurrencyID: v('USD'),
      ApplicationDate: v('2026-03-07T00:00:00+00:00'),
      OrdersToApply: [
        { OrderType: v('SO'), OrderNbr: v('SO000042'), AppliedToOrder: v(20.25) },
        { OrderType: v('SO'), OrderNbr: v('SO000043'), AppliedToOrder: v(0) },
      ],
      DocumentsToApply: [
        { DocType: v('Invoice'), ReferenceNbr: v('AR000003'), AmountPaid: v(40) },
        { DocType: v('Credit Memo'), ReferenceNbr: v('AR000004'), AmountPaid: v(5) },
      ],
      LastModifiedDateTime: v('2026-03-07T09:00:00Z'),
    };
    expect(Payment.parse(paymentFromAcumatica(raw, ctx))).toEqual({
      number: '000005',
      type: 'payment',
      status: 'Closed',
      customerNumber: 'C000001',
      paymentDate: '2026-03-07',
      paymentMethod: 'CCARD',
      reference: 'ch_123',
      amount: { amount: '60.25', currency: 'USD' },
      applications: [
        { documentType: 'order', documentNumber: 'SO000042', amount: { amount: '20.25', currency: 'USD' } },
        { documentType: 'invoice', documentNumber: 'AR000003', amount: { amount: '40', currency: 'USD' } },
      ],
      updatedAt: '2026-03-07T09:00:00.000Z',
    });
  });
});
