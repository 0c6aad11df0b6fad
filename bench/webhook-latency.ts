import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { SANDBOX_CREDENTIALS } from '../src/connectors/acumatica/sandbox/index.js';
import { SANDBOX_PUSH_SECRET } from '../src/connectors/sandboxes.js';
import { openContext } from '../src/runtime/context.js';
import { openStore } from '../src/store/index.js';
import {
  acumaticaCookie,
  callCounter,
  callsOf,
  deadline,
  percentile,
  procStats,
  quiet,
  report,
  sleep,
  spawnCli,
  started,
  startSandbox,
  stop,
  writeConfig,
} from './support.js';

/**
 * Webhook received → target write started, at a steady rate of events. `ledgerlink serve` (its own
 * process, SQLite, its embedded worker) has synced the Acumatica sandbox's customers to the Magento
 * sandbox; then, E times a second for S seconds, one customer's credit limit is changed in Acumatica
 * (its API, as a person saving it would) and an Acumatica push notification naming it is sent to
 * `POST /hooks/acumatica`. Each customer is changed once, so the first PUT of its Magento customer
 * after the send is that event's write; the Magento sandbox stamps each request's arrival. The
 * first `BENCH_WARMUP_S` seconds (default 2) go to other customers at the same rate and are reported
 * apart (`warmUp`).
 * `node dist/bench/webhook-latency.js [E=200] [S=10]`.
 */
const RATE = Number(process.argv[2] ?? 200);
const SECONDS = Number(process.argv[3] ?? 10);
const EVENTS = RATE * SECONDS;
// Events sent first, at the same rate, to customers of their own, and not measured: a server takes
// webhooks for days after it starts, and its first second (code not yet compiled by V8, first logins,
// first statements) is a cost paid once, reported apart as `warmUp`.
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_S ?? 2);
const WARM = Math.round(RATE * WARMUP_SECONDS);
const FLOW = 'acumatica-magento.customers';
const SETTLE_MS = 30_000;
deadline(SECONDS + WARMUP_SECONDS + 180);

const loadAtStart = Number(loadavg()[0]!.toFixed(2));
const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-bench-'));
const acumatica = await startSandbox('acumatica', ['--customers', String(EVENTS + WARM), '--products', '0']);
const magento = await startSandbox('magento', ['--customers', '0', '--products', '0']);
const database = `sqlite:${join(dir, 'bench.db')}`;
const configPath = join(dir, 'ledgerlink.yaml');
writeConfig(configPath, { database, acumatica, magento, flows: { [FLOW]: { schedule: null } } });

// The customers are on Magento first, so every event is an update of one the link table knows.
const ctx = await openContext({ configPath, logger: quiet });
const initial = await ctx.engine.run(FLOW, { trigger: 'batch', incremental: true });
const links = await ctx.store.db
  .selectFrom('sync_records')
  .select(['source_id', 'target_id'])
  .where('flow', '=', FLOW)
  .execute();
await ctx.close();
if (initial.counts.created !== EVENTS + WARM)
  throw new Error(`initial sync created ${initial.counts.created}`);
const sourceOf = new Map(links.map((l) => [String(l.target_id), l.source_id]));
const customerIds = links.map((l) => l.source_id);

const serve = spawnCli(['serve', '--port', '0', '--json'], {
  LEDGERLINK_CONFIG: configPath,
  LEDGERLINK_ADMIN_PASSWORD: 'bench-admin-password-1',
});
const { url } = await started<{ url: string }>(serve);

const cookie = await acumaticaCookie(acumatica.url);

const sentAt = new Map<string, number>();
const warmSentAt = new Map<string, number>();
const ackMs: number[] = [];
let refused = 0;

async function event(i: number, into: Map<string, number>): Promise<void> {
  const id = customerIds[i]!;
  // undici's request rather than fetch: the sender shares the two cores with what it measures, and
  // fetch's streams cost it about twice the CPU per request.
  const put = await request(`${acumatica.url}/entity/Default/24.200.001/Customer`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ CustomerID: { value: id }, CreditLimit: { value: 50_000 + i } }),
  });
  await put.body.dump();
  const row = { CustomerID: id };
  const body = JSON.stringify({
    Inserted: [row],
    Deleted: [row],
    Query: 'LL-Customers',
    CompanyId: SANDBOX_CREDENTIALS.company,
    Id: `bench-${i}`,
    TimeStamp: Date.now(),
    AdditionalInfo: {},
  });
  const t = Date.now();
  into.set(id, t);
  const res = await request(`${url}/hooks/acumatica`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-ledgerlink-token': SANDBOX_PUSH_SECRET },
    body,
  });
  await res.body.dump();
  ackMs.push(Date.now() - t);
  if (res.statusCode !== 202) refused++;
}

