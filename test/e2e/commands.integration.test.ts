import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { SANDBOX_CREDENTIALS, startAcumaticaSandbox } from '../../src/connectors/acumatica/sandbox/index.js';
import { MAGENTO_SANDBOX, startMagentoSandbox } from '../../src/connectors/magento/sandbox/index.js';
import { openStore } from '../../src/store/index.js';
import { runCli, spawnCli } from '../support/cli.js';
import { createTestDatabase } from '../support/databases.js';

/** Collects a child's stdout until `pattern` matches, then returns the match. */
function waitFor(child: ChildProcess, pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} within ${timeoutMs} ms; stdout: ${out} stderr: ${err}`)),
      timeoutMs,
    );
    child.stderr?.on('data', (d) => {
      err += d;
    });
    child.stdout?.on('data', (d) => {
      out += d;
      const m = out.match(pattern);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code} before ${pattern}: ${out} ${err}`)));
  });
}

const exitOf = (child: ChildProcess) =>
  new Promise<number | null>((r) => child.on('exit', (code) => r(code)));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe('long-running commands', () => {
  it('authorize: the OAuth code flow through a loopback redirect, then doctor and a sync use the stored grant', async () => {
    const sb = await startAcumaticaSandbox({ customers: 5 });
    const mag = await startMagentoSandbox({});
    const db = await createTestDatabase('sqlite');
    const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-auth-'));
    const configPath = join(dir, 'ledgerlink.yaml');
    writeFileSync(
      configPath,
      stringify({
        database: db.url,
        connections: {
          erp: {
            connector: 'acumatica',
            settings: {
              baseUrl: sb.url,
              authMode: 'oauth2',
              oauthFlow: 'authorization_code',
              clientId: SANDBOX_CREDENTIALS.clientId,
              clientSecret: '${ERP_SECRET}',
            },
          },
          shop: {
            connector: 'magento',
            settings: { baseUrl: mag.url, accessToken: MAGENTO_SANDBOX.accessToken },
          },
        },
        flows: { 'acumatica-magento.customers': { source: 'erp', target: 'shop' } },
      }),
    );
    const env = {
      LEDGERLINK_CONFIG: configPath,
      ERP_SECRET: SANDBOX_CREDENTIALS.clientSecret,
      LEDGERLINK_SECRET_KEY: Buffer.alloc(32, 3).toString('base64'),
    };
    const before = await runCli(['doctor', '--json'], env);
    expect(before.code).toBe(1);
    expect(before.stdout).toMatch(/has not been authorized yet: run .{1,2}ledgerlink authorize erp/);

    const port = await freePort();
    const child = spawnCli(
      ['authorize', 'erp', '--redirect-uri', `http://127.0.0.1:${port}/oauth/callback`, '--json'],
      env,
    );
    const [line] = await waitFor(child, /\{"authorizeUrl":"[^"]+"\}/);
    const exited = exitOf(child);
    // The person's browser: Acumatica (the sandbox) redirects back to Ledgerlink's loopback listener.
    const page = await fetch(JSON.parse(line).authorizeUrl);
    expect(await page.text()).toMatch(/Ledgerlink is authorized/);
    expect(await exited).toBe(0);

    const after = await runCli(['doctor'], env);
    expect(after.code, after.stdout).toBe(0);
    const sync = await runCli(['batch', 'acumatica-magento.customers', '--process-all', '--json'], env);
    expect(JSON.parse(sync.stdout).counts).toMatchObject({ created: 5, failed: 0 });
    const store = await openStore(db.url);
    const rows = await store.db.selectFrom('credentials').selectAll().execute();
    await store.close();
    expect(rows.map((r) => [r.connection, r.name])).toEqual([['erp', 'oauth_refresh_token']]);
    expect(rows[0]!.value).toMatch(/^v1:/);
    expect(JSON.stringify(rows)).not.toMatch(
      new RegExp([...sb.auth.refreshTokens.keys()].join('|') || 'none'),
    );
    await Promise.all([sb.close(), mag.close()]);
    await db.drop();
  });

  it('demo (npm start): seeded sandboxes, an initial sync, orders to cash both ways in real time, a clean stop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-demo-'));
    const child = spawnCli(
      [
        'demo',
        '--port',
        '0',
        '--dir',
        dir,
        '--customers',
        '30',
        '--products',
        '20',
        '--activity-every',
        '0.5',
      ],
      { PORT: undefined, LEDGERLINK_ADMIN_PASSWORD: 'demo admin password' },
    );
    const [, url] = await waitFor(child, /running on (http:\/\/127\.0\.0\.1:\d+)/);
    // The first admin, from LEDGERLINK_ADMIN_PASSWORD; the API is read with the session cookie.
    const login = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'demo admin password' }),
    });
    expect(login.status).toBe(200);
    const headers = { cookie: login.headers.get('set-cookie')!.split(';')[0]! };
    type Flows = Array<{ name: string; states: Record<string, number> }>;
    const processed = (flows: Flows, name: string) =>
      flows.find((f) => f.name === name)?.states.processed ?? 0;
    const busy = [
      'magento-acumatica.orders',
      'acumatica-magento.orders',
      'acumatica-magento.shipments',
      'acumatica-magento.invoices',
      'acumatica-magento.payments',
    ];
    let flows: Flows = [];
    for (let i = 0; i < 300; i++) {
      flows = ((await (await fetch(`${url}/api/flows`, { headers })).json()) as { flows: Flows }).flows;
      if (busy.every((name) => processed(flows, name) > 0)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // The 30 sample customers and the web guest account; the 20 products.
    expect(processed(flows, 'acumatica-magento.customers')).toBeGreaterThanOrEqual(31);
    expect(processed(flows, 'acumatica-magento.products')).toBe(20);
    // Shoppers' orders reached Acumatica; paid Acumatica orders, their shipments, invoices and payments reached Magento.
    for (const name of busy) expect(processed(flows, name), name).toBeGreaterThan(0);
    const failed = (await (await fetch(`${url}/api/log?status=failed,aborted`, { headers })).json()) as {
      entries: Array<{ reason: string }>;
    };
    expect(failed.entries.map((e) => e.reason)).toEqual([]);
    expect((await fetch(`${url}/`)).headers.get('content-type')).toMatch(/text\/html/);
    const exited = exitOf(child);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('sandbox: serves the API alone until stopped', async () => {
    const child = spawnCli(['sandbox', 'magento', '--port', '0', '--customers', '3', '--json']);
    const [json] = await waitFor(child, /\{[\s\S]*"settings"[\s\S]*\}\s*$/);
    const { url, settings } = JSON.parse(json) as { url: string; settings: { accessToken: string } };
    const res = await fetch(`${url}/rest/default/V1/customers/search?searchCriteria[pageSize]=10`, {
      headers: { authorization: `Bearer ${settings.accessToken}` },
    });
    expect(((await res.json()) as { total_count: number }).total_count).toBe(3);
    const exited = exitOf(child);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
