import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { MemoryConnector } from '../connectors/memory/index.js';
import { openStore, type Store } from '../store/index.js';
import { Engine, type RunResult } from './engine.js';
import { type Flow, flowDefaults, type ValueMap } from './flow.js';

/**
 * Two systems in memory: "a" (an ERP) and "b" (a shop). Orders are born in b and travel to a;
 * customers, and shipments of orders, travel from a to b. These tests are about what records refer
 * to: ids found through flows in either direction, waiting and release, value maps, records that
 * come back the other way, and older copies that must not overwrite newer ones.
 */
const T0 = '2026-01-01T00:00:00.000Z';
const usd = (amount: string) => ({ amount, currency: 'USD' });

const customer = (n: number, patch: Record<string, unknown> = {}) => ({
  number: `C${String(n).padStart(4, '0')}`,
  name: `Customer ${n}`,
  email: `c${n}@example.com`,
  currency: 'USD',
  ...patch,
});

const order = (number: string, customerNumber: string, patch: Record<string, unknown> = {}) => ({
  number,
  status: 'Open',
  customerNumber,
  orderDate: '2026-01-01',
  currency: 'USD',
  shipVia: 'flatrate',
  lines: [
    { lineNumber: 1, sku: 'A', quantity: '2', unit: 'EA', unitPrice: usd('5.00'), total: usd('10.00') },
  ],
  taxTotal: usd('0.00'),
  orderTotal: usd('10.00'),
  ...patch,
});

const shipment = (number: string, orderNumber: string) => ({
  number,
  status: 'Confirmed',
  shipmentDate: '2026-01-02',
  customerNumber: 'C0001',
  orderNumbers: [orderNumber],
  trackingNumbers: ['1Z999'],
  lines: [{ orderNumber, orderLineNumber: 1, sku: 'A', quantity: '2', unit: 'EA' }],
});

