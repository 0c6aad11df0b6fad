import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decimalsEqual, type EntityName, Invoice, Payment, SalesOrder, Shipment } from '../../model/index.js';
import { isWritten, type SourceItem, type WriteItem } from '../sdk/contract.js';
import { settingsSchema } from '../sdk/manifest.js';
import { type AcumaticaConnector, acumaticaConnector } from './index.js';
import { ENDPOINT_VERSIONS } from './manifest.js';
import { type AcumaticaSandbox, SANDBOX_CREDENTIALS, startAcumaticaSandbox } from './sandbox/index.js';

const logger = pino({ level: 'silent' });

function connect(sb: AcumaticaSandbox, overrides: Record<string, unknown> = {}): AcumaticaConnector {
  const settings = settingsSchema(acumaticaConnector.manifest.connectionFields).parse({
    baseUrl: sb.url,
    username: SANDBOX_CREDENTIALS.username,
    password: SANDBOX_CREDENTIALS.password,
    company: SANDBOX_CREDENTIALS.company,
    timeoutMs: 5000,
    ...overrides,
  });
  return acumaticaConnector.create(settings, { connection: 'acumatica', logger }) as AcumaticaConnector;
}

async function readAll(c: AcumaticaConnector, entity: EntityName, q = {}): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const page of c.read(entity, { pageSize: 2, ...q })) out.push(...page);
  return out;
}

const ids = (items: readonly SourceItem[]) => items.map((i) => i.id);
const m = (amount: string, currency: string) => ({ amount, currency });

