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
  recordFigures,
  report,
  seconds,
  sleep,
  TcpProxy,
  until,
  Workers,
} from '../support/fault-kit.js';

const FLOW = 'acumatica-magento.customers';
const CUSTOMERS = 600;
const DOWN_MS = 30_000;
const RETRY_CAP_SECONDS = 5;

/**
 * Fault scenario 3: Magento is off the network for 30 s in the middle of a run (its listener closed,
 * every connection cut: callers meet "connection refused"). Records fail as transient and are
 * retried with the flow's capped backoff (cap 5 s), never given up on (maxAttempts 100); once
 * Magento is back everything lands, once, within about a retry cap.
 */
describe('fault: the target down for 30 s', () => {
  let env: SyncEnvironment;
  let proxy: TcpProxy;
  let store: Store;
  let queue: GraphileQueue;
  let workers: Workers;

  beforeAll(async () => {
    env = await startSyncEnvironment({
      customers: CUSTOMERS,
      products: 0,
      dialect: 'postgres',
      seed: 13,
      magentoLatencyMs: 10,
    });
    proxy = await TcpProxy.start(env.magento.url);
    env.writeConfig(
      { pageSize: 50, retryBaseSeconds: 1, retryCapSeconds: RETRY_CAP_SECONDS, maxAttempts: 100 },
      { baseUrl: proxy.url, timeoutMs: 2_000 },
    );
    store = await openStore(env.db.url);
    queue = await GraphileQueue.open(store, env.db.url, pino({ level: 'silent' }));
    workers = new Workers({ LEDGERLINK_CONFIG: env.configPath, LEDGERLINK_WORKER_TIMEOUT: '3' }, 2);
  });
  afterAll(async () => {
    workers?.killAll();
    await proxy?.down();
    await queue?.close();
    await store?.close();
    await env?.close();
  });

  it('records fail transiently while it is down, are retried, and all land once after it returns', async () => {
    await Promise.all([workers.spawn().started, workers.spawn().started]);
    const started = Date.now();
    await queue.add({ task: RUN_TASK, payload: { flow: FLOW, trigger: 'manual' }, jobKey: `run:${FLOW}` });
    await until(
      () => env.magento.customers.size >= 100,
      60_000,
      'the first 100 customers to land',
      () => `${env.magento.customers.size} landed`,
    );
    await proxy.down();
    const downAt = Date.now();
    // A write already in Magento's hands when the connections were cut still completes there.
    await sleep(500);
    const landedBefore = env.magento.customers.size;
    await sleep(DOWN_MS - 500);
    const landedWhileDown = env.magento.customers.size - landedBefore;
    const failedWhileDown = await recordFigures(store, FLOW);
    await proxy.up();
    const upAt = Date.now();

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
      what: `all ${CUSTOMERS} customers to land after Magento returned`,
      describe: describeState,
    });
    report('target down', {
      records: CUSTOMERS,
      landedBeforeDown: landedBefore,
      landedWhileDown,
      downSeconds: seconds(upAt - downAt),
      recordsFailedWhileDown: failedWhileDown.recordsRetried,
      failedAttempts: figures.failedAttempts,
      transientFailures: figures.transientFailures,
      recordsRetried: figures.recordsRetried,
      secondsToDrainAfterReturn: seconds(toLand),
      queueDrainSeconds: seconds(drained),
      magentoCustomers: all.length,
      duplicates,
      runRows: figures.runs,
      seconds: seconds(Date.now() - started),
    });

    expect(landedWhileDown).toBe(0);
    expect(figures.recordsRetried, 'records failed while Magento was down, and were retried').toBeGreaterThan(
      0,
    );
    expect(figures.transientFailures).toBe(figures.failedAttempts);
    expect(all).toHaveLength(CUSTOMERS);
    expect(duplicates).toBe(0);
    expect(figures.states).toEqual({ processed: CUSTOMERS });
    // Back within about a retry cap (plus the retry's own work), not after a long backoff.
    expect(toLand).toBeLessThan((RETRY_CAP_SECONDS + 20) * 1000);
    expect(await queueState(store)).toEqual({ pending: {}, locked: 0, dead: 0, runningRuns: 0 });
    expect(workers.living()).toHaveLength(2);
    expect(await workers.stopAll()).toEqual([0, 0]);
    expect(env.magento.kit.violations).toEqual([]);
    expect(env.acumatica.kit.violations).toEqual([]);
  });
});
