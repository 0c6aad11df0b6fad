import { Decimal } from 'decimal.js';
import { dynamicsConnector } from '../src/connectors/dynamics/index.js';
import { MemoryConnector } from '../src/connectors/memory/index.js';
import type { Connector } from '../src/connectors/sdk/contract.js';
import { settingsSchema } from '../src/connectors/sdk/manifest.js';
import { Engine } from '../src/engine/engine.js';
import { type Flow, flowDefaults } from '../src/engine/flow.js';
import { accountingToCrmFlows } from '../src/flows/rules/accounting-crm.js';
import { openStore } from '../src/store/index.js';
import { sqliteDatabase } from './databases.js';
import { type CallRecord, callsOf, deadline, quiet, report, startSandboxProcess, stop } from './support.js';

/**
 * Invoices into Dataverse through the flow machinery: the accounting → CRM invoice flow (the same rules
 * QuickBooks and Sage use, src/flows/rules/accounting-crm.ts) with the in-process memory connector as
 * the accounts and the Dynamics 365 connector against its sandbox (a process of its own, Dataverse's
 * service protection limits as they are: 6,000 requests per 5 minutes). The customers and products the
 * invoices need are synced first by their own flows and not counted. Then N invoices of L lines are
 * synced; every HTTP request the sandbox answered meanwhile (its call records, token requests
 * included) is counted against the rows written (an invoice or a line: N × (1 + L) rows). Then the
 * flow runs again over every invoice, unchanged (a full re-read, not an incremental one): it must send
 * no write at all. `node dist/bench/dataverse-invoices.js [invoices=10000] [lines=5] [customers=200]
 * [products=100]`; one line in five is a write-in (no product in Dynamics 365), as Sage's S1–S3 lines are.
 */
const N = Number(process.argv[2] ?? 10_000);
const L = Number(process.argv[3] ?? 5);
const C = Number(process.argv[4] ?? 200);
const P = Number(process.argv[5] ?? 100);
deadline(600);

const ACCOUNTS = 'accounts';
const CRM = 'dynamics';
const flows = new Map<string, Flow>();
for (const [name, f] of Object.entries(
  accountingToCrmFlows({
    accounting: ACCOUNTS,
    accountingTitle: 'the accounts (in-process)',
    crm: CRM,
    crmTitle: 'Dynamics 365',
  }),
)) {
  flows.set(name, {
    ...flowDefaults,
    name,
    entity: f.entity,
    source: ACCOUNTS,
    target: CRM,
    ownedFields: f.ownedFields,
    neverOverwrite: f.neverOverwrite ?? false,
    ownsEchoes: f.ownsEchoes ?? false,
    conditions: f.conditions ?? [],
    dependencies: (f.dependencies ?? []).map((d) => ({
      ...d,
      flow: `${ACCOUNTS}-${CRM}.${d.entity === 'customer' ? 'customers' : 'products'}`,
    })),
  });
}
const CUSTOMERS = `${ACCOUNTS}-${CRM}.customers`;
const PRODUCTS = `${ACCOUNTS}-${CRM}.products`;
const INVOICES = `${ACCOUNTS}-${CRM}.invoices`;

// The accounts: customers, products and invoices as any accounting connector hands them over.
const source = new MemoryConnector('The accounts');
const stamp = (i: number) => new Date(Date.UTC(2026, 1, 1) + i * 1000).toISOString();
const gbp = (amount: Decimal.Value) => ({ amount: new Decimal(amount).toFixed(2), currency: 'GBP' });
const customerNo = (i: number) => `C${String(i).padStart(5, '0')}`;
const sku = (i: number) => `SKU${String(i).padStart(5, '0')}`;
for (let i = 0; i < C; i++)
  source.put(
    'customer',
    {
      number: customerNo(i),
      name: `Customer ${i}`,
      email: `c${i}@example.co.uk`,
      status: 'active',
      onHold: false,
      currency: 'GBP',
      creditLimit: gbp(1000 + i),
      annualRevenue: gbp(5000 + i),
      contacts: [{ firstName: 'Pat', lastName: `Person${i}`, email: `pat${i}@example.co.uk` }],
      addresses: [{ kind: 'main', line1: `${i} Station Road`, city: 'Blackpool', country: 'GB' }],
    },
    stamp(i),
  );
for (let i = 0; i < P; i++)
  source.put(
    'product',
    {
      sku: sku(i),
      name: `Item ${i}`,
      status: 'active',
      listPrice: gbp(10 + (i % 50)),
      standardCost: gbp(6 + (i % 30)),
      unit: 'Primary Unit',
      stock: [],
    },
    stamp(i),
  );
