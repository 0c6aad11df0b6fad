import { describe, expect, it } from 'vitest';
import { Customer, Invoice, Product, SalesOrder, Shipment } from '../../../model/index.js';
import type { RawInvoice, RawParty, RawProduct, RawSale, RawShipment } from '../types.js';
import { customerFromTryton, partyToTryton } from './customer.js';
import { invoiceFromTryton } from './invoice.js';
import { saleLineRefs } from './line-numbers.js';
import { productFromTryton, templateToTryton } from './product.js';
import { orderProblem, salesOrderFromTryton, taxLinesOf, totalsDiffer } from './sales-order.js';
import { shipmentFromTryton } from './shipment.js';

// Recorded from Tryton 6.0.29 on SQLite (Booleans as 1/0), decoded by json.ts.
const party: RawParty = {
  id: 2,
  code: '2',
  name: 'Ann Adams',
  active: 1,
  create_date: '2026-11-24T06:12:07.502792Z',
  write_date: null,
  'contact_mechanisms.': [
    {
      id: 1,
      type: 'email',
      value: 'ann@example.com',
      active: 1,
      create_date: '2026-11-24T06:12:07.502792Z',
      write_date: '2026-11-24T06:12:07.502792Z',
    },
    { id: 2, type: 'phone', value: '+1 555 0100', active: 1, create_date: '2026-11-24T06:13:00.000001Z' },
  ],
  'addresses.': [
    {
      id: 1,
      street: '1 Main St\nSuite 4',
      city: 'Austin',
      postal_code: '78701',
      party_name: null,
      invoice: 0,
      delivery: 0,
      active: 1,
      'country.': { id: 1, code: 'US' },
      'subdivision.': { id: 9, code: 'US-TX' },
      create_date: '2026-11-24T06:12:07.502792Z',
      write_date: null,
    },
    { id: 3, street: '', invoice: 1, delivery: 0, active: 1, 'country.': null },
  ],
};

const product: RawProduct = {
  id: 1,
  template: 1,
  code: 'WID-1',
  name: 'Widget',
  description: null,
  active: 1,
  list_price: '10.00',
  cost_price: '4.50',
  quantity: 97,
  create_date: '2026-11-24T06:12:07.583154Z',
  write_date: '2026-11-24T06:12:07.583154Z',
  'template.': {
    id: 1,
    active: 1,
    create_date: '2026-11-24T06:12:07.583154Z',
    write_date: '2026-11-24T07:00:00.000000Z',
    'default_uom.': { id: 1, symbol: 'u' },
  },
};

const vat = { id: 1, name: 'VAT 20%', type: 'percentage', rate: '0.20' };
const address = {
  id: 1,
  street: '1 Main St',
  city: 'Austin',
  postal_code: '78701',
  party_name: null,
  'country.': { id: 1, code: 'US' },
  'subdivision.': null,
};

const sale: RawSale = {
  id: 1,
  number: '1',
  reference: 'WEB-1001',
  description: null,
  state: 'done',
  party: 2,
  'party.': { id: 2, name: 'Ann Adams', email: 'ann@example.com' },
  sale_date: '2026-11-20',
  'currency.': { id: 1, code: 'USD' },
  'invoice_address.': address,
  'shipment_address.': address,
  untaxed_amount: '64.97',
  tax_amount: '11.99',
  total_amount: '76.96',
  create_date: '2026-11-24T06:12:16.210827Z',
  write_date: '2026-11-24T06:12:38.351906Z',
  'lines.': [
    {
      id: 1,
      type: 'line',
      sequence: 1,
      description: 'Widget',
      quantity: 3,
      unit_price: '19.99',
      amount: '59.97',
      'product.': { id: 1, code: 'WID-1' },
      'unit.': { id: 1, symbol: 'u' },
      'taxes.': [vat],
      create_date: '2026-11-24T06:12:16.210827Z',
      write_date: '2026-11-24T06:12:16.401906Z',
    },
    { id: 3, type: 'comment', sequence: 2, description: 'Gift wrap, please' },
    {
      id: 2,
      type: 'line',
      sequence: 3,
      description: 'Shipping',
      quantity: 1,
      unit_price: '5.00',
      amount: '5.00',
      'product.': { id: 2, code: 'SHIPPING' },
      'unit.': { id: 1, symbol: 'u' },
      'taxes.': [],
    },
  ],
};