// CPU of every process on the path, so a saturated machine shows as such.
const cpuOf = () => ({
  serve: procStats(serve.pid!)?.cpuSeconds ?? 0,
  acumatica: procStats(acumatica.child.pid!)?.cpuSeconds ?? 0,
  magento: procStats(magento.child.pid!)?.cpuSeconds ?? 0,
  sender: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
});
/** `count` events from customer `from` on, `RATE` a second, paced on the clock, not on the answers. */
async function paced(from: number, count: number, into: Map<string, number>): Promise<number> {
  const start = performance.now();
  const inFlight: Array<Promise<void>> = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    inFlight.push(event(from + i, into));
  }
  await Promise.all(inFlight);
  return (performance.now() - start) / 1000;
}

const isCustomerPut = (c: { method: string; path: string }) =>
  c.method === 'PUT' && /\/V1\/customers\/\d+$/.test(c.path);
/** Waits until Magento has had `n` customer PUTs in all, or `SETTLE_MS` passed. */
async function settled(n: number): Promise<void> {
  const from = performance.now();
  let writes = 0;
  const customerPuts = callCounter(magento, isCustomerPut);
  while (writes < n && performance.now() - from < SETTLE_MS) {
    await sleep(250);
    writes = await customerPuts();
  }
}

// The warm-up: the customers after the measured ones, written before measuring starts.
if (WARM > 0) {
  await paced(EVENTS, WARM, warmSentAt);
  await settled(WARM);
  ackMs.length = 0;
  refused = 0;
}
const before = cpuOf();
const t0 = performance.now();
const sendSeconds = await paced(0, EVENTS, sentAt);
await settled(WARM + EVENTS);
const after = cpuOf();
// What the path cost in calls: Acumatica re-reads (its PUTs are the sender's) and Magento's.
const epoch = Date.now() - (performance.now() - t0);
const during = async (sb: typeof acumatica) => {
  const byKind: Record<string, number> = {};
  for (const c of await callsOf(sb))
    if (c.arrivedAt >= epoch) {
      const kind = `${c.method} ${c.path.replace(/\/\d+$|\/[A-Z]\w*\d\w*$/, '/{id}').replace(/^.*\/(V1|24\.200\.001)\//, '')}`;
      byKind[kind] = (byKind[kind] ?? 0) + 1;
    }
  return byKind;
};
const callsDuring = { acumatica: await during(acumatica), magento: await during(magento) };
const busySeconds = (performance.now() - t0) / 1000;
const servePeakRssMb = procStats(serve.pid!)?.peakRssMb;
// Each customer's first Magento call and its PUT after the send, by source id: the PUT is the write
// itself (and the connector's only call about the customer; a store before 2.4 would add a read
// first, which the first-call figures would show). The warm-up's customers, apart.
const magentoCalls = await callsOf(magento);
const firstCallAt = new Map<string, number>();
const putAt = new Map<string, number>();
const warmPutAt = new Map<string, number>();
for (const c of magentoCalls) {
  if (!/\/V1\/customers\/\d+$/.test(c.path)) continue;
  const source = sourceOf.get(c.path.slice(c.path.lastIndexOf('/') + 1));
  if (!source) continue;
  const sent = sentAt.get(source);
  if (sent !== undefined && c.arrivedAt >= sent) {
    if (!firstCallAt.has(source)) firstCallAt.set(source, c.arrivedAt);
    if (c.method === 'PUT' && !putAt.has(source)) putAt.set(source, c.arrivedAt);
  }
  const warmSent = warmSentAt.get(source);
  if (warmSent !== undefined && c.arrivedAt >= warmSent && c.method === 'PUT' && !warmPutAt.has(source))
    warmPutAt.set(source, c.arrivedAt);
}
await stop(serve);

