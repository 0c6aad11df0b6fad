import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { MAGENTO_SANDBOX } from '../../src/connectors/magento/sandbox/index.js';
import { runCli, spawnCli } from '../support/cli.js';

const PASSWORD = 'demo admin password';

interface Demo {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts the demo as a person does (no LOG_LEVEL), and resolves once it serves. */
function startDemo(dir: string, extra: string[] = []): Promise<Demo> {
  const child = spawnCli(
    [
      'demo',
      '--port',
      '0',
      '--dir',
      dir,
      '--customers',
      '100',
      '--products',
      '10',
      '--activity-every',
      '0.5',
      '--report-every',
      '1',
      ...extra,
    ],
    { PORT: undefined, LOG_LEVEL: undefined, LEDGERLINK_ADMIN_PASSWORD: PASSWORD },
  );
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      const m = out.match(/running on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearInterval(timer);
        resolve({ child, url: m[1]!, stdout: () => out, stderr: () => err, exited });
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`the demo exited with ${code}: ${out} ${err}`));
    });
  });
}

/** Waits for a condition, polling; never a fixed sleep. */
async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 120_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(demo: Demo | undefined): Promise<number | null | undefined> {
  if (!demo || demo.child.exitCode !== null) return demo?.child.exitCode;
  demo.child.kill('SIGTERM');
  return demo.exited;
}

/** The Magento sandbox's address, as the demo's configuration file names it. */
const magentoOf = (dir: string): string =>
  (
    parse(readFileSync(join(dir, 'ledgerlink.yaml'), 'utf8')) as {
      connections: { magento: { settings: { baseUrl: string } } };
    }
  ).connections.magento.settings.baseUrl;

async function login(url: string) {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { csrfToken: string };
  return { cookie: res.headers.get('set-cookie')!.split(';')[0]!, csrf: body.csrfToken };
}

/**
 * The demo as a newcomer meets it: the terminal says in sentences what synced and what failed (the
 * JSON log lines go to a file, and serve keeps them on stderr); and a restart goes on where the last
 * start stopped — users, tokens, sessions, dashboard edits, both sandboxes' data — until --fresh.
 */
