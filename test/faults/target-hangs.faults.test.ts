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
  sleep,
  until,
  Workers,
} from '../support/fault-kit.js';

const FLOW = 'acumatica-magento.customers';
const CUSTOMERS = 300;
const HANG_MS = 12_000;
const TIMEOUT_MS = 1_000;

/**
 * Fault scenario 4: Magento accepts connections but answers nothing for 12 s. The connection's
 * timeout is 1 s: each silent call times out, lookups are repeated by the HTTP client, writes come
 * back to the engine as transient failures and are retried by it after looking the record up — so
 * nothing is written twice, no job stays held and no run stays 'running'.
 */
describe('fault: the target hangs', () => {
  let env: SyncEnvironment;
  let store: Store;
  let queue: GraphileQueue;
  let workers: Workers;

  beforeAll(async () => {
    env = await startSyncEnvironment({
      customers: CUSTOMERS,
      products: 0,
      dialect: 'postgres',
      seed: 14,
      magentoLatencyMs: 10,
    });
    env.writeConfig(
      { pageSize: 25, retryBaseSeconds: 0.5, retryCapSeconds: 3, maxAttempts: 100 },
      { timeoutMs: TIMEOUT_MS },
    );
    store = await openStore(env.db.url);
    queue = await GraphileQueue.open(store, env.db.url, pino({ level: 'silent' }));
    workers = new Workers({ LEDGERLINK_CONFIG: env.configPath, LEDGERLINK_WORKER_TIMEOUT: '3' }, 2);
  });
  afterAll(async () => {
    workers?.killAll();
    env?.magento.kit.clearFaults();
    await queue?.close();
    await store?.close();
    await env?.close();
  });

  it('silent calls time out and are retried; every record lands once; nothing stays held or running', async () => {
    await Promise.all([workers.spawn().started, workers.spawn().started]);
    const started = Date.now();
    await queue.add({ task: RUN_TASK, payload: { flow: FLOW, trigger: 'manual' }, jobKey: `run:${FLOW}` });
    await until(
      () => env.magento.customers.size >= 50,
      60_000,
      'the first 50 customers to land',
      () => `${env.magento.customers.size} landed`,
    );
    const { kit } = env.magento;
    kit.injectFault({ kind: 'hang' }); // every API call, until cleared
    const hangAt = Date.now();
    await sleep(HANG_MS);
    kit.clearFaults();
    const answeredAt = Date.now();
    const hung = kit.calls.filter((c) => c.status === 0).length;

    const describeState = async () =>
      JSON.stringify({
        magento: env.magento.customers.size,
        records: await store.records.countByState(FLOW),
        living: workers.living().length,
        detail: await jobsDetail(store),
      });
    const { toLand, drained, figures, all, duplicates } = await landAndDrain({
      store,
      flow: FLOW,
      count: CUSTOMERS,
      customers: () => [...env.magento.customers.values()],
      what: `all ${CUSTOMERS} customers to land once Magento answered again`,
      describe: describeState,
    });
    report('target hangs', {
      records: CUSTOMERS,
      hangSeconds: seconds(answeredAt - hangAt),
      timeoutMs: TIMEOUT_MS,
      hungCalls: hung,
      failedAttempts: figures.failedAttempts,
      transientFailures: figures.transientFailures,
      recordsRetried: figures.recordsRetried,
      secondsToLandAfterHang: seconds(toLand),
      queueDrainSeconds: seconds(drained),
      magentoCustomers: all.length,
      duplicates,
      runRows: figures.runs,
      seconds: seconds(Date.now() - started),
    });

    expect(hung, 'calls Magento left unanswered').toBeGreaterThan(0);
    expect(figures.recordsRetried, 'records failed by timeouts, and were retried').toBeGreaterThan(0);
    expect(figures.transientFailures).toBe(figures.failedAttempts);
    expect(all).toHaveLength(CUSTOMERS);
    expect(duplicates).toBe(0);
    expect(figures.states).toEqual({ processed: CUSTOMERS });
    expect(await queueState(store)).toEqual({ pending: {}, locked: 0, dead: 0, runningRuns: 0 });
    expect(workers.living()).toHaveLength(2);
    expect(await workers.stopAll()).toEqual([0, 0]);
    expect(env.magento.kit.violations).toEqual([]);
    expect(env.acumatica.kit.violations).toEqual([]);
  });
});
