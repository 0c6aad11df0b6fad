import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../test/support/databases.js';
import { MemoryConnector } from '../connectors/memory/index.js';
import { LedgerlinkError } from '../connectors/sdk/errors.js';
import { Engine } from '../engine/engine.js';
import { type Flow, flowDefaults } from '../engine/flow.js';
import { openStore, type Store } from '../store/index.js';
import { EmbeddedQueue } from './queue/embedded.js';
import { Scheduler, tickAt } from './scheduler.js';
import { RUN_TASK, Worker } from './worker.js';

const logger = pino({ level: 'silent' });
const flow: Flow = {
  ...flowDefaults,
  name: 'a-b.customers',
  entity: 'customer',
  source: 'a',
  target: 'b',
  ownedFields: ['creditLimit'],
  retryBaseMs: 50,
  retryCapMs: 200,
};
const customer = (n: number) => ({
  number: `C${n}`,
  name: `C ${n}`,
  email: `c${n}@x.com`,
  currency: 'USD',
  creditLimit: { amount: '1.00', currency: 'USD' },
  updatedAt: '2026-01-01T00:00:00.000Z',
});

async function until(probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.each(DIALECTS)('embedded worker and scheduler on %s', (dialect) => {
  let tdb: TestDatabase;
  let store: Store;
  let source: MemoryConnector;
  let target: MemoryConnector;
  let engine: Engine;
  let queue: EmbeddedQueue;
  let worker: Worker;

  beforeEach(async () => {
    tdb = await createTestDatabase(dialect);
    store = await openStore(tdb.url);
    source = new MemoryConnector('Source');
    target = new MemoryConnector('Target');
    queue = new EmbeddedQueue(store, logger, { pollMs: 20 });
    engine = new Engine(
      store,
      new Map([[flow.name, flow]]),
      { get: (n) => (n === 'a' ? source : target) },
      logger,
      new Map(),
      queue,
    );
    worker = new Worker(queue, engine, logger);
    await worker.start();
  });
  afterEach(async () => {
    await worker.stop();
    await store.close();
    await tdb.drop();
  });

  it('runs a queued flow; a run that fails is tried again with backoff until it succeeds', async () => {
    for (let i = 1; i <= 5; i++) source.put('customer', customer(i));
    source.down = new LedgerlinkError({
      code: 'connection',
      category: 'transient',
      message: 'Source is down',
    });
    const scheduler = new Scheduler(store, queue, logger);
    await scheduler.enqueue(flow.name);
    await until(async () => (await store.jobs.list())[0]?.last_error === 'Source is down');
    const job = (await store.jobs.list())[0]!;
    expect(job.attempts).toBe(1);
    expect(Date.parse(job.run_at)).toBeGreaterThan(Date.now());
    source.down = undefined;
    await until(async () => (await store.jobs.pending([RUN_TASK])) === 0, 15_000);
    expect(target.records.get('customer')?.size).toBe(5);
    const runs = await store.runs.list({ flow: flow.name });
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'failed']);
  });

  it('retries failed records through the retry job the engine schedules', async () => {
    source.put('customer', customer(1));
    target.writeFaults.push({ code: 'server', category: 'transient', message: 'Target answered 503' });
    const r = await engine.run(flow.name, { trigger: 'manual' });
    expect(r.counts.failed).toBe(1);
    worker.poke();
    await until(async () => (await store.records.get(flow.name, 'C1'))?.state === 'processed');
    await until(async () => (await store.jobs.pending()) === 0);
  });

  it('stopping gives back a claimed job for another worker', async () => {
    await worker.stop();
    await store.jobs.add({ task: RUN_TASK, payload: { flow: flow.name }, jobKey: 'x' });
    const [claimed] = await store.jobs.claim('dying-worker');
    expect(claimed).toBeDefined();
    expect(await store.jobs.release('dying-worker')).toBe(1);
    expect((await store.jobs.claim('other'))[0]?.attempts).toBe(1);
    await worker.start();
  });

  it('a schedule missed while no process ran runs once at start, and a new schedule misses nothing', async () => {
    await worker.stop();
    const hourly: Flow = { ...flow, schedule: '0 * * * *' };
    const now = new Date();
    const scheduler = new Scheduler(store, queue, logger);
    // Never seen before: nothing was missed.
    await scheduler.start([hourly], now);
    scheduler.stop();
    expect(await store.jobs.list()).toEqual([]);
    // Down for three hours: three ticks missed, one run.
    await store.schedules.fired(
      flow.name,
      '0 * * * *',
      new Date(now.getTime() - 3 * 3_600_000).toISOString(),
    );
    await scheduler.start([hourly], now);
    scheduler.stop();
    await scheduler.start([hourly], now);
    scheduler.stop();
    const jobs = await store.jobs.list();
    expect(jobs.map((j) => [j.task, j.job_key])).toEqual([[RUN_TASK, `run:${flow.name}`]]);
    expect(jobs[0]?.revision).toBe(0);
    // A changed schedule starts counting afresh.
    await store.schedules.fired(
      flow.name,
      '0 * * * *',
      new Date(now.getTime() - 3 * 3_600_000).toISOString(),
    );
    await scheduler.start([{ ...flow, schedule: '30 * * * *' }], now);
    scheduler.stop();
    expect((await store.jobs.list())[0]?.revision).toBe(0);
    await worker.start();
  });

  it('schedulers of several processes on one store queue each tick once, and a missed tick once', async () => {
    const added: string[] = [];
    const counting = {
      add: async (j: { payload: Record<string, unknown> }) => void added.push(String(j.payload.flow)),
    };
    const everySecond: Flow = { ...flow, schedule: '* * * * * *' };
    const processes = [0, 1, 2].map(() => new Scheduler(store, counting, logger));
    for (const s of processes) await s.start([everySecond]);
    await new Promise((r) => setTimeout(r, 2_600));
    for (const s of processes) s.stop();
    // Two or three ticks fell in that time; each was queued by one of the three.
    const last = await store.schedules.get(flow.name);
    expect(added.length).toBeGreaterThanOrEqual(2);
    expect(added.length).toBeLessThanOrEqual(3);
    expect(Date.parse(last!.fired_at) % 1000).toBe(0); // the tick itself, not when a timer fired
    // Down for a while; three processes start together: the missed ticks are made up once.
    added.length = 0;
    await store.schedules.fired(flow.name, '* * * * * *', new Date(Date.now() - 60_000).toISOString());
    const now = new Date();
    await Promise.all(processes.map((s) => s.start([everySecond], now)));
    for (const s of processes) s.stop();
    expect(added).toEqual([flow.name]);
  });
});

describe('tickAt', () => {
  it('names the scheduled instant a firing belongs to, however late its timer', () => {
    const at = new Date('2026-03-01T10:00:00.000Z');
    expect(tickAt('* * * * * *', new Date(at.getTime() + 420)).toISOString()).toBe(
      '2026-03-01T10:00:00.000Z',
    );
    expect(tickAt('*/5 * * * * *', new Date(at.getTime() + 7_300)).toISOString()).toBe(
      '2026-03-01T10:00:05.000Z',
    );
    expect(tickAt('0 * * * *', new Date(at.getTime() + 1_250)).toISOString()).toBe(
      '2026-03-01T10:00:00.000Z',
    );
  });
});
