import pino from 'pino';
import { accurateConnector } from '../src/connectors/accurate/index.js';
import { MemoryConnector } from '../src/connectors/memory/index.js';
import { settingsSchema } from '../src/connectors/sdk/manifest.js';
import { Engine } from '../src/engine/engine.js';
import { type Flow, flowDefaults } from '../src/engine/flow.js';
import { openStore } from '../src/store/index.js';
import { sqliteDatabase } from './databases.js';
import { callsOf, deadline, report, startSandboxProcess, stop } from './support.js';

/**
 * Issue 17: a busy day's sales into Accurate Online. N walk-in sales (2 lines each over the sandbox
 * shop's items, IDR, PPN 11 % to the rupiah, across three outlets) in a memory source, through the
 * sales flow's rules (oldest first, Accurate asked for the items) into the Accurate sandbox — a
 * process of its own keeping Accurate's limit, 8 calls a second and 8 in flight, 429 beyond — with
 * the real client: bulk-save of 100, lookups by number. Figures: data calls per sale, the share of
 * the allowance used over the span the sandbox saw calls arrive, 429s, failed sales.
 * `node dist/bench/pos-sales.js [sales=10000] [pageSize=500]`.
 */
const N = Number(process.argv[2] ?? 10_000);
const PAGE = Number(process.argv[3] ?? 500);
const ALLOWANCE_PER_SECOND = 8;
deadline(900);

const IDR = (amount: string) => ({ amount, currency: 'IDR' });
const ITEMS = [
  ['KOPI-250', 85_000],
  ['TEH-100', 45_000],
  ['GULA-1KG', 18_500],
] as const;
const OUTLETS = ['KMG', 'SNY', 'BSD'];
const DAY = Date.parse('2026-03-02T01:00:00Z');

const books = await startSandboxProcess('accurate', { requestsPerSecond: ALLOWANCE_PER_SECOND });
const accurate = accurateConnector.create(
  settingsSchema(accurateConnector.manifest.connectionFields).parse({
    ...books.settings,
    timeoutMs: 60_000,
  }),
  { connection: 'accurate', logger: pino({ level: 'silent' }) },
);
const pos = new MemoryConnector('iSeller');
for (let i = 0; i < N; i++) {
  const [a, b] = [ITEMS[i % 3]!, ITEMS[(i + 1) % 3]!];
  const lines = [a, b].map(([sku, price], k) => {
    const qty = 1 + ((i + k) % 3);
    const net = price * qty;
    return {
      lineNumber: k + 1,
      sku,
      quantity: String(qty),
      unit: 'PCS',
      unitPrice: IDR(String(price)),
      tax: IDR(String(Math.round(net * 0.11))),
      total: IDR(String(net)),
    };
  });
  const net = lines.reduce((s, l) => s + Number(l.total.amount), 0);
  const tax = lines.reduce((s, l) => s + Number(l.tax.amount), 0);
  const at = new Date(DAY + i * 3_000).toISOString();
  pos.put(
    'invoice',
    {
      number: `POS-${String(i + 1).padStart(6, '0')}`,
      status: 'paid',
      invoiceDate: at.slice(0, 10),
      occurredAt: at,
      warehouse: OUTLETS[i % 3],
      customerNumber: 'C-00001',
      walkIn: true,
      currency: 'IDR',
      lines,
      netTotal: IDR(String(net)),
      taxTotal: IDR(String(tax)),
      total: IDR(String(net + tax)),
    },
    at,
  );
}

const db = sqliteDatabase();
const store = await openStore(db.url);
const flow: Flow = {
  ...flowDefaults,
  name: 'iseller-accurate.sales',
  entity: 'invoice',
  source: 'iseller',
  target: 'accurate',
  ownedFields: [],
  neverOverwrite: true,
  oldestFirst: true,
  pageSize: PAGE,
  dependencies: [{ entity: 'product', ids: 'lines[sku].sku', targetKeys: true }],
};
const engine = new Engine(
  store,
  new Map([[flow.name, flow]]),
  { get: (n: string) => (n === 'iseller' ? pos : accurate) },
  pino({ level: 'silent' }),
);
try {
  const before = (await callsOf(books)).length;
  const t0 = performance.now();
  const run = await engine.run(flow.name, { trigger: 'batch' });
  const seconds = (performance.now() - t0) / 1000;
  const calls = (await callsOf(books)).slice(before).filter((c) => !c.path.includes('/oauth/'));
  const data = calls.filter((c) => !c.path.endsWith('/open-db.json'));
  const arrivals = calls.map((c) => c.arrivedAt).sort((x, y) => x - y);
  const spanSeconds = arrivals.length > 1 ? (arrivals.at(-1)! - arrivals[0]!) / 1000 : 0;
  const perSecond = spanSeconds > 0 ? (calls.length - 1) / spanSeconds : 0;
  report({
    sales: N,
    pageSize: PAGE,
    seconds,
    counts: run.counts,
    calls: calls.length,
    dataCalls: data.length,
    requestsPerSale: calls.length / N,
    tooManyRequests: calls.filter((c) => c.status === 429).length,
    allowancePerSecond: ALLOWANCE_PER_SECOND,
    spanSeconds,
    requestsPerSecond: perSecond,
    use: perSecond / ALLOWANCE_PER_SECOND,
    byPath: Object.entries(
      calls.reduce<Record<string, number>>((m, c) => {
        const k = c.path.replace(/^.*\/api\//, '');
        m[k] = (m[k] ?? 0) + 1;
        return m;
      }, {}),
    ),
  });
} finally {
  await accurate.close();
  await store.close();
  await db.drop();
  await stop(books.child);
}
