import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type DynamicsSandbox, startDynamicsSandbox } from '../../src/connectors/dynamics/sandbox/index.js';
import { addAuditTransaction } from '../../src/connectors/sage50/sandbox/index.js';
import { hostedFor } from '../../src/connectors/sage50/test-support.js';
import { sandboxRegistry } from '../../src/connectors/sandboxes.js';
import { type Context, openContext } from '../../src/runtime/context.js';
import { batchBetween } from '../support/batch-run.js';
import { runCli, spawnCli } from '../support/cli.js';
import { CuttingProxy } from '../support/cutting-proxy.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

const TOKEN = 'agent-token-for-the-loopback-test-0123456789';

/** `ledgerlink agent` started for real; resolves with the address it printed. */
function startAgent(configPath: string, port = 0): Promise<{ child: ChildProcess; url: string }> {
  const child = spawnCli(
    ['agent', '-c', configPath, '--connection', 'sage', '--listen', `127.0.0.1:${port}`, '--json'],
    { LEDGERLINK_AGENT_TOKEN: TOKEN },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`the agent did not start\n${err}`)), 60_000);
    child.stderr?.on('data', (d) => {
      err += d;
    });
    child.stdout?.on('data', (d) => {
      out += d;
      const url = /"url":\s*"([^"]+)"/.exec(out)?.[1];
      if (!url) return;
      clearTimeout(timer);
      resolve({ child, url });
    });
    child.on('exit', (code) => reject(new Error(`the agent exited ${code}\n${err}`)));
  });
}

const stop = (child: ChildProcess) =>
  new Promise<void>((r) => {
    if (child.exitCode !== null) return r();
    child.once('exit', () => r());
    child.kill('SIGTERM');
  });

/**
 * Sage 50 on "another machine": its hosted tables behind unixODBC, served by `ledgerlink agent` on
 * one loopback port; the server (this process, another store) reaches it through a proxy that drops
 * connections on cue. The same flows as in process give the same records, to the penny; an answer
 * lost after the agent wrote an invoice does not make a second; an agent restarted in the middle of
 * a batch loses nothing, and the batch goes on.
 */
