import { sql } from 'kysely';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { MemoryConnector } from '../connectors/memory/index.js';
import { Engine, PAGE_TASK, RETRY_TASK } from '../engine/engine.js';
import { type Flow, flowDefaults } from '../engine/flow.js';
import { openStore, type Store } from '../store/index.js';
import { GraphileQueue } from './queue/graphile.js';
import { RunRecovery } from './recovery.js';

const logger = pino({ level: 'silent' });
const FLOW = 'a-b.customers';

/**
 * A page of a shared run whose worker was killed each time it took the page uses up the job's
 * attempts without a failure the handler could see, so the handler's "last attempt" accounting
 * never runs: the job would lie dead in the queue, its run never ending and its records (which
 * live only in the job) never synced. Recovery takes such pages out of the queue and ends them as
 * outcomes: the run ends with the reason, each record becomes a failed row that is retried.
 */
describe('a page whose every attempt died with its worker', () => {
  let tdb: TestDatabase;
  let store: Store;
  let queue: GraphileQueue;
  let engine: Engine;

  beforeEach(async () => {
    tdb = await createTestDatabase('postgres');
    store = await openStore(tdb.url);
    queue = await GraphileQueue.open(store, tdb.url, logger);
    const flow: Flow = {
      ...flowDefaults,
      name: FLOW,
      entity: 'customer',
      source: 'a',
      target: 'b',
      ownedFields: [],
    };
    engine = new Engine(
      store,
      new Map([[FLOW, flow]]),
      { get: (n) => new MemoryConnector(n) },
      logger,
      new Map(),
      queue,
    );
  });
  afterEach(async () => {
    await queue.close();
    await store.close();
    await tdb.drop();
  });

  it('ends its run with the reason and leaves each record a failed row due for retry, once however many sweep', async () => {
    const runId = await store.runs.start({
      flow: FLOW,
      trigger: 'manual',
      mode: 'process',
      filter: {},
      owner: 'x:1',
    });
    await store.runs.pagesQueued(runId, 1, undefined);
    const items = [
      { id: 'C1', updatedAt: '2026-12-01T00:00:00.000Z', data: {} },
      { id: 'C2', updatedAt: '2026-12-01T00:00:00.000Z', data: {} },
    ];
    await queue.add({
      task: PAGE_TASK,
      payload: { flow: FLOW, runId, page: 1, items },
      maxAttempts: 3,
      queue: null,
    });
    // Taken three times, each by a worker that was then killed (the lock given back by the heartbeat sweep).
    await sql`update graphile_worker._private_jobs set attempts = max_attempts, locked_at = null, locked_by = null`.execute(
      store.db,
    );
    expect(await queue.pending([PAGE_TASK])).toBe(0);

    const sweeps = [0, 1].map(() => new RunRecovery(() => engine, queue, logger).sweep());
    await Promise.all(sweeps);

    expect(await store.runs.get(runId)).toMatchObject({
      status: 'completed_with_failures',
      failed: 2,
      message: expect.stringMatching(
        /page 1 could not be processed: the worker processing it stopped .* 3 times/,
      ),
    });
    const rows = await store.records.getMany(FLOW, ['C1', 'C2']);
    for (const id of ['C1', 'C2'])
      expect(rows.get(id)).toMatchObject({ state: 'failed', error_category: 'transient', attempts: 1 });
    expect(rows.get('C1')?.next_attempt_at).toBeTruthy();
    const { rows: left } = await sql<{
      n: number;
    }>`select count(*)::int as n from graphile_worker._private_jobs j
      join graphile_worker._private_tasks t on t.id = j.task_id where t.identifier = ${PAGE_TASK}`.execute(
      store.db,
    );
    expect(left[0]?.n).toBe(0);
    // Their retry is queued, as for any transient failure.
    expect((await queue.waiting([RETRY_TASK])).map((j) => j.payload.flow)).toEqual([FLOW]);
  });

  it('a shared run whose pages were all in before its reader stopped is ended by the sweep', async () => {
    const runId = await store.runs.start({
      flow: FLOW,
      trigger: 'manual',
      mode: 'process',
      filter: {},
      owner: 'x:1',
    });
    const page = { read: 3, created: 3, updated: 0, unchanged: 0, skipped: 0, failed: 0, waiting: 0 };
    await store.runs.pageDone(runId, 1, page, 'w1');
    await store.runs.pagesQueued(runId, 1, undefined);
    await new RunRecovery(() => engine, queue, logger).sweep();
    expect(await store.runs.get(runId)).toMatchObject({ status: 'succeeded', read_count: 3 });
  });
});