const shipment: RawShipment = {
  id: 1,
  number: '1',
  reference: '1Z999AA10123456784',
  state: 'done',
  effective_date: '2026-11-24',
  planned_date: '2026-11-24',
  customer: 2,
  create_date: '2026-11-24T06:12:16.401906Z',
  write_date: '2026-11-24T06:12:37.875254Z',
  'outgoing_moves.': [
    {
      id: 2,
      state: 'done',
      origin: 'sale.line,1',
      quantity: 3,
      'uom.': { id: 1, symbol: 'u' },
      'product.': { id: 1, code: 'WID-1' },
    },
    { id: 5, state: 'cancelled', origin: 'sale.line,1', quantity: 1, 'product.': { id: 1, code: 'WID-1' } },
  ],
};

const invoice: RawInvoice = {
  id: 1,
  number: 'INV/2026/0001',
  reference: null,
  type: 'out',
  state: 'paid',
  invoice_date: '2026-11-24',
  party: 2,
  'currency.': { id: 1, code: 'USD' },
  untaxed_amount: '64.97',
  tax_amount: '11.99',
  total_amount: '76.96',
  amount_to_pay: '0',
  sales: [1],
  create_date: '2026-11-24T06:12:16.401906Z',
  write_date: '2026-11-24T06:12:38.324586Z',
  'taxes.': [{ id: 1, description: 'VAT 20%', base: '59.97', amount: '11.99', 'tax.': vat }],
  'lines.': [
    {
      id: 1,
      type: 'line',
      description: 'Widget',
      origin: 'sale.line,1',
      quantity: 3,
      unit_price: '19.99',
      amount: '59.97',
      'product.': { id: 1, code: 'WID-1' },
      'unit.': { id: 1, symbol: 'u' },
      'taxes.': [vat],
    },
    {
      id: 2,
      type: 'line',
      description: 'Shipping',
      origin: 'sale.line,2',
      quantity: 1,
      unit_price: '5.00',
      amount: '5.00',
      'product.': { id: 2, code: 'SHIPPING' },
      'unit.': { id: 1, symbol: 'u' },
      'taxes.': [],
    },
  ],
  'lines_to_pay.': [{ id: 4, maturity_date: '2026-11-24' }],
};

// What sale.line search_read answered for the sale lines of the page, in Tryton's order.
const saleLines = saleLineRefs(
  [
    { id: 1, sale: 1, type: 'line', 'product.': { code: 'WID-1' } },
    { id: 3, sale: 1, type: 'comment', 'product.': null },
    { id: 2, sale: 1, type: 'line', 'product.': { code: 'SHIPPING' } },
  ],
  'SHIPPING',
);

