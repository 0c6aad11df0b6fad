import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Decimal } from 'decimal.js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Customer, Invoice, Payment, Product, SalesOrder, Shipment } from '../../model/index.js';
import { isWritten, type References, type SourceItem, type WriteItem } from '../sdk/contract.js';
import { settingsSchema } from '../sdk/manifest.js';
import { type MagentoConnector, magentoConnector } from './index.js';
import { MAGENTO_SANDBOX, type MagentoSandbox, startMagentoSandbox } from './sandbox/index.js';

const logger = pino({ level: 'silent' });
const TOKEN_HEADER = 'x-ledgerlink-webhook-token';

function connect(sb: MagentoSandbox, overrides: Record<string, unknown> = {}): MagentoConnector {
  const settings = settingsSchema(magentoConnector.manifest.connectionFields).parse({
    baseUrl: sb.url,
    accessToken: MAGENTO_SANDBOX.accessToken,
    timeoutMs: 3000,
    ...overrides,
  });
  return magentoConnector.create(settings, { connection: 'magento', logger }) as MagentoConnector;
}

async function collect(it: AsyncIterable<SourceItem[]>): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const page of it) out.push(...page);
  return out;
}

const usd = (amount: string) => ({ amount, currency: 'USD' });

/** The model's totals formula, to the cent. */
function totalsHold(so: SalesOrder): boolean {
  const lines = so.lines.reduce((s, l) => s.plus(l.total.amount), new Decimal(0));
  return lines
    .minus(so.discountTotal?.amount ?? 0)
    .plus(so.shippingTotal?.amount ?? 0)
    .plus(so.taxTotal.amount)
    .equals(so.orderTotal.amount);
}

let n = 0;
/** An order as the ERP states it: 2 × 10.00 less 1.00, 1 × 5.50, 8 % tax, 7.00 freight. */
const erpOrder = (patch: Record<string, unknown> = {}) => {
  n++;
  return SalesOrder.parse({
    number: `SO9${String(n).padStart(5, '0')}`,
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
        unitPrice: usd('10.00'),
        discount: usd('1.00'),
        tax: usd('1.52'),
        taxRate: '8',
        total: usd('19.00'),
      },
      {
        lineNumber: 2,
        sku: 'MAG00002',
        quantity: '1',
        unit: 'EA',
        unitPrice: usd('5.50'),
        tax: usd('0.44'),
        taxRate: '8',
        total: usd('5.50'),
      },
    ],
    shipVia: 'flatrate_flatrate',
    paymentMethod: 'checkmo',
    billingAddress: {
      kind: 'billing',
      line1: '1 Shop St',
      city: 'Denver',
      region: 'CO',
      postalCode: '80202',
      country: 'US',
      phone: '+1 555 0101',
    },
    shippingTotal: usd('7.00'),
    taxLines: [{ code: 'US-CO-*-Rate 1', rate: '8', taxable: usd('24.50'), tax: usd('1.96') }],
    taxTotal: usd('1.96'),
    orderTotal: usd('33.46'),
    paidTotal: usd('0.00'),
    unpaidBalance: usd('33.46'),
    updatedAt: '2026-03-01T10:00:00Z',
    ...patch,
  });
};

const shipment = (orderNumber: string, number: string, lines: Array<[string, string]>, patch = {}) =>
  Shipment.parse({
    number,
    status: 'Confirmed',
    shipmentDate: '2026-03-02',
    customerNumber: 'C0001',
    orderNumbers: [orderNumber],
    shipVia: 'fedex_FEDEX_2_DAY',
    trackingNumbers: ['1Z999AA10123456784'],
    lines: lines.map(([sku, quantity], i) => ({
      orderNumber,
      orderLineNumber: i + 1,
      sku,
      quantity,
      unit: 'EA',
    })),
    updatedAt: '2026-03-02T10:00:00Z',
    ...patch,
  });