describe('the demo across restarts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-demo-state-'));
  let demo: Demo | undefined;
  afterAll(async () => {
    await stop(demo);
    rmSync(dir, { recursive: true, force: true });
  });

  it('says what happens in sentences, keeps state across a restart, and starts over with --fresh', async () => {
    demo = await startDemo(dir);
    const first = demo;
    // The terminal: a failure named once with its reason, and what synced — no JSON, no library warnings.
    await until('a failure named in the terminal', () =>
      /^\d\d:\d\d:\d\d {4}failed: acumatica-magento\.customers C000097 — customer C000097 has no email \+ website, which Magento needs to identify it$/m.test(
        first.stdout(),
      ),
    );
    await until('a line of what synced', () =>
      /^\d\d:\d\d:\d\d {2}synced .*acumatica-magento\.customers \d+/m.test(first.stdout()),
    );
    const log = join(dir, 'ledgerlink.log');
    await until('the JSON log line of the failure in the log file', () =>
      readFileSync(log, 'utf8').includes('"msg":"record failed"'),
    );
    expect(first.stdout()).not.toMatch(/^\{/m);

    // A person's work in the first run: a token, a dashboard edit, and a web order that reaches Acumatica.
    const s = await login(first.url);
    const made = await fetch(`${first.url}/api/tokens`, {
      method: 'POST',
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'kept' }),
    });
    expect(made.status).toBe(201);
    const token = ((await made.json()) as { token: string }).token;
    const auth = { authorization: `Bearer ${token}` };
    const edit = await fetch(`${first.url}/api/flows/acumatica-magento.payments`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ schedule: '7 * * * *' }),
    });
    expect(edit.status, await edit.text()).toBe(200);
    const magentoUrl = magentoOf(dir);
    expect(magentoUrl).toMatch(/^http/);
    const ordersIn = async (url: string) =>
      (
        (await (
          await fetch(`${url}/rest/default/V1/orders?searchCriteria[pageSize]=1`, {
            headers: { authorization: `Bearer ${MAGENTO_SANDBOX.accessToken}` },
          })
        ).json()) as { total_count: number }
      ).total_count;
    // Shoppers check out once customers and products reached the shop; one more placed by hand.
    await until('a shopper checking out', async () => (await ordersIn(magentoUrl)) > 0);
    const placed = await fetch(`${magentoUrl}/_sandbox/orders`, { method: 'POST' });
    expect(placed.status).toBe(201);
    const before = await ordersIn(magentoUrl);

    expect(await stop(first)).toBe(0);
    expect(first.stderr()).not.toMatch(/^\{/m);
    expect(first.stderr()).not.toMatch(/allowUnionTypes|strict mode/);
    expect(existsSync(join(dir, 'sandboxes', 'acumatica.json'))).toBe(true);
    expect(existsSync(join(dir, 'sandboxes', 'magento.json'))).toBe(true);
    const magentoKept = JSON.parse(readFileSync(join(dir, 'sandboxes', 'magento.json'), 'utf8')) as {
      orders: unknown[];
    };
    const acumaticaKept = JSON.parse(readFileSync(join(dir, 'sandboxes', 'acumatica.json'), 'utf8')) as {
      orders: unknown[];
    };
    expect(magentoKept.orders.length).toBeGreaterThanOrEqual(before);

    // Restarted: nothing asked again, everything where it was.
    demo = await startDemo(dir, ['--no-activity']);
    const second = demo;
    // The banner comes in more than one write; the demo counts as started at its first line.
    await until('the whole banner', () => second.stdout().includes('Stop with Ctrl+C.'));
    expect(second.stdout()).not.toMatch(/first login/);
    expect(second.stdout()).toMatch(/Users, tokens and sessions are kept from the last run/);
    expect(second.stdout()).toMatch(
      new RegExp(
        `Acumatica sandbox +http:\\S+ +\\(kept from the last run: 101 customers, 10 stock items, ${acumaticaKept.orders.length} sales orders\\)`,
      ),
    );
    expect(second.stdout()).toMatch(
      /Magento sandbox +http:\S+ +\(kept from the last run: \d+ customers, 10 products, \d+ orders\)/,
    );
    const flow = await fetch(`${second.url}/api/flows/acumatica-magento.payments`, { headers: auth });
    expect(flow.status).toBe(200);
    expect(((await flow.json()) as { schedule?: string }).schedule).toBe('7 * * * *');
    const me = await fetch(`${second.url}/api/auth/me`, { headers: { cookie: s.cookie } });
    expect(me.status).toBe(200);
    const nowUrl = magentoOf(dir);
    expect(await ordersIn(nowUrl)).toBe(magentoKept.orders.length);
    expect(await stop(second)).toBe(0);

    // --fresh: a new store (the token is unknown), new sandboxes, a new first login.
    demo = await startDemo(dir, ['--fresh', '--no-activity']);
    const third = demo;
    expect(third.stdout()).toMatch(/first login: admin/);
    expect((await fetch(`${third.url}/api/flows`, { headers: auth })).status).toBe(401);
    expect(third.stdout()).toMatch(/Magento sandbox +http:\S+ +\(0 customers, 0 products, 0 orders\)/);
    expect(await stop(third)).toBe(0);
  }, 300_000);

  it('demo --help says what it keeps and how to start over', async () => {
    const help = await runCli(['demo', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--fresh +start over/);
    expect(help.stdout).toMatch(/A later start with the same --dir goes on where the last one stopped/);
    expect(help.stdout).toMatch(/the JSON log lines go to <dir>\/ledgerlink\.log/);
  });

  it('serve keeps its JSON log lines on stderr', async () => {
    // serve, briefly, on a configuration of its own: its log is JSON lines on stderr.
    const own = mkdtempSync(join(tmpdir(), 'ledgerlink-serve-log-'));
    const config = join(own, 'ledgerlink.yaml');
    writeFileSync(
      config,
      stringify({
        database: `sqlite:${join(own, 'ledgerlink.db')}`,
        connections: {
          acumatica: {
            connector: 'acumatica',
            settings: { baseUrl: 'http://127.0.0.1:9', username: 'u', password: 'p' },
          },
          magento: { connector: 'magento', settings: { baseUrl: 'http://127.0.0.1:9', accessToken: 't' } },
        },
        flows: { 'acumatica-magento.customers': { schedule: '0 3 * * *' } },
      }),
    );
    const child = spawnCli(['serve', '-c', config], { LOG_LEVEL: 'info', PORT: '0' });
    let err = '';
    child.stderr?.on('data', (d) => {
      err += d;
    });
    await until(
      'a JSON log line from serve',
      () => /^\{"level":30,.*"msg":"flow scheduled"\}$/m.test(err),
      30_000,
    );
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGTERM');
    await exited;
    rmSync(own, { recursive: true, force: true });
  }, 120_000);
});
