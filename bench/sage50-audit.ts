import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { stringify } from 'yaml';
import { OdbcClient } from '../src/connectors/sage50/odbc.js';
import { createSchema } from '../src/connectors/sage50/sandbox/schema.js';
import { openContext } from '../src/runtime/context.js';
import { sqliteDatabase } from './databases.js';
import { type CallRecord, callsOf, deadline, quiet, report, startSandboxProcess, stop } from './support.js';

/**
 * Issue 16: Sage 50's audit trail as the incremental cursor, at volume. Sage 50's tables hosted in a
 * SQLite file behind unixODBC (Debian's SQLite3 driver: the connector runs its real SQL through a real
 * driver manager), filled directly with better-sqlite3 in one transaction: A accounts and T
 * transactions on AUDIT_HEADER (and one AUDIT_SPLIT each) spread over them. The flow
 * `sage50-dynamics.customers` (the catalog's, through `openContext` as `ledgerlink batch` runs it)
 * into the Dynamics 365 sandbox, a process of its own. The first run (no cursor: every account, timed
 * on its own) takes the cursor to the end of the trail. Then, timed:
 *  (a) a batch with no new transaction — wall time, calls to Dynamics (token requests aside), records
 *      read, and the rows the source's ODBC statements returned;
 *  (b) N new transactions on K accounts (their turnover and balance changed, as posting does) — the
 *      same figures;
 *  (full) another N on another K accounts, run with the cursor put back to the trail's start: the same
 *      writes, but the whole trail (T + 2N transactions) and every account read — what the batch would
 *      cost if it did not start from its place in the trail.
 * `node dist/bench/sage50-audit.js [transactions=100000] [accounts=2000] [new=1000] [newAccounts=100]`.
 */
const T = Number(process.argv[2] ?? 100_000);
const A = Number(process.argv[3] ?? 2_000);
const N = Number(process.argv[4] ?? 1_000);
const K = Number(process.argv[5] ?? 100);
deadline(600);

