import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphileQueue } from '../src/runtime/queue/graphile.js';
import { RUN_TASK } from '../src/runtime/worker.js';
import { openStore } from '../src/store/index.js';
import { postgresDatabase } from './databases.js';
import {
  type CallRecord,
  callCounter,
  callsOf,
  deadline,
  magentoCustomers,
  procStats,
  quiet,
  report,
  sleep,
  spawnCli,
  started,
  startSandbox,
  stderrOf,
  stop,
  writeConfig,
} from './support.js';

/**
 * Scale-out: one flow run of N customers, Acumatica sandbox to Magento sandbox, each call 50 ms
 * late as a remote system's would be, run by 1, 2 and 4 `ledgerlink worker` processes on one
 * PostgreSQL store. Timed from the job being queued until the Magento sandbox holds every customer;
 * then the target is checked for duplicates. Every sub-run starts from nothing (new database, new
 * sandboxes), so none inherits another's links or sessions.
 * `node dist/bench/workers.js [customers=1000] [workers=1,2,4]`; BENCH_WORKER_CONCURRENCY (default 4),
 * BENCH_MAGENTO_CONCURRENCY (default: the manifest's), BENCH_PAGE_SIZE (default 25).
 */
const N = Number(process.argv[2] ?? 1000);
const COUNTS = (process.argv[3] ?? '1,2,4').split(',').map(Number);
const CONCURRENCY = Number(process.env.BENCH_WORKER_CONCURRENCY ?? 4);
const MAGENTO_CONCURRENCY = Number(process.env.BENCH_MAGENTO_CONCURRENCY ?? 0);
const PAGE_SIZE = Number(process.env.BENCH_PAGE_SIZE ?? 25);
const LATENCY_MS = 50;
const FLOW = 'acumatica-magento.customers';
const RUN_LIMIT_MS = 240_000;
/** A run whose target has not grown for this long has stopped (a failed run or job); it is given up. */
const STALL_MS = 30_000;
deadline(COUNTS.length * (RUN_LIMIT_MS / 1000 + 60));

function inFlight(calls: CallRecord[], seconds: number): number {
  const busy = calls.filter((c) => !c.path.includes('/auth/')).reduce((ms, c) => ms + c.at - c.arrivedAt, 0);
  return Number((busy / 1000 / seconds).toFixed(1));
}

async function subRun(workers: number) {
  const db = await postgresDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-bench-'));
  const latency = ['--latency-ms', String(LATENCY_MS)];
  const acumatica = await startSandbox('acumatica', [
    '--customers',
    String(N),
    '--products',
    '0',
    ...latency,
  ]);
  const magento = await startSandbox('magento', ['--customers', '0', '--products', '0', ...latency]);
  const configPath = join(dir, 'ledgerlink.yaml');
  writeConfig(configPath, {
    database: db.url,
    acumatica,
    magento,
    // Pages of 25 (BENCH_PAGE_SIZE) so that a run has 40 pages to share; no schedule, so the queued
    // run is the only one.
    flows: { [FLOW]: { pageSize: PAGE_SIZE, schedule: null } },
    // The connection's concurrency (Magento's manifest: 8, shared by all processes) is what binds
    // here; BENCH_MAGENTO_CONCURRENCY raises it to see how far the workers alone would go.
    ...(MAGENTO_CONCURRENCY ? { magentoRateLimit: { concurrency: MAGENTO_CONCURRENCY } } : {}),
  });
  // Migrated here, once, before any worker opens it; the queue is how serve and the intake add work.
  const store = await openStore(db.url);
  const queue = await GraphileQueue.open(store, db.url, quiet);
  const procs = Array.from({ length: workers }, () =>
    spawnCli(['worker', '--concurrency', String(CONCURRENCY), '--json'], { LEDGERLINK_CONFIG: configPath }),
  );
  try {
    await Promise.all(procs.map((p) => started(p)));
    const t0 = performance.now();
    const createsAnswered = callCounter(magento, (c) => c.method === 'POST' && c.status === 200);
    await queue.add({ task: RUN_TASK, payload: { flow: FLOW, trigger: 'manual' }, jobKey: `run:${FLOW}` });
    let held = 0;
    let grewAt = t0;
    while (held < N && performance.now() - t0 < RUN_LIMIT_MS && performance.now() - grewAt < STALL_MS) {
      await sleep(100);
      // The sandbox's own count of answered creates: asked outside its API, so the 50 ms latency and
      // the in-flight figures below are the run's alone. The API's count is checked after.
      const now = await createsAnswered();
      if (now > held) grewAt = performance.now();
      held = now;
    }
    const seconds = (performance.now() - t0) / 1000;
    const perWorker = procs.map((p) => procStats(p.pid!));
    await Promise.all(procs.map(stop));
    const target = await magentoCustomers(magento);
    const magentoCalls = await callsOf(magento);
    const creates = magentoCalls.filter((c) => c.method === 'POST' && c.path.endsWith('/customers'));
    const complete = held >= N && target.total >= N;
    if (!complete) for (const p of procs) process.stderr.write(`worker ${p.pid}: ${stderrOf(p)}\n`);
    return {
      workers,
      complete,
      seconds,
      recordsPerSecond: held / seconds,
      onTarget: target.total,
      duplicates: target.total - new Set(target.emails).size,
      // The sandbox refuses a second customer with the same e-mail, as Magento does: a double create
      // shows here (and as a failed record) rather than as a duplicate.
      createsRefused: creates.filter((c) => c.status >= 400).length,
      records: await store.records.countByState(FLOW),
      // Calls each sandbox had in hand on average while the run lasted: against the connection's
      // concurrency (Magento 8, Acumatica 4, shared by every process on PostgreSQL) it shows what binds.
      inFlight: {
        magento: inFlight(magentoCalls, seconds),
        acumatica: inFlight(await callsOf(acumatica), seconds),
      },
      workerPeakRssMb: perWorker.map((s) => s?.peakRssMb),
      workerCpuSeconds: perWorker.map((s) => s?.cpuSeconds),
    };
  } finally {
    await Promise.all(procs.map(stop));
    await queue.close();
    await store.close();
    await Promise.all([stop(acumatica.child), stop(magento.child)]);
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const runs = [];
for (const w of COUNTS) runs.push(await subRun(w));
const one = runs.find((r) => r.workers === 1);
report({
  customers: N,
  latencyMs: LATENCY_MS,
  pageSize: PAGE_SIZE,
  concurrencyPerWorker: CONCURRENCY,
  magentoConcurrency: MAGENTO_CONCURRENCY || 'manifest',
  runs: runs.map((r) => ({ ...r, ratioToOne: one ? one.seconds / r.seconds : undefined })),
});