describe('Tryton → canonical', () => {
  it('a party is a customer: its code, e-mail, phone and addresses; 1/0 Booleans read as Booleans', () => {
    const c = Customer.parse(customerFromTryton(party, 'USD'));
    expect(c).toMatchObject({
      number: '2',
      name: 'Ann Adams',
      email: 'ann@example.com',
      status: 'active',
      currency: 'USD',
      contacts: [{ email: 'ann@example.com', phone: '+1 555 0100', isPrimary: true }],
      // The latest stamp among the party and what it holds (the phone added later).
      updatedAt: '2026-11-24T06:13:00.000Z',
    });
    expect(c.addresses).toEqual([
      {
        kind: 'main',
        line1: '1 Main St',
        line2: 'Suite 4',
        city: 'Austin',
        region: 'TX',
        postalCode: '78701',
        country: 'US',
      },
    ]);
    expect(customerFromTryton({ ...party, active: 0 }, 'USD').status).toBe('inactive');
  });

  it('a variant is a product: its code as SKU, prices as decimal strings, stock in the warehouse', () => {
    const p = Product.parse(productFromTryton(product, { currency: 'USD', warehouse: 'WH' }));
    expect(p).toMatchObject({
      sku: 'WID-1',
      name: 'Widget',
      status: 'active',
      listPrice: { amount: '10.00', currency: 'USD' },
      standardCost: { amount: '4.50', currency: 'USD' },
      unit: 'u',
      stock: [{ warehouse: 'WH', onHand: '97' }],
      updatedAt: '2026-11-24T07:00:00.000Z',
    });
  });

  it('a sale is an order: the shipping line becomes shippingTotal, comments are no lines, tax per tax', () => {
    const o = SalesOrder.parse(salesOrderFromTryton(sale, { currency: 'USD', shippingProduct: 'SHIPPING' }));
    expect(o).toMatchObject({
      number: '1',
      externalNumber: 'WEB-1001',
      status: 'done',
      customerNumber: '2',
      customerName: 'Ann Adams',
      customerEmail: 'ann@example.com',
      orderDate: '2026-11-20',
      currency: 'USD',
      shippingTotal: { amount: '5.00', currency: 'USD' },
      taxTotal: { amount: '11.99', currency: 'USD' },
      orderTotal: { amount: '76.96', currency: 'USD' },
      taxLines: [
        {
          code: 'VAT 20%',
          rate: '20',
          taxable: { amount: '59.97', currency: 'USD' },
          tax: { amount: '11.99', currency: 'USD' },
        },
      ],
    });
    expect(o.lines).toEqual([
      {
        lineNumber: 1,
        sku: 'WID-1',
        description: 'Widget',
        quantity: '3',
        unit: 'u',
        unitPrice: { amount: '19.99', currency: 'USD' },
        total: { amount: '59.97', currency: 'USD' },
        tax: { amount: '11.99', currency: 'USD' },
        taxRate: '20',
      },
    ]);
    expect(o.shippingAddress).toMatchObject({ kind: 'shipping', line1: '1 Main St', country: 'US' });
  });

  it('a shipment names the sale and its line number; cancelled moves are not shipped; reference is tracking', () => {
    const s = Shipment.parse(shipmentFromTryton(shipment, saleLines));
    expect(s).toMatchObject({
      number: '1',
      status: 'done',
      shipmentDate: '2026-11-24',
      customerNumber: '2',
      orderNumbers: ['1'],
      trackingNumbers: ['1Z999AA10123456784'],
      lines: [{ orderNumber: '1', orderLineNumber: 1, sku: 'WID-1', quantity: '3', unit: 'u' }],
      updatedAt: '2026-11-24T06:12:37.875Z',
    });
  });

  it('an invoice: its taxes as Tryton keeps them, the sales it invoices, the balance', () => {
    const i = Invoice.parse(
      invoiceFromTryton(invoice, { currency: 'USD', shippingProduct: 'SHIPPING', saleLines }),
    );
    expect(i).toMatchObject({
      number: 'INV/2026/0001',
      type: 'invoice',
      status: 'paid',
      invoiceDate: '2026-11-24',
      dueDate: '2026-11-24',
      customerNumber: '2',
      orderNumbers: ['1'],
      netTotal: { amount: '64.97', currency: 'USD' },
      taxTotal: { amount: '11.99', currency: 'USD' },
      total: { amount: '76.96', currency: 'USD' },
      balance: { amount: '0', currency: 'USD' },
      taxLines: [{ code: 'VAT 20%', rate: '20', taxable: { amount: '59.97' }, tax: { amount: '11.99' } }],
    });
    expect(i.lines).toEqual([
      {
        lineNumber: 1,
        sku: 'WID-1',
        description: 'Widget',
        quantity: '3',
        unit: 'u',
        unitPrice: { amount: '19.99', currency: 'USD' },
        taxCode: 'VAT 20%',
        tax: { amount: '11.99', currency: 'USD' },
        total: { amount: '59.97', currency: 'USD' },
        orderNumber: '1',
        orderLineNumber: 1,
      },
    ]);
    const credit = invoiceFromTryton(
      { ...invoice, total_amount: '-76.96' },
      { currency: 'USD', shippingProduct: 'SHIPPING', saleLines },
    );
    expect(credit.type).toBe('credit_note');
  });

  it('several taxes share the tax total to the cent', () => {
    const reduced = { id: 2, name: 'VAT 5%', type: 'percentage', rate: '0.05' };
    const lines = [
      { amount: '10.05', 'taxes.': [vat] },
      { amount: '10.05', 'taxes.': [reduced] },
    ];
    const t = taxLinesOf(lines, '2.51', 'USD');
    expect(t.map((x) => x.tax.amount)).toEqual(['2.01', '0.50']);
    expect(t.map((x) => x.rate)).toEqual(['20', '5']);
  });
});