for (let i = 0; i < N; i++) {
  const lines = Array.from({ length: L }, (_, j) => {
    const writeIn = j === L - 1 && L > 1;
    const price = new Decimal(10 + ((i + j) % 90)).plus('0.25');
    const quantity = String(1 + ((i * 7 + j) % 9));
    const net = price.times(quantity);
    const tax = net.times('0.2').toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
    return {
      lineNumber: j + 1,
      ...(writeIn ? {} : { sku: sku((i * L + j) % P) }),
      description: writeIn ? `Carriage ${i}` : `Item ${(i * L + j) % P}`,
      quantity,
      unitPrice: gbp(price),
      tax: gbp(tax),
      total: gbp(net.plus(tax)),
    };
  });
  const sum = (f: (l: (typeof lines)[number]) => string) =>
    lines.reduce((s, l) => s.plus(f(l)), new Decimal(0));
  const net = sum((l) => new Decimal(l.unitPrice.amount).times(l.quantity).toFixed(2));
  const tax = sum((l) => l.tax.amount);
  source.put(
    'invoice',
    {
      number: `INV${String(i).padStart(6, '0')}`,
      type: 'invoice',
      status: 'open',
      invoiceDate: '2026-02-01',
      customerNumber: customerNo(i % C),
      orderNumbers: [],
      currency: 'GBP',
      lines,
      taxLines: [],
      netTotal: gbp(net),
      taxTotal: gbp(tax),
      total: gbp(net.plus(tax)),
    },
    stamp(i),
  );
}

const dynamics = await startSandboxProcess('dynamics', { customers: 0, products: 0, orders: 0 });
const db = sqliteDatabase();
const store = await openStore(db.url);
const target = dynamicsConnector.create(
  settingsSchema(dynamicsConnector.manifest.connectionFields).parse({
    ...dynamics.settings,
    timeoutMs: 60_000,
  }),
  { connection: CRM, logger: quiet },
);
const connectors = new Map<string, Connector>([
  [ACCOUNTS, source],
  [CRM, target],
]);
const engine = new Engine(store, flows, { get: (c) => connectors.get(c)! }, quiet);

const api = (calls: CallRecord[]) => calls.filter((c) => !c.path.startsWith('/_sandbox'));
const writes = (calls: CallRecord[]) =>
  calls.filter((c) => c.method !== 'GET' && !c.path.includes('/oauth2/'));
const byKind = (calls: CallRecord[]) => {
  const out: Record<string, number> = {};
  for (const c of calls) {
    const what = c.path.includes('/oauth2/')
      ? 'token'
      : `${c.method} ${c.path.replace(/^.*\/api\/data\/v9\.2\//, '').replace(/\(.*$/, '')}`;
    out[what] = (out[what] ?? 0) + 1;
  }
  return out;
};
async function rowsIn(set: string): Promise<number> {
  const res = await fetch(`${dynamics.url}/_sandbox/records/${set}`);
  return ((await res.json()) as { value: unknown[] }).value.length;
}

try {
  // The customers and products first (not counted): the invoices' dependencies are then links.
  const setup = { customers: await engine.run(CUSTOMERS, { trigger: 'batch' }) };
  const products = await engine.run(PRODUCTS, { trigger: 'batch' });
  const before = api(await callsOf(dynamics)).length;
  if (setup.customers.counts.created !== C || products.counts.created !== P)
    throw new Error(
      `setup: ${setup.customers.counts.created}/${C} customers, ${products.counts.created}/${P} products created: ${JSON.stringify([...setup.customers.outcomes, ...products.outcomes].find((o) => o.status !== 'created'))}`,
    );

  const t0 = performance.now();
  const initial = await engine.run(INVOICES, { trigger: 'batch' });
  const seconds = (performance.now() - t0) / 1000;
  const afterInitial = api(await callsOf(dynamics));
  const initialCalls = afterInitial.slice(before);

  const t1 = performance.now();
  const rerun = await engine.run(INVOICES, { trigger: 'batch', incremental: false });
  const rerunSeconds = (performance.now() - t1) / 1000;
  const rerunCalls = api(await callsOf(dynamics)).slice(afterInitial.length);

  const rows = N * (1 + L);
  const failures = initial.outcomes.filter((o) => o.status === 'failed').slice(0, 3);
  report({
    invoices: N,
    linesPerInvoice: L,
    customers: C,
    products: P,
    rows,
    setupCalls: before,
    initial: {
      seconds,
      requests: initialCalls.length,
      requestsPerRow: initialCalls.length / rows,
      throttled: initialCalls.filter((c) => c.status === 429).length,
      byKind: byKind(initialCalls),
      counts: initial.counts,
      ...(failures.length ? { firstFailures: failures } : {}),
    },
    rerun: {
      seconds: rerunSeconds,
      requests: rerunCalls.length,
      writes: writes(rerunCalls).length,
      byKind: byKind(rerunCalls),
      counts: rerun.counts,
    },
    onTarget: { invoices: await rowsIn('invoices'), invoiceLines: await rowsIn('invoicedetails') },
  });
} finally {
  await target.close();
  await store.close();
  await stop(dynamics.child);
  await db.drop();
}
