import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openContext } from '../src/runtime/context.js';
import { plainSync } from './plain-sync.js';
import {
  acumaticaCookie,
  callsOf,
  deadline,
  quiet,
  report,
  type Sandbox,
  startSandbox,
  stop,
  writeConfig,
} from './support.js';

/**
 * Changed records cost what they must (issue 19): N customers from the Acumatica sandbox to an empty
 * Magento sandbox answering each call after `latency` ms, by Ledgerlink (the catalog's
 * `acumatica-magento.customers`, in this process, SQLite) and by a plain `fetch` script
 * (`plain-sync.ts`) into a second Magento sandbox alike. Then C customers are changed in Acumatica
 * (the credit limit; one per page of 100 in Acumatica's order) and each syncs again — twice:
 * incremental (Ledgerlink from its cursor, the script from the instant before the changes) and a full
 * pass over every customer with C others changed (every page read again, one change in each: the
 * shape the issue quotes n8n against, 5.8 s and 111 calls). Time and Magento calls of each step.
 * `node dist/bench/changed-records.js [N=10000] [C=100] [latency=20]`.
 */
const N = Number(process.argv[2] ?? 10_000);
const CHANGED = Number(process.argv[3] ?? 100);
const LATENCY = Number(process.argv[4] ?? 20);
const FLOW = 'acumatica-magento.customers';
/** The Magento manifest's allowance: 8 calls at once; the plain script gets the same. */
const CONCURRENCY = 8;
const N8N = { seconds: 5.8, calls: 111 };
// About 2 minutes on a quiet machine; the two initial copies of 10,000 take most of it.
deadline(Number(process.env.BENCH_DEADLINE_S ?? 460));

const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-bench-'));
const acumatica = await startSandbox('acumatica', ['--customers', String(N), '--products', '0']);
const magentoArgs = ['--customers', '0', '--products', '0', '--latency-ms', String(LATENCY)];
const [magento, magentoPlain] = await Promise.all([
  startSandbox('magento', magentoArgs),
  startSandbox('magento', magentoArgs),
]);
const database = `sqlite:${join(dir, 'bench.db')}`;
const configPath = join(dir, 'ledgerlink.yaml');
writeConfig(configPath, { database, acumatica, magento, flows: { [FLOW]: { schedule: null } } });
const ctx = await openContext({ configPath, logger: quiet });

/** Time and Magento calls (by kind) of one step. */
async function measured<T>(target: Sandbox, step: () => Promise<T>) {
  const before = (await callsOf(target)).length;
  const t0 = performance.now();
  const result = await step();
  const seconds = (performance.now() - t0) / 1000;
  process.stderr.write(`bench: changed-records: a step took ${seconds.toFixed(2)} s\n`);
  const calls = (await callsOf(target)).slice(before);
  const byKind: Record<string, number> = {};
  for (const c of calls) {
    const kind = `${c.method} ${c.path
      .replace(/^\/rest\/\w+\/V1\//, '')
      .replace(/\/\d+$/, '/{id}')
      .replace(/\?.*$/, '')}`;
    byKind[kind] = (byKind[kind] ?? 0) + 1;
  }
  return { seconds, calls: calls.length, byKind, result };
}

const ledgerlink = (incremental: boolean) => async () => {
  const r = await ctx.engine.run(FLOW, { trigger: 'batch', incremental });
  return { status: r.status, ...r.counts };
};

const cookie = await acumaticaCookie(acumatica.url);
const ENTITY = `${acumatica.url}/entity/Default/24.200.001/Customer`;
const ids = (
  (await (await fetch(`${ENTITY}?$select=CustomerID&$top=${N}`, { headers: { cookie } })).json()) as Array<{
    CustomerID: { value: string };
  }>
).map((r) => r.CustomerID.value);

/** C customers' credit limits changed, as a person saving them would: one in each stretch of N/C. */
async function change(offset: number, round: number): Promise<void> {
  const step = Math.floor(N / CHANGED);
  for (let i = 0; i < CHANGED; i++) {
    const res = await fetch(ENTITY, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({
        CustomerID: { value: ids[i * step + offset] },
        CreditLimit: { value: 70_000 + round * 1000 + i },
      }),
    });
    if (!res.ok) throw new Error(`Acumatica PUT answered ${res.status}`);
  }
}

const initial = await measured(magento, ledgerlink(true));
const plainInitial = await measured(magentoPlain, () =>
  plainSync({ acumaticaUrl: acumatica.url, magentoUrl: magentoPlain.url, concurrency: CONCURRENCY }),
);

// Incremental: Ledgerlink from its cursor; the script from the instant before the change.
const changedAt = new Date(Date.now() - 1000).toISOString();
await change(1, 1);
const incremental = await measured(magento, ledgerlink(true));
const plainIncremental = await measured(magentoPlain, () =>
  plainSync({
    acumaticaUrl: acumatica.url,
    magentoUrl: magentoPlain.url,
    concurrency: CONCURRENCY,
    since: changedAt,
  }),
);

// A full pass: every page read again, one change in each.
await change(2, 2);
const full = await measured(magento, ledgerlink(false));
const plainFull = await measured(magentoPlain, () =>
  plainSync({ acumaticaUrl: acumatica.url, magentoUrl: magentoPlain.url, concurrency: CONCURRENCY }),
);

await ctx.close();
await Promise.all([stop(acumatica.child), stop(magento.child), stop(magentoPlain.child)]);
rmSync(dir, { recursive: true, force: true });

const perChanged = (s: { calls: number }) => s.calls / CHANGED;
report({
  customers: N,
  changed: CHANGED,
  latencyMs: LATENCY,
  concurrency: CONCURRENCY,
  n8n: N8N,
  initial,
  plainInitial,
  incremental: { ...incremental, callsPerChanged: perChanged(incremental) },
  plainIncremental: { ...plainIncremental, callsPerChanged: perChanged(plainIncremental) },
  full: { ...full, callsPerChanged: perChanged(full) },
  plainFull: { ...plainFull, callsPerChanged: perChanged(plainFull) },
  ratios: {
    initialToPlain: initial.seconds / plainInitial.seconds,
    incrementalToPlain: incremental.seconds / plainIncremental.seconds,
    fullToPlain: full.seconds / plainFull.seconds,
    n8nToIncremental: N8N.seconds / incremental.seconds,
    n8nToFull: N8N.seconds / full.seconds,
  },
});