describe('canonical → Tryton', () => {
  const order = SalesOrder.parse({
    number: 'WEB-1001',
    status: 'processing',
    customerNumber: '17',
    orderDate: '2026-11-20',
    currency: 'USD',
    lines: [
      {
        lineNumber: 1,
        sku: 'WID-1',
        quantity: '3',
        unit: 'EA',
        unitPrice: { amount: '19.99', currency: 'USD' },
        total: { amount: '59.97', currency: 'USD' },
      },
    ],
    shippingTotal: { amount: '5.00', currency: 'USD' },
    taxTotal: { amount: '11.99', currency: 'USD' },
    orderTotal: { amount: '76.96', currency: 'USD' },
    updatedAt: '2026-11-20T10:00:00Z',
  });

  it('an order whose figures add up passes; one that does not is refused before Tryton sees it', () => {
    expect(orderProblem(order)).toBeUndefined();
    expect(orderProblem({ ...order, orderTotal: { amount: '76.95', currency: 'USD' } })).toMatch(
      /lines \+ shipping \+ tax is 76.96, but the order total is 76.95/,
    );
    expect(orderProblem({ ...order, discountTotal: { amount: '1.00', currency: 'USD' } })).toMatch(
      /document-level discount/,
    );
  });

  it("Tryton's totals are compared to the cent", () => {
    expect(totalsDiffer(order, { untaxed_amount: '64.97', tax_amount: '11.99', total_amount: '76.96' })).toBe(
      undefined,
    );
    expect(totalsDiffer(order, { untaxed_amount: '64.97', tax_amount: '12.99', total_amount: '77.96' })).toBe(
      "its total is 77.96 USD, the order's 76.96",
    );
  });

  it('a new party carries its e-mail, phone and addresses; a new product is a salable good with its SKU', () => {
    const c = Customer.parse({
      number: '17',
      name: 'Bo Brown',
      email: 'bo@example.com',
      currency: 'USD',
      contacts: [{ phone: '+44 20 7946 0000', isPrimary: true }],
      addresses: [{ kind: 'billing', line1: '2 High St', line2: 'Flat 1', city: 'London', country: 'GB' }],
      updatedAt: '2026-11-20T10:00:00Z',
    });
    expect(partyToTryton(c, { countries: new Map([['GB', 2]]), subdivisions: new Map() })).toEqual({
      name: 'Bo Brown',
      active: true,
      contact_mechanisms: [
        [
          'create',
          [
            { type: 'email', value: 'bo@example.com' },
            { type: 'phone', value: '+44 20 7946 0000' },
          ],
        ],
      ],
      addresses: [
        [
          'create',
          [{ street: '2 High St\nFlat 1', invoice: true, delivery: false, city: 'London', country: 2 }],
        ],
      ],
    });
    const p = Product.parse({
      sku: 'NEW-1',
      name: 'New',
      listPrice: { amount: '12.50', currency: 'USD' },
      standardCost: { amount: '7.1', currency: 'USD' },
      unit: 'EA',
      updatedAt: '2026-11-20T10:00:00Z',
    });
    expect(templateToTryton(p, { uomId: 1, accountCategoryId: 3 })).toEqual({
      name: 'New',
      type: 'goods',
      salable: true,
      default_uom: 1,
      sale_uom: 1,
      list_price: { __class__: 'Decimal', decimal: '12.50' },
      account_category: 3,
      products: [
        [
          'create',
          [{ suffix_code: 'NEW-1', active: true, cost_price: { __class__: 'Decimal', decimal: '7.1' } }],
        ],
      ],
    });
  });
});
