import { hostname } from 'node:os';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { MemoryConnector } from '../connectors/memory/index.js';
import { LedgerlinkError } from '../connectors/sdk/errors.js';
import { lastWrittenAs } from '../connectors/sdk/field-hash.js';
import { emptyCounts, openStore, type Store } from '../store/index.js';
import { Engine, type RunResult } from './engine.js';
import { type Flow, flowDefaults } from './flow.js';

const customer = (n: number, patch: Record<string, unknown> = {}) => ({
  number: `C${String(n).padStart(4, '0')}`,
  name: `Customer ${n}`,
  email: `c${n}@example.com`,
  currency: 'USD',
  creditLimit: { amount: `${1000 + n}.00`, currency: 'USD' },
  onHold: false,
  addresses: [{ kind: 'main', line1: `${n} Main St`, city: 'Springfield', country: 'US' }],
  ...patch,
});

/** Sales order SO1 of one line (5.00 USD) for the customer numbered `customerNumber`. */
const orderSO1 = (customerNumber: string) => ({
  number: 'SO1',
  status: 'Open',
  customerNumber,
  orderDate: '2026-01-01',
  currency: 'USD',
  lines: [
    {
      lineNumber: 1,
      sku: 'A',
      quantity: '1',
      unit: 'EA',
      unitPrice: { amount: '5.00', currency: 'USD' },
      total: { amount: '5.00', currency: 'USD' },
    },
  ],
  taxTotal: { amount: '0.00', currency: 'USD' },
  orderTotal: { amount: '5.00', currency: 'USD' },
});

const T0 = '2026-01-01T00:00:00.000Z';

