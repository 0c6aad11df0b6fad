import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectorContractSuite } from '../../../test/support/connector-contract-suite.js';
import { startVendure, type VendurePeer } from '../../../test/support/peers/vendure.js';
import { Customer, type EntityName, Invoice, Product, SalesOrder, Shipment } from '../../model/index.js';
import type { SourceItem, WriteItem } from '../sdk/contract.js';
import { settingsSchema } from '../sdk/manifest.js';
import { type VendureConnector, vendureConnector } from './index.js';

/**
 * Against a real Vendure 3.5.4 (peers/vendure: SQLite, 20 % tax, 5.00 shipping taxed at 20 %,
 * prices without tax, USD). Two shops are started one after the other — one seeded for the shared
 * contract suite, whose counts must be exact, and one for the rest — each in about 4 s; the whole
 * file takes about 25 s on two cores once peers/vendure is installed.
 */
const logger = pino({ level: 'silent' });

// The first run on a machine installs the peer (npm ci, about 80 s: bcrypt and better-sqlite3 are
// compiled) inside the contract suite's beforeAll.
vi.setConfig({ hookTimeout: 600_000 });

function connect(peer: VendurePeer, overrides: Record<string, unknown> = {}): VendureConnector {
  const settings = settingsSchema(vendureConnector.manifest.connectionFields).parse({
    url: peer.url,
    username: peer.superadmin.username,
    password: peer.superadmin.password,
    timeoutMs: 10_000,
    ...overrides,
  });
  return vendureConnector.create(settings, { connection: 'vendure', logger }) as VendureConnector;
}

/** Runs `fn` for 0..n-1, a few at a time (the shop is one Node process on SQLite). */
async function times(n: number, fn: (i: number) => Promise<unknown>, concurrency = 4): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

/**
 * Waits for the next whole second and returns it. Vendure on SQLite stamps most changes to the
 * second, so a change made after a `since` within the same second reads as made before it (the
 * engine's overlap window re-reads that far back); a test's window starts on a whole second.
 */
async function nextSecond(): Promise<string> {
  const next = Math.ceil((Date.now() + 1) / 1000) * 1000;
  await new Promise((r) => setTimeout(r, next - Date.now()));
  return new Date(next).toISOString();
}

async function collect(it: AsyncIterable<SourceItem[]>): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const page of it) out.push(...page);
  return out;
}

const run = Date.now().toString(36);
let n = 0;
const customer = (patch: Record<string, unknown> = {}) => {
  n++;
  return Customer.parse({
    number: `C9${n}`,
    name: `Buyer Number${n}`,
    email: `buyer${n}-${run}@example.com`,
    currency: 'USD',
    addresses: [
      {
        kind: 'main',
        line1: `${n} Shop St`,
        city: 'Denver',
        region: 'CO',
        postalCode: '80202',
        country: 'US',
      },
    ],
    updatedAt: new Date().toISOString(),
    ...patch,
  });
};
const product = (patch: Record<string, unknown> = {}) => {
  n++;
  return Product.parse({
    sku: `P-${run}-${n}`,
    name: `Product ${n}`,
    description: 'Original text',
    status: 'active',
    listPrice: { amount: '12.34', currency: 'USD' },
    unit: 'EA',
    stock: [
      { warehouse: 'MAIN', onHand: '7' },
      { warehouse: 'RETAIL', onHand: '3' },
    ],
    updatedAt: new Date().toISOString(),
    ...patch,
  });
};