const invoice = (orderNumber: string, number: string, lines: Array<[string, string]>) =>
  Invoice.parse({
    number,
    status: 'Open',
    invoiceDate: '2026-03-02',
    customerNumber: 'C0001',
    orderNumbers: [orderNumber],
    currency: 'USD',
    lines: [
      ...lines.map(([sku, quantity], i) => ({
        lineNumber: i + 1,
        sku,
        quantity,
        unitPrice: usd('1.00'),
        tax: usd('0'),
        total: usd(quantity),
      })),
      // Freight: no SKU, nothing Magento invoices as an item.
      {
        lineNumber: 99,
        description: 'Freight',
        quantity: '1',
        unitPrice: usd('7'),
        tax: usd('0'),
        total: usd('7'),
      },
    ],
    netTotal: usd('1'),
    taxTotal: usd('0'),
    total: usd('1'),
    updatedAt: '2026-03-02T10:00:00Z',
  });

const create = (data: unknown, refs?: References): WriteItem => ({
  ref: 'r',
  action: 'create',
  data,
  ...(refs ? { refs } : {}),
});

describe('Magento sales documents', () => {
  let sb: MagentoSandbox;
  let c: MagentoConnector;
  const writes = () => sb.kit.writeCalls().length;

  beforeAll(async () => {
    sb = await startMagentoSandbox({ conformance: true, customers: 5, products: 6 });
    c = connect(sb);
  });
  afterAll(async () => {
    await c.close();
    expect(sb.kit.violations).toEqual([]);
    await sb.close();
  });

  /** A shopper's order: 3 × 19.99 less 5.00 and 1 × 0.99 at New York's 8.875 %, 5.00 shipping. */
  const webOrder = (patch: Record<string, unknown> = {}) =>
    sb.placeOrder({
      customerId: 1,
      lines: [
        { sku: 'MAG00001', qty: 3, price: '19.99', discount: '5.00', taxPercent: '8.875' },
        { sku: 'MAG00002', qty: 1, price: '0.99', taxPercent: '8.875' },
      ],
      ...patch,
    });

  it("reads shop orders as canonical orders, totals to the cent, Magento's numbers and codes", async () => {
    const placed = [
      webOrder(),
      sb.placeOrder({
        guest: { email: 'gus@example.co.uk', firstname: 'Gus', lastname: 'Guest' },
        currency: 'GBP',
        address: { country_id: 'GB', region: '', region_code: '', city: 'Leeds', postcode: 'LS1 4AP' },
        shippingAmount: '3.95',
        lines: [
          { sku: 'MAG00003', qty: 2, price: '41.67', taxPercent: '20' },
          { sku: 'MAG00004', qty: 1, price: '9.99', discount: '0.99', taxPercent: '5' },
        ],
      }),
      sb.placeOrder({
        customerId: 2,
        currency: 'EUR',
        shippingMethod: 'tablerate_bestway',
        paymentMethod: 'banktransfer',
        lines: [{ sku: 'MAG00005', qty: '1.5', price: '3.33', discount: '0.33', taxPercent: '7.25' }],
      }),
    ];
    const got = await c.get(
      'salesOrder',
      placed.map((o) => String(o.entity_id)),
    );
    expect(got.map((x) => x.id)).toEqual(placed.map((o) => String(o.entity_id)));
    const orders = got.map((x) => SalesOrder.parse(x.data));
    for (const so of orders) expect(totalsHold(so), so.number).toBe(true);
    expect(orders[0]).toMatchObject({
      number: placed[0]!.increment_id,
      orderType: 'web',
      customerNumber: '1',
      guest: false,
      orderTotal: usd('65.93'),
      taxTotal: usd('4.97'),
      unpaidBalance: usd('65.93'),
      shipVia: 'flatrate_flatrate',
      taxLines: [{ code: 'US-NY-*-Rate 1', rate: '8.875', taxable: usd('55.96'), tax: usd('4.97') }],
    });
    expect(orders[1]).toMatchObject({
      guest: true,
      customerNumber: 'gus@example.co.uk',
      currency: 'GBP',
      taxLines: [
        { code: 'VAT20', taxable: { amount: '83.34' }, tax: { amount: '16.67' } },
        { code: 'VAT5', taxable: { amount: '9' }, tax: { amount: '0.45' } },
      ],
    });
    expect(orders[2]).toMatchObject({
      currency: 'EUR',
      shipVia: 'tablerate_bestway',
      paymentMethod: 'banktransfer',
    });
  });

  it('reads incrementally (since inclusive), by status, and by entity id or increment id', async () => {
    const [a, b, later] = [webOrder(), webOrder(), webOrder()];
    // Orders last changed at known times: two share the boundary second.
    sb.orders.get(a.entity_id!)!.updated_at = '2030-01-01 09:59:59';
    sb.orders.get(b.entity_id!)!.updated_at = '2030-01-01 10:00:00';
    sb.orders.get(later.entity_id!)!.updated_at = '2030-01-01 10:00:00';
    const since = await collect(c.read('salesOrder', { since: '2030-01-01T10:00:00Z', pageSize: 1 }));
    expect(since.map((x) => x.id)).toEqual([String(b.entity_id), String(later.entity_id)]);
    const window = await collect(
      c.read('salesOrder', { since: '2030-01-01T09:00:00Z', until: '2030-01-01T09:59:59Z' }),
    );
    expect(window.map((x) => x.id)).toEqual([String(a.entity_id)]);

    sb.editOrder(b.entity_id!, { status: 'holded', state: 'holded' });
    const held = await collect(c.read('salesOrder', { filters: { status: ['holded'] } }));
    expect(held.map((x) => x.id)).toEqual([String(b.entity_id)]);
    await expect(collect(c.read('salesOrder', { filters: { colour: ['red'] } }))).rejects.toThrow(
      /no "colour" filter/,
    );

    // An ID file lists order numbers; typed ids are entity ids: both find their order.
    const mixed = await collect(
      c.read('salesOrder', { ids: [String(a.entity_id), later.increment_id!, '999999'] }),
    );
    expect(mixed.map((x) => x.id).sort()).toEqual([String(a.entity_id), String(later.entity_id)].sort());
    expect(await c.count('salesOrder', { filters: { status: ['holded'] } })).toBe(1);
  });

  it('writes an ERP order for a customer and for a guest, and finds it by natural key instead of creating it twice', async () => {
    const data = erpOrder();
    const refs = { customer: { C0001: '3' } };
    const [created] = await c.write('salesOrder', [create(data, refs)]);
    expect(created?.ok, JSON.stringify(created)).toBe(true);
    if (!isWritten(created)) return;
    const saved = sb.orders.get(Number(created.targetId))!;
    expect(created.targetNumber).toBe(saved.increment_id);
    expect(saved).toMatchObject({
      ext_order_id: data.number,
      customer_id: 3,
      customer_is_guest: 0,
      state: 'new',
      status: 'pending',
      subtotal: 25.5,
      discount_amount: -1,
      shipping_amount: 7,
      tax_amount: 1.96,
      grand_total: 33.46,
      payment: { method: 'checkmo' },
    });
    expect(saved.items.map((i) => [i.sku, i.product_id])).toEqual([
      ['MAG00001', sb.products.get('MAG00001')!.id],
      ['MAG00002', sb.products.get('MAG00002')!.id],
    ]);
    expect(saved.status_histories?.map((h) => [h.comment, h.is_visible_on_front, h.status])).toEqual([
      [`Created from ERP order ${data.number}`, 0, 'pending'],
    ]);

    // Read back as Magento sees it: the same totals.
    const [back] = await c.get('salesOrder', [created.targetId]);
    const so = SalesOrder.parse(back!.data);
    expect(so).toMatchObject({
      externalNumber: data.number,
      orderTotal: usd('33.46'),
      taxTotal: usd('1.96'),
    });
    expect(totalsHold(so)).toBe(true);

    // A second run finds it by ext_order_id; a web order is found by its increment id.
    const web = webOrder();
    const keys = [
      c.naturalKey('salesOrder', data)!,
      c.naturalKey('salesOrder', { ...data, externalNumber: web.increment_id })!,
    ];
    expect(keys).toEqual([`ext_order_id:${data.number}`, `increment_id:${web.increment_id}`]);
    const before = sb.kit.calls.length;
    const found = await c.lookup('salesOrder', [...keys, 'ext_order_id:SO-NEVER']);
    expect(sb.kit.calls.length - before).toBe(1);
    expect(found.get(keys[0]!)?.id).toBe(created.targetId);
    expect(found.get(keys[1]!)?.id).toBe(String(web.entity_id));
    expect(found.size).toBe(2);

    // A guest order that is paid already: processing, no customer; the money comes with its invoices.
    const guest = erpOrder({
      guest: true,
      customerNumber: 'walk-in',
      paidTotal: usd('33.46'),
      unpaidBalance: usd('0'),
    });
    const [g] = await c.write('salesOrder', [create(guest)]);
    expect(g?.ok).toBe(true);
    const gs = sb.orders.get(Number(g?.ok && g.targetId))!;
    expect(gs).toMatchObject({
      customer_is_guest: 1,
      state: 'processing',
      status: 'processing',
      total_paid: 0,
      total_due: 33.46,
    });
    expect(gs.customer_id).toBeUndefined();
  });

  it('refuses what cannot be written as record results: no customer yet, a SKU Magento does not know', async () => {
    const [waiting] = await c.write('salesOrder', [create(erpOrder(), { customer: {} })]);
    expect(waiting).toMatchObject({
      ok: false,
      error: {
        code: 'waiting_dependency',
        message: expect.stringMatching(/customer C0001 has no Magento customer yet/),
      },
    });
    const bad = erpOrder();
    bad.lines[1]!.sku = 'NO-SUCH-SKU';
    const [refused] = await c.write('salesOrder', [create(bad, { customer: { C0001: '1' } })]);
    expect(refused).toMatchObject({
      ok: false,
      error: {
        category: 'rejected',
        httpStatus: 404,
        message:
          "Magento answered 404: The product that was requested doesn't exist. Verify the product and try again. " +
          `(order ${bad.number}: Magento's catalog has no product NO-SUCH-SKU)`,
      },
    });
    expect([...sb.orders.values()].some((o) => o.ext_order_id === bad.number)).toBe(false);
  });

  it("writes the ERP's number back onto a web order: ext_order_id and a comment, once", async () => {
    const web = webOrder();
    const id = web.entity_id!;
    sb.orders.get(id)!.updated_at = '2020-01-01 00:00:00';
    const [read] = await c.get('salesOrder', [String(id)]);
    const data = { ...(read!.data as SalesOrder), externalNumber: 'SO000777' };
    const update: WriteItem = {
      ref: 'w',
      action: 'update',
      targetId: String(id),
      data,
      fields: ['externalNumber'],
    };
    const [r] = await c.write('salesOrder', [update]);
    expect(r).toMatchObject({ ok: true, targetId: String(id), action: 'updated' });
    const after = sb.orders.get(id)!;
    expect(after.ext_order_id).toBe('SO000777');
    expect(after.updated_at).not.toBe('2020-01-01 00:00:00');
    expect(
      after.status_histories?.map((h) => [h.comment, h.is_customer_notified, h.is_visible_on_front]),
    ).toEqual([['ERP order SO000777', 0, 0]]);
    // Nothing else moved.
    expect({ ...after, ext_order_id: undefined, updated_at: undefined, status_histories: undefined }).toEqual(
      {
        ...web,
        ext_order_id: undefined,
        updated_at: undefined,
        status_histories: undefined,
        extension_attributes: sb.orders.get(id)!.extension_attributes,
      },
    );
    const before = writes();
    const [again] = await c.write('salesOrder', [update]);
    expect(again?.ok).toBe(true);
    expect(writes()).toBe(before);
  });

  it('ships partially then fully with tracking, invoices, and Magento moves the order to processing and complete', async () => {
    const web = webOrder();
    const id = web.entity_id!;
    const refs = { salesOrder: { SO555: String(id) } };
    const first = shipment('SO555', 'SH000123', [['MAG00001', '2']]);
    expect(c.naturalKey('shipment', first)).toBeUndefined();
    const key = c.naturalKey('shipment', first, refs)!;
    expect(key).toBe(`${id}:SH000123`);
    expect((await c.lookup('shipment', [key])).size).toBe(0);

    const [s1] = await c.write('shipment', [create(first, refs)]);
    expect(s1?.ok, JSON.stringify(s1)).toBe(true);
    if (!isWritten(s1)) return;
    const m1 = sb.shipments.get(Number(s1.targetId))!;
    expect(s1.targetNumber).toBe(m1.increment_id);
    expect(m1).toMatchObject({
      order_id: id,
      items: [{ order_item_id: web.items[0]!.item_id, qty: 2, sku: 'MAG00001' }],
      tracks: [{ track_number: '1Z999AA10123456784', carrier_code: 'fedex', title: 'Flat Rate - Fixed' }],
      comments: [{ comment: 'ERP shipment SH000123', is_customer_notified: 0, is_visible_on_front: 0 }],
    });
    expect(sb.orders.get(id)).toMatchObject({ state: 'processing', status: 'processing' });
    expect((await c.lookup('shipment', [key])).get(key)?.id).toBe(s1.targetId);

    const rest = shipment(
      'SO555',
      'SH000124',
      [
        ['MAG00001', '1'],
        ['MAG00002', '1'],
      ],
      { trackingNumbers: [], shipVia: undefined },
    );
    const [s2] = await c.write('shipment', [create(rest, refs)]);
    expect(s2?.ok).toBe(true);
    expect(sb.orders.get(id)!.items.map((i) => i.qty_shipped)).toEqual([3, 1]);
    // Everything shipped, nothing invoiced yet: still processing.
    expect(sb.orders.get(id)!.state).toBe('processing');

    const inv = invoice('SO555', 'AR000123', [
      ['MAG00001', '3'],
      ['MAG00002', '1'],
    ]);
    const invKey = c.naturalKey('invoice', inv, refs)!;
    const [i1] = await c.write('invoice', [create(inv, refs)]);
    expect(i1?.ok, JSON.stringify(i1)).toBe(true);
    if (!isWritten(i1)) return;
    const mi = sb.invoices.get(Number(i1.targetId))!;
    expect(i1.targetNumber).toBe(mi.increment_id);
    expect(mi).toMatchObject({ grand_total: 65.93, comments: [{ comment: 'ERP invoice AR000123' }] });
    expect(sb.orders.get(id)).toMatchObject({
      state: 'complete',
      status: 'complete',
      total_invoiced: 65.93,
      total_paid: 65.93,
      total_due: 0,
    });
    expect((await c.lookup('invoice', [invKey])).get(invKey)?.id).toBe(i1.targetId);
  });

  it('partial invoices add up to the order to the cent; a refused document line is a record result', async () => {
    const web = webOrder();
    const id = web.entity_id!;
    const refs = { salesOrder: { SO556: String(id) } };
    const [a] = await c.write('invoice', [create(invoice('SO556', 'AR1', [['MAG00001', '1']]), refs)]);
    const [b] = await c.write('invoice', [
      create(
        invoice('SO556', 'AR2', [
          ['MAG00001', '2'],
          ['MAG00002', '1'],
        ]),
        refs,
      ),
    ]);
    expect(a?.ok && b?.ok).toBe(true);
    const totals = [a, b].map((r) => new Decimal(sb.invoices.get(Number(r?.ok && r.targetId))!.grand_total!));
    expect(totals[0]!.plus(totals[1]!).toFixed(2)).toBe('65.93');
    expect(sb.orders.get(id)).toMatchObject({ state: 'processing', total_paid: 65.93, total_due: 0 });

    const before = writes();
    const [lacks] = await c.write('shipment', [create(shipment('SO556', 'SH9', [['MAG00006', '1']]), refs)]);
    expect(lacks).toMatchObject({
      ok: false,
      error: {
        category: 'rejected',
        message: `shipment SH9: order ${web.increment_id} has no line with SKU MAG00006`,
      },
    });
    const [tooMuch] = await c.write('shipment', [
      create(shipment('SO556', 'SH10', [['MAG00002', '2']]), refs),
    ]);
    expect(tooMuch).toMatchObject({
      ok: false,
      error: {
        message: `shipment SH10: line 1 would ship 2 of SKU MAG00002, but order ${web.increment_id} has only 1 left to ship`,
      },
    });
    const [notYet] = await c.write('shipment', [
      create(shipment('SO999', 'SH11', [['MAG00002', '1']]), refs),
    ]);
    expect(notYet).toMatchObject({ ok: false, error: { code: 'waiting_dependency' } });
    expect(writes()).toBe(before);
  });

  it('a shipment covering two orders: one Magento shipment each; after a partial failure the retry completes it without doubling', async () => {
    const [one, two] = [webOrder(), webOrder()];
    const refs = { salesOrder: { SO700: String(one.entity_id), SO701: String(two.entity_id) } };
    const both = Shipment.parse({
      ...shipment('SO700', 'SH700', [['MAG00002', '1']]),
      orderNumbers: ['SO700', 'SO701'],
      lines: [
        { orderNumber: 'SO700', orderLineNumber: 2, sku: 'MAG00002', quantity: '1', unit: 'EA' },
        { orderNumber: 'SO701', orderLineNumber: 1, sku: 'MAG00001', quantity: '3', unit: 'EA' },
      ],
    });
    const key = c.naturalKey('shipment', both, refs)!;
    expect(key).toBe(`${one.entity_id},${two.entity_id}:SH700`);
    const ships = () => sb.kit.calls.filter((x) => x.method === 'POST' && x.path.endsWith('/ship'));
    sb.kit.injectFault({
      kind: 'status',
      status: 500,
      times: 1,
      match: { method: 'POST', path: `/order/${two.entity_id}/ship` },
    });
    const [failed] = await c.write('shipment', [create(both, refs)]);
    expect(failed).toMatchObject({ ok: false, error: { category: 'transient', httpStatus: 500 } });
    expect((await c.lookup('shipment', [key])).size).toBe(0);

    const before = ships().length;
    const [done] = await c.write('shipment', [create(both, refs)]);
    expect(done?.ok, JSON.stringify(done)).toBe(true);
    expect(ships().length - before).toBe(1);
    const mine = [...sb.shipments.values()].filter((s) => s.comments[0]?.comment === 'ERP shipment SH700');
    expect(mine.map((s) => [s.order_id, s.items[0]?.qty])).toEqual([
      [one.entity_id, 1],
      [two.entity_id, 3],
    ]);
    expect(isWritten(done) && done.targetNumber).toBe(mine.map((s) => s.increment_id).join(', '));
    expect((await c.lookup('shipment', [key])).get(key)?.id).toBe(String(mine[0]!.entity_id));
  });

  it('two ERP shipments racing for the last units: Magento refuses the second in its own words', async () => {
    const web = webOrder();
    const refs = { salesOrder: { SO557: String(web.entity_id) } };
    const results = await c.write('shipment', [
      { ...create(shipment('SO557', 'SH20', [['MAG00001', '3']]), refs), ref: 'a' },
      { ...create(shipment('SO557', 'SH21', [['MAG00001', '3']]), refs), ref: 'b' },
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toMatchObject({
      ok: false,
      error: {
        category: 'rejected',
        httpStatus: 400,
        message:
          'Magento answered 400: Shipment Document Validation Error(s):\n' +
          'The quantity to ship must not be greater than the unshipped quantity for product SKU "MAG00001".',
      },
    });
  });

  it('reflects an ERP payment on the orders it pays, once, found again by lookup', async () => {
    const web = webOrder();
    const other = webOrder();
    const id = web.entity_id!;
    // The other order's invoice is what the second application pays.
    const refs = { salesOrder: { SO600: String(id), SO601: String(other.entity_id) } };
    const [inv] = await c.write('invoice', [create(invoice('SO601', 'AR600', [['MAG00002', '1']]), refs)]);
    expect(inv?.ok).toBe(true);
    const payRefs = { ...refs, invoice: { AR600: isWritten(inv) ? inv.targetId : '' } };
    const payment = Payment.parse({
      number: '000045',
      status: 'Released',
      customerNumber: 'C0001',
      paymentDate: '2026-03-03',
      paymentMethod: 'CHECK',
      amount: usd('120.00'),
      applications: [
        { documentType: 'order', documentNumber: 'SO600', amount: usd('100') },
        { documentType: 'invoice', documentNumber: 'AR600', amount: usd('20') },
      ],
      updatedAt: '2026-03-03T10:00:00Z',
    });
    const key = c.naturalKey('payment', payment, payRefs)!;
    expect(key).toBe(`${id}:payment:000045`);
    expect((await c.lookup('payment', [key])).size).toBe(0);
    const [r] = await c.write('payment', [create(payment, payRefs)]);
    expect(r).toMatchObject({ ok: true, targetId: `${id}:payment:000045` });
    const comments = (orderId: number) => sb.orders.get(orderId)!.status_histories!.map((h) => h.comment);
    expect(comments(id)).toEqual(['Payment 000045 (CHECK) of 100.00 USD received']);
    expect(comments(other.entity_id!)).toEqual(['Payment 000045 (CHECK) of 20.00 USD received']);
    expect(sb.orders.get(id)!.status).toBe('pending');

    const found = await c.lookup('payment', [key]);
    expect(found.get(key)?.id).toBe(`${id}:payment:000045`);
    // Through the invoice, the key resolves to the invoice's order.
    const viaInvoice = c.naturalKey(
      'payment',
      { ...payment, applications: payment.applications.slice(1) },
      payRefs,
    )!;
    expect((await c.lookup('payment', [viaInvoice])).get(viaInvoice)?.id).toBe(
      `${other.entity_id}:payment:000045`,
    );
    // Written again (a retry after a lost answer): nothing is added.
    const before = writes();
    const [again] = await c.write('payment', [create(payment, payRefs)]);
    expect(again?.ok).toBe(true);
    expect(writes()).toBe(before);
    expect(comments(id)).toHaveLength(1);
  });
});

describe('Adobe Commerce webhooks from the sandbox', () => {
  let sb: MagentoSandbox;
  let server: Server;
  let url: string;
  const received: Array<{ headers: IncomingHttpHeaders; rawBody: string }> = [];
  /** Statuses the listener answers, in turn; 200 once they run out. */
  const answers: number[] = [];
  let delayMs = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, rawBody: Buffer.concat(chunks).toString('utf8') });
        setTimeout(() => {
          res.statusCode = answers.shift() ?? 200;
          res.end('{"op":"success"}');
        }, delayMs);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/webhooks/magento`;
    sb = await startMagentoSandbox({
      conformance: true,
      customers: 2,
      products: 3,
      webhooks: [{ url, headers: { [TOKEN_HEADER]: 'tok-123' } }],
    });
  });
  afterAll(async () => {
    expect(sb.kit.violations).toEqual([]);
    await sb.close();
    await new Promise((r) => server.close(r));
  });

  const delivery = (i: number) => {
    const d = received[i]!;
    return { headers: d.headers as Record<string, string>, rawBody: d.rawBody };
  };

  it('delivers a signed sales_order_save_after that the connector verifies and parses; a tampered body is refused', async () => {
    received.length = 0;
    const order = sb.placeOrder({ customerId: 1, lines: [{ sku: 'MAG00001', qty: 1 }] });
    await sb.webhooksSettled();
    expect(received).toHaveLength(1);
    const body = JSON.parse(received[0]!.rawBody);
    expect(body).toMatchObject({
      eventName: 'sales_order_save_after',
      data: { order: { entity_id: order.entity_id } },
    });
    expect(received[0]!.headers[TOKEN_HEADER]).toBe('tok-123');

    const byKey = connect(sb, { webhookPublicKey: sb.webhookPublicKey });
    const d = delivery(0);
    expect(byKey.webhook.verify(d)).toBeUndefined();
    expect(byKey.webhook.deliveryId(d)).toBeUndefined();
    expect(byKey.webhook.parse(d)).toEqual([
      expect.objectContaining({ entity: 'salesOrder', id: String(order.entity_id), kind: 'upsert' }),
    ]);
    const tampered = {
      ...d,
      rawBody: d.rawBody.replace(`"grand_total":${order.grand_total}`, '"grand_total":0.01'),
    };
    expect(tampered.rawBody).not.toBe(d.rawBody);
    expect(byKey.webhook.verify(tampered)).toMatch(/signature does not match the body/);
    // Another store's key does not verify it either.
    const other = await startMagentoSandbox({});
    expect(connect(sb, { webhookPublicKey: other.webhookPublicKey }).webhook.verify(d)).toMatch(
      /does not match/,
    );
    await other.close();

    const byToken = connect(sb, { webhookSecret: 'tok-123' });
    expect(byToken.webhook.verify(d)).toBeUndefined();
    expect(connect(sb, { webhookSecret: 'other' }).webhook.verify(d)).toMatch(/does not carry/);
    expect(connect(sb).webhook.verify(d)).toMatch(/cannot be verified: set webhookPublicKey/);
    expect(sb.webhookLog.at(-1)).toMatchObject({ url, status: 200, attempt: 1, body: d.rawBody });
    await byKey.close();
    await byToken.close();
  });

  it('every saved change of an order is announced: API writes, comments, shipments; customers and products too', async () => {
    received.length = 0;
    const c = connect(sb, { webhookPublicKey: sb.webhookPublicKey });
    const order = sb.placeOrder({ customerId: 2, lines: [{ sku: 'MAG00002', qty: 2 }] });
    const refs = { salesOrder: { SO1: String(order.entity_id) } };
    await c.write('shipment', [create(shipment('SO1', 'SH1', [['MAG00002', '2']]), refs)]);
    await c.write('customer', [
      create(
        Customer.parse({
          number: 'C77',
          name: 'Wanda Hook',
          email: 'wanda@example.com',
          currency: 'USD',
          updatedAt: '2026-03-01T00:00:00Z',
        }),
      ),
    ]);
    await c.write('product', [
      create(
        Product.parse({
          sku: 'HOOK-1',
          name: 'Hook',
          listPrice: usd('2.00'),
          unit: 'EA',
          updatedAt: '2026-03-01T00:00:00Z',
        }),
      ),
    ]);
    await sb.webhooksSettled();
    const events = received.map((_, i) => {
      const d = delivery(i);
      expect(c.webhook.verify(d)).toBeUndefined();
      return [JSON.parse(d.rawBody).eventName, ...c.webhook.parse(d).map((e) => `${e.entity}:${e.id}`)];
    });
    const orderId = `salesOrder:${order.entity_id}`;
    expect(events).toEqual(
      expect.arrayContaining([
        ['sales_order_save_after', orderId],
        ['customer_save_after', expect.stringMatching(/^customer:\d+$/)],
        ['catalog_product_save_after', 'product:HOOK-1'],
      ]),
    );
    // Placed, then shipped: two saves of the order, the second complete with the shipped quantity.
    const saves = received.filter((r) => JSON.parse(r.rawBody).eventName === 'sales_order_save_after');
    expect(saves.map((r) => JSON.parse(r.rawBody).data.order.items[0].qty_shipped)).toEqual([0, 2]);
    await c.close();
  });

  it('delivers after the API call has answered, and retries a failed delivery with a short backoff', async () => {
    const c = connect(sb);
    const order = sb.placeOrder({ customerId: 1, lines: [{ sku: 'MAG00003', qty: 1 }] });
    await sb.webhooksSettled();
    // The receiver now fails twice, and takes 300 ms to answer each time.
    answers.push(500, 503);
    delayMs = 300;
    const logged = sb.webhookLog.length;
    const [r] = await c.write('payment', [
      create(
        Payment.parse({
          number: 'P1',
          status: 'Released',
          customerNumber: 'C1',
          paymentDate: '2026-03-03',
          amount: usd('1.00'),
          applications: [{ documentType: 'order', documentNumber: 'SO1', amount: usd('1.00') }],
          updatedAt: '2026-03-03T10:00:00Z',
        }),
        { salesOrder: { SO1: String(order.entity_id) } },
      ),
    ]);
    expect(r?.ok).toBe(true);
    // The receiver takes 300 ms per delivery; the API call answered without waiting for it.
    expect(sb.webhookLog.length).toBe(logged);
    await sb.webhooksSettled();
    delayMs = 0;
    const attempts = sb.webhookLog.slice(logged).filter((x) => x.body.includes('Payment P1'));
    expect(attempts.map((x) => [x.attempt, x.status])).toEqual([
      [1, 500],
      [2, 503],
      [3, 200],
    ]);
    // The same signed body each time: the receiver's inbox sees one delivery.
    expect(new Set(attempts.map((x) => x.body)).size).toBe(1);
    expect(new Set(attempts.map((x) => x.headers['x-adobe-commerce-webhook-signature'])).size).toBe(1);
    await c.close();
  });
});
