import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphileQueue } from '../../src/runtime/queue/graphile.js';
import { RUN_TASK } from '../../src/runtime/worker.js';
import { openStore, type Store } from '../../src/store/index.js';
import { type SyncEnvironment, startSyncEnvironment } from '../support/environment.js';
import {
  jobsDetail,
  landAndDrain,
  queueState,
  report,
  seconds,
  until,
  Workers,
} from '../support/fault-kit.js';
import { type PrivatePostgres, startPrivatePostgres } from '../support/private-postgres.js';

const FLOW = 'acumatica-magento.customers';
const CUSTOMERS = 800;
const DOWN_MS = 3_000;

/**
 * Fault scenario 2: the store's PostgreSQL server restarts (fast shutdown, 3 s down) in the middle
 * of a run that two `ledgerlink worker` processes carry. The server is a private cluster of this
 * test's own, never the machine's shared one. The run, or the job's next attempt, completes: every
 * customer lands once, nothing stays locked or running, and the workers are still there.
 */
describe('fault: PostgreSQL restarted mid-run', () => {
  let cluster: PrivatePostgres;
  let env: SyncEnvironment;
  let store: Store;
  let queue: GraphileQueue;
  let workers: Workers;

  beforeAll(async () => {
    cluster = await startPrivatePostgres();
    const database = await cluster.createDatabase('ledgerlink_faults');
    env = await startSyncEnvironment({
      customers: CUSTOMERS,
      products: 0,
      dialect: 'postgres',
      database,
      seed: 12,
      magentoLatencyMs: 8,
    });
    env.writeConfig({ pageSize: 50, retryBaseSeconds: 0.5, retryCapSeconds: 3, maxAttempts: 100 });
    store = await openStore(env.db.url);
    queue = await GraphileQueue.open(store, env.db.url, pino({ level: 'silent' }));
    workers = new Workers({ LEDGERLINK_CONFIG: env.configPath, LEDGERLINK_WORKER_TIMEOUT: '3' }, 2);
  });
  afterAll(async () => {
    workers?.killAll();
    await queue?.close().catch(() => undefined);
    await store?.close().catch(() => undefined);
    await env?.close();
    await cluster?.destroy();
  });

  it('the run completes after the restart: every customer once, nothing held, the workers alive', async () => {
    await Promise.all([workers.spawn().started, workers.spawn().started]);
    const started = Date.now();
    await queue.add({ task: RUN_TASK, payload: { flow: FLOW, trigger: 'manual' }, jobKey: `run:${FLOW}` });
    await until(
      () => env.magento.customers.size >= CUSTOMERS / 4,
      60_000,
      `a quarter of the ${CUSTOMERS} customers to land before the restart`,
      () => `${env.magento.customers.size} landed`,
    );
    const landedBefore = env.magento.customers.size;
    const restartAt = Date.now();
    await cluster.restart(DOWN_MS);
    const backAt = Date.now();
    const landedWhileDown = env.magento.customers.size - landedBefore;

    const describeState = async () =>
      JSON.stringify({
        magento: env.magento.customers.size,
        records: await store.records.countByState(FLOW),
        living: workers.living().length,
        queue: await queueState(store),
        detail: await jobsDetail(store),
        workerErrors: workers.spawned.map((w) => w.stderr().slice(-1_500)),
        server: cluster.log().slice(-1_500),
      });
    const { toLand, drained, figures, all, duplicates } = await landAndDrain({
      store,
      flow: FLOW,
      count: CUSTOMERS,
      customers: () => [...env.magento.customers.values()],
      what: `all ${CUSTOMERS} customers to land after the restart`,
      describe: describeState,
      landTimeoutMs: 90_000,
      // No worker left to finish the run: say so now rather than at the end of the wait.
      giveUpIf: () => {
        if (workers.living().length === 0)
          throw new Error(
            `every worker died after the restart:\n${workers.spawned.map((w) => w.stderr().slice(-2_000)).join('\n---\n')}`,
          );
      },
    });
    report('postgres restart', {
      records: CUSTOMERS,
      landedBeforeRestart: landedBefore,
      landedWhileDown,
      restartSeconds: seconds(backAt - restartAt),
      secondsToLandAfterRestart: seconds(toLand),
      drainSeconds: seconds(drained),
      magentoCustomers: all.length,
      duplicates,
      runRows: figures.runs,
      failedAttempts: figures.failedAttempts,
      recordsRetried: figures.recordsRetried,
      workersAlive: workers.living().length,
      seconds: seconds(Date.now() - started),
    });

    expect(all).toHaveLength(CUSTOMERS);
    expect(duplicates).toBe(0);
    expect(figures.states).toEqual({ processed: CUSTOMERS });
    expect(await queueState(store)).toEqual({ pending: {}, locked: 0, dead: 0, runningRuns: 0 });
    expect(figures.runs.succeeded ?? 0, 'a run (or its retry) completed').toBeGreaterThanOrEqual(1);
    // Neither worker died of the lost connections, and both stop cleanly.
    const dead = workers.spawned.filter((w) => !w.alive());
    expect(
      dead.map((w) => `exit ${w.child.exitCode ?? w.child.signalCode}: ${w.stderr().slice(-3_000)}`),
      'workers that died',
    ).toEqual([]);
    const codes = await workers.stopAll();
    expect(codes, workers.spawned.map((w) => w.stderr().slice(-1_500)).join('\n---\n')).toEqual([0, 0]);
    expect(env.magento.kit.violations).toEqual([]);
    expect(env.acumatica.kit.violations).toEqual([]);
  });
});