// The inbox says when each delivery was stored and when its job had finished with it.
const store = await openStore(database);
const measuredFrom = new Date(epoch).toISOString();
const inbox = await store.db
  .selectFrom('webhook_inbox')
  .select(['received_at', 'processed_at', 'events'])
  .where('received_at', '>=', measuredFrom)
  .execute();
// Each inbox job is one run of the flow over the ids it drained: how many, how big, how long.
const runs = await store.db
  .selectFrom('runs')
  .select(['started_at', 'finished_at', 'read_count'])
  .where('trigger', '=', 'webhook')
  .where('started_at', '>=', measuredFrom)
  .execute();
await store.close();
const runMs = runs.map((r) => Date.parse(r.finished_at ?? r.started_at) - Date.parse(r.started_at));
const processedMs = inbox
  .filter((r) => r.processed_at)
  .map((r) => Date.parse(r.processed_at!) - Date.parse(r.received_at))
  .sort((a, b) => a - b);

await Promise.all([stop(acumatica.child), stop(magento.child)]);
rmSync(dir, { recursive: true, force: true });

ackMs.sort((a, b) => a - b);
// Where each event's time went: sent → stored in the inbox (the intake) → first Magento call about
// it (the drain: picked up, re-read from Acumatica, planned) → its PUT.
const storedAt = new Map<string, number>();
for (const r of inbox) {
  const ev = r.events ? (JSON.parse(r.events) as Array<{ id: string }>) : [];
  for (const e of ev) storedAt.set(e.id, Date.parse(r.received_at));
}
const stage = (from: Map<string, number>, to: Map<string, number>) =>
  [...to].flatMap(([id, t]) => (from.has(id) ? [t - from.get(id)!] : [])).sort((a, b) => a - b);
const latencies = stage(sentAt, putAt);
const firstCall = stage(sentAt, firstCallAt);
const warmUp = stage(warmSentAt, warmPutAt);
const stages = {
  intake: stage(sentAt, storedAt),
  drain: stage(storedAt, firstCallAt),
  write: stage(firstCallAt, putAt),
};
const dist = (xs: number[]) => ({
  p50: percentile(xs, 0.5),
  p90: percentile(xs, 0.9),
  p99: percentile(xs, 0.99),
  max: xs.at(-1),
});
// A small histogram of received → write started: how many events in each band.
const BANDS = [25, 50, 100, 200, 500, 1000, 2000, 5000];
const histogram: Record<string, number> = {};
for (const ms of latencies) {
  const band = BANDS.find((b) => ms < b);
  const key = band === undefined ? `≥${BANDS.at(-1)}` : `<${band}`;
  histogram[key] = (histogram[key] ?? 0) + 1;
}
const machine = { loadAverage1m: Number(loadavg()[0]!.toFixed(2)), loadAtStart, cores: cpus().length };
report({
  rate: RATE,
  events: EVENTS,
  sendSeconds,
  achievedRate: EVENTS / sendSeconds,
  refused,
  writes: latencies.length,
  p50Ms: percentile(latencies, 0.5),
  p90Ms: percentile(latencies, 0.9),
  p99Ms: percentile(latencies, 0.99),
  maxMs: latencies.at(-1),
  histogram,
  stages: { intake: dist(stages.intake), drain: dist(stages.drain), write: dist(stages.write) },
  // The first seconds after `serve` started, not in the figures above.
  warmUp: { seconds: WARMUP_SECONDS, events: WARM, writes: warmUp.length, ...dist(warmUp) },
  machine,
  firstCallP50Ms: percentile(firstCall, 0.5),
  firstCallP99Ms: percentile(firstCall, 0.99),
  intakeAckP50Ms: percentile(ackMs, 0.5),
  intakeAckP99Ms: percentile(ackMs, 0.99),
  inboxProcessedP50Ms: percentile(processedMs, 0.5),
  inboxProcessedP99Ms: percentile(processedMs, 0.99),
  callsDuring,
  webhookRuns: runs.length,
  recordsPerRun: runs.reduce((n, r) => n + r.read_count, 0) / runs.length,
  runMsMean: runMs.reduce((a, b) => a + b, 0) / runs.length,
  servePeakRssMb,
  // CPU-seconds each process used from the first event until the writes settled, over `busySeconds`.
  busySeconds,
  cpuSeconds: Object.fromEntries(
    Object.entries(after).map(([k, v]) => [k, Number((v - before[k as keyof typeof before]).toFixed(2))]),
  ),
});