connectorContractSuite({
  name: 'vendure (a real Vendure 3.5.4)',
  readable: ['customer', 'product', 'salesOrder'],
  // Not here, and tested below instead: an order is only updated (its ERP number), never created in
  // Vendure; shipments and invoices need the Vendure order they are recorded on (refs), which the
  // shared suite's create-then-update-an-owned-field test does not give, and own no fields.
  writable: ['customer', 'product'],
  async start(count) {
    const peer = await startVendure();
    const seeded = performance.now();
    const customers: string[] = [];
    await times(count, async (i) => {
      customers[i] = await peer.admin.createCustomer({
        email: `seed${i}@example.com`,
        firstName: 'Seed',
        lastName: `Shopper${i}`,
      });
    });
    await times(count, (i) =>
      peer.admin.createProduct({ sku: `SEED-${i}`, name: `Seed ${i}`, price: 1000 + i, stock: 100 }),
    );
    await times(count, (i) =>
      peer.admin.placeOrder({
        customerId: customers[i]!,
        lines: [
          { sku: `SEED-${i}`, quantity: 1 },
          { sku: `SEED-${(i + 1) % count}`, quantity: 2 },
        ],
        // Every third is paid: the read takes orders awaiting payment and placed ones alike.
        settle: i % 3 === 0,
      }),
    );
    console.info(
      `Vendure peer: install ${peer.timings.install} ms, start ${peer.timings.start} ms (bootstrap ${peer.timings.bootstrap} ms), seeding ${count} customers, products and orders ${Math.round(performance.now() - seeded)} ms`,
    );
    return {
      connector: connect(peer),
      makeConnector: (o) => connect(peer, o),
      close: () => peer.close(),
    };
  },
  sample: (entity: EntityName) => (entity === 'customer' ? customer() : product()),
  // A Vendure customer is a person: renaming it changes both names.
  change: (entity, record) =>
    entity === 'customer'
      ? { record: { ...record, name: `Renamed Buyer${n}` }, field: 'name' }
      : { record: { ...record, listPrice: { amount: '99.95', currency: 'USD' } }, field: 'listPrice' },
  async readBack(entity, connector, id) {
    const [item] = await connector.get(entity, [id]);
    return item?.data as Record<string, unknown>;
  },
  unownedField: (entity) => (entity === 'customer' ? 'email' : 'description'),
  badCredentials: { password: 'not-the-password' },
});

