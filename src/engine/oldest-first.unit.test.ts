import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { MemoryConnector } from '../connectors/memory/index.js';
import type { WriteItem } from '../connectors/sdk/contract.js';
import { openStore, type Store } from '../store/index.js';
import { Engine, PAGE_TASK } from './engine.js';
import { type Flow, flowDefaults } from './flow.js';

const line = (sku: string, quantity = '1') => ({ sku, quantity, unit: 'PCS' });
const transfer = (
  number: string,
  at: string,
  from: string,
  to: string,
  patch: Record<string, unknown> = {},
) => ({
  number,
  date: at.slice(0, 10),
  occurredAt: at,
  fromWarehouse: from,
  toWarehouse: to,
  status: 'done',
  lines: [line('A')],
  ...patch,
});
const count = (number: string, at: string, warehouse: string, sku = 'A', quantity = '5') => ({
  number,
  date: at.slice(0, 10),
  occurredAt: at,
  warehouse,
  status: 'done',
  lines: [line(sku, quantity)],
});

/**
 * Oldest-first flows (seed 002): records go in the order they happened, and one whose predecessor
 * on the same stock position or transfer has not succeeded waits for it, naming it, and goes by
 * itself once it does — across flows of the same source, within a page, and across runs.
 */
describe('oldest first', () => {
  let tdb: TestDatabase;
  let store: Store;
  let source: MemoryConnector;
  let target: MemoryConnector;
  let engine: Engine;
  const refused = new Set<string>();
  const written: string[] = [];

  const flow = (name: string, entity: Flow['entity']): Flow => ({
    ...flowDefaults,
    name,
    entity,
    source: 'a',
    target: 'b',
    ownedFields: ['status'],
    oldestFirst: true,
    retryBaseMs: 20,
    retryCapMs: 100,
    pageSize: 50,
  });

  beforeEach(async () => {
    tdb = await createTestDatabase('sqlite');
    store = await openStore(tdb.url);
    source = new MemoryConnector('Source');
    target = new MemoryConnector('Target');
    refused.clear();
    written.length = 0;
    // The target refuses what the test says (the transfer-out of an item it does not know yet).
    target.answer = (_entity, item: WriteItem) => {
      const n = (item.data as { number: string }).number;
      if (refused.has(n))
        return {
          ref: item.ref,
          ok: false,
          error: { code: 'invalid_data', category: 'rejected', message: `${n} refused` },
        };
      written.push(n);
      return undefined;
    };
    const flows = [
      flow('a-b.transfers', 'stockTransfer'),
      flow('a-b.counts', 'stockCount'),
      flow('a-b.sales', 'invoice'),
      flow('a-b.payments', 'payment'),
    ];
    engine = new Engine(
      store,
      new Map(flows.map((f) => [f.name, f])),
      { get: (n) => (n === 'a' ? source : target) },
      pino({ level: 'silent' }),
    );
  });
  afterEach(async () => {
    await store.close();
    await tdb.drop();
  });

  it('records read out of order are written in the order they happened', async () => {
    source.put('stockTransfer', transfer('T3', '2026-03-01T12:00:00.000Z', 'KMG', 'SNY'));
    source.put(
      'stockTransfer',
      transfer('T1', '2026-03-01T08:00:00.000Z', 'KMG', 'BSD', { lines: [line('B')] }),
    );
    source.put(
      'stockTransfer',
      transfer('T2', '2026-03-01T10:00:00.000Z', 'SNY', 'BSD', { lines: [line('C')] }),
    );
    await engine.run('a-b.transfers', { trigger: 'manual' });
    expect(written).toEqual(['T1', 'T2', 'T3']);
  });

  it('a run on the shared queue is not split into pages for several workers: it writes in order itself', async () => {
    for (const [n, hour] of [
      ['T1', '08'],
      ['T2', '10'],
      ['T3', '12'],
    ] as const)
      source.put('stockTransfer', transfer(n, `2026-03-01T${hour}:00:00.000Z`, 'KMG', 'SNY'));
    const r = await engine.run('a-b.transfers', { trigger: 'manual', fanOut: true, query: { pageSize: 1 } });
    expect(r).toMatchObject({ status: 'succeeded', counts: { read: 3, created: 3 } });
    expect(written).toEqual(['T1', 'T2', 'T3']);
    expect(await store.jobs.pending([PAGE_TASK])).toBe(0);
  });

  it('a transfer-in whose transfer-out failed waits for it, so does a later stock take of the item there; both go once it succeeds', async () => {
    refused.add('TO-1');
    source.put('stockTransfer', transfer('TO-1', '2026-03-01T09:00:00.000Z', 'KMG', 'transit'));
    source.put(
      'stockTransfer',
      transfer('TI-1', '2026-03-01T11:00:00.000Z', 'transit', 'SNY', { outNumber: 'TO-1' }),
    );
    // A transfer of another item elsewhere is not held up.
    source.put(
      'stockTransfer',
      transfer('T-9', '2026-03-01T10:00:00.000Z', 'BSD', 'GDG', { lines: [line('Z')] }),
    );
    source.put('stockCount', count('SC-1', '2026-03-01T18:00:00.000Z', 'SNY'));
    source.put('stockCount', count('SC-0', '2026-03-01T07:00:00.000Z', 'SNY'));

    const t = await engine.run('a-b.transfers', { trigger: 'manual' });
    expect(t.outcomes.map((o) => [o.sourceId, o.status, o.reason ?? ''])).toEqual([
      ['TO-1', 'failed', 'TO-1 refused'],
      ['T-9', 'created', ''],
      ['TI-1', 'waiting', 'waiting for stock transfer TO-1 to succeed'],
    ]);
    const c = await engine.run('a-b.counts', { trigger: 'manual' });
    // SC-0 was taken before the transfers: it goes. SC-1 after the transfer-in to SNY, which waits: it
    // waits for that one (which waits for its transfer-out).
    expect(c.outcomes.map((o) => [o.sourceId, o.status, o.reason ?? ''])).toEqual([
      ['SC-0', 'created', ''],
      ['SC-1', 'waiting', 'waiting for stock transfer TI-1 to succeed'],
    ]);
    expect(written).toEqual(['T-9', 'SC-0']);

    // The item is set up on the target; a sync refresh retries from the oldest failed record.
    refused.clear();
    await engine.retry({ allFailed: true, flow: 'a-b.transfers' });
    await engine.settle('a-b.transfers', Date.now() + 3_000);
    await engine.settle('a-b.counts', Date.now() + 3_000);
    expect(written).toEqual(['T-9', 'SC-0', 'TO-1', 'TI-1', 'SC-1']);
    for (const [flowName, id] of [
      ['a-b.transfers', 'TI-1'],
      ['a-b.counts', 'SC-1'],
    ] as const)
      expect((await store.records.get(flowName, id))?.state, id).toBe('processed');
    // Nothing holds anything up any more.
    expect(await store.sequence.blockers('a', ['stock:A@SNY', 'transfer:TO-1'], '9999')).toEqual([]);
  });

  it('a record whose predecessor succeeds while its wait is being stored does not wait for ever', async () => {
    refused.add('TO-1');
    source.put('stockTransfer', transfer('TO-1', '2026-03-01T09:00:00.000Z', 'KMG', 'SNY'));
    source.put('stockCount', count('SC-1', '2026-03-01T18:00:00.000Z', 'KMG'));
    await engine.run('a-b.transfers', { trigger: 'manual' });
    // The count's run finds TO-1 held; before it stores the count's wait, TO-1 is retried, lands,
    // and lets go of what waits on it — nothing yet.
    const storeWithLog = store.records.storeWithLog.bind(store.records);
    let raced = false;
    store.records.storeWithLog = async (rows, ...rest) => {
      if (!raced && rows.some((r) => r.flow === 'a-b.counts' && r.state === 'waiting')) {
        raced = true;
        refused.clear();
        await engine.retry({ allFailed: true, flow: 'a-b.transfers' });
        await engine.settle('a-b.transfers', Date.now() + 3_000);
        expect(await store.records.get('a-b.transfers', 'TO-1')).toMatchObject({ state: 'processed' });
      }
      return storeWithLog(rows, ...rest);
    };
    const c = await engine.run('a-b.counts', { trigger: 'manual' });
    expect(raced).toBe(true);
    expect(c.outcomes.map((o) => [o.sourceId, o.status, o.reason ?? ''])).toEqual([
      ['SC-1', 'waiting', 'waiting for stock transfer TO-1 to succeed'],
    ]);
    // Looked at again once stored: due now, and its retry writes it after TO-1.
    await engine.settle('a-b.counts', Date.now() + 3_000);
    expect(written).toEqual(['TO-1', 'SC-1']);
    expect((await store.records.get('a-b.counts', 'SC-1'))?.state).toBe('processed');
  });

  it('stock takes of one position in one page: a failed one holds back the next, which is never written before it', async () => {
    refused.add('SC-1');
    source.put('stockCount', count('SC-1', '2026-03-02T08:00:00.000Z', 'KMG'));
    source.put('stockCount', count('SC-2', '2026-03-02T09:00:00.000Z', 'KMG', 'A', '3'));
    source.put('stockCount', count('SC-3', '2026-03-02T09:30:00.000Z', 'BSD'));
    const c = await engine.run('a-b.counts', { trigger: 'manual' });
    expect(c.outcomes.map((o) => [o.sourceId, o.status, o.reason ?? ''])).toEqual([
      ['SC-1', 'failed', 'SC-1 refused'],
      ['SC-2', 'waiting', 'waiting for stock count SC-1 to succeed'],
      ['SC-3', 'created', ''],
    ]);
    expect(written).toEqual(['SC-3']);
    refused.clear();
    await engine.retry({ allFailed: true, flow: 'a-b.counts' });
    await engine.settle('a-b.counts', Date.now() + 3_000);
    // The older count first, so the newer one is the quantity that stands.
    expect(written).toEqual(['SC-3', 'SC-1', 'SC-2']);
  });

  it('moves that all waited go together when retried, not one a run', async () => {
    for (const [n, at] of [
      ['T1', '08'],
      ['T2', '09'],
      ['T3', '10'],
    ] as const) {
      refused.add(n);
      source.put('stockTransfer', transfer(n, `2026-03-04T${at}:00:00.000Z`, 'KMG', 'SNY'));
    }
    const t = await engine.run('a-b.transfers', { trigger: 'manual' });
    expect(t.outcomes.map((o) => [o.sourceId, o.status])).toEqual([
      ['T1', 'failed'],
      ['T2', 'waiting'],
      ['T3', 'waiting'],
    ]);
    // One sync refresh, one run: the oldest first, and the others behind it in the same request.
    refused.clear();
    const [r] = await engine.retry({ allFailed: true, flow: 'a-b.transfers' });
    expect(r).toMatchObject({ status: 'succeeded', counts: { created: 3, waiting: 0 } });
    expect(written).toEqual(['T1', 'T2', 'T3']);
  });

  it('a payment tried before its sale holds the sale’s number, yet the sale goes, then the payment', async () => {
    const at = '2026-03-05T09:00:00.000Z';
    const idr = (amount: string) => ({ amount, currency: 'IDR' });
    // The sale could not be read, its payment was: the target has no sale to apply it to.
    refused.add('S-1-Cash');
    source.put('payment', {
      number: 'S-1-Cash',
      status: 'success',
      customerNumber: 'C1',
      paymentDate: at.slice(0, 10),
      occurredAt: at,
      amount: idr('100'),
      applications: [{ documentType: 'invoice', documentNumber: 'S-1', amount: idr('100') }],
    });
    const p = await engine.run('a-b.payments', { trigger: 'manual' });
    expect(p.outcomes.map((o) => [o.sourceId, o.status])).toEqual([['S-1-Cash', 'failed']]);
    source.put('invoice', {
      number: 'S-1',
      status: 'paid',
      invoiceDate: at.slice(0, 10),
      occurredAt: at,
      warehouse: 'KMG',
      customerNumber: 'C1',
      currency: 'IDR',
      lines: [
        { lineNumber: 1, sku: 'A', quantity: '1', unitPrice: idr('100'), tax: idr('0'), total: idr('100') },
      ],
      netTotal: idr('100'),
      taxTotal: idr('0'),
      total: idr('100'),
    });
    // Not "waiting for payment S-1-Cash", which waits for it: both would wait for good.
    const s = await engine.run('a-b.sales', { trigger: 'manual' });
    expect(s.outcomes.map((o) => [o.sourceId, o.status, o.reason ?? ''])).toEqual([['S-1', 'created', '']]);
    refused.clear();
    await engine.retry({ allFailed: true, flow: 'a-b.payments' });
    expect(written).toEqual(['S-1', 'S-1-Cash']);
  });
});
