import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openContext } from '../src/runtime/context.js';
import { databaseOf } from './databases.js';
import {
  callsOf,
  deadline,
  magentoCustomers,
  quiet,
  report,
  startSandbox,
  stop,
  writeConfig,
} from './support.js';

/**
 * How much of a rate allowance Ledgerlink uses: the Magento sandbox allows R calls a second
 * (`--requests-per-second`, a token bucket answering 429 with Retry-After beyond it) and the
 * connection says so (`rateLimit: { requestsPerSecond: R }`). An initial sync of R × S customers
 * (about one create call each, plus a search per page) keeps the allowance busy for about S seconds.
 * Achieved rate = accepted Magento calls over the span from the first to the last, as the sandbox saw
 * them arrive. `node dist/bench/rate-limit.js <sqlite|postgres> [R=20] [S=15]`; on PostgreSQL the
 * allowance is the shared one kept in the store.
 */
const dialect = (process.argv[2] ?? 'sqlite') as 'sqlite' | 'postgres';
const R = Number(process.argv[3] ?? 20);
const S = Number(process.argv[4] ?? 15);
const FLOW = 'acumatica-magento.customers';
const customers = R * S;
deadline(S * 4 + 60);

const db = await databaseOf(dialect);
const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-bench-'));
const acumatica = await startSandbox('acumatica', ['--customers', String(customers), '--products', '0']);
const magento = await startSandbox('magento', [
  '--customers',
  '0',
  '--products',
  '0',
  '--requests-per-second',
  String(R),
]);
const configPath = join(dir, 'ledgerlink.yaml');
writeConfig(configPath, {
  database: db.url,
  acumatica,
  magento,
  magentoRateLimit: { requestsPerSecond: R },
  flows: { [FLOW]: { schedule: null } },
});
const ctx = await openContext({ configPath, logger: quiet });
try {
  const t0 = performance.now();
  const run = await ctx.engine.run(FLOW, { trigger: 'batch', incremental: true });
  const seconds = (performance.now() - t0) / 1000;
  const api = (await callsOf(magento)).filter((c) => c.path.startsWith('/rest/'));
  const accepted = api.filter((c) => c.status !== 429).map((c) => c.arrivedAt);
  const span = (Math.max(...accepted) - Math.min(...accepted)) / 1000;
  // n calls spaced 1/R apart span (n - 1)/R seconds.
  const achieved = (accepted.length - 1) / span;
  const target = await magentoCustomers(magento);
  report({
    dialect,
    allowance: R,
    customers,
    seconds,
    calls: accepted.length,
    spanSeconds: span,
    achievedPerSecond: achieved,
    use: achieved / R,
    tooManyRequests: api.length - accepted.length,
    recordsFailed: run.counts.failed,
    recordsWaiting: run.counts.waiting,
    records: await ctx.store.records.countByState(FLOW),
    onTarget: target.total,
  });
} finally {
  await ctx.close();
  await Promise.all([stop(acumatica.child), stop(magento.child)]);
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
}