const FLOW = 'sage50-dynamics.customers';
const account = (i: number) => `C${String(i).padStart(5, '0')}`;
const BASE = Date.parse('2025-04-06T00:00:00Z');
/** Sage's timestamps as the SQLite3 ODBC driver stores a `{ts …}` escape: text, to the second. */
const stampAt = (seconds: number) =>
  new Date(BASE + seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
const SALES_TYPES = ['SI', 'SR', 'SI', 'SC', 'SI', 'SA'];

// Every ODBC statement the process runs, and the rows it returned: what the source read.
const odbcCount = { statements: 0, rows: 0, trailRows: 0, trailSeconds: 0 };
const proto = OdbcClient.prototype;
const query = proto.query;
proto.query = async function (this: OdbcClient, sql, params) {
  const t0 = performance.now();
  const rows = await query.call(this, sql, params);
  odbcCount.statements++;
  odbcCount.rows += rows.length;
  if (/FROM AUDIT_HEADER WHERE TRAN_NUMBER > \?/.test(sql)) {
    odbcCount.trailRows += rows.length;
    odbcCount.trailSeconds += (performance.now() - t0) / 1000;
  }
  return rows;
} as typeof query;
const pages = proto.pages;
proto.pages = async function* (this: OdbcClient, sql, params, size) {
  odbcCount.statements++;
  for await (const page of pages.call(this, sql, params, size)) {
    odbcCount.rows += page.length;
    yield page;
  }
} as typeof pages;

const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-bench-sage50-'));
const file = join(dir, 'ACCDATA.db');
const connectionString = `Driver=SQLite3;Database=${file}`;

// The schema through ODBC (as the tests' hosted Sage 50), then the volume straight into the file.
const schema = new OdbcClient(connectionString);
await createSchema(schema);
await schema.close();
const sqlite = new Database(file);
const insertSeconds = (() => {
  const t0 = performance.now();
  const ledger = sqlite.prepare(
    `INSERT INTO SALES_LEDGER (ACCOUNT_REF, NAME, ADDRESS_1, ADDRESS_3, ADDRESS_5, COUNTRY_CODE, CREDIT_LIMIT,
      BALANCE, TURNOVER_YTD, ACCOUNT_ON_HOLD, ACCOUNT_STATUS, RECORD_CREATE_DATE, RECORD_MODIFY_DATE)
     VALUES (?, ?, ?, 'Leeds', 'LS1 1AA', 'GB', ?, 0, ?, 0, 0, ?, ?)`,
  );
  sqlite.transaction(() => {
    for (let i = 1; i <= A; i++)
      ledger.run(account(i), `Customer ${i}`, `${i} High Street`, 1000 + i, 0, stampAt(0), stampAt(0));
    sqlite
      .prepare(
        `INSERT INTO STOCK (STOCK_CODE, DESCRIPTION, UNIT_OF_SALE, NOMINAL_CODE, SALES_PRICE, LAST_PURCHASE_PRICE,
          TAX_CODE, INACTIVE_FLAG, RECORD_CREATE_DATE, RECORD_MODIFY_DATE)
         VALUES ('MISC', 'Miscellaneous', 'Each', '4000', 0, 0, 'T1', 0, ?, ?)`,
      )
      .run(stampAt(0), stampAt(0));
  })();
  post(1, T, (i) => 1 + (i % A));
  return (performance.now() - t0) / 1000;
})();

/**
 * Transactions `from`…`from + n - 1` on the audit trail (a header and one split each), on the accounts
 * `accountOf` gives, as Sage posts them; each account touched gets its turnover and balance restated.
 */
function post(from: number, n: number, accountOf: (i: number) => number): void {
  const header = sqlite.prepare(
    `INSERT INTO AUDIT_HEADER (TRAN_NUMBER, TYPE, "DATE", ACCOUNT_REF, INV_REF, DETAILS, DELETED_FLAG,
      NET_AMOUNT, TAX_AMOUNT, GROSS_AMOUNT, OUTSTANDING, RECORD_CREATE_DATE, RECORD_MODIFY_DATE)
     VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)`,
  );
  const split = sqlite.prepare(
    `INSERT INTO AUDIT_SPLIT (TRAN_NUMBER, HEADER_NUMBER, TYPE, "DATE", ACCOUNT_REF, NOMINAL_CODE, INV_REF,
      DETAILS, TAX_CODE, DELETED_FLAG, NET_AMOUNT, TAX_AMOUNT, GROSS_AMOUNT)
     VALUES (?, ?, ?, ?, ?, '4000', ?, ?, 'T1', 0, ?, ?, ?)`,
  );
  const restate = sqlite.prepare(
    `UPDATE SALES_LEDGER SET TURNOVER_YTD = TURNOVER_YTD + ?, BALANCE = BALANCE + ?, RECORD_MODIFY_DATE = ?
     WHERE ACCOUNT_REF = ?`,
  );
  sqlite.transaction(() => {
    const touched = new Map<string, number>();
    for (let k = 0; k < n; k++) {
      const tran = from + k;
      const type = SALES_TYPES[tran % SALES_TYPES.length]!;
      const ref = account(accountOf(k));
      const net = (tran % 500) + 10;
      const tax = Math.round(net * 17.5) / 100;
      const gross = net + tax;
      const invRef = type === 'SI' || type === 'SC' ? String(tran) : '';
      const stamp = stampAt(tran);
      const date = stamp.slice(0, 10);
      header.run(tran, type, date, ref, invRef, `Transaction ${tran}`, net, tax, gross, gross, stamp, stamp);
      split.run(tran, tran, type, date, ref, invRef, `Transaction ${tran}`, net, tax, gross);
      if (type === 'SI') touched.set(ref, (touched.get(ref) ?? 0) + net);
    }
    for (const [ref, net] of touched) restate.run(net, net, stampAt(from + n), ref);
  })();
}

const dynamics = await startSandboxProcess('dynamics', { customers: 0, products: 0, orders: 0 });
const db = sqliteDatabase();
const configPath = join(dir, 'ledgerlink.yaml');
writeFileSync(
  configPath,
  stringify({
    database: db.url,
    connections: {
      sage50: {
        connector: 'sage50',
        settings: { connectionString, writer: 'hosted', defaultProduct: 'MISC' },
      },
      dynamics: { connector: 'dynamics', settings: { ...dynamics.settings, timeoutMs: 60_000 } },
    },
    flows: { [FLOW]: {} },
  }),
);
const ctx = await openContext({ configPath, logger: quiet });

const nonAuth = (calls: CallRecord[]) =>
  calls.filter(
    (c) =>
      !c.path.startsWith('/_sandbox') && !c.path.includes('/oauth2/') && !c.path.includes('/.well-known/'),
  );
const writes = (calls: CallRecord[]) => calls.filter((c) => c.method !== 'GET');
const byKind = (calls: CallRecord[]) => {
  const out: Record<string, number> = {};
  for (const c of calls) {
    const what = `${c.method} ${c.path.replace(/^.*\/api\/data\/v9\.2\//, '').replace(/[(?].*$/, '')}`;
    out[what] = (out[what] ?? 0) + 1;
  }
  return out;
};

/** One batch of the flow, timed: its counts, the Dynamics calls it made, and what the source read. */
async function batch() {
  const callsBefore = nonAuth(await callsOf(dynamics)).length;
  const odbcBefore = { ...odbcCount };
  const t0 = performance.now();
  const r = await ctx.engine.run(FLOW, { trigger: 'batch', incremental: true });
  const seconds = (performance.now() - t0) / 1000;
  const calls = nonAuth(await callsOf(dynamics)).slice(callsBefore);
  const failed = r.outcomes.filter((o) => o.status === 'failed').slice(0, 3);
  if (r.status !== 'succeeded' || failed.length)
    throw new Error(`${FLOW} ${r.status}: ${JSON.stringify(failed.length ? failed : r)}`);
  return {
    seconds,
    targetCalls: calls.length,
    targetWrites: writes(calls).length,
    byKind: byKind(calls),
    counts: r.counts,
    source: {
      statements: odbcCount.statements - odbcBefore.statements,
      rows: odbcCount.rows - odbcBefore.rows,
      trailRows: odbcCount.trailRows - odbcBefore.trailRows,
      /** The statement reading the trail past the cursor: its rows through ODBC into objects. */
      trailSeconds: odbcCount.trailSeconds - odbcBefore.trailSeconds,
    },
  };
}

try {
  const initial = await batch();
  if (initial.counts.created !== A)
    throw new Error(`the first batch created ${initial.counts.created} of ${A}`);

  const noop = await batch();

  // N new transactions on K accounts, spread over the ledger.
  const step = Math.max(1, Math.floor(A / K));
  post(T + 1, N, (k) => 1 + (k % K) * step);
  const added = await batch();

  // As many again on K other accounts; the cursor put back to the start of the trail.
  post(T + N + 1, N, (k) => 1 + (((k % K) * step + Math.floor(step / 2)) % A));
  await ctx.store.cursors.set(FLOW, `token:${JSON.stringify({ tran: 0, mark: '' })}`);
  const full = await batch();

  report({
    transactions: T,
    accounts: A,
    newTransactions: N,
    newAccounts: K,
    insertSeconds,
    initial,
    noop,
    added,
    full,
    ratios: {
      secondsAddedToFull: added.seconds / full.seconds,
      sourceRowsAddedToFull: added.source.rows / full.source.rows,
      trailRowsAddedToFull: added.source.trailRows / full.source.trailRows,
      recordsReadAddedToFull: added.counts.read / full.counts.read,
      secondsAddedToInitial: added.seconds / initial.seconds,
    },
  });
} finally {
  await ctx.close();
  sqlite.close();
  await stop(dynamics.child);
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
}
