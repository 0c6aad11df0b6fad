import pino from 'pino';
import type { QuickBooksConnector } from '../src/connectors/quickbooks/connector.js';
import { quickbooksConnector } from '../src/connectors/quickbooks/index.js';
import { MemoryCredentials } from '../src/connectors/quickbooks/test-support.js';
import { isLedgerlinkError } from '../src/connectors/sdk/errors.js';
import { settingsSchema } from '../src/connectors/sdk/manifest.js';
import { type CallRecord, callsOf, deadline, report, sleep, startSandboxProcess, stop } from './support.js';

/**
 * How much of QuickBooks Online's allowance the connector's client uses: the sandbox (a process of its
 * own) keeps Intuit's limits as they are — 500 requests in any minute, 10 at once, 40 batch requests in
 * any minute, each answered 429 ThrottleExceeded beyond — and takes 20 ms over each call. For S
 * seconds, W workers drive the client as hard as they can: B of them send batches of 30 customer
 * creates back to back, the others read customers and items by id with a customer create every fifth
 * call. The client alone keeps the pace (its connection budget and its batch budget; the connection's
 * throttle wait is Intuit's 60 s, so a 429 costs; a call refused for a rate limit counts as a failed
 * record, and its worker waits as the engine would before trying again). Achieved rate = accepted calls over the span from
 * the first to the last as the sandbox saw them arrive; the busiest minute is counted too.
 * `node dist/bench/quickbooks-throughput.js [seconds=100] [workers=12] [batchWorkers=2]`.
 */
const S = Number(process.argv[2] ?? 100);
const W = Number(process.argv[3] ?? 12);
const B = Number(process.argv[4] ?? 2);
const ALLOWANCE_PER_MINUTE = 500;
const BATCH_ALLOWANCE_PER_MINUTE = 40;
const WINDOW_MS = 60_000;
deadline(S + 120);

const qbo = await startSandboxProcess('quickbooks', {
  customers: 200,
  products: 100,
  invoices: 0,
  requestsPerMinute: ALLOWANCE_PER_MINUTE,
  concurrency: 10,
  batchPerMinute: BATCH_ALLOWANCE_PER_MINUTE,
  windowMs: WINDOW_MS,
  holdMs: 20,
});
const connector = quickbooksConnector.create(
  settingsSchema(quickbooksConnector.manifest.connectionFields).parse({ ...qbo.settings, timeoutMs: 30_000 }),
  { connection: 'quickbooks', logger: pino({ level: 'silent' }), credentials: new MemoryCredentials() },
) as QuickBooksConnector;
const client = connector.client;

/** Every call the sandbox answered below the Accounting API (token requests are Intuit's OAuth server's). */
const apiCalls = async (): Promise<CallRecord[]> =>
  (await callsOf(qbo)).filter((c) => c.path.startsWith('/v3/company/'));

/** The most calls that arrived within any one window. */
function busiestWindow(arrivals: readonly number[]): number {
  let most = 0;
  for (let i = 0, j = 0; j < arrivals.length; j++) {
    while (arrivals[j]! - arrivals[i]! >= WINDOW_MS) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

const counts = { reads: 0, creates: 0, batchCreates: 0, failed: 0, throttledFailures: 0 };
const firstFailures: string[] = [];
function failure(e: unknown, records: number): void {
  counts.failed += records;
  if (isLedgerlinkError(e) && e.category === 'rate_limited') counts.throttledFailures += records;
  if (firstFailures.length < 3) firstFailures.push(e instanceof Error ? e.message : String(e));
}

try {
  // Before the measured span: the ids to read, and the token.
  const customerIds = (
    await client.query<{ Id: string }>('Customer', 'select * from Customer maxresults 1000')
  ).rows.map((r) => r.Id);
  const itemIds = (await client.query<{ Id: string }>('Item', 'select * from Item maxresults 1000')).rows.map(
    (r) => r.Id,
  );
  const setupCalls = (await apiCalls()).length;
  const t0 = Date.now();
  const end = t0 + S * 1000;
  let created = 0;
  const newCustomer = () => ({
    DisplayName: `Bench customer ${++created}`,
    CompanyName: `Bench ${created} Ltd`,
  });

  const batcher = async () => {
    while (Date.now() < end) {
      const ops = Array.from({ length: 30 }, () => ({
        operation: 'create' as const,
        entity: 'Customer' as const,
        body: newCustomer(),
      }));
      try {
        const answers = await client.batch(ops);
        for (const a of answers)
          if (a.fault) failure(new Error(a.fault.Error?.[0]?.Message ?? a.fault.type), 1);
          else counts.batchCreates++;
      } catch (e) {
        failure(e, ops.length);
        // What the engine does with a record that met a rate limit: it waits, then tries again.
        if (isLedgerlinkError(e) && e.retryAfterMs)
          await sleep(Math.min(e.retryAfterMs, Math.max(0, end - Date.now())));
      }
    }
  };
  const reader = async (w: number) => {
    for (let n = 0; Date.now() < end; n++) {
      try {
        if (n % 5 === 4) {
          await client.create('Customer', newCustomer());
          counts.creates++;
        } else {
          const items = n % 2 === 0;
          const ids = items ? itemIds : customerIds;
          const found = await client.read(items ? 'Item' : 'Customer', ids[(w * 97 + n) % ids.length]!);
          if (!found) throw new Error('a record read by its id was not found');
          counts.reads++;
        }
      } catch (e) {
        failure(e, 1);
        if (isLedgerlinkError(e) && e.retryAfterMs)
          await sleep(Math.min(e.retryAfterMs, Math.max(0, end - Date.now())));
      }
    }
  };
  await Promise.all([
    ...Array.from({ length: B }, () => batcher()),
    ...Array.from({ length: W - B }, (_, w) => reader(w)),
  ]);
  const seconds = (Date.now() - t0) / 1000;

  const measured = (await apiCalls()).slice(setupCalls);
  const accepted = measured.filter((c) => c.status !== 429).map((c) => c.arrivedAt);
  accepted.sort((a, b) => a - b);
  const span = (accepted.at(-1)! - accepted[0]!) / 1000;
  // n calls spaced evenly span (n - 1) intervals.
  const perMinute = ((accepted.length - 1) / span) * 60;
  const batchArrivals = measured
    .filter((c) => c.path.includes('/batch') && c.status !== 429)
    .map((c) => c.arrivedAt)
    .sort((a, b) => a - b);
  report({
    allowancePerMinute: ALLOWANCE_PER_MINUTE,
    batchAllowancePerMinute: BATCH_ALLOWANCE_PER_MINUTE,
    windowSeconds: WINDOW_MS / 1000,
    workers: W,
    batchWorkers: B,
    seconds,
    calls: accepted.length,
    spanSeconds: span,
    requestsPerMinute: perMinute,
    use: perMinute / ALLOWANCE_PER_MINUTE,
    busiestMinute: busiestWindow(accepted),
    batches: batchArrivals.length,
    batchesPerMinute: batchArrivals.length > 1 ? ((batchArrivals.length - 1) / span) * 60 : 0,
    busiestMinuteBatches: busiestWindow(batchArrivals),
    tooManyRequests: measured.length - accepted.length,
    records: counts.reads + counts.creates + counts.batchCreates + counts.failed,
    ...counts,
    ...(firstFailures.length ? { firstFailures } : {}),
    clientRetries: client.http.stats.retries,
  });
} finally {
  await connector.close();
  await stop(qbo.child);
}