describe('engine', () => {
  let tdb: TestDatabase;
  let store: Store;
  let source: MemoryConnector;
  let target: MemoryConnector;
  let flows: Map<string, Flow>;
  let engine: Engine;

  const flowOf = (patch: Partial<Flow> = {}): Flow => ({
    ...flowDefaults,
    name: 'a-b.customers',
    entity: 'customer',
    source: 'a',
    target: 'b',
    ownedFields: ['creditLimit', 'onHold'],
    retryBaseMs: 20,
    retryCapMs: 100,
    pageSize: 10,
    ...patch,
  });

  const build = (...list: Flow[]) => {
    flows = new Map(list.map((f) => [f.name, f]));
    engine = new Engine(
      store,
      flows,
      { get: (n) => (n === 'a' ? source : target) },
      pino({ level: 'silent' }),
    );
  };

  beforeEach(async () => {
    tdb = await createTestDatabase('sqlite');
    store = await openStore(tdb.url);
    source = new MemoryConnector('Source');
    target = new MemoryConnector('Target');
    build(flowOf());
  });
  afterEach(async () => {
    await store.close();
    await tdb.drop();
  });

  it('creates every record, then a re-run costs zero writes, then only changed owned fields are written', async () => {
    for (let i = 1; i <= 25; i++) source.put('customer', customer(i), T0);
    const first = await engine.run('a-b.customers', { trigger: 'manual' });
    expect(first.status).toBe('succeeded');
    expect(first.counts).toMatchObject({ read: 25, created: 25, failed: 0 });
    expect(target.records.get('customer')?.size).toBe(25);

    const again = await engine.run('a-b.customers', { trigger: 'manual' });
    expect(again.counts).toMatchObject({ read: 25, created: 0, updated: 0, unchanged: 25 });
    expect(target.calls.create + target.calls.update).toBe(25);
    expect(target.calls.lookup).toBe(3); // one per page of the first run, none after

    // A person edits an unowned field on the target; the source changes an owned and an unowned field.
    const [tid, rec] = [...target.records.get('customer')!.entries()].find(
      ([, r]) => r.data.number === 'C0003',
    )!;
    rec.data.name = 'Edited on the target';
    source.put(
      'customer',
      customer(3, { creditLimit: { amount: '9999.00', currency: 'USD' }, name: 'Renamed at source' }),
      T0,
    );
    source.put('customer', customer(4, { name: 'Only unowned changed' }), T0);
    const third = await engine.run('a-b.customers', { trigger: 'manual' });
    expect(third.counts).toMatchObject({ updated: 1, unchanged: 24 });
    const after = target.records.get('customer')!.get(tid)!.data;
    expect(after.creditLimit).toEqual({ amount: '9999.00', currency: 'USD' });
    expect(after.name).toBe('Edited on the target');
    const log = await store.log.list({ status: ['success'], sourceId: 'C0003' });
    expect(log.rows[0]?.reason).toBe('updated creditLimit');
  });

  it('a dry run plans every record, names each changed field old → new from the target, and writes nothing', async () => {
    for (let i = 1; i <= 5; i++) source.put('customer', customer(i), T0);
    await engine.run('a-b.customers', { trigger: 'manual' });
    source.put('customer', customer(2, { creditLimit: { amount: '9999.00', currency: 'USD' } }), T0);
    source.put('customer', customer(6), T0);
    const writes = target.calls.create + target.calls.update;
    const links = await store.db.selectFrom('sync_records').selectAll().orderBy('id').execute();
    const runs = await store.db.selectFrom('runs').selectAll().execute();

    const rows = await engine.dryRun('a-b.customers', {});
    expect(Object.fromEntries(rows.map((r) => [r.sourceId, r.plan]))).toEqual({
      C0001: 'unchanged',
      C0002: 'update',
      C0003: 'unchanged',
      C0004: 'unchanged',
      C0005: 'unchanged',
      C0006: 'create',
    });
    expect(rows.find((r) => r.sourceId === 'C0002')!.changes).toEqual([
      {
        field: 'creditLimit',
        oldKnown: true,
        from: 'target',
        old: { amount: '1002.00', currency: 'USD' },
        new: { amount: '9999.00', currency: 'USD' },
      },
    ]);
    expect(rows.filter((r) => r.changes)).toHaveLength(1);
    expect(target.calls.create + target.calls.update).toBe(writes);
    expect(await store.db.selectFrom('sync_records').selectAll().orderBy('id').execute()).toEqual(links);
    expect(await store.db.selectFrom('runs').selectAll().execute()).toEqual(runs);
  });

  it('a dry run that cannot read the target says only "changed" is known, and why', async () => {
    source.put('customer', customer(1), T0);
    await engine.run('a-b.customers', { trigger: 'manual' });
    source.put('customer', customer(1, { onHold: true }), T0);
    delete (target.manifest.entities.customer as { read?: unknown }).read;
    const [row] = await engine.dryRun('a-b.customers', { ids: ['C0001'] });
    expect(row).toMatchObject({ plan: 'update', fields: ['onHold'] });
    expect(row!.changes).toEqual([
      {
        field: 'onHold',
        oldKnown: false,
        new: true,
        note: expect.stringContaining('only "changed" is known'),
      },
    ]);
    expect(row!.changes![0]!.note).toContain('Target is not read in a dry run');
  });

  it('a dry run does not take a field the target record lacks for an empty old value', async () => {
    source.put('customer', customer(1), T0);
    await engine.run('a-b.customers', { trigger: 'manual' });
    const [, rec] = [...target.records.get('customer')!.entries()][0]!;
    delete rec.data.creditLimit;
    source.put('customer', customer(1, { creditLimit: { amount: '5.00', currency: 'USD' } }), T0);
    const [row] = await engine.dryRun('a-b.customers', { ids: ['C0001'] });
    expect(row!.changes).toEqual([
      {
        field: 'creditLimit',
        oldKnown: false,
        new: { amount: '5.00', currency: 'USD' },
        note: expect.stringContaining('shows no value for it'),
      },
    ]);
  });

  it('a dry run names what a waiting record waits on', async () => {
    const orders = flowOf({
      name: 'a-b.orders',
      entity: 'salesOrder',
      ownedFields: ['status'],
      dependencies: [{ entity: 'customer', flow: 'a-b.customers', ids: 'customerNumber' }],
    });
    build(flowOf(), orders);
    source.put('customer', customer(7), T0);
    source.put('salesOrder', orderSO1('C0007'), T0);
    const rows = await engine.dryRun('a-b.orders', {});
    expect(rows[0]).toMatchObject({
      plan: 'wait',
      reason: 'waiting on customer C0007 (not on b yet)',
      waitingOn: expect.stringContaining('C0007'),
    });
    // The predecessor is named, never synced.
    expect(target.calls.create + target.calls.update).toBe(0);
    expect(await store.db.selectFrom('sync_records').selectAll().execute()).toEqual([]);
  });

  it('matches by natural key when the link is lost (crash between write and link): no duplicates', async () => {
    for (let i = 1; i <= 12; i++) source.put('customer', customer(i), T0);
    await engine.run('a-b.customers', { trigger: 'manual' });
    await store.db.deleteFrom('sync_records').execute();
    const r = await engine.run('a-b.customers', { trigger: 'manual' });
    expect(r.counts).toMatchObject({ created: 0, updated: 12 });
    expect(target.records.get('customer')?.size).toBe(12);
    const links = await store.records.list({ flow: 'a-b.customers', limit: 100 });
    expect(links.rows.every((l) => l.target_id && l.state === 'processed')).toBe(true);
  });

  it('refuses two source records that would become one target record', async () => {
    source.put('customer', customer(1), T0);
    source.put('customer', customer(2, { email: 'c1@example.com' }), T0);
    const r = await engine.run('a-b.customers', { trigger: 'manual' });
    expect(r.counts).toMatchObject({ created: 1, failed: 1 });
    const failed = r.outcomes.find((o) => o.status === 'failed')!;
    expect(failed.error?.code).toBe('duplicate');
    expect(failed.reason).toMatch(/C0002 and customer C0001 would be the same record on Target/);
    // And across runs: a later record claiming an already linked key is refused too.
    source.put('customer', customer(3, { email: 'C1@example.com' }), T0);
    const again = await engine.run('a-b.customers', { trigger: 'manual', query: { ids: ['C0003'] } });
    expect(again.outcomes[0]?.error?.code).toBe('duplicate');
  });

  it('rejects invalid records with a reason a person can act on, and one bad record never stops the run', async () => {
    source.put('customer', customer(1), T0);
    source.put('customer', customer(2, { email: 'not-an-email' }), T0);
    source.put('customer', customer(3, { email: undefined }), T0);
    source.put('customer', customer(4), T0);
    const r = await engine.run('a-b.customers', { trigger: 'manual' });
    expect(r.counts).toMatchObject({ created: 2, failed: 2 });
    const reasons = r.outcomes.filter((o) => o.status === 'failed').map((o) => o.reason);
    expect(reasons).toContain('customer C0002: email is not a valid e-mail address');
    expect(reasons).toContain('customer C0003 has no email, which Target needs to identify it');
    const row = await store.records.get('a-b.customers', 'C0002');
    expect(row).toMatchObject({ state: 'failed', error_category: 'rejected', next_attempt_at: null });
  });

  it('skips records that meet no condition, naming each condition', async () => {
    build(
      flowOf({
        conditions: [
          { name: 'credit over 1005', expression: '$number(creditLimit.amount) > 1005' },
          { name: 'on hold', expression: 'onHold = true' },
        ],
      }),
    );
    for (let i = 1; i <= 8; i++) source.put('customer', customer(i), T0);
    const r = await engine.run('a-b.customers', { trigger: 'manual' });
    expect(r.counts).toMatchObject({ created: 3, skipped: 5 });
    const skipped = r.outcomes.find((o) => o.status === 'skipped')!;
    expect(skipped.reason).toBe('no sync condition holds: "credit over 1005" is false, "on hold" is false');
  });

  it('previews without writing: create / update / unchanged / skip / fail, with the current sync state', async () => {
    for (let i = 1; i <= 3; i++) source.put('customer', customer(i), T0);
    await engine.run('a-b.customers', { trigger: 'manual' });
    source.put('customer', customer(2, { onHold: true }), T0);
    source.put('customer', customer(4), T0);
    source.put('customer', customer(5, { email: 'bad' }), T0);
    const before = { ...target.calls };
    const rows = await engine.preview('a-b.customers', {});
    expect(target.calls.create).toBe(before.create);
    expect(target.calls.update).toBe(before.update);
    const plan = Object.fromEntries(rows.map((r) => [r.sourceId, [r.plan, r.currentState]]));
    expect(plan).toEqual({
      C0001: ['unchanged', 'processed'],
      C0002: ['update', 'processed'],
      C0003: ['unchanged', 'processed'],
      C0004: ['create', null],
      C0005: ['fail', null],
    });
  });

  it('retries transient failures with backoff until they land, then gives up after maxAttempts', async () => {
    build(flowOf({ maxAttempts: 3 }));
    for (let i = 1; i <= 4; i++) source.put('customer', customer(i), T0);
    const boom = {
      code: 'server' as const,
      category: 'transient' as const,
      message: 'Target answered 500',
      httpStatus: 500,
    };
    target.writeFaults.push(boom, boom);
    const r = await engine.run('a-b.customers', { trigger: 'manual' });
    expect(r.counts).toMatchObject({ created: 2, failed: 2 });
    const failed = await store.records.list({ flow: 'a-b.customers', states: ['failed'] });
    expect(failed.rows.every((x) => x.next_attempt_at && x.attempts === 1)).toBe(true);
    expect((await store.jobs.list()).map((j) => j.job_key)).toEqual(['retry:a-b.customers']);
    const settled = await engine.settle('a-b.customers', Date.now() + 5_000);
    expect(settled.reduce((n, s) => n + s.counts.created, 0)).toBe(2);
    expect(target.records.get('customer')?.size).toBe(4);

    // A record that keeps failing stops after maxAttempts and waits for a person.
    source.put('customer', customer(9), T0);
    target.writeFaults.push(boom, boom, boom);
    await engine.run('a-b.customers', { trigger: 'manual', query: { ids: ['C0009'] } });
    await engine.settle('a-b.customers', Date.now() + 5_000);
    const row = await store.records.get('a-b.customers', 'C0009');
    expect(row).toMatchObject({ state: 'aborted', attempts: 3, next_attempt_at: null });
    expect(row?.error_message).toMatch(/gave up after 3 attempts/);
    const log = await store.log.list({ sourceId: 'C0009' });
    expect(log.rows.map((l) => l.status)).toEqual(['aborted', 'failed', 'failed']);
    // The person retries: attempts start over and it lands.
    const [retried] = (await engine.retry({ ids: [row!.id] })) as RunResult[];
    expect(retried?.counts.created).toBe(1);
  });

  it('a rejected record is not retried automatically; after its data is fixed, retry makes it succeed', async () => {
    target.rejectWhen = (_e, d) => (String(d.name).includes('!') ? 'name must not contain "!"' : undefined);
    source.put('customer', customer(1, { name: 'Bad!' }), T0);
    const r = await engine.run('a-b.customers', { trigger: 'manual' });
    expect(r.outcomes[0]).toMatchObject({ status: 'failed', reason: 'name must not contain "!"' });
    expect(await store.records.nextRetryAt('a-b.customers')).toBeUndefined();
    source.put('customer', customer(1, { name: 'Good' }), T0);
    const [retried] = (await engine.retry({ allFailed: true, flow: 'a-b.customers' })) as RunResult[];
    expect(retried?.counts).toMatchObject({ created: 1, failed: 0 });
    expect(await store.records.get('a-b.customers', 'C0001')).toMatchObject({ state: 'processed' });
  });

  it('a retry writes the data a person edited instead of re-reading the source', async () => {
    source.put('customer', customer(1, { email: 'broken' }), T0);
    await engine.run('a-b.customers', { trigger: 'manual' });
    const row = (await store.records.get('a-b.customers', 'C0001'))!;
    await store.records.setState(row.id, 'failed', {
      data: JSON.stringify(customer(1, { email: 'fixed@example.com', updatedAt: T0 })),
      edited: 1,
    });
    const [r] = (await engine.retry({ ids: [row.id] })) as RunResult[];
    expect(r?.counts.created).toBe(1);
    expect([...target.records.get('customer')!.values()][0]?.data.email).toBe('fixed@example.com');
  });

  it('incremental: inclusive overlap window never skips records that share a timestamp, and the cursor never passes the run start', async () => {
    build(flowOf({ overlapMs: 0 }));
    source.put('customer', customer(1), '2026-01-01T10:00:00.000Z');
    source.put('customer', customer(2), '2026-01-01T10:00:05.000Z');
    const first = await engine.run('a-b.customers', { trigger: 'schedule', incremental: true });
    expect(first.cursor).toBe('2026-01-01T10:00:05.000Z');
    // A record committed late with the same timestamp as the cursor.
    source.put('customer', customer(3), '2026-01-01T10:00:05.000Z');
    const second = await engine.run('a-b.customers', { trigger: 'schedule', incremental: true });
    expect(second.counts).toMatchObject({ read: 2, created: 1, unchanged: 1 });
    // A timestamp in the future (clock skew) never drags the cursor past the run's own start.
    source.put('customer', customer(4), '2099-01-01T00:00:00.000Z');
    const third = await engine.run('a-b.customers', { trigger: 'schedule', incremental: true });
    expect(Date.parse(third.cursor!)).toBeLessThanOrEqual(Date.now());
  });

  it('incremental from a source that keeps its own change token: exactly the ids changed since it are read, and the token is the cursor', async () => {
    for (let i = 1; i <= 3; i++) source.put('customer', customer(i), T0);
    const asked: Array<string | undefined> = [];
    let changed = ['C0001', 'C0002', 'C0003'];
    source.changedSince = async (_entity, token) => {
      asked.push(token);
      const ids = changed;
      changed = [];
      return { ids, token: `t${asked.length}` };
    };
    const first = await engine.run('a-b.customers', { trigger: 'schedule', incremental: true });
    expect(first.counts).toMatchObject({ read: 3, created: 3 });
    expect(first.cursor).toBe('token:t1');
    expect(await store.cursors.get('a-b.customers')).toBe('token:t1');

    // Nothing changed: nothing read at all (a read with no ids would read everything).
    const reads = source.calls.read;
    const quiet = await engine.run('a-b.customers', { trigger: 'schedule', incremental: true });
    expect(quiet.counts.read).toBe(0);
    expect(source.calls.read).toBe(reads);

    source.put('customer', customer(2, { creditLimit: { amount: '5.00', currency: 'USD' } }), T0);
    changed = ['C0002'];
    const third = await engine.run('a-b.customers', {
      trigger: 'manual',
      incremental: true,
      countFirst: true,
    });
    expect(third.counts).toMatchObject({ read: 1, updated: 1 });
    expect(asked).toEqual([undefined, 't1', 't2']);
    expect(await store.cursors.get('a-b.customers')).toBe('token:t3');
  });

  it('a counted run counts once its first page is read, beside the work; the total then lands in its row without touching its counts', async () => {
    build(flowOf());
    for (let i = 1; i <= 25; i++) source.put('customer', customer(i), T0);
    const count = source.count.bind(source);
    let readBeforeCount = false;
    let release!: () => void;
    const counted = new Promise<void>((r) => {
      release = r;
    });
    let countedAfterRead: boolean | undefined;
    source.count = async (entity, query) => {
      countedAfterRead = readBeforeCount;
      await counted;
      return count(entity, query);
    };
    const read = source.read.bind(source);
    source.read = async function* (entity, query) {
      for await (const page of read(entity, query)) {
        readBeforeCount = true;
        // The count answers once the first page is in hand.
        release();
        yield page;
      }
    };
    const totals: Array<number | undefined> = [];
    const r = await engine.run('a-b.customers', {
      trigger: 'manual',
      countFirst: true,
      onProgress: (p) => totals.push(p.total),
    });
    expect(readBeforeCount).toBe(true);
    // Asked once the first page was in hand: the first read has the source to itself.
    expect(countedAfterRead).toBe(true);
    expect(r.counts).toMatchObject({ read: 25, created: 25 });
    const row = await store.runs.get(r.runId);
    expect(row).toMatchObject({ total: 25, read_count: 25, created: 25 });
    expect(totals.at(-1)).toBe(25);
  });

  it('updates of linked records from many pages are written together in a wave, not page after page; oldest-first flows keep page order', async () => {
    for (let i = 1; i <= 100; i++) source.put('customer', customer(i), T0);
    const batches: number[] = [];
    const write = target.write.bind(target);
    target.write = async (entity, items) => {
      batches.push(items.length);
      return write(entity, items);
    };
    await engine.run('a-b.customers', { trigger: 'manual' });
    expect(batches).toEqual(Array(10).fill(10));

    // One change on each of the 10 pages: one write of all 10, the rest stored unchanged.
    const change = (round: number) => {
      for (let p = 0; p < 10; p++)
        source.put(
          'customer',
          customer(p * 10 + 1, { creditLimit: { amount: `${round}.00`, currency: 'USD' } }),
          T0,
        );
    };
    change(7);
    batches.length = 0;
    const waved = await engine.run('a-b.customers', { trigger: 'manual' });
    expect(waved.counts).toMatchObject({ read: 100, updated: 10, unchanged: 90, failed: 0 });
    expect(batches).toEqual([10]);
    const onTarget = [...target.records.get('customer')!.values()].map(
      (r) => r.data as { number: string; creditLimit: { amount: string } },
    );
    expect(onTarget.filter((d) => d.creditLimit.amount === '7.00')).toHaveLength(10);
    const stored = await store.records.getMany('a-b.customers', ['C0001', 'C0091']);
    expect([...stored.values()].map((r) => r.state)).toEqual(['processed', 'processed']);
    for (const w of target.writes.slice(-10))
      expect(w.item).toMatchObject({ action: 'update', fields: ['creditLimit'] });

    // A flow whose records go oldest first writes each page's update with its page.
    build(flowOf({ oldestFirst: true }));
    change(8);
    batches.length = 0;
    const ordered = await engine.run('a-b.customers', { trigger: 'manual' });
    expect(ordered.counts).toMatchObject({ updated: 10, unchanged: 90 });
    expect(batches).toEqual(Array(10).fill(1));
  });

  it('the cursor does not move past gathered updates that could not be written', async () => {
    build(flowOf({ overlapMs: 0 }));
    for (let i = 1; i <= 30; i++) source.put('customer', customer(i), T0);
    const first = await engine.run('a-b.customers', { trigger: 'schedule', incremental: true });
    expect(first.cursor).toBe(T0);
    const T1 = '2026-01-02T00:00:00.000Z';
    for (const n of [1, 11, 21])
      source.put('customer', customer(n, { creditLimit: { amount: '9.00', currency: 'USD' } }), T1);
    // The target refuses the credentials when the wave is written: the run fails, the cursor stays.
    const write = target.write.bind(target);
    target.write = async (entity, items) => {
      if (items.some((i) => i.action === 'update'))
        throw new LedgerlinkError({ code: 'auth', category: 'config', message: 'Target answered 401' });
      return write(entity, items);
    };
    const failed = await engine.run('a-b.customers', { trigger: 'schedule', incremental: true });
    expect(failed).toMatchObject({ status: 'failed', message: 'Target answered 401' });
    expect(await store.cursors.get('a-b.customers')).toBe(T0);
    target.write = write;
    const again = await engine.run('a-b.customers', { trigger: 'schedule', incremental: true });
    expect(again.counts).toMatchObject({ read: 30, updated: 3, unchanged: 27 });
    expect(await store.cursors.get('a-b.customers')).toBe(T1);
  });

  it('does not move the cursor when the run fails', async () => {
    source.put('customer', customer(1), T0);
    source.down = new LedgerlinkError({
      code: 'auth',
      category: 'config',
      message: 'Source answered 401: bad password',
    });
    const r = await engine.run('a-b.customers', { trigger: 'schedule', incremental: true });
    expect(r).toMatchObject({ status: 'failed', message: 'Source answered 401: bad password' });
    expect(await store.cursors.get('a-b.customers')).toBeUndefined();
    expect((await store.runs.get(r.runId))?.status).toBe('failed');
  });

  /** Customers, and orders that need them; order SO1's customer C0001 has an invalid e-mail. */
  const orderWaitingOnABadCustomer = () => {
    const orders = flowOf({
      name: 'a-b.orders',
      entity: 'salesOrder',
      ownedFields: ['status'],
      dependencies: [{ entity: 'customer', flow: 'a-b.customers', ids: 'customerNumber' }],
    });
    build(flowOf(), orders);
    source.put('customer', customer(1, { email: 'nope' }), T0);
    source.put('salesOrder', orderSO1('C0001'), T0);
  };
  /** The customer fixed and synced (by a retry of its flow): it lands, and lets go of what waits on it. */
  const fixTheCustomer = async () => {
    source.put('customer', customer(1), T0);
    await engine.retry({ allFailed: true, flow: 'a-b.customers' });
  };
  /** The waiting order is due now, and its retry lands it. */
  const orderLandsOnRetry = async () => {
    expect((await store.records.get('a-b.orders', 'SO1'))?.next_attempt_at).toBeTruthy();
    await engine.settle('a-b.orders', Date.now() + 2_000);
    expect((await store.records.get('a-b.orders', 'SO1'))?.state).toBe('processed');
    expect(target.records.get('salesOrder')?.size).toBe(1);
  };

  it('dependencies: a record waits on its failed predecessor and is released when it succeeds', async () => {
    orderWaitingOnABadCustomer();
    // A preview names the missing predecessor but never syncs it.
    const preview = await engine.preview('a-b.orders', {});
    expect(preview[0]).toMatchObject({
      plan: 'wait',
      reason: 'waiting on customer C0001 (not on b yet)',
    });
    expect(target.records.get('customer')).toBeUndefined();
    const r = await engine.run('a-b.orders', { trigger: 'manual' });
    expect(r.outcomes[0]).toMatchObject({ status: 'waiting' });
    expect(r.outcomes[0]?.reason).toMatch(
      /^waiting on customer C0001 \(failed: customer C0001: email is not a valid e-mail address\)$/,
    );
    expect(target.records.get('salesOrder')).toBeUndefined();
    // The customer is fixed and synced: the order is released and lands.
    await fixTheCustomer();
    await orderLandsOnRetry();
  });

  it('dependencies: a record whose predecessor succeeds while its wait is being stored does not wait for ever', async () => {
    orderWaitingOnABadCustomer();
    // The order's run finds the customer failed; before it stores the order's wait, the customer is
    // fixed and lands, and lets go of what waits on it — nothing yet.
    const storeWithLog = store.records.storeWithLog.bind(store.records);
    let raced = false;
    store.records.storeWithLog = async (rows, ...rest) => {
      if (!raced && rows.some((r) => r.flow === 'a-b.orders' && r.state === 'waiting')) {
        raced = true;
        await fixTheCustomer();
        expect(await store.records.get('a-b.customers', 'C0001')).toMatchObject({ state: 'processed' });
      }
      return storeWithLog(rows, ...rest);
    };
    const r = await engine.run('a-b.orders', { trigger: 'manual' });
    expect(raced).toBe(true);
    expect(r.outcomes[0]).toMatchObject({ status: 'waiting' });
    // Looked at again once stored: due now, and its retry lands it.
    await orderLandsOnRetry();
  });

  it('dependencies: a shared run’s page lets its waiters go beside its count, and a failure to let them go fails the page after counting it', async () => {
    orderWaitingOnABadCustomer();
    await engine.run('a-b.orders', { trigger: 'manual' });
    expect((await store.records.get('a-b.orders', 'SO1'))?.state).toBe('waiting');
    expect((await store.records.get('a-b.orders', 'SO1'))?.next_attempt_at).toBeNull();

    // The customer, fixed, comes through a page of a shared run, as a worker would take it.
    const runId = await store.runs.start({
      flow: 'a-b.customers',
      trigger: 'manual',
      mode: 'process',
      filter: {},
      owner: 'test',
    });
    await store.runs.pagesQueued(runId, 2, undefined);
    const item = { id: 'C0001', updatedAt: T0, data: { ...customer(1), updatedAt: T0 } };
    await engine.runPage('a-b.customers', runId, 1, [item]);
    expect(await store.records.get('a-b.customers', 'C0001')).toMatchObject({ state: 'processed' });
    expect((await store.records.get('a-b.orders', 'SO1'))?.next_attempt_at).toBeTruthy();
    expect((await store.runs.get(runId))?.created).toBe(1);

    // Letting them go fails: the page is counted, then its job fails (and is run again).
    const waitingOn = store.records.waitingOn.bind(store.records);
    store.records.waitingOn = async () => {
      throw new Error('the store went away');
    };
    try {
      const next = { id: 'C0002', updatedAt: T0, data: { ...customer(2), updatedAt: T0 } };
      await expect(engine.runPage('a-b.customers', runId, 2, [next])).rejects.toThrow('the store went away');
      expect((await store.runs.get(runId))?.created).toBe(2);
    } finally {
      store.records.waitingOn = waitingOn;
    }
  });

  it('scan: the documents, the customers and products they need with what would happen to each, and every line, writing nothing', async () => {
    const productFlow = flowOf({ name: 'a-b.products', entity: 'product', ownedFields: ['listPrice'] });
    const orders = flowOf({
      name: 'a-b.orders',
      entity: 'salesOrder',
      ownedFields: [],
      conditions: [{ name: 'ready', expression: 'status = "ready"' }],
      dependencies: [
        { entity: 'customer', flow: 'a-b.customers', ids: 'customerNumber' },
        { entity: 'product', flow: 'a-b.products', ids: 'lines[$not(writeIn = true)].sku' },
      ],
    });
    build(flowOf(), productFlow, orders);
    const usd = (amount: string) => ({ amount, currency: 'USD' });
    source.put('customer', customer(1), T0);
    source.put('customer', customer(2), T0);
    source.put('product', { sku: 'VID003', name: 'Video card', listPrice: usd('55.00'), unit: 'EA' }, T0);
    await engine.run('a-b.customers', { trigger: 'manual', query: { ids: ['C0002'] } });
    const order = (number: string, customerNumber: string, status: string) => ({
      number,
      status,
      customerNumber,
      orderDate: '2026-01-01',
      currency: 'USD',
      lines: [
        {
          lineNumber: 1,
          sku: 'VID003',
          quantity: '3',
          unit: 'EA',
          unitPrice: usd('55.00'),
          total: usd('165.00'),
        },
        {
          lineNumber: 2,
          sku: 'WRITE-IN',
          writeIn: true,
          description: 'test Product',
          quantity: '3',
          unit: 'EA',
          unitPrice: usd('33.00'),
          total: usd('99.00'),
        },
      ],
      taxTotal: usd('0.00'),
      orderTotal: usd('264.00'),
    });
    source.put('salesOrder', order('ORD-1', 'C0001', 'ready'), T0);
    source.put('salesOrder', order('ORD-2', 'C0002', 'ready'), T0);
    source.put('salesOrder', order('ORD-3', 'C0001', 'uploaded'), T0);
    const writes = target.calls.create + target.calls.update;

    const scan = await engine.scan('a-b.orders', {});
    expect(scan.records.map((r) => [r.sourceId, r.plan])).toEqual([
      ['ORD-1', 'wait'],
      ['ORD-2', 'wait'],
      ['ORD-3', 'skip'],
    ]);
    const customers = scan.needs.find((n) => n.entity === 'customer');
    expect(customers?.ids).toEqual(['C0001', 'C0002']);
    expect(customers?.rows.map((r) => [r.sourceId, r.plan])).toEqual([
      ['C0001', 'create'],
      ['C0002', 'unchanged'],
    ]);
    const products = scan.needs.find((n) => n.entity === 'product');
    expect(products?.ids).toEqual(['VID003']);
    expect(products?.rows.map((r) => [r.sourceId, r.plan])).toEqual([['VID003', 'create']]);
    expect(scan.lines).toHaveLength(4);
    expect(scan.lines[1]).toEqual({
      record: 'ORD-1',
      customer: 'C0001',
      lineNumber: 2,
      description: 'test Product',
      quantity: '3',
      unit: 'EA',
      unitPrice: usd('33.00'),
      writeIn: true,
    });
    expect(target.calls.create + target.calls.update).toBe(writes);
  });

  it('writes the target id back to the source after a create', async () => {
    build(flowOf({ ownedFields: ['creditLimit'], writeBack: { field: 'annualRevenue', value: 'id' } }));
    const writes: unknown[] = [];
    const origWrite = source.write.bind(source);
    source.write = async (entity, items) => {
      writes.push(...items);
      return origWrite(
        entity,
        items.map((i) => ({ ...i, targetId: i.targetId })),
      );
    };
    source.put('customer', customer(1), T0);
    await engine.run('a-b.customers', { trigger: 'manual' });
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({
      action: 'update',
      targetId: 'C0001',
      fields: ['annualRevenue'],
      data: { annualRevenue: 'T1' },
    });
  });

  it('runs one process of a flow at a time, and a dead run does not block forever', async () => {
    const id = await store.runs.start({
      flow: 'a-b.customers',
      trigger: 'manual',
      mode: 'process',
      filter: {},
      owner: 'other:1',
    });
    await expect(engine.run('a-b.customers', { trigger: 'manual' })).rejects.toThrow(
      /already running \(run \d+/,
    );
    await store.db
      .updateTable('runs')
      .set({ heartbeat_at: '2000-01-01T00:00:00.000Z' })
      .where('id', '=', id)
      .execute();
    const r = await engine.run('a-b.customers', { trigger: 'manual' });
    expect(r.status).toBe('succeeded');
  });

  it('a run found silent is closed only if it still is: one that spoke up since is busy, one that ended stays as it ended', async () => {
    const open = (owner: string) =>
      store.runs.start({ flow: 'a-b.customers', trigger: 'manual', mode: 'process', filter: {}, owner });
    const counted = (o: Partial<ReturnType<typeof emptyCounts>> = {}) => ({ ...emptyCounts(), ...o });
    const silent = (id: number) =>
      store.db
        .updateTable('runs')
        .set({ heartbeat_at: '2000-01-01T00:00:00.000Z' })
        .where('id', '=', id)
        .execute();
    // Between the engine's look at the running runs and its close, the run acts: the look returns
    // what was there, then `act` changes it.
    const racing = (act: () => Promise<unknown>) => {
      const running = store.runs.running.bind(store.runs);
      store.runs.running = async (flow) => {
        store.runs.running = running;
        const found = await running(flow);
        await act();
        return found;
      };
    };

    // A first run sweeps the store for left runs (every few seconds): the next ones look at their flow's.
    await engine.run('a-b.customers', { trigger: 'manual' });
    const spoke = await open('other:1');
    await silent(spoke);
    racing(() => store.runs.touch(spoke));
    await expect(engine.run('a-b.customers', { trigger: 'manual' })).rejects.toThrow(
      new RegExp(`already running \\(run ${spoke}`),
    );
    expect(await store.runs.get(spoke)).toMatchObject({ status: 'running', message: null });

    await store.runs.finish(spoke, 'succeeded', counted());
    const ended = await open('other:1');
    await silent(ended);
    racing(() => store.runs.finish(ended, 'succeeded', counted({ read: 3, created: 3 })));
    expect((await engine.run('a-b.customers', { trigger: 'manual' })).status).toBe('succeeded');
    expect(await store.runs.get(ended)).toMatchObject({ status: 'succeeded', message: null, created: 3 });
  });

  it('a run left by a killed process on this host does not block the next one', async () => {
    const id = await store.runs.start({
      flow: 'a-b.customers',
      trigger: 'manual',
      mode: 'process',
      filter: {},
      owner: `${hostname()}:999999`,
    });
    const r = await engine.run('a-b.customers', { trigger: 'manual' });
    expect(r.status).toBe('succeeded');
    expect((await store.runs.get(id))?.message).toMatch(/stopped/);
  });

  it('a shared run whose reader stopped after queuing its pages is not taken for dead: its pages end it', async () => {
    const id = await store.runs.start({
      flow: 'a-b.customers',
      trigger: 'manual',
      mode: 'process',
      filter: {},
      owner: `${hostname()}:999999`,
    });
    await store.runs.pagesQueued(id, 3, undefined);
    await expect(engine.run('a-b.customers', { trigger: 'manual' })).rejects.toThrow(
      /already running \(run \d+/,
    );
    expect(await store.runs.get(id)).toMatchObject({ status: 'running', message: null });
  });

  it('a shared run whose pages were all in before its reader, stopped, could end it is ended by the next run', async () => {
    const id = await store.runs.start({
      flow: 'a-b.customers',
      trigger: 'manual',
      mode: 'process',
      filter: {},
      owner: `${hostname()}:999999`,
    });
    const page = { read: 5, created: 5, updated: 0, unchanged: 0, skipped: 0, failed: 0, waiting: 0 };
    // Both pages came in while the reader was still counting them; it stopped before ending the run.
    expect(await store.runs.pageDone(id, 1, page, 'w1')).toBe('counted');
    expect(await store.runs.pageDone(id, 2, page, 'w2')).toBe('counted');
    await store.runs.pagesQueued(id, 2, undefined);
    const next = await engine.run('a-b.customers', { trigger: 'manual' });
    expect(next.status).toBe('succeeded');
    expect(await store.runs.get(id)).toMatchObject({ status: 'succeeded', read_count: 10, created: 10 });
  });

  it('a target that settles only some owned fields, or skips a change: the rest is offered again, each skip logged once', async () => {
    source.put('customer', customer(1), T0);
    await engine.run('a-b.customers', { trigger: 'manual' });
    const log = async () =>
      (await store.log.list({ flow: 'a-b.customers', sourceId: 'C0001' })).rows.map((r) => [
        r.status,
        r.reason,
      ]);

    // Both owned fields change; the target takes the credit limit and only notes the hold.
    source.put(
      'customer',
      customer(1, { creditLimit: { amount: '5.00', currency: 'USD' }, onHold: true }),
      '2026-01-02T00:00:00.000Z',
    );
    target.answer = (_e, item) =>
      item.action === 'update'
        ? {
            ref: item.ref,
            ok: true,
            targetId: item.targetId!,
            action: 'updated',
            pending: ['onHold'],
            reason: 'credit limit 5.00; the hold is only noted',
          }
        : undefined;
    const partial = await engine.run('a-b.customers', { trigger: 'manual' });
    expect(partial.outcomes[0]).toMatchObject({
      status: 'updated',
      reason: 'credit limit 5.00; the hold is only noted',
    });
    const asked = target.writes.at(-1)!.item;
    expect(asked.fields).toEqual(['creditLimit', 'onHold']);
    // What the link knew it had written: both fields, as created.
    expect(Object.keys(asked.lastWritten ?? {}).sort()).toEqual(['creditLimit', 'onHold']);
    expect(lastWrittenAs(asked, 'onHold', false)).toBe(true);
    expect(lastWrittenAs(asked, 'onHold', true)).toBe(false);

    // The hold was not written: the next run offers it alone; this time the target skips it.
    target.answer = (_e, item) =>
      item.action === 'update'
        ? { ref: item.ref, ok: true, action: 'skipped', reason: 'holds are left to a person here' }
        : undefined;
    const skipped = await engine.run('a-b.customers', { trigger: 'manual' });
    expect(target.writes.at(-1)!.item.fields).toEqual(['onHold']);
    expect(skipped.outcomes[0]).toMatchObject({
      status: 'skipped',
      reason: 'holds are left to a person here',
    });
    expect(await store.records.get('a-b.customers', 'C0001')).toMatchObject({
      state: 'skipped',
      target_id: 'T1',
    });
    // Asked again, skipped again for the same reason: one entry, not two.
    await engine.run('a-b.customers', { trigger: 'manual' });
    expect(await log()).toEqual([
      ['skipped', 'holds are left to a person here'],
      ['success', 'credit limit 5.00; the hold is only noted'],
      ['success', null],
    ]);

    // The target takes it at last: written, and from then on unchanged.
    target.answer = undefined;
    expect((await engine.run('a-b.customers', { trigger: 'manual' })).outcomes[0]).toMatchObject({
      status: 'updated',
      reason: 'updated onHold',
    });
    expect((await engine.run('a-b.customers', { trigger: 'manual' })).counts).toMatchObject({ unchanged: 1 });
  });

  it('a target that finds an update already done: unchanged, not logged, and the link settles so it is not asked again', async () => {
    source.put('customer', customer(2), T0);
    await engine.run('a-b.customers', { trigger: 'manual' });
    source.put('customer', customer(2, { onHold: true }), '2026-01-02T00:00:00.000Z');
    let asked = 0;
    target.answer = (_e, item) => {
      if (item.action !== 'update') return undefined;
      asked++;
      return { ref: item.ref, ok: true, action: 'unchanged', reason: 'already on hold there' };
    };
    const r = await engine.run('a-b.customers', { trigger: 'manual' });
    expect(r.outcomes[0]).toMatchObject({ status: 'unchanged', targetId: 'T1' });
    expect(asked).toBe(1);
    expect((await engine.run('a-b.customers', { trigger: 'manual' })).counts).toMatchObject({ unchanged: 1 });
    expect(asked).toBe(1);
    const log = await store.log.list({ flow: 'a-b.customers', sourceId: 'C0002' });
    expect(log.rows.map((x) => x.status)).toEqual(['success']);
  });

  it('names the known flows when asked for an unknown one', () => {
    expect(() => engine.flow('nope')).toThrow('unknown flow "nope"; configured flows: a-b.customers');
  });
});
