import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type DynamicsSandbox, startDynamicsSandbox } from '../../src/connectors/dynamics/sandbox/index.js';
import { hostedFor } from '../../src/connectors/sage50/test-support.js';
import { sandboxRegistry } from '../../src/connectors/sandboxes.js';
import { type Context, openContext } from '../../src/runtime/context.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

/**
 * Issue 16's audit-trail rule on a trail of some length (the timed version is `bench/sage50-audit.ts`,
 * on 100,000): Sage 50 hosted in SQLite behind unixODBC with 1,000 more transactions over 50 more
 * accounts, the flow sage50-dynamics.customers into the Dynamics 365 sandbox. Once the cursor is at
 * the trail's end, a batch with no new transaction reads no record and makes no call to Dynamics at
 * all (no read either); a few new transactions make it read their accounts only.
 */
const FLOW = 'sage50-dynamics.customers';
const ACCOUNTS = 50;
const TRANSACTIONS = 1_000;
const account = (i: number) => `T${String(i).padStart(5, '0')}`;

describe('Sage 50 audit trail of 1,000 transactions → Dynamics 365', () => {
  let sage: Awaited<ReturnType<typeof hostedFor>>;
  let file: Database.Database;
  let crm: DynamicsSandbox;
  let db: TestDatabase;
  let ctx: Context;

  /** Transactions `from`… on the audit trail, written into the data file directly, as Sage posts them. */
  const post = (from: number, accounts: readonly string[]) => {
    const header = file.prepare(
      `INSERT INTO AUDIT_HEADER (TRAN_NUMBER, TYPE, "DATE", ACCOUNT_REF, INV_REF, DETAILS, DELETED_FLAG,
        NET_AMOUNT, TAX_AMOUNT, GROSS_AMOUNT, OUTSTANDING, RECORD_CREATE_DATE, RECORD_MODIFY_DATE)
       VALUES (?, 'SR', '2026-01-20', ?, '', 'Receipt', 0, -10, 0, -10, 0, ?, ?)`,
    );
    file.transaction(() => {
      accounts.forEach((a, k) => {
        header.run(from + k, a, '2026-01-20 10:00:00', '2026-01-20 10:00:00');
      });
    })();
  };
  const run = () => ctx.engine.run(FLOW, { trigger: 'batch', incremental: true });

  beforeAll(async () => {
    sage = await hostedFor('sqlite');
    file = new Database(/Database=([^;]+)/.exec(sage.connectionString)![1]!);
    const ledger = file.prepare(
      `INSERT INTO SALES_LEDGER (ACCOUNT_REF, NAME, COUNTRY_CODE, CREDIT_LIMIT, BALANCE, TURNOVER_YTD,
        ACCOUNT_ON_HOLD, ACCOUNT_STATUS, RECORD_CREATE_DATE, RECORD_MODIFY_DATE)
       VALUES (?, ?, 'GB', 500, 0, 0, 0, 0, '2025-11-03 09:00:00', '2025-11-03 09:00:00')`,
    );
    file.transaction(() => {
      for (let i = 1; i <= ACCOUNTS; i++) ledger.run(account(i), `Trail customer ${i}`);
    })();
    post(
      2,
      Array.from({ length: TRANSACTIONS }, (_, k) => account(1 + (k % ACCOUNTS))),
    );
    crm = await startDynamicsSandbox({});
    db = await createTestDatabase('sqlite');
    const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-sage50-trail-'));
    const configPath = join(dir, 'ledgerlink.yaml');
    writeFileSync(
      configPath,
      stringify({
        database: db.url,
        connections: {
          sage50: { connector: 'sage50', settings: sage.settings() },
          dynamics: {
            connector: 'dynamics',
            settings: { ...sandboxRegistry.dynamics!.settings(crm), timeoutMs: 5000 },
          },
        },
        flows: { [FLOW]: {} },
      }),
    );
    ctx = await openContext({ configPath });
  }, 120_000);

  afterAll(async () => {
    await ctx?.close();
    await crm?.close();
    file?.close();
    await sage?.close();
    await sage?.drop();
    await db?.drop();
  });

  it('the first batch (no cursor) reads every account; the cursor is then the end of the trail', async () => {
    const r = await run();
    expect(r.status).toBe('succeeded');
    expect(r.counts.read).toBe(ACCOUNTS + 2);
    expect(r.counts.failed).toBe(0);
    expect(JSON.parse((await ctx.store.cursors.get(FLOW))!.replace(/^token:/, ''))).toMatchObject({
      tran: TRANSACTIONS + 1,
    });
  });

  it('a batch with no new transaction reads no record and makes 0 calls to Dynamics', async () => {
    const before = crm.kit.calls.length;
    const r = await run();
    expect(r.status).toBe('succeeded');
    expect(r.counts.read).toBe(0);
    expect(r.outcomes).toEqual([]);
    expect(crm.kit.calls.slice(before)).toEqual([]);
  });

  it('new transactions on a few accounts read those accounts only, however long the trail', async () => {
    post(TRANSACTIONS + 2, [account(7), account(7), account(23), 'A1D001']);
    const r = await run();
    expect(r.outcomes.map((o) => o.sourceId).sort()).toEqual(['A1D001', account(7), account(23)]);
  });
});