describe('Vendure specifics (a real Vendure 3.5.4)', () => {
  let peer: VendurePeer;
  let c: VendureConnector;
  let shopper: string;
  const erpOrder = (o: { id: string; code: string }) => ({ salesOrder: { [`SO-${o.code}`]: o.id } });

  beforeAll(async () => {
    peer = await startVendure();
    c = connect(peer);
    await peer.admin.createProduct({ sku: 'MUG', name: 'Enamel Mug', price: 1250, stock: 50 });
    await peer.admin.createProduct({ sku: 'TEA', name: 'Loose Tea', price: 899, stock: 50 });
    shopper = await peer.admin.createCustomer({
      email: 'pat@example.com',
      firstName: 'Pat',
      lastName: 'Shopper',
    });
  });
  afterAll(async () => {
    await c?.close();
    await peer?.close();
  });

  const place = (settle = false) =>
    peer.admin.placeOrder({
      customerId: shopper,
      lines: [
        { sku: 'MUG', quantity: 2 },
        { sku: 'TEA', quantity: 3 },
      ],
      settle,
    });

  const invoice = (o: { code: string; totalWithTax: number }, patch: Record<string, unknown> = {}) =>
    Invoice.parse({
      number: `INV-${o.code}`,
      status: 'Closed',
      invoiceDate: '2026-01-05',
      customerNumber: 'C0042',
      orderNumbers: [`SO-${o.code}`],
      currency: 'USD',
      lines: [
        {
          lineNumber: 1,
          sku: 'MUG',
          quantity: '2',
          unitPrice: { amount: '12.50', currency: 'USD' },
          tax: { amount: '5.00', currency: 'USD' },
          total: { amount: '25.00', currency: 'USD' },
        },
      ],
      netTotal: { amount: '56.97', currency: 'USD' },
      taxTotal: { amount: '11.39', currency: 'USD' },
      total: { amount: (o.totalWithTax / 100).toFixed(2), currency: 'USD' },
      balance: { amount: '0.00', currency: 'USD' },
      updatedAt: new Date().toISOString(),
      ...patch,
    });

  const shipment = (o: { code: string }, number: string, lines: Array<[string, string]>, patch = {}) =>
    Shipment.parse({
      number,
      status: 'Confirmed',
      shipmentDate: '2026-01-06',
      customerNumber: 'C0042',
      orderNumbers: [`SO-${o.code}`],
      carrier: 'UPS',
      trackingNumbers: [`1Z${number}`, `1Z${number}B`],
      lines: lines.map(([sku, quantity], i) => ({
        orderNumber: `SO-${o.code}`,
        orderLineNumber: i + 1,
        sku,
        quantity,
        unit: 'EA',
      })),
      updatedAt: new Date().toISOString(),
      ...patch,
    });

  const create = (data: unknown, refs?: WriteItem['refs']): WriteItem => ({
    ref: 'r',
    action: 'create',
    data,
    ...(refs ? { refs } : {}),
  });

  it('check(): reach, credentials, the custom fields, the order states, the channel and each read', async () => {
    const verdicts = await c.check();
    expect(verdicts.filter((v) => !v.ok)).toEqual([]);
    expect(verdicts.map((v) => v.name)).toEqual([
      'reach',
      'credentials',
      'custom fields',
      'order states',
      'channel',
      'customers',
      'products',
      'orders',
    ]);
    const wrong = connect(peer, { orderStates: 'PaymentSettled,Paid' });
    expect((await wrong.check()).find((v) => !v.ok)?.message).toMatch(
      /^the order process has no state Paid; it has /,
    );
    await wrong.close();
    const nowhere = connect(peer, { url: `http://127.0.0.1:${peer.port}/no-api` });
    expect((await nowhere.check()).find((v) => !v.ok)?.message).toMatch(
      /is http:\/\/127\.0\.0\.1:\d+\/no-api the Admin API endpoint/,
    );
    await nowhere.close();
  });

  it('a customer with addresses: created, found by e-mail, and updated in the owned fields only', async () => {
    const data = customer({
      number: 'C0042',
      name: 'Acme Trading',
      type: 'B2B',
      email: 'Buyer@Acme.example',
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
        { kind: 'shipping', line1: '9 Dock Rd', city: 'Leeds', postalCode: 'LS1 4AP', country: 'GB' },
      ],
    });
    const [created] = await c.write('customer', [create(data)]);
    expect(created).toMatchObject({ ok: true, action: 'created' });
    const key = c.naturalKey('customer', data)!;
    expect(key).toBe('buyer@acme.example');
    const found = await c.lookup('customer', [key]);
    expect(found.get(key)?.id).toBe(created?.ok && created.targetId);
    const [read] = await c.get('customer', [found.get(key)!.id]);
    expect(Customer.parse(read?.data)).toMatchObject({
      number: 'C0042',
      name: 'Ann Buyer',
      email: 'buyer@acme.example',
      contacts: [{ phone: '+1 555 0100' }],
      addresses: [
        { kind: 'billing', company: 'Acme Trading', line1: '1 Main St', region: 'CO', country: 'US' },
        { kind: 'shipping', line1: '9 Dock Rd', country: 'GB' },
      ],
    });
    // The ERP changes the phone and adds a warehouse address; the e-mail it also changed is not owned.
    const changed = {
      ...data,
      email: 'other@acme.example',
      contacts: [{ firstName: 'Ann', lastName: 'Buyer', phone: '+1 555 0199', isPrimary: true }],
      addresses: [
        ...data.addresses,
        { kind: 'shipping', line1: '3 Yard Ln', city: 'Denver', postalCode: '80216', country: 'US' },
      ],
    };
    const [updated] = await c.write('customer', [
      {
        ref: 'r',
        action: 'update',
        targetId: found.get(key)!.id,
        data: changed,
        fields: ['contacts', 'addresses'],
      },
    ]);
    expect(updated).toMatchObject({ ok: true, action: 'updated' });
    const [after] = await c.get('customer', [found.get(key)!.id]);
    const customerAfter = Customer.parse(after?.data);
    expect(customerAfter.email).toBe('buyer@acme.example');
    expect(customerAfter.contacts[0]?.phone).toBe('+1 555 0199');
    expect(customerAfter.addresses.map((a) => a.line1)).toEqual(['1 Main St', '9 Dock Rd', '3 Yard Ln']);
    // By the e-mail an ID file names.
    expect((await collect(c.read('customer', { ids: ['BUYER@acme.example'] }))).map((i) => i.id)).toEqual([
      found.get(key)!.id,
    ]);
  });

  it('a product with price and stock: created, then price and stock updated, each alone', async () => {
    const data = product({ sku: 'KETTLE', name: 'Kettle', listPrice: { amount: '19.99', currency: 'USD' } });
    const [created] = await c.write('product', [create(data)]);
    expect(created).toMatchObject({ ok: true, targetId: 'KETTLE' });
    expect(await peer.admin.variant('KETTLE')).toMatchObject({
      price: 1999,
      stockOnHand: 10,
      name: 'Kettle',
    });
    const existing = (await c.lookup('product', ['KETTLE'])).get('KETTLE')!;
    const priced = { ...data, name: 'Not Owned', listPrice: { amount: '21.50', currency: 'USD' }, stock: [] };
    const [p1] = await c.write('product', [
      { ref: 'r', action: 'update', targetId: 'KETTLE', data: priced, fields: ['listPrice'], existing },
    ]);
    expect(p1?.ok).toBe(true);
    expect(await peer.admin.variant('KETTLE')).toMatchObject({
      price: 2150,
      stockOnHand: 10,
      name: 'Kettle',
    });
    const stocked = {
      ...data,
      listPrice: { amount: '1.00', currency: 'USD' },
      stock: [{ warehouse: 'MAIN', onHand: '4' }],
    };
    // Without the lookup's snapshot the connector finds the variant by its SKU itself.
    const [p2] = await c.write('product', [
      { ref: 'r', action: 'update', targetId: 'KETTLE', data: stocked, fields: ['stock'] },
    ]);
    expect(p2?.ok).toBe(true);
    expect(await peer.admin.variant('KETTLE')).toMatchObject({ price: 2150, stockOnHand: 4 });
    const [read] = await c.get('product', ['KETTLE']);
    expect(Product.parse(read?.data)).toMatchObject({
      listPrice: { amount: '21.50', currency: 'USD' },
      stock: [{ warehouse: 'Default Stock Location', onHand: '4' }],
      description: 'Original text',
    });
  });

  it('orders: read incrementally and by id, with lines, 20 % tax, shipping and totals equal to the cent', async () => {
    const first = await place();
    const since = await nextSecond();
    const second = await place();
    const later = await collect(c.read('salesOrder', { since }));
    expect(later.map((i) => i.id)).toEqual([second.id]);
    const [byId] = await c.get('salesOrder', [first.id]);
    const so = SalesOrder.parse(byId?.data);
    expect(so).toMatchObject({
      number: first.code,
      status: 'ArrangingPayment',
      customerNumber: shopper,
      customerEmail: 'pat@example.com',
      shipVia: 'standard-shipping',
      shippingTotal: { amount: '5.00', currency: 'USD' },
      taxTotal: { amount: '11.39', currency: 'USD' },
      orderTotal: { amount: '68.36', currency: 'USD' },
      paidTotal: { amount: '0.00', currency: 'USD' },
      unpaidBalance: { amount: '68.36', currency: 'USD' },
    });
    expect(
      so.lines.map((l) => [l.sku, l.quantity, l.unitPrice.amount, l.tax?.amount, l.total.amount]),
    ).toEqual([
      ['MUG', '2', '12.50', '5.00', '25.00'],
      ['TEA', '3', '8.99', '5.39', '26.97'],
    ]);
    expect(so.taxLines.map((t) => [t.code, t.rate, t.taxable.amount, t.tax.amount])).toEqual([
      ['Standard VAT', '20', '51.97', '10.39'],
      ['shipping tax', '20', '5.00', '1.00'],
    ]);
    // By code, as an ID file lists them.
    expect((await collect(c.read('salesOrder', { ids: [second.code] }))).map((i) => i.id)).toEqual([
      second.id,
    ]);

    // Paid in the shop a moment later: Vendure places it without touching updatedAt; the read
    // still sees it, by orderPlacedAt.
    const paidSince = await nextSecond();
    await c.write('invoice', [create(invoice(first), erpOrder(first))]);
    const placed = await collect(c.read('salesOrder', { since: paidSince }));
    expect(placed.map((i) => [i.id, (i.data as { status: string }).status])).toEqual([
      [first.id, 'PaymentSettled'],
    ]);
  });

  it('the ERP number goes back onto the web order: erpNumber and a private note, once', async () => {
    const o = await place();
    const [byId] = await c.get('salesOrder', [o.id]);
    const data = { ...(byId?.data as object), externalNumber: 'SO000777' };
    for (let i = 0; i < 2; i++) {
      const [r] = await c.write('salesOrder', [
        { ref: o.id, action: 'update', targetId: o.id, data, fields: ['externalNumber'] },
      ]);
      expect(r).toMatchObject({ ok: true, targetId: o.id, action: 'updated' });
    }
    const after = await peer.admin.order(o.id);
    expect(after.customFields.erpNumber).toBe('SO000777');
    expect(after.history.items.filter((h) => h.type === 'ORDER_NOTE').map((h) => h.data.note)).toEqual([
      'ERP order SO000777',
    ]);
    // Found again by either number: its code (a web order) or the ERP's number.
    const keys = [`code:${o.code}`, 'erpNumber:SO000777'];
    const found = await c.lookup('salesOrder', keys);
    expect(keys.map((k) => found.get(k)?.id)).toEqual([o.id, o.id]);
    expect(c.naturalKey('salesOrder', { number: 'SO000777', externalNumber: o.code })).toBe(`code:${o.code}`);
  });

  it('a paid ERP invoice becomes a settled manual payment, and the order PaymentSettled; once', async () => {
    const o = await place();
    const inv = invoice(o);
    const refs = erpOrder(o);
    const key = c.naturalKey('invoice', inv, refs)!;
    expect(key).toBe(`${o.id}:INV-${o.code}`);
    expect((await c.lookup('invoice', [key])).size).toBe(0);
    const [r] = await c.write('invoice', [create(inv, refs)]);
    expect(r).toMatchObject({ ok: true, action: 'created' });
    const after = await peer.admin.order(o.id);
    expect(after.state).toBe('PaymentSettled');
    expect(after.payments).toEqual([
      {
        id: r?.ok && r.targetId,
        amount: 6836,
        state: 'Settled',
        method: 'erp-invoice',
        transactionId: `INV-${o.code}`,
      },
    ]);
    expect((await c.lookup('invoice', [key])).get(key)?.id).toBe(r?.ok && r.targetId);
    // Written again (a crash before the link was saved): the same payment, no second one.
    const [again] = await c.write('invoice', [create(inv, refs)]);
    expect(again).toMatchObject({ ok: true, targetId: r?.ok && r.targetId });
    expect((await peer.admin.order(o.id)).payments).toHaveLength(1);
  });

  it('a shipment becomes a fulfillment with tracking, shipped; the rest ships later; a delivered one is Delivered', async () => {
    const o = await place(true);
    const refs = erpOrder(o);
    const part = shipment(o, 'SH-1', [['MUG', '1']]);
    const key = c.naturalKey('shipment', part, refs)!;
    expect(key).toBe(`${o.id}:SH-1`);
    const [r1] = await c.write('shipment', [create(part, refs)]);
    expect(r1).toMatchObject({ ok: true, action: 'created' });
    let after = await peer.admin.order(o.id);
    expect(after.state).toBe('PartiallyShipped');
    expect(after.fulfillments).toEqual([
      {
        id: r1?.ok && r1.targetId,
        state: 'Shipped',
        method: 'UPS (ERP shipment SH-1)',
        trackingCode: '1ZSH-1, 1ZSH-1B',
        lines: [{ orderLineId: after.lines[0]!.id, quantity: 1 }],
      },
    ]);
    expect((await c.lookup('shipment', [key])).get(key)?.id).toBe(r1?.ok && r1.targetId);
    const rest = shipment(o, 'SH-2', [
      ['MUG', '1'],
      ['TEA', '3'],
    ]);
    const [r2] = await c.write('shipment', [create(rest, refs)]);
    expect(r2).toMatchObject({ ok: true });
    after = await peer.admin.order(o.id);
    expect(after.state).toBe('Shipped');
    expect(after.fulfillments.map((f) => [f.method, f.state])).toEqual([
      ['UPS (ERP shipment SH-1)', 'Shipped'],
      ['UPS (ERP shipment SH-2)', 'Shipped'],
    ]);
    // A shipment the ERP reports delivered goes on to Delivered, and the order with it.
    const whole = await place(true);
    const delivered = shipment(
      whole,
      'SH-3',
      [
        ['MUG', '2'],
        ['TEA', '3'],
      ],
      { status: 'Delivered', carrier: undefined, trackingNumbers: [] },
    );
    const [r3] = await c.write('shipment', [create(delivered, erpOrder(whole))]);
    expect(r3).toMatchObject({ ok: true });
    const done = await peer.admin.order(whole.id);
    expect(done.state).toBe('Delivered');
    expect(done.fulfillments.map((f) => [f.method, f.state, f.trackingCode])).toEqual([
      ['ERP shipment SH-3', 'Delivered', ''],
    ]);
  });

  it('refused writes are results with the reason, in Vendure’s words where Vendure refused', async () => {
    const unpaid = await place();
    const paid = await place(true);
    const results = await c.write('shipment', [
      { ...create(shipment(unpaid, 'SH-W', [['MUG', '1']]), erpOrder(unpaid)), ref: 'waits' },
      { ...create(shipment(paid, 'SH-X', [['NOPE', '1']]), erpOrder(paid)), ref: 'sku' },
      { ...create(shipment(paid, 'SH-Y', [['MUG', '5']]), erpOrder(paid)), ref: 'too-many' },
      { ...create(shipment(paid, 'SH-Z', [['MUG', '1']])), ref: 'no-order' },
    ]);
    const byRef = new Map(results.map((r) => [r.ref, r]));
    expect(byRef.get('waits')).toMatchObject({
      ok: false,
      error: {
        code: 'waiting_dependency',
        category: 'transient',
        message: `shipment SH-W: Vendure order ${unpaid.code} is ArrangingPayment; Vendure fulfills an order once its payment is authorized or settled, so the shipment waits for the payment`,
      },
    });
    expect(byRef.get('sku')).toMatchObject({
      ok: false,
      error: {
        code: 'not_found',
        category: 'rejected',
        message: `shipment SH-X: Vendure order ${paid.code} has no line with SKU NOPE (it has MUG, TEA)`,
      },
    });
    expect(byRef.get('too-many')).toMatchObject({
      ok: false,
      error: {
        code: 'conflict',
        category: 'rejected',
        message: `shipment SH-Y on Vendure order ${paid.code}: Vendure refused it: One or more OrderItems are already part of a Fulfillment [ITEMS_ALREADY_FULFILLED_ERROR]`,
      },
    });
    expect(byRef.get('no-order')).toMatchObject({ ok: false, error: { code: 'waiting_dependency' } });
    expect((await peer.admin.order(paid.id)).fulfillments).toEqual([]);

    const [settledAlready, wrongAmount, unpaidInvoice] = await c.write('invoice', [
      { ...create(invoice(paid), erpOrder(paid)), ref: 'state' },
      {
        ...create(invoice(unpaid, { total: { amount: '60.00', currency: 'USD' } }), erpOrder(unpaid)),
        ref: 'amount',
      },
      {
        ...create(invoice(unpaid, { balance: { amount: '68.36', currency: 'USD' } }), erpOrder(unpaid)),
        ref: 'open',
      },
    ]);
    expect(settledAlready).toMatchObject({
      ok: false,
      error: {
        code: 'conflict',
        category: 'rejected',
        message: `invoice INV-${paid.code} on Vendure order ${paid.code} (PaymentSettled): Vendure refused it: A manual payment may only be added when in the "ArrangingPayment" or "ArrangingAdditionalPayment" states [MANUAL_PAYMENT_STATE_ERROR]`,
      },
    });
    expect(wrongAmount).toMatchObject({
      ok: false,
      error: {
        code: 'conflict',
        message: `invoice INV-${unpaid.code} is 60.00 USD, but Vendure order ${unpaid.code} has 68.36 USD outstanding; Vendure records a manual payment for the whole outstanding amount`,
      },
    });
    expect(unpaidInvoice).toMatchObject({ ok: false, error: { code: 'conflict', category: 'rejected' } });
    expect(unpaidInvoice?.ok === false && unpaidInvoice.error.message).toMatch(
      /is not paid yet \(balance 68\.36 USD\)/,
    );

    const [dup] = await c.write('customer', [create(customer({ email: 'pat@example.com' }))]);
    expect(dup).toMatchObject({
      ok: false,
      error: {
        code: 'duplicate',
        category: 'rejected',
        message: expect.stringMatching(
          /Vendure refused it: The email address is not available\. \[EMAIL_ADDRESS_CONFLICT_ERROR\]$/,
        ),
      },
    });
    const [gone] = await c.write('product', [
      {
        ref: 'r',
        action: 'update',
        targetId: 'NOT-THERE',
        data: product({ sku: 'NOT-THERE' }),
        fields: ['listPrice'],
      },
    ]);
    expect(gone).toMatchObject({
      ok: false,
      error: {
        code: 'not_found',
        message: 'product NOT-THERE: Vendure has no product variant with SKU NOT-THERE',
      },
    });
    await peer.admin.transitionOrder(unpaid.id, 'Cancelled');
    const [cancelled] = await c.write('shipment', [
      create(shipment(unpaid, 'SH-C', [['MUG', '1']]), erpOrder(unpaid)),
    ]);
    expect(cancelled).toMatchObject({
      ok: false,
      error: {
        code: 'conflict',
        category: 'rejected',
        message: `shipment SH-C: Vendure order ${unpaid.code} is Cancelled; Vendure fulfills placed, paid orders only`,
      },
    });
  });

  it('an ended session: the connector logs in again, once for every request that met it', async () => {
    const own = connect(peer);
    const login = vi.spyOn(own.client as unknown as { login(): Promise<string> }, 'login');
    await own.count('customer', {});
    expect(login).toHaveBeenCalledTimes(1);
    // Log the connector's own session out: Vendure now answers its token as a stranger's (FORBIDDEN).
    await own.client.request('mutation { logout { success } }', {}, { what: 'log out' });
    const counts = await Promise.all([
      own.count('customer', {}),
      own.count('product', {}),
      own.count('customer', {}),
    ]);
    expect(counts[0]).toBeGreaterThan(0);
    expect(counts[0]).toBe(counts[2]);
    expect(login).toHaveBeenCalledTimes(2);
    await own.close();
  });
});