describe('engine: references, value maps, echoes and stale copies', () => {
  let tdb: TestDatabase;
  let store: Store;
  let a: MemoryConnector;
  let b: MemoryConnector;
  let engine: Engine;

  const flow = (patch: Partial<Flow> & Pick<Flow, 'name' | 'entity' | 'source' | 'target'>): Flow => ({
    ...flowDefaults,
    ownedFields: [],
    retryBaseMs: 20,
    retryCapMs: 100,
    pageSize: 10,
    ...patch,
  });

  const customers = flow({ name: 'a-b.customers', entity: 'customer', source: 'a', target: 'b' });
  const inbound = flow({
    name: 'b-a.orders',
    entity: 'salesOrder',
    source: 'b',
    target: 'a',
    dependencies: [{ entity: 'customer', ids: 'customerNumber' }],
    valueMaps: { shipVia: 'shippingMethod' },
  });
  const outbound = flow({
    name: 'a-b.orders',
    entity: 'salesOrder',
    source: 'a',
    target: 'b',
    conditions: [{ name: 'paid', expression: 'unpaidBalance.amount = "0.00"' }],
    dependencies: [{ entity: 'customer', ids: 'customerNumber', flow: 'a-b.customers' }],
  });
  const shipments = flow({
    name: 'a-b.shipments',
    entity: 'shipment',
    source: 'a',
    target: 'b',
    dependencies: [{ entity: 'salesOrder', ids: 'orderNumbers', flow: 'a-b.orders' }],
  });

  const shippingMethods: ValueMap = {
    name: 'shippingMethod',
    rows: [{ a: 'FLATRATE', b: 'flatrate' }],
  };

  const build = (maps: ValueMap[] = [shippingMethods]) => {
    const flows = new Map([customers, inbound, outbound, shipments].map((f) => [f.name, f]));
    engine = new Engine(
      store,
      flows,
      { get: (n) => (n === 'a' ? a : b) },
      pino({ level: 'silent' }),
      new Map(maps.map((m) => [m.name, m])),
    );
  };

  beforeEach(async () => {
    tdb = await createTestDatabase('sqlite');
    store = await openStore(tdb.url);
    a = new MemoryConnector('ERP');
    b = new MemoryConnector('Shop');
    build();
    // The log tells a record's story by the flows' definitions (which connection an id lives on).
    for (const f of [customers, inbound, outbound, shipments])
      await store.definitions.saveFlow({ ...f, config: f });
  });
  afterEach(async () => {
    await store.close();
    await tdb.drop();
  });

  it('an order from the shop finds its customer through the flow the other way, in the ERP’s codes', async () => {
    a.put('customer', customer(1), T0);
    await engine.run('a-b.customers', { trigger: 'manual' });
    const shopCustomerId = (await store.records.get('a-b.customers', 'C0001'))!.target_id!;

    b.put('salesOrder', order('100000001', shopCustomerId), T0);
    const r = await engine.run('b-a.orders', { trigger: 'manual' });
    expect(r.counts).toMatchObject({ created: 1, failed: 0, waiting: 0 });
    const sent = a.writes.find((w) => w.entity === 'salesOrder')!.item;
    expect(sent.refs).toEqual({ customer: { [shopCustomerId]: 'C0001' } });
    expect(sent.data).toMatchObject({ shipVia: 'FLATRATE', number: '100000001' });
    const [entry] = (await store.log.list({ flow: 'b-a.orders' })).rows;
    expect(entry?.related).toBe(` customer:b:${shopCustomerId} customer:a:C0001 `);
  });

  it('an unmapped code fails the record naming the map; once a row is added, a retry succeeds', async () => {
    a.put('customer', customer(1), T0);
    await engine.run('a-b.customers', { trigger: 'manual' });
    const shopCustomerId = (await store.records.get('a-b.customers', 'C0001'))!.target_id!;
    b.put('salesOrder', order('100000002', shopCustomerId, { shipVia: 'fedex_2day' }), T0);

    const r = await engine.run('b-a.orders', { trigger: 'manual' });
    expect(r.outcomes[0]).toMatchObject({ status: 'failed' });
    expect(r.outcomes[0]?.reason).toBe(
      'sales order 100000002: shipping method fedex_2day has no ERP mapping; add a row for it to valueMaps.shippingMethod (b: fedex_2day, a: …)',
    );
    const failed = await store.records.get('b-a.orders', '100000002');
    expect(failed).toMatchObject({ state: 'failed', error_code: 'unmapped_value', next_attempt_at: null });
    // What is kept for a retry or a person's edit stays in the shop's codes.
    expect(JSON.parse(failed!.data!)).toMatchObject({ shipVia: 'fedex_2day' });
    expect(a.writes.filter((w) => w.entity === 'salesOrder')).toHaveLength(0);

    build([{ name: 'shippingMethod', rows: [...shippingMethods.rows, { a: 'FEDEX2DAY', b: 'fedex_2day' }] }]);
    const [again] = (await engine.retry({ ids: [failed!.id] })) as RunResult[];
    expect(again?.counts).toMatchObject({ created: 1, failed: 0 });
    expect(a.writes.find((w) => w.entity === 'salesOrder')?.item.data).toMatchObject({
      shipVia: 'FEDEX2DAY',
    });
  });

  it('a record that came from the other side is linked, never sent back', async () => {
    a.put('customer', customer(1), T0);
    await engine.run('a-b.customers', { trigger: 'manual' });
    const shopCustomerId = (await store.records.get('a-b.customers', 'C0001'))!.target_id!;
    b.put('salesOrder', order('100000003', shopCustomerId, { unpaidBalance: usd('0.00') }), T0);
    await engine.run('b-a.orders', { trigger: 'manual' });
    const erpOrderId = (await store.records.get('b-a.orders', '100000003'))!.target_id!;
    // The ERP now holds the order (the memory connector keeps what was written); the outbound flow reads it.
    a.put('salesOrder', { ...a.records.get('salesOrder')!.get(erpOrderId)!.data, number: erpOrderId }, T0);

    const r = await engine.run('a-b.orders', { trigger: 'manual' });
    expect(r.counts).toMatchObject({ read: 1, unchanged: 1, created: 0 });
    expect(b.writes.filter((w) => w.entity === 'salesOrder')).toHaveLength(0);
    expect((await store.records.get('a-b.orders', erpOrderId))?.target_id).toBe('100000003');

    // Read again after a change in the ERP (it is still unpaid there, against the outbound flow's
    // condition), an echo stays an echo: before, it was logged "skipped" by the condition.
    a.put(
      'salesOrder',
      { ...a.records.get('salesOrder')!.get(erpOrderId)!.data, unpaidBalance: usd('10.00') },
      '2026-01-02T00:00:00.000Z',
    );
    const again = await engine.run('a-b.orders', { trigger: 'manual' });
    expect(again.counts).toMatchObject({ read: 1, unchanged: 1, skipped: 0 });
    expect((await store.log.list({ flow: 'a-b.orders', status: ['skipped'] })).total).toBe(0);
  });

  it('a record born on this side and linked back by the other direction is still synced by this one', async () => {
    const owning = flow({
      name: 'a-b.customers',
      entity: 'customer',
      source: 'a',
      target: 'b',
      ownedFields: ['creditLimit'],
    });
    const back = flow({ name: 'b-a.customers', entity: 'customer', source: 'b', target: 'a' });
    engine = new Engine(
      store,
      new Map([owning, back].map((f) => [f.name, f])),
      { get: (n) => (n === 'a' ? a : b) },
      pino({ level: 'silent' }),
    );
    a.put('customer', customer(1, { creditLimit: usd('100.00') }), T0);
    await engine.run('a-b.customers', { trigger: 'manual' });
    const shopId = (await store.records.get('a-b.customers', 'C0001'))!.target_id!;
    // The shop's copy, read by the flow the other way, is linked there as an echo.
    b.put('customer', { ...b.records.get('customer')!.get(shopId)!.data, number: shopId }, T0);
    expect((await engine.run('b-a.customers', { trigger: 'manual' })).counts).toMatchObject({ unchanged: 1 });
    // The ERP changes the credit limit: this flow still owns it and writes it.
    a.put('customer', customer(1, { creditLimit: usd('250.00') }), '2026-01-02T00:00:00.000Z');
    expect((await engine.run('a-b.customers', { trigger: 'manual' })).counts).toMatchObject({ updated: 1 });
    expect(b.records.get('customer')!.get(shopId)!.data.creditLimit).toEqual(usd('250.00'));
  });

  it.each([
    [true, 'updated'],
    [false, 'unchanged'],
  ] as const)(
    'a record born on the other side is kept up to date once linked only by a flow that owns its echoes (%s)',
    async (ownsEchoes, expected) => {
      const owning = flow({
        name: 'a-b.customers',
        entity: 'customer',
        source: 'a',
        target: 'b',
        ownedFields: ['creditLimit'],
        ownsEchoes,
      });
      const signUps = flow({ name: 'b-a.customers', entity: 'customer', source: 'b', target: 'a' });
      engine = new Engine(
        store,
        new Map([owning, signUps].map((f) => [f.name, f])),
        { get: (n) => (n === 'a' ? a : b) },
        pino({ level: 'silent' }),
      );
      // A shop sign-up, created in the ERP by the flow the other way…
      b.put('customer', customer(9, { creditLimit: usd('0.00') }), T0);
      await engine.run('b-a.customers', { trigger: 'manual' });
      const erpId = (await store.records.get('b-a.customers', 'C0009'))!.target_id!;
      // …is linked by this flow at first sight (an echo, never sent back)…
      a.put(
        'customer',
        { ...a.records.get('customer')!.get(erpId)!.data, number: erpId },
        '2026-01-01T00:00:01.000Z',
      );
      expect((await engine.run('a-b.customers', { trigger: 'manual' })).counts).toMatchObject({
        unchanged: 1,
      });
      // …and when the ERP sets its credit limit, the master's flow brings it to the shop.
      a.put(
        'customer',
        { ...a.records.get('customer')!.get(erpId)!.data, number: erpId, creditLimit: usd('500.00') },
        '2026-01-02T00:00:00.000Z',
      );
      expect((await engine.run('a-b.customers', { trigger: 'manual' })).counts).toMatchObject({
        [expected]: 1,
      });
    },
  );

  it('an ERP order’s copy in the shop stays the ERP’s: its later change is not sent back, a web order’s is', async () => {
    const owning = { ...inbound, ownedFields: ['lifecycle'] };
    engine = new Engine(
      store,
      new Map([customers, owning, outbound, shipments].map((f) => [f.name, f])),
      { get: (n) => (n === 'a' ? a : b) },
      pino({ level: 'silent' }),
      new Map([[shippingMethods.name, shippingMethods]]),
    );
    a.put('customer', customer(1), T0);
    await engine.run('a-b.customers', { trigger: 'manual' });
    const shopCustomerId = (await store.records.get('a-b.customers', 'C0001'))!.target_id!;
    // An ERP order reaches the shop, and the shop's copy is read back: recognised, linked.
    a.put('salesOrder', order('SO7', 'C0001', { shipVia: 'FLATRATE', unpaidBalance: usd('0.00') }), T0);
    await engine.run('a-b.orders', { trigger: 'manual' });
    const copyId = (await store.records.get('a-b.orders', 'SO7'))!.target_id!;
    const copy = () => b.records.get('salesOrder')!.get(copyId)!;
    expect((await engine.run('b-a.orders', { trigger: 'manual' })).counts).toMatchObject({ unchanged: 1 });
    // Cancelled in the shop: the ERP's order is not written.
    copy().data.lifecycle = 'canceled';
    // (The shop stamped its copy when the ERP order was written to it: the change comes after.)
    copy().updatedAt = new Date(Date.now() + 60_000).toISOString();
    expect((await engine.run('b-a.orders', { trigger: 'manual' })).counts).toMatchObject({
      unchanged: 1,
      updated: 0,
    });
    expect(a.writes.filter((w) => w.entity === 'salesOrder')).toHaveLength(0);

    // A web order, born in the shop: its later change is the flow's to write.
    b.put('salesOrder', order('100000009', shopCustomerId, { lifecycle: 'open' }), T0);
    await engine.run('b-a.orders', { trigger: 'manual' });
    b.put(
      'salesOrder',
      order('100000009', shopCustomerId, { lifecycle: 'canceled' }),
      '2026-01-03T00:00:00.000Z',
    );
    const r = await engine.run('b-a.orders', { trigger: 'manual' });
    expect(r.outcomes.find((o) => o.sourceId === '100000009')).toMatchObject({ status: 'updated' });
    expect(a.writes.at(-1)?.item).toMatchObject({ action: 'update', fields: ['lifecycle'] });
  });

  it('a shipment whose order is not on the shop yet waits on it, and is released when the order syncs', async () => {
    a.put('customer', customer(1), T0);
    a.put('salesOrder', order('SO9', 'C0001', { unpaidBalance: usd('10.00') }), T0);
    a.put('shipment', shipment('SH1', 'SO9'), T0);

    const first = await engine.run('a-b.shipments', { trigger: 'manual' });
    expect(first.outcomes[0]).toMatchObject({ status: 'waiting' });
    expect(first.outcomes[0]?.reason).toMatch(
      /^waiting on sales order SO9 \(skipped: no sync condition holds: "paid" is false\)$/,
    );
    expect(b.writes.filter((w) => w.entity === 'shipment')).toHaveLength(0);

    // Paid: the order syncs (its customer first), which releases the shipment.
    a.put('salesOrder', order('SO9', 'C0001', { unpaidBalance: usd('0.00') }), '2026-01-01T01:00:00.000Z');
    const o = await engine.run('a-b.orders', { trigger: 'manual' });
    expect(o.counts).toMatchObject({ created: 1 });
    expect((await store.records.get('a-b.shipments', 'SH1'))?.next_attempt_at).toBeTruthy();
    await engine.settle('a-b.shipments', Date.now() + 2_000);
    expect((await store.records.get('a-b.shipments', 'SH1'))?.state).toBe('processed');
    const shopOrderId = (await store.records.get('a-b.orders', 'SO9'))!.target_id!;
    expect(b.writes.find((w) => w.entity === 'shipment')?.item.refs).toEqual({
      salesOrder: { SO9: shopOrderId },
    });
    const story = (await store.log.list({ flow: 'a-b.shipments', status: ['success'] })).rows[0];
    expect(story?.related).toBe(` salesOrder:a:SO9 salesOrder:b:${shopOrderId} `);
    // The order's whole story, asked for by either system's id: skipped, created, and its shipment's wait and success.
    for (const id of ['SO9', shopOrderId]) {
      const { rows } = await store.log.list({ record: id });
      expect(rows.map((r) => `${r.flow} ${r.source_id} ${r.status}`).reverse()).toEqual([
        'a-b.orders SO9 skipped',
        'a-b.shipments SH1 waiting',
        'a-b.orders SO9 success',
        'a-b.shipments SH1 success',
      ]);
    }
  });

  it('an older copy of a record never overwrites what a newer one wrote', async () => {
    const owning = flow({
      name: 'a-b.customers',
      entity: 'customer',
      source: 'a',
      target: 'b',
      ownedFields: ['creditLimit'],
    });
    engine = new Engine(
      store,
      new Map([[owning.name, owning]]),
      { get: (n) => (n === 'a' ? a : b) },
      pino({ level: 'silent' }),
    );
    a.put('customer', customer(1, { creditLimit: usd('500.00') }), '2026-01-02T00:00:00.000Z');
    await engine.run('a-b.customers', { trigger: 'webhook' });
    // A poll that paged before that write hands over the record as it was the day before.
    a.put('customer', customer(1, { creditLimit: usd('100.00') }), T0);
    const r = await engine.run('a-b.customers', { trigger: 'schedule' });
    expect(r.counts).toMatchObject({ unchanged: 1, updated: 0 });
    const [stored] = [...b.records.get('customer')!.values()];
    expect(stored?.data.creditLimit).toEqual(usd('500.00'));
  });
});
