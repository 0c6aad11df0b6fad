import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../test/support/databases.js';
import { linkRow, logLine } from '../../test/support/store-rows.js';
import { openDatabase, openStore, type Store } from './index.js';
import { migrate } from './migrate.js';

// One suite, every dialect: the repositories must behave identically on SQLite and PostgreSQL.

describe.each(DIALECTS)('store on %s', (dialect) => {
  let tdb: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    tdb = await createTestDatabase(dialect);
    store = await openStore(tdb.url);
  });
  afterAll(async () => {
    await store.close();
    await tdb.drop();
  });

  it('migrates idempotently', async () => {
    const opened = openDatabase(tdb.url);
    expect(await migrate(opened)).toEqual([]);
    await opened.destroy();
  });

  it('refuses to run against a store migrated by a newer version', async () => {
    const opened = openDatabase(tdb.url);
    await opened.db
      .insertInto('ledgerlink_migrations' as never)
      .values({ name: '999_from_the_future', timestamp: new Date().toISOString() } as never)
      .execute();
    await expect(migrate(opened)).rejects.toThrow(/newer Ledgerlink/);
    await opened.db
      .deleteFrom('ledgerlink_migrations' as never)
      .where('name' as never, '=', '999_from_the_future' as never)
      .execute();
    await opened.destroy();
  });

  it('upserts link rows by (flow, source id) and reads them back in bulk', async () => {
    const rows = Array.from({ length: 1200 }, (_, i) => ({
      ...linkRow('f1', `C${String(i).padStart(5, '0')}`),
      target_id: String(i + 1),
      natural_key: `c${i}@example.com`,
      last_hash: 'h1',
      data: JSON.stringify({ n: i }),
    }));
    await store.records.upsertMany(rows);
    await store.records.upsertMany([{ ...rows[0]!, state: 'failed', error_message: 'boom', attempts: 2 }]);
    const got = await store.records.getMany(
      'f1',
      rows.map((r) => r.source_id),
    );
    expect(got.size).toBe(1200);
    expect(got.get('C00000')?.state).toBe('failed');
    expect(got.get('C00000')?.attempts).toBe(2);
    expect(typeof got.get('C00001')?.id).toBe('number');
    expect((await store.records.byTarget('f1', '2'))?.source_id).toBe('C00001');
    const counts = await store.records.countByState('f1');
    expect(counts).toEqual({ processed: 1199, failed: 1 });
    const page = await store.records.list({ flow: 'f1', states: ['failed'] });
    expect(page.total).toBe(1);
    const search = await store.records.list({ flow: 'f1', search: 'c1199@' });
    expect(search.rows.map((r) => r.source_id)).toEqual(['C01199']);
  });

  it('stores a page’s rows and its log lines together: on PostgreSQL both or neither', async () => {
    const row = (id: string) => ({
      ...linkRow('f-page', id),
      target_id: `t-${id}`,
      natural_key: `${id}@example.com`,
      last_hash: 'h',
    });
    const line = (id: string) => logLine('f-page', id, { run_id: 7, target_id: `t-${id}` });
    await store.records.storeWithLog([row('P1'), row('P2')], [line('P1'), line('P2')], store.log);
    await store.records.storeWithLog([{ ...row('P1'), last_hash: 'h2' }], [line('P1')], store.log);
    const got = await store.records.getMany('f-page', ['P1', 'P2']);
    expect([...got.values()].map((r) => [r.source_id, r.last_hash]).sort()).toEqual([
      ['P1', 'h2'],
      ['P2', 'h'],
    ]);
    expect((await store.log.list({ flow: 'f-page' })).total).toBe(3);

    // A log line the store refuses (no status): PostgreSQL stores neither; SQLite the rows alone.
    const bad = { ...line('P3'), status: null as unknown as 'success' };
    await expect(store.records.storeWithLog([row('P3')], [bad], store.log)).rejects.toThrow();
    expect((await store.records.getMany('f-page', ['P3'])).size).toBe(dialect === 'postgres' ? 0 : 1);
    expect((await store.log.list({ flow: 'f-page' })).total).toBe(3);
  });

  it('keeps runs with counts and closes abandoned ones', async () => {
    const id = await store.runs.start({
      flow: 'f1',
      trigger: 'manual',
      mode: 'process',
      filter: { ids: ['A'] },
      owner: 'test',
    });
    await store.runs.progress(id, {
      read: 5,
      created: 3,
      updated: 1,
      unchanged: 1,
      skipped: 0,
      failed: 0,
      waiting: 0,
    });
    expect((await store.runs.get(id))?.created).toBe(3);
    expect(await store.runs.closeAbandoned(new Date(Date.now() + 1000).toISOString())).toBe(1);
    const run = await store.runs.get(id);
    expect(run?.status).toBe('failed');
    expect(run?.message).toMatch(/heartbeat/);
  });

  it('appends and filters the connector log', async () => {
    const at = new Date().toISOString();
    await store.log.append([
      logLine('f1', 'C1', { target_id: '1', duration_ms: 3, created_at: at }),
      logLine('f1', 'C2', {
        status: 'failed',
        reason: 'Magento answered 400: email taken',
        error_code: 'invalid_data',
        error_category: 'rejected',
        request: '{}',
        response: '{}',
        duration_ms: 5,
        created_at: at,
      }),
    ]);
    expect((await store.log.list({ status: ['failed'] })).rows.map((r) => r.source_id)).toEqual(['C2']);
    expect((await store.log.list({ text: 'email taken' })).total).toBe(1);
    expect((await store.log.list({ sourceId: 'C1' })).rows[0]?.status).toBe('success');
  });

  it("a record's story follows its links, not a number another entity shares", async () => {
    for (const [name, entity] of [
      ['a-m.orders', 'salesOrder'],
      ['a-m.shipments', 'shipment'],
      ['a-m.invoices', 'invoice'],
    ] as const)
      await store.definitions.saveFlow({
        name,
        entity,
        source: 'acu',
        target: 'mag',
        enabled: true,
        config: {},
      });
    const at = new Date().toISOString();
    const entry = (o: {
      flow: string;
      entity: string;
      source: string;
      target: string;
      number: string;
      related?: string;
    }) =>
      logLine(o.flow, o.source, {
        entity: o.entity,
        target_id: o.target,
        target_number: o.number,
        related: o.related ? ` ${o.related} ` : null,
        created_at: at,
      });
    // Magento numbers orders, shipments and invoices alike: order 000000022 (id 22) has shipment
    // 000000007; shipment 000000022 and invoice 000000022 belong to orders 30 and 31.
    await store.log.append([
      entry({ flow: 'a-m.orders', entity: 'salesOrder', source: 'SO22', target: '22', number: '000000022' }),
      entry({
        flow: 'a-m.shipments',
        entity: 'shipment',
        source: 'SH7',
        target: '7',
        number: '000000007',
        related: 'salesOrder:mag:22',
      }),
      entry({
        flow: 'a-m.shipments',
        entity: 'shipment',
        source: 'SH22',
        target: '122',
        number: '000000022',
        related: 'salesOrder:mag:30',
      }),
      entry({
        flow: 'a-m.invoices',
        entity: 'invoice',
        source: 'INV22',
        target: '222',
        number: '000000022',
        related: 'salesOrder:mag:31',
      }),
    ]);
    const story = await store.log.list({ record: '000000022' });
    expect(story.rows.map((r) => r.source_id).sort()).toEqual(['SH7', 'SO22']);
    expect(story.about).toEqual({ entity: 'salesOrder', others: ['invoice', 'shipment'] });
    // The other records the number names are asked for by entity.
    expect((await store.log.list({ record: 'shipment:000000022' })).rows.map((r) => r.source_id)).toEqual([
      'SH22',
    ]);
    expect((await store.log.list({ record: 'SO22' })).rows.map((r) => r.source_id).sort()).toEqual([
      'SH7',
      'SO22',
    ]);
    // The text search finds a row by the number it shows.
    expect((await store.log.list({ text: '000000007' })).rows.map((r) => r.source_id)).toEqual(['SH7']);
  });

  it('moves a cursor', async () => {
    expect(await store.cursors.get('f1')).toBeUndefined();
    await store.cursors.set('f1', '2026-01-01T00:00:00.000Z');
    await store.cursors.set('f1', '2026-01-02T00:00:00.000Z');
    expect(await store.cursors.get('f1')).toBe('2026-01-02T00:00:00.000Z');
  });

  it('holds stock positions for oldest-first records until they succeed', async () => {
    const hold = (flow: string, source_id: string, occurred_at: string, keys: string[]) => ({
      source: 'a',
      occurred_at,
      flow,
      entity: 'stockTransfer',
      source_id,
      label: `stock transfer ${source_id}`,
      keys,
    });
    await store.sequence.hold([
      hold('a-b.transfers', 'TO-1', '2026-03-01T09:00:00.000Z', ['stock:A@KMG', 'transfer:TO-1']),
      hold('a-b.transfers', 'TO-2', '2026-03-01T11:00:00.000Z', ['stock:A@KMG']),
    ]);
    const blockers = await store.sequence.blockers('a', ['stock:A@KMG'], '2026-03-01T10:00:00.000Z');
    expect(blockers.map((b) => b.source_id)).toEqual(['TO-1']);
    expect(await store.sequence.holding('a-b.transfers', ['TO-1', 'TO-2', 'TO-3'])).toEqual(
      new Set(['TO-1', 'TO-2']),
    );
    await store.sequence.release('a-b.transfers', ['TO-1']);
    expect(await store.sequence.holding('a-b.transfers', ['TO-1', 'TO-2'])).toEqual(new Set(['TO-2']));
    expect(await store.sequence.holding('a-b.counts', ['TO-2'])).toEqual(new Set());
  });

  it('stores webhook deliveries once per dedupe key', async () => {
    const first = await store.inbox.store({
      connection: 'acumatica',
      headers: {},
      body: '{}',
      dedupeKey: 'd1',
      verified: true,
    });
    const again = await store.inbox.store({
      connection: 'acumatica',
      headers: {},
      body: '{}',
      dedupeKey: 'd1',
      verified: true,
    });
    expect(first).toBeTypeOf('number');
    expect(again).toBeUndefined();
    expect(await store.inbox.depth()).toBe(1);
  });

  it('claims jobs once, merges by job key, retries later and recovers stale locks', async () => {
    await store.jobs.add({ task: 't', payload: { n: 1 }, jobKey: 'k1' });
    await store.jobs.add({ task: 't', payload: { n: 2 }, jobKey: 'k1' });
    await store.jobs.add({ task: 't', payload: { n: 3 }, runAt: new Date(Date.now() + 60_000) });
    expect(await store.jobs.pending()).toBe(2);
    const [a, b] = await Promise.all([
      store.jobs.claim('w1', { limit: 5 }),
      store.jobs.claim('w2', { limit: 5 }),
    ]);
    const claimed = [...a, ...b];
    expect(claimed).toHaveLength(1);
    expect(JSON.parse(claimed[0]!.payload)).toEqual({ n: 2 });
    await store.jobs.fail(claimed[0]!.id, 'boom', new Date(Date.now() - 1));
    const again = await store.jobs.claim('w1');
    expect(again[0]?.attempts).toBe(2);
    // w1 "dies": its lock goes stale and another worker takes the job.
    expect(await store.jobs.claim('w2', { lockTimeoutMs: 60_000 })).toHaveLength(0);
    expect(await store.jobs.claim('w2', { lockTimeoutMs: -1 })).toHaveLength(1);
    await store.jobs.complete(again[0]!.id, again[0]!.revision);
    expect(await store.jobs.pending()).toBe(1);
    expect(await store.jobs.nextRunAt()).toBeTruthy();
  });

  it('a job added again while it runs runs once more afterwards, with the new payload', async () => {
    await store.jobs.add({ task: 't', payload: { n: 1 }, jobKey: 'inbox' });
    const [running] = await store.jobs.claim('w1');
    await store.jobs.add({ task: 't', payload: { n: 2 }, jobKey: 'inbox' });
    expect(await store.jobs.claim('w2')).toHaveLength(0);
    await store.jobs.complete(running!.id, running!.revision);
    const [next] = await store.jobs.claim('w2');
    expect(JSON.parse(next!.payload)).toEqual({ n: 2 });
    expect(next!.attempts).toBe(1);
    await store.jobs.complete(next!.id, next!.revision);
    expect((await store.jobs.list()).filter((j) => j.job_key === 'inbox')).toEqual([]);
  });
});
