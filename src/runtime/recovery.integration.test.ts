import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../test/support/databases.js';
import { MemoryConnector } from '../connectors/memory/index.js';
import { Engine } from '../engine/engine.js';
import { openStore, type Store } from '../store/index.js';
import { EmbeddedQueue } from './queue/embedded.js';
import { RunRecovery } from './recovery.js';
import { RUN_TASK } from './worker.js';

const logger = pino({ level: 'silent' });

/** The pid of a process of this host that has ended. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

/**
 * What a dead process left behind is taken up without a person: its locked jobs go back to the
 * queue, its runs are marked interrupted with how far they got, and their work is queued again
 * unless their own job is still queued.
 */
describe.each(DIALECTS)('run recovery on %s', (dialect) => {
  let tdb: TestDatabase;
  let store: Store;
  let queue: EmbeddedQueue;
  let recovery: RunRecovery;

  beforeEach(async () => {
    tdb = await createTestDatabase(dialect);
    store = await openStore(tdb.url);
    queue = new EmbeddedQueue(store, logger);
    const engine = new Engine(store, new Map(), { get: (n) => new MemoryConnector(n) }, logger);
    recovery = new RunRecovery(() => engine, queue, logger);
  });
  afterEach(async () => {
    await store.close();
    await tdb.drop();
  });

  const startRun = async (
    flow: string,
    owner: string,
    o: { mode?: string; filter?: unknown; startedBy?: string; request?: string } = {},
  ) => {
    const id = await store.runs.start({
      flow,
      trigger: 'manual',
      mode: o.mode ?? 'process',
      filter: o.filter ?? { pageSize: 10, since: '2026-01-01T00:00:00.000Z' },
      owner,
      ...(o.startedBy ? { startedBy: o.startedBy } : {}),
      ...(o.request ? { request: o.request } : {}),
    });
    await store.runs.progress(
      id,
      { read: 100, created: 100, updated: 0, unchanged: 0, skipped: 0, failed: 0, waiting: 0 },
      400,
    );
    return id;
  };

  it("a killed process's run is interrupted and its own job, locked by the dead worker, runs again", async () => {
    const pid = deadPid();
    const id = await startRun('a-b.products', `${hostname()}:${pid}`);
    await queue.add({
      task: RUN_TASK,
      payload: { flow: 'a-b.products', trigger: 'manual' },
      jobKey: 'run:x',
    });
    await store.jobs.claim(`${hostname()}:${pid}:worker`, { tasks: [RUN_TASK] });
    expect((await queue.waiting([RUN_TASK]))[0]?.running).toBe(true);

    expect(await recovery.sweep()).toBe(1);
    const run = await store.runs.get(id);
    expect(run?.status).toBe('interrupted');
    expect(run?.message).toBe(
      `the process running it (${hostname()}:${pid}) stopped after 100 of 400 records; the run was taken up again`,
    );
    // Its job is free to run again (the attempt the dead worker made counts), and no second job came.
    const waiting = await queue.waiting([RUN_TASK]);
    expect(waiting.map((j) => [j.running, j.payload.flow])).toEqual([[false, 'a-b.products']]);
    // A second pass finds nothing more to do.
    expect(await recovery.sweep()).toBe(0);
  });

  it('a run with no job left (a CLI killed, or another host silent) is queued again with its filter and mode', async () => {
    // Started from a batch screen: the run taken up keeps who and the request the screen follows.
    const cli = await startRun('a-b.products', `${hostname()}:${deadPid()}`, {
      startedBy: 'anna',
      request: 'req-1',
    });
    const elsewhere = await startRun('a-b.customers', 'another-host:4242', {
      mode: 'incremental',
      filter: { pageSize: 10 },
    });
    const alive = await startRun('a-b.orders', 'another-host:4343');
    // Only the other host's second run has been silent for longer than a minute.
    await store.db
      .updateTable('runs')
      .set({ heartbeat_at: new Date(Date.now() - 5 * 60_000).toISOString() })
      .where('id', '=', elsewhere)
      .execute();

    expect(await recovery.sweep()).toBe(2);
    expect((await store.runs.get(cli))?.status).toBe('interrupted');
    expect((await store.runs.get(elsewhere))?.status).toBe('interrupted');
    expect((await store.runs.get(alive))?.status).toBe('running');
    const jobs = (await queue.waiting([RUN_TASK]))
      .map((j) => j.payload)
      .sort((a, b) => String(a.flow).localeCompare(String(b.flow)));
    expect(jobs).toEqual([
      { flow: 'a-b.customers', trigger: 'manual', query: {}, incremental: true, resumes: elsewhere },
      {
        flow: 'a-b.products',
        trigger: 'manual',
        query: { since: '2026-01-01T00:00:00.000Z' },
        incremental: false,
        resumes: cli,
        startedBy: 'anna',
        request: 'req-1',
      },
    ]);
  });
});