describe('Sage 50 through ledgerlink agent ↔ Dynamics 365', () => {
  let sage: Awaited<ReturnType<typeof hostedFor>>;
  let crm: DynamicsSandbox;
  let db: TestDatabase;
  let ctx: Context;
  let agent: { child: ChildProcess; url: string };
  let proxy: CuttingProxy;
  let dir: string;
  let agentConfig: string;

  const batch = () => batchBetween(ctx, 'sage50,dynamics', 40);
  const q = (sql: string, params: Array<string | number> = []) => sage.db.query(sql, params);

  beforeAll(async () => {
    sage = await hostedFor('sqlite');
    crm = await startDynamicsSandbox({});
    db = await createTestDatabase('sqlite');
    dir = mkdtempSync(join(tmpdir(), 'ledgerlink-agent-'));
    // The Sage PC's own configuration: the local connection, as it would be in process.
    agentConfig = join(dir, 'agent.yaml');
    writeFileSync(
      agentConfig,
      stringify({
        database: `sqlite:${join(dir, 'agent.db')}`,
        connections: { sage: { connector: 'sage50', settings: sage.settings() } },
      }),
    );
    agent = await startAgent(agentConfig);
    const port = Number(new URL(agent.url).port);
    proxy = new CuttingProxy({ host: '127.0.0.1', port });
    const proxyUrl = await proxy.listen();
    const configPath = join(dir, 'server.yaml');
    const fast = { retryBaseSeconds: 0.05, retryCapSeconds: 0.5 };
    writeFileSync(
      configPath,
      stringify({
        database: db.url,
        connections: {
          sage50: {
            connector: 'sage50',
            settings: { reach: 'agent', agentUrl: proxyUrl, agentToken: TOKEN },
          },
          dynamics: {
            connector: 'dynamics',
            settings: { ...sandboxRegistry.dynamics!.settings(crm), timeoutMs: 5000 },
          },
        },
        flows: Object.fromEntries(
          [
            'sage50-dynamics.customers',
            'sage50-dynamics.products',
            'sage50-dynamics.invoices',
            'dynamics-sage50.orders',
          ].map((f) => [f, { ...fast }]),
        ),
      }),
    );
    ctx = await openContext({ configPath });
  }, 120_000);

  afterAll(async () => {
    await ctx?.close();
    if (agent) await stop(agent.child);
    await proxy?.close();
    await crm?.close();
    await sage?.close();
    await sage?.drop();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('Test connection reaches Sage 50 through the agent', async () => {
    const checks = await ctx.connectors.get('sage50').check();
    expect(checks.map((c) => [c.name, c.ok])).toEqual([
      ['agent', true],
      ['odbc', true],
      ['default product', true],
    ]);
    expect(checks[0]?.message).toMatch(
      /^the agent at 127\.0\.0\.1:\d+ answered \(Ledgerlink .+, connection "sage"\)$/,
    );
  });

  it('the batch runs the in-process flows; answers lost after a read and after an invoice was written lose nothing and write nothing twice', async () => {
    // The answer to the first page of customers, and to the write of the penny invoice, never arrive.
    proxy.cutAnswerTo('/agent/v1/read');
    proxy.cutAnswerTo('/agent/v1/write');
    const { failures } = await batch();
    expect(proxy.stats.cut).toEqual(['/agent/v1/read', '/agent/v1/write']);
    expect(failures).toEqual([
      expect.stringMatching(/^dynamics-sage50\.orders ORD-1002: .*customer XXX001 is not in Sage 50/),
    ]);
    // One invoice for the order, every figure Sage's (the penny test, through the agent).
    const heads = await q(
      `SELECT INVOICE_NUMBER AS n, CAST(INVOICE_NET AS VARCHAR(32)) AS net, CAST(INVOICE_TAX AS VARCHAR(32)) AS tax,
       CAST(INVOICE_GROSS AS VARCHAR(32)) AS gross FROM INVOICE WHERE CUST_ORDER_NUMBER = 'ORD-1001-1KWBHX'`,
    );
    expect(
      heads.map((h) => [h.n, ...[h.net, h.tax, h.gross].map((v) => new Decimal(String(v)).toFixed(2))]),
    ).toEqual([[2, '325.60', '56.99', '382.59']]);
    expect(crm.find('salesorders', 'ordernumber', 'ORD-1001-1KWBHX')?.new_invoicenumber).toBe('2');
    const accounts = crm.rows('accounts');
    expect(accounts.map((a) => a.accountnumber)).toEqual(expect.arrayContaining(['A1D001', 'ABS001']));
    expect(String(accounts.find((a) => a.accountnumber === 'ABS001')?.creditlimit)).toBe('4000');
    expect(
      new Decimal(String(crm.find('invoices', 'invoicenumber', 'A1D001-1')?.totalamount)).equals('176.25'),
    ).toBe(true);
  });

  it('an agent stopped and started again in the middle of a batch: the batch waits for it and loses nothing', async () => {
    await addAuditTransaction(sage.db, {
      tran: 7,
      type: 'SR',
      account: 'ABS001',
      invRef: '',
      date: '2026-01-15',
      net: '-30',
      tax: '0',
      gross: '-30',
      splits: [{ tran: 20, net: '-30', tax: '0', gross: '-30', details: 'Receipt' }],
    });
    await q("UPDATE SALES_LEDGER SET TURNOVER_YTD = 3100.45 WHERE ACCOUNT_REF = 'ABS001'");
    const port = Number(new URL(agent.url).port);
    await stop(agent.child);
    const running = batch();
    // Down for a second and a half, then the agent is back on its port (the server's address holds).
    await new Promise((r) => setTimeout(r, 1500));
    agent = await startAgent(agentConfig, port);
    proxy.retarget(Number(new URL(agent.url).port));
    const { failures, runs } = await running;
    expect(failures.filter((f) => !f.includes('ORD-1002'))).toEqual([]);
    expect(runs.find((r) => r.flow === 'sage50-dynamics.customers')?.outcomes.map((o) => o.sourceId)).toEqual(
      ['ABS001'],
    );
    expect(String(crm.rows('accounts').find((a) => a.accountnumber === 'ABS001')?.revenue)).toBe('3100.45');
    expect(
      await q("SELECT INVOICE_NUMBER AS n FROM INVOICE WHERE CUST_ORDER_NUMBER = 'ORD-1001-1KWBHX'"),
    ).toEqual([{ n: 2 }]);
  });

  it('the Sage View’s listings come through the agent too (Invoice Items by account prefix)', async () => {
    const remote = ctx.connectors.get('sage50');
    const rows: Array<{ id: string; columns: Record<string, unknown> }> = [];
    for await (const page of remote.listRows!('invoiceItems', { filters: { search: ['a1'] } }))
      rows.push(...page);
    expect(rows.filter((r) => r.id.startsWith('1/')).map((r) => [r.id, r.columns.stockCode])).toEqual([
      ['1/1', 'VID003'],
      ['1/2', 'S1'],
      ['1/3', 'M'],
    ]);
  });

  it('a wrong token is refused before anything is read; Test connection says which setting to fix', async () => {
    const res = await fetch(`${agent.url}/agent/v1/check`, {
      method: 'POST',
      headers: { authorization: 'Bearer not-the-token', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/agentToken/);
    const { createSage50Connector } = await import('../../src/connectors/sage50/connector.js');
    const wrong = createSage50Connector(
      { reach: 'agent', agentUrl: agent.url, agentToken: 'x'.repeat(40) },
      { connection: 'sage50', logger: ctx.logger },
    );
    const [check] = await wrong.check();
    expect(check).toMatchObject({ name: 'agent', ok: false });
    expect(check?.message).toMatch(/answered 401: the agent refused the token/);
    await wrong.close();
  });

  it('the agent refuses a short token, and a network address without TLS', async () => {
    const short = await runCli(['agent', '-c', agentConfig, '--connection', 'sage'], {
      LEDGERLINK_AGENT_TOKEN: 'short',
    });
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/at least 32 random/);
    const open = await runCli(
      ['agent', '-c', agentConfig, '--connection', 'sage', '--listen', '0.0.0.0:7410'],
      {
        LEDGERLINK_AGENT_TOKEN: TOKEN,
      },
    );
    expect(open.code).toBe(2);
    expect(open.stderr).toMatch(/reachable from other machines: serve HTTPS/);
  });
});