/** A local endpoint receiving push notifications, as Ledgerlink's server would. */
async function listener(o: { failFirst?: number; delayMs?: number } = {}) {
  const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  let failures = o.failFirst ?? 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', async () => {
      if (failures > 0) {
        failures--;
        res.statusCode = 503;
        res.end();
        return;
      }
      if (o.delayMs) await sleep(o.delayMs);
      received.push({ headers: req.headers, body });
      res.statusCode = 200;
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/acumatica`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

for (const version of ENDPOINT_VERSIONS) {
  describe(`Acumatica sales documents read on Default/${version}`, () => {
    let sb: AcumaticaSandbox;
    let c: AcumaticaConnector;
    const n: Record<string, string> = {};

    beforeAll(async () => {
      sb = await startAcumaticaSandbox({ customers: 4, products: 6, conformance: true, seed: 11 });
      c = connect(sb, { endpointVersion: version });
      // What people do on Acumatica's screens: orders in two currencies and a quote, a prepayment,
      // a partial shipment confirmed and invoiced, the rest shipped, and an invoice paid in part.
      n.o1 = sb.createSalesOrder({
        customerId: 'C000001',
        currency: 'USD',
        shipVia: 'UPSGROUND',
        paymentMethod: 'CCARD',
        taxIds: ['NYSTATE'],
        freight: '12.50',
        externalRef: 'WEB-1001',
        date: '2026-03-01T00:00:00-05:00',
        lines: [
          { inventoryId: 'ITEM00001', qty: 3, unitPrice: '19.99', discount: '2.50' },
          { inventoryId: 'ITEM00002', qty: 2, unitPrice: '5.25' },
        ],
      });
      n.o2 = sb.createSalesOrder({
        customerId: 'C000002',
        currency: 'EUR',
        shipVia: 'WILLCALL',
        taxIds: ['VAT20'],
        lines: [{ inventoryId: 'ITEM00003', qty: 1, unitPrice: '100' }],
      });
      n.q1 = sb.createSalesOrder({
        customerId: 'C000001',
        orderType: 'QT',
        lines: [{ inventoryId: 'ITEM00001', qty: 1 }],
      });
      n.p1 = sb.createPayment({
        customerId: 'C000001',
        amount: '50',
        orderNbr: n.o1,
        method: 'CCARD',
        ref: 'ch_1',
      });
      n.s1 = sb.createShipment(n.o1, { lines: [{ lineNbr: 1, qty: 1 }], trackingNumbers: ['1Z001'] });
      sb.confirmShipment(n.s1);
      n.i1 = sb.prepareInvoice(n.s1);
      sb.releaseInvoice(n.i1);
      n.s2 = sb.createShipment(n.o1);
      n.s3 = sb.createShipment(n.o2);
      sb.confirmShipment(n.s3);
      n.i2 = sb.prepareInvoice(n.s3);
      sb.releaseInvoice(n.i2);
      n.p2 = sb.createPayment({ customerId: 'C000002', amount: '100', invoiceNbr: n.i2, currency: 'EUR' });
      sb.releasePayment(n.p2);
    });
    afterAll(async () => {
      await c.close();
      expect(sb.kit.violations, 'traffic that departs from the published spec').toEqual([]);
      await sb.close();
    });

    it('reads orders of the order types read, with lines, taxes, freight and balances to the cent', async () => {
      const items = await readAll(c, 'salesOrder');
      expect(ids(items)).toEqual([n.o1, n.o2]);
      const o1 = SalesOrder.parse(items[0]?.data);
      // 3 × 19.99 − 2.50 = 57.47; 2 × 5.25 = 10.50; tax 8.875 % of 67.97 = 6.03; + freight 12.50.
      expect(o1).toMatchObject({
        number: n.o1,
        externalNumber: 'WEB-1001',
        orderType: 'SO',
        status: 'Shipping',
        customerNumber: 'C000001',
        orderDate: '2026-03-01',
        currency: 'USD',
        shipVia: 'UPSGROUND',
        paymentMethod: 'CCARD',
        shippingTotal: m('12.5', 'USD'),
        taxTotal: m('6.03', 'USD'),
        orderTotal: m('86.5', 'USD'),
        paidTotal: m('50', 'USD'),
        unpaidBalance: m('36.5', 'USD'),
        taxLines: [{ code: 'NYSTATE', rate: '8.875', taxable: m('67.97', 'USD'), tax: m('6.03', 'USD') }],
      });
      expect(
        o1.lines.map((l) => [l.sku, l.quantity, l.unitPrice.amount, l.discount?.amount, l.total.amount]),
      ).toEqual([
        ['ITEM00001', '3', '19.99', '2.5', '57.47'],
        ['ITEM00002', '2', '5.25', undefined, '10.5'],
      ]);
      expect(o1.billingAddress?.line1).toBeTruthy();
      const o2 = SalesOrder.parse(items[1]?.data);
      expect(o2).toMatchObject({ currency: 'EUR', status: 'Completed', orderTotal: m('120', 'EUR') });

      const withQuotes = connect(sb, { endpointVersion: version, orderTypes: 'SO, QT' });
      // Listed in key order: order type, then number.
      expect(ids(await readAll(withQuotes, 'salesOrder'))).toEqual([n.q1, n.o1, n.o2]);
      await withQuotes.close();
    });

    it('reads by id, by filter, incrementally (since inclusive) and counts', async () => {
      expect(ids(await c.get('salesOrder', [n.o2!, n.q1!, 'SO999999']))).toEqual([n.o2]);
      // Addressed by its key fields as path segments, as Acumatica does.
      const byKeys = await c.client.entity<{ OrderNbr?: { value?: string }; Details?: unknown[] }>({
        method: 'GET',
        path: `SalesOrder/SO/${n.o1}`,
        query: { $expand: 'Details' },
      });
      expect(byKeys.body.OrderNbr?.value).toBe(n.o1);
      expect(byKeys.body.Details).toHaveLength(2);
      expect(ids(await readAll(c, 'salesOrder', { filters: { status: ['Shipping'] } }))).toEqual([n.o1]);
      expect(ids(await readAll(c, 'salesOrder', { filters: { orderType: ['QT'] } }))).toEqual([]);
      expect(await c.count('salesOrder', {})).toBe(2);
      await expect(readAll(c, 'salesOrder', { filters: { customerClass: ['X'] } })).rejects.toThrow(
        /no "customerClass" filter/,
      );

      const [o2] = await c.get('salesOrder', [n.o2!]);
      const at = o2!.updatedAt;
      // Inclusive on both ends: the record stamped exactly `since` is read.
      expect(ids(await readAll(c, 'salesOrder', { since: at, until: at }))).toEqual([n.o2]);
      expect(
        ids(await readAll(c, 'salesOrder', { since: new Date(Date.parse(at) + 1).toISOString() })),
      ).toEqual([]);

      // A payment applied to the order is a change of the order.
      sb.createPayment({ customerId: 'C000002', amount: '10', orderNbr: n.o2! });
      const again = await readAll(c, 'salesOrder', { since: new Date(Date.parse(at) + 1).toISOString() });
      expect(ids(again)).toEqual([n.o2]);
      expect(SalesOrder.parse(again[0]?.data).unpaidBalance).toEqual(m('110', 'EUR'));
    });

    it('reads shipments with their orders, lines, tracking numbers and carrier', async () => {
      const items = await readAll(c, 'shipment');
      expect(ids(items)).toEqual([n.s1, n.s2, n.s3]);
      expect(Shipment.parse(items[0]?.data)).toMatchObject({
        number: n.s1,
        status: 'Invoiced',
        customerNumber: 'C000001',
        orderNumbers: [n.o1],
        shipVia: 'UPSGROUND',
        carrier: 'UPS Ground',
        trackingNumbers: ['1Z001'],
        lines: [{ orderNumber: n.o1, orderLineNumber: 1, sku: 'ITEM00001', quantity: '1', unit: 'EA' }],
      });
      expect(Shipment.parse(items[1]?.data).lines.map((l) => [l.orderLineNumber, l.quantity])).toEqual([
        [1, '2'],
        [2, '2'],
      ]);
      expect(ids(await readAll(c, 'shipment', { filters: { status: ['Open'] } }))).toEqual([n.s2]);
      expect(ids(await c.get('shipment', [n.s3!]))).toEqual([n.s3]);
    });

    it('reads invoices with rates from the Taxes screen, prorated taxes, freight and balances', async () => {
      const items = await readAll(c, 'invoice');
      expect(ids(items)).toEqual([n.i1, n.i2]);
      const i1 = Invoice.parse(items[0]?.data);
      // One of three units of line 1: 19.99 − 0.83 of its discount; tax 6.03 × 19.16 / 67.97; all the freight.
      expect(i1).toMatchObject({
        number: n.i1,
        status: 'Closed',
        customerNumber: 'C000001',
        orderNumbers: [n.o1],
        currency: 'USD',
        taxLines: [{ code: 'NYSTATE', rate: '8.875', taxable: m('19.16', 'USD'), tax: m('1.7', 'USD') }],
        taxTotal: m('1.7', 'USD'),
        total: m('33.36', 'USD'),
        netTotal: m('31.66', 'USD'),
        balance: m('0', 'USD'),
      });
      expect(i1.lines).toEqual([
        expect.objectContaining({
          sku: 'ITEM00001',
          quantity: '1',
          total: m('19.16', 'USD'),
          tax: m('1.70', 'USD'),
        }),
      ]);
      const i2 = Invoice.parse(items[1]?.data);
      expect(i2).toMatchObject({
        status: 'Open',
        balance: m('20', 'EUR'),
        taxLines: [{ code: 'VAT20', rate: '20' }],
      });
      expect(ids(await readAll(c, 'invoice', { filters: { status: ['Open'] } }))).toEqual([n.i2]);
      // The cursor field exists on both versions; LastModifiedDate only on 24.200.001.
      const raw = await c.client.entity<Array<Record<string, unknown>>>({
        method: 'GET',
        path: 'SalesInvoice',
        query: { $top: 1 },
      });
      expect(raw.body[0]).toHaveProperty('LastModifiedDateTime');
      expect('LastModifiedDate' in raw.body[0]!).toBe(version === '24.200.001');
    });

    it('reads payments with the orders and invoices they pay', async () => {
      const items = await readAll(c, 'payment');
      const byId = new Map(items.map((i) => [i.id, Payment.parse(i.data)]));
      expect(byId.get(n.p1!)).toMatchObject({
        status: 'Balanced',
        paymentMethod: 'CCARD',
        reference: 'ch_1',
        amount: m('50', 'USD'),
        applications: [{ documentType: 'order', documentNumber: n.o1, amount: m('50', 'USD') }],
      });
      expect(byId.get(n.p2!)).toMatchObject({
        status: 'Closed',
        applications: [{ documentType: 'invoice', documentNumber: n.i2, amount: m('100', 'EUR') }],
      });
      expect(ids(await c.get('payment', [n.p2!]))).toEqual([n.p2]);
    });

    it("the batch screens' filters: shipments by order type, invoices by customer and status, every document type", async () => {
      // Order types are on a shipment's Orders tab, which $filter cannot reach: tested on each record.
      expect(ids(await readAll(c, 'shipment', { filters: { orderType: ['SO'] } }))).toEqual([
        n.s1,
        n.s2,
        n.s3,
      ]);
      expect(ids(await readAll(c, 'shipment', { filters: { orderType: ['QT'] } }))).toEqual([]);
      expect(ids(await readAll(c, 'shipment', { filters: { orderType: ['so'], status: ['Open'] } }))).toEqual(
        [n.s2],
      );
      expect(await c.count('shipment', { filters: { orderType: ['SO'] } })).toBeUndefined();
      expect(await c.count('shipment', { filters: { status: ['Open'] } })).toBe(1);

      expect(ids(await readAll(c, 'invoice', { filters: { customer: ['C000002'] } }))).toEqual([n.i2]);
      // The search box: invoices by the start of their customer's account reference.
      expect(ids(await readAll(c, 'invoice', { filters: { search: ['c000002'] } }))).toEqual([n.i2]);
      expect(ids(await readAll(c, 'invoice', { filters: { search: ['C00000'] } }))).toEqual([n.i1, n.i2]);
      expect(
        ids(
          await readAll(c, 'invoice', { filters: { customer: ['C000001', 'C000002'], status: ['Closed'] } }),
        ),
      ).toEqual([n.i1]);

      // A credit memo typed on the Invoices and Memos screen is read too, as a credit note.
      const saved = await c.client.entity<Record<string, { value?: string }>>({
        method: 'PUT',
        path: 'SalesInvoice',
        body: {
          Type: { value: 'Credit Memo' },
          CustomerID: { value: 'C000003' },
          Details: [{ InventoryID: { value: 'ITEM00004' }, Qty: { value: 1 }, UnitPrice: { value: 12.5 } }],
        },
        query: { $select: 'Type,ReferenceNbr' },
      });
      const memo = saved.body.ReferenceNbr?.value;
      expect(saved.body.Type?.value).toBe('Credit Memo');
      const all = await readAll(c, 'invoice');
      // Listed in key order: document type, then number.
      expect(ids(all)).toEqual([memo, n.i1, n.i2]);
      expect(Invoice.parse(all[0]?.data)).toMatchObject({
        number: memo,
        type: 'credit_note',
        documentType: 'Credit Memo',
        customerNumber: 'C000003',
        total: m('12.5', 'USD'),
      });
      expect(Invoice.parse(all[1]?.data).documentType).toBe('Invoice');
      expect(ids(await c.get('invoice', [memo!]))).toEqual([memo]);
      expect(ids(await readAll(c, 'invoice', { filters: { customer: ['C000003'] } }))).toEqual([memo]);
    });

    it('pick lists: the customer and item classes the tenant defines, the order types the connection reads', async () => {
      expect(await c.filterOptions('customer', 'customerClass')).toEqual([
        { value: 'B2B', title: 'Business customers' },
        { value: 'DEFAULT', title: 'Default customer class' },
        { value: 'RETAIL', title: 'Retail customers' },
        { value: 'WHOLESALE', title: 'Wholesale customers' },
      ]);
      expect((await c.filterOptions('product', 'itemClass'))?.map((o) => o.value)).toEqual([
        'COMPONENT',
        'FINISHED',
        'RETAIL',
      ]);
      expect(await c.filterOptions('shipment', 'orderType')).toEqual([{ value: 'SO' }]);
      const both = connect(sb, { endpointVersion: version, orderTypes: 'SO,QT' });
      expect(await both.filterOptions('salesOrder', 'orderType')).toEqual([{ value: 'SO' }, { value: 'QT' }]);
      await both.close();
      // Statuses are fixed lists: the manifest has them, the connector does not read them.
      expect(await c.filterOptions('invoice', 'status')).toBeUndefined();
      expect(c.manifest.entities.invoice?.read?.filters.find((f) => f.name === 'status')?.options).toContain(
        'Open',
      );
    });
  });
}

/** A web order as the engine hands it to Acumatica: value maps applied, refs resolved. */
function webOrder(o: Record<string, unknown>): Record<string, unknown> {
  return {
    status: 'processing',
    customerNumber: '17',
    guest: false,
    orderDate: '2026-03-02',
    taxLines: [],
    updatedAt: '2026-03-02T10:00:00Z',
    ...o,
  };
}

const WEB_ORDERS: Array<{ data: Record<string, unknown>; refs?: WriteItem['refs'] }> = [
  {
    // Tax at New York's rate, a line discount, freight; products known by other skus.
    data: webOrder({
      number: '100000001',
      currency: 'USD',
      customerEmail: 'ann@example.com',
      shipVia: 'UPSGROUND',
      paymentMethod: 'CCARD',
      lines: [
        {
          lineNumber: 1,
          sku: 'kettle',
          quantity: '3',
          unit: 'EA',
          unitPrice: m('19.99', 'USD'),
          discount: m('2.50', 'USD'),
          total: m('57.47', 'USD'),
        },
        {
          lineNumber: 2,
          sku: 'mug',
          quantity: '2',
          unit: 'EA',
          unitPrice: m('5.25', 'USD'),
          total: m('10.50', 'USD'),
        },
      ],
      shippingTotal: m('12.50', 'USD'),
      taxLines: [{ code: 'NYSTATE', rate: '8.875', taxable: m('67.97', 'USD'), tax: m('6.03', 'USD') }],
      taxTotal: m('6.03', 'USD'),
      orderTotal: m('86.50', 'USD'),
      billingAddress: {
        kind: 'billing',
        firstName: 'Ann',
        lastName: 'Adams',
        line1: '1 Main St',
        city: 'New York',
        region: 'NY',
        postalCode: '10001',
        country: 'US',
      },
    }),
    refs: { customer: { '17': 'C000001' }, product: { kettle: 'ITEM00001', mug: 'ITEM00002' } },
  },
  {
    // Two VAT rates on different lines, in euros.
    data: webOrder({
      number: '100000002',
      currency: 'EUR',
      lines: [
        {
          lineNumber: 1,
          sku: 'ITEM00003',
          quantity: '1',
          unit: 'EA',
          unitPrice: m('100', 'EUR'),
          total: m('100', 'EUR'),
        },
        {
          lineNumber: 2,
          sku: 'ITEM00004',
          quantity: '3',
          unit: 'EA',
          unitPrice: m('10', 'EUR'),
          total: m('30', 'EUR'),
        },
      ],
      shippingTotal: m('4.99', 'EUR'),
      taxLines: [
        { code: 'VAT20', rate: '20', taxable: m('100', 'EUR'), tax: m('20', 'EUR') },
        { code: 'VAT10', rate: '10', taxable: m('30', 'EUR'), tax: m('3', 'EUR') },
      ],
      taxTotal: m('23', 'EUR'),
      orderTotal: m('157.99', 'EUR'),
    }),
    refs: { customer: { '17': 'C000002' } },
  },
  {
    // A fractional quantity whose amount rounds half away from zero (not to even): 1.5 × 1.23 = 1.845.
    data: webOrder({
      number: '100000003',
      currency: 'GBP',
      lines: [
        {
          lineNumber: 1,
          sku: 'ITEM00005',
          quantity: '1.5',
          unit: 'EA',
          unitPrice: m('1.23', 'GBP'),
          total: m('1.85', 'GBP'),
        },
      ],
      taxTotal: m('0', 'GBP'),
      orderTotal: m('1.85', 'GBP'),
    }),
    refs: { customer: { '17': 'C000002' } },
  },
  {
    // A guest checkout, booked to the guest customer.
    data: webOrder({
      number: '100000004',
      customerNumber: 'guest@example.com',
      guest: true,
      customerEmail: 'guest@example.com',
      customerName: 'Gus Guest',
      currency: 'CAD',
      lines: [
        {
          lineNumber: 1,
          sku: 'ITEM00006',
          quantity: '1',
          unit: 'EA',
          unitPrice: m('10', 'CAD'),
          total: m('10', 'CAD'),
        },
      ],
      taxLines: [{ code: 'CASTATE', rate: '7.25', taxable: m('10', 'CAD'), tax: m('0.73', 'CAD') }],
      taxTotal: m('0.73', 'CAD'),
      orderTotal: m('10.73', 'CAD'),
    }),
  },
];

for (const version of ENDPOINT_VERSIONS) {
  describe(`Acumatica as the target of web orders on Default/${version}`, () => {
    let sb: AcumaticaSandbox;
    let c: AcumaticaConnector;

    beforeAll(async () => {
      sb = await startAcumaticaSandbox({ customers: 4, products: 6, conformance: true, seed: 5 });
      c = connect(sb, { endpointVersion: version, guestCustomerId: 'C000003' });
    });
    afterAll(async () => {
      await c.close();
      expect(sb.kit.violations, 'traffic that departs from the published spec').toEqual([]);
      await sb.close();
    });

    it('creates orders whose totals equal the web orders to the cent, in several currencies', async () => {
      const results = await c.write(
        'salesOrder',
        WEB_ORDERS.map((w, i) => ({
          ref: String(i),
          action: 'create' as const,
          data: w.data,
          ...(w.refs ? { refs: w.refs } : {}),
        })),
      );
      for (const [i, w] of WEB_ORDERS.entries()) {
        const r = results.find((x) => x.ref === String(i))!;
        expect(r, JSON.stringify(r)).toMatchObject({ ok: true, action: 'created' });
        if (!isWritten(r)) continue;
        expect(r.targetNumber).toBe(r.targetId);
        expect(r.targetId).toMatch(/^SO\d{6}$/);
        const [item] = await c.get('salesOrder', [r.targetId]);
        const made = SalesOrder.parse(item?.data);
        const web = SalesOrder.parse(w.data);
        expect(made.externalNumber).toBe(web.number);
        expect(made.currency).toBe(web.currency);
        for (const f of ['orderTotal', 'taxTotal'] as const)
          expect(decimalsEqual(made[f].amount, web[f].amount), f).toBe(true);
        expect(decimalsEqual(made.shippingTotal?.amount ?? '0', web.shippingTotal?.amount ?? '0')).toBe(true);
        expect(
          made.lines.map((l) => l.total.amount).every((a, k) => decimalsEqual(a, web.lines[k]!.total.amount)),
        ).toBe(true);
        expect(
          made.taxLines.map((t) => [t.code, Number(t.rate), Number(t.taxable.amount), Number(t.tax.amount)]),
        ).toEqual(
          web.taxLines.map((t) => [t.code, Number(t.rate), Number(t.taxable.amount), Number(t.tax.amount)]),
        );
        const raw = sb.orders.get(r.targetId)!;
        expect(raw.CustomerOrder?.value).toBe(web.number);
      }
      const [first, , , guest] = results.map((r) => (isWritten(r) ? sb.orders.get(r.targetId)! : undefined));
      expect(first?.CustomerID?.value).toBe('C000001');
      expect(first?.Details?.map((d) => d.InventoryID?.value)).toEqual(['ITEM00001', 'ITEM00002']);
      expect(first?.BillToContact?.Attention?.value).toBe('Ann Adams');
      expect(guest?.CustomerID?.value).toBe('C000003');
      expect(guest?.Description?.value).toMatch(/guest: Gus Guest <guest@example.com>/);
    });

    it('finds orders by either natural key in one lookup per kind', async () => {
      const web = WEB_ORDERS[1]!.data;
      const byRef = c.naturalKey('salesOrder', web);
      expect(byRef).toBe('ExternalRef:100000002');
      const found = await c.lookup('salesOrder', [byRef!, 'ExternalRef:nope']);
      const nbr = found.get(byRef!)?.id;
      expect(nbr).toMatch(/^SO\d{6}$/);
      const byNbr = c.naturalKey('salesOrder', { ...web, externalNumber: nbr });
      expect(byNbr).toBe(`OrderNbr:${nbr}`);
      const before = sb.kit.calls.length;
      const both = await c.lookup('salesOrder', [byNbr!, byRef!, 'OrderNbr:SO999999']);
      expect([...both.keys()].sort()).toEqual([byNbr, byRef].sort());
      expect(both.get(byNbr!)?.id).toBe(nbr);
      expect(sb.kit.calls.length - before).toBe(2);
    });

    it('refusals are record results with Acumatica words, never exceptions', async () => {
      const writes = sb.kit.writeCalls().length;
      const base = WEB_ORDERS[0]!;
      const [noShipVia, guestOk, noCustomer, badTotal] = await c.write('salesOrder', [
        {
          ref: 'a',
          action: 'create',
          data: { ...base.data, number: '900000001', shipVia: 'NOPE' },
          refs: base.refs!,
        },
        { ref: 'b', action: 'create', data: { ...WEB_ORDERS[3]!.data, number: '900000002' } },
        { ref: 'c', action: 'create', data: { ...base.data, number: '900000003' } },
        {
          ref: 'd',
          action: 'create',
          data: { ...base.data, number: '900000004', orderTotal: m('86.49', 'USD') },
          refs: base.refs!,
        },
      ]);
      expect(noShipVia).toMatchObject({ ok: false, error: { category: 'rejected', httpStatus: 422 } });
      if (!noShipVia!.ok) {
        expect(noShipVia!.error.message).toMatch(/ShipVia: 'Ship Via' cannot be found in the system/);
        expect(noShipVia!.exchanges?.[0]?.status).toBe(422);
      }
      // Guests need the connection's guest customer; this connector has none.
      const strict = connect(sb, { endpointVersion: version });
      const [guest] = await strict.write('salesOrder', [
        { ref: 'g', action: 'create', data: WEB_ORDERS[3]!.data },
      ]);
      await strict.close();
      expect(guest).toMatchObject({ ok: false, error: { category: 'rejected' } });
      expect(!guest!.ok && guest!.error.message).toMatch(/set guestCustomerId/);
      expect(guestOk).toMatchObject({ ok: true });
      expect(noCustomer).toMatchObject({ ok: false, error: { code: 'waiting_dependency' } });
      expect(badTotal).toMatchObject({ ok: false, error: { code: 'invalid_data' } });
      expect(!badTotal!.ok && badTotal!.error.message).toMatch(/order total is 86.49/);
      // Only the refused ShipVia and the guest order reached Acumatica.
      expect(sb.kit.writeCalls().length - writes).toBe(2);
    });

    it("writes back the other system's number, and only that", async () => {
      const web = WEB_ORDERS[2]!;
      const found = await c.lookup('salesOrder', [c.naturalKey('salesOrder', web.data)!]);
      const target = [...found.values()][0]!;
      const before = structuredClone(sb.orders.get(target.id)!);
      const [r] = await c.write('salesOrder', [
        {
          ref: 'w',
          action: 'update',
          targetId: target.id,
          fields: ['externalNumber'],
          data: { ...web.data, externalNumber: 'M-000000777', orderTotal: m('1', 'GBP') },
        },
      ]);
      expect(r).toMatchObject({ ok: true, action: 'updated', targetId: target.id });
      const after = sb.orders.get(target.id)!;
      expect(after.ExternalRef?.value).toBe('M-000000777');
      expect(after.OrderTotal).toEqual(before.OrderTotal);
      expect(Date.parse(after.LastModified!.value!)).toBeGreaterThan(Date.parse(before.LastModified!.value!));
      // With the lookup's snapshot, the order type needs no extra call.
      const calls = sb.kit.calls.length;
      await c.write('salesOrder', [
        {
          ref: 'w2',
          action: 'update',
          targetId: target.id,
          fields: ['externalNumber'],
          existing: target,
          data: { ...web.data, externalNumber: 'M-1' },
        },
      ]);
      expect(sb.kit.calls.length - calls).toBe(1);
      const [gone] = await c.write('salesOrder', [
        { ref: 'x', action: 'update', targetId: 'SO999999', fields: ['externalNumber'], data: web.data },
      ]);
      expect(gone).toMatchObject({ ok: false, error: { code: 'not_found' } });
    });
  });
}

describe('Acumatica actions and push notifications', () => {
  let sb: AcumaticaSandbox;
  let c: AcumaticaConnector;
  let hook: Awaited<ReturnType<typeof listener>>;

  beforeAll(async () => {
    hook = await listener();
    sb = await startAcumaticaSandbox({
      customers: 3,
      products: 3,
      conformance: true,
      pushNotifications: [{ url: hook.url, headerName: 'X-Ledgerlink-Token', headerValue: 'push-secret' }],
    });
    c = connect(sb, { webhookHeaderValue: 'push-secret' });
  });
  afterAll(async () => {
    await c.close();
    await sb.pushIdle();
    expect(sb.kit.violations, 'traffic that departs from the published spec').toEqual([]);
    await sb.close();
    await hook.close();
  });

  it('invokeAction follows 202 and its Location until 204, and reports a failed operation', async () => {
    const order = sb.createSalesOrder({
      customerId: 'C000001',
      lines: [{ inventoryId: 'ITEM00001', qty: 2 }],
    });
    const created = await c.client.invokeAction('SalesOrder', 'SalesOrderCreateShipment', {
      OrderType: 'SO',
      OrderNbr: order,
    });
    const shipment = created.location?.split('/').at(-1);
    expect(shipment).toMatch(/^\d{6}$/);
    expect(sb.shipments.get(shipment!)?.Status?.value).toBe('Open');

    const from = sb.kit.calls.length;
    await c.client.invokeAction('Shipment', 'ConfirmShipment', { ShipmentNbr: shipment! });
    expect(
      sb.kit.calls.slice(from).map((x) => `${x.method} ${x.path.replace(/[0-9a-f-]{36}$/, '…')} ${x.status}`),
    ).toEqual([
      'POST /entity/Default/24.200.001/Shipment/ConfirmShipment 202',
      'GET /entity/Default/24.200.001/Shipment/ConfirmShipment/status/… 202',
      'GET /entity/Default/24.200.001/Shipment/ConfirmShipment/status/… 204',
    ]);
    expect(sb.shipments.get(shipment!)?.Status?.value).toBe('Confirmed');
    expect(sb.orders.get(order)?.Details?.[0]?.OpenQty?.value).toBe(0);

    const invoice = (await c.client.invokeAction('Shipment', 'PrepareInvoice', { ShipmentNbr: shipment! }))
      .location;
    expect(invoice).toMatch(/SalesInvoice\/Invoice\/AR\d{6}$/);
    await c.client.invokeAction('SalesInvoice', 'ReleaseSalesInvoice', {
      Type: 'Invoice',
      ReferenceNbr: invoice!.split('/').at(-1)!,
    });
    expect(sb.orders.get(order)?.Status?.value).toBe('Completed');

    await expect(
      c.client.invokeAction('Shipment', 'ConfirmShipment', { ShipmentNbr: shipment! }),
    ).rejects.toThrow(/could not complete the ConfirmShipment.*has already been confirmed/);
    await expect(
      c.client.invokeAction('Shipment', 'ConfirmShipment', { ShipmentNbr: '999999' }),
    ).rejects.toThrow(/422.*'Shipment Nbr.' cannot be found/);
    const late = sb.createShipment(
      sb.createSalesOrder({ customerId: 'C000002', lines: [{ inventoryId: 'ITEM00002', qty: 1 }] }),
    );
    await expect(
      c.client.invokeAction('Shipment', 'ConfirmShipment', { ShipmentNbr: late }, {}, { deadlineMs: 50 }),
    ).rejects.toThrow(/still running after/);
  });

  it("pushes every saved change in Acumatica's format, with the header, to a local listener", async () => {
    await sb.pushIdle();
    const start = hook.received.length;
    const order = sb.createSalesOrder({
      customerId: 'C000003',
      lines: [{ inventoryId: 'ITEM00003', qty: 1 }],
    });
    const [r] = await c.write('salesOrder', [
      {
        ref: 'u',
        action: 'update',
        targetId: order,
        fields: ['externalNumber'],
        data: { externalNumber: '000000042' },
      },
    ]);
    expect(r?.ok).toBe(true);
    sb.touch('customer', ['C000003']);
    await sb.pushIdle();
    const got = hook.received.slice(start);
    const bodies = got.map((g) => JSON.parse(g.body) as Record<string, unknown>);
    expect(bodies.map((b) => b.Query)).toEqual(['LL-SalesOrders', 'LL-SalesOrders', 'LL-Customers']);
    for (const b of bodies)
      expect(Object.keys(b).sort()).toEqual([
        'AdditionalInfo',
        'CompanyId',
        'Deleted',
        'Id',
        'Inserted',
        'Query',
        'TimeStamp',
      ]);
    expect(bodies[0]).toMatchObject({
      CompanyId: 'Company',
      Deleted: [],
      Inserted: [{ OrderType: 'SO', OrderNbr: order, Status: 'Open' }],
      AdditionalInfo: {},
    });
    expect(bodies[1]).toMatchObject({
      Deleted: [{ OrderNbr: order }],
      Inserted: [{ OrderNbr: order, LastModifiedDateTime: sb.orders.get(order)?.LastModified?.value }],
    });
    expect(bodies[2]).toMatchObject({
      Inserted: [{ CustomerID: 'C000003' }],
      Deleted: [{ CustomerID: 'C000003' }],
    });
    const stamps = bodies.map((b) => b.TimeStamp as number);
    expect([...stamps].sort((a, b) => a - b)).toEqual(stamps);
    expect(new Set(stamps).size).toBe(stamps.length);
    expect(got.every((g) => g.headers['x-ledgerlink-token'] === 'push-secret')).toBe(true);

    // What Ledgerlink's webhook endpoint does with them.
    const deliveries = got.map((g) => ({ headers: g.headers as Record<string, string>, rawBody: g.body }));
    expect(deliveries.map((d) => c.webhook.verify(d))).toEqual([undefined, undefined, undefined]);
    expect(c.webhook.verify({ ...deliveries[0]!, headers: { 'x-ledgerlink-token': 'guess' } })).toMatch(
      /does not carry/,
    );
    const open = connect(sb);
    expect(open.webhook.verify(deliveries[0]!)).toMatch(/no webhookHeaderValue/);
    await open.close();
    expect(deliveries.map((d) => c.webhook.deliveryId(d))).toEqual(bodies.map((b) => `${b.Query}:${b.Id}`));
    expect(deliveries.flatMap((d) => c.webhook.parse(d))).toEqual([
      { entity: 'salesOrder', id: order, kind: 'upsert', occurredAt: expect.any(String) },
      { entity: 'salesOrder', id: order, kind: 'upsert', occurredAt: expect.any(String) },
      { entity: 'customer', id: 'C000003', kind: 'upsert' },
    ]);
    // The event leads to the record: reading it by id finds the written number.
    const [read] = await c.get('salesOrder', [order]);
    expect(SalesOrder.parse(read?.data).externalNumber).toBe('000000042');
  });

  it('retries a failed delivery, and never makes the API call wait for the listener', async () => {
    const flaky = await listener({ failFirst: 2 });
    const slow = await listener({ delayMs: 400 });
    sb.addPushDestination({ url: flaky.url, headerName: 'X-Ledgerlink-Token', headerValue: 'push-secret' });
    sb.addPushDestination({ url: slow.url });
    const order = sb.createSalesOrder({
      customerId: 'C000001',
      lines: [{ inventoryId: 'ITEM00002', qty: 1 }],
    });
    await sb.pushIdle();
    expect(sb.pushLog.filter((d) => d.url === flaky.url).map((d) => [d.attempt, d.status])).toEqual([
      [0, 503],
      [1, 503],
      [2, 200],
    ]);
    expect(flaky.received).toHaveLength(1);

    const logged = sb.pushLog.length;
    const started = Date.now();
    const [r] = await c.write('salesOrder', [
      {
        ref: 'u',
        action: 'update',
        targetId: order,
        fields: ['externalNumber'],
        data: { externalNumber: '7' },
      },
    ]);
    expect(r?.ok).toBe(true);
    expect(Date.now() - started).toBeLessThan(400);
    expect(sb.pushLog.slice(logged).some((d) => d.url === slow.url)).toBe(false);
    await sb.pushIdle();
    expect(JSON.parse(slow.received.at(-1)!.body)).toMatchObject({ Inserted: [{ OrderNbr: order }] });
    await flaky.close();
    await slow.close();
  });
});
