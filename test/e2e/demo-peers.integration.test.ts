import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnCli } from '../support/cli.js';
import { trytonAvailability } from '../support/peers/tryton.js';

const PASSWORD = 'peer-demo-password-1';
const available = trytonAvailability();

/** `ledgerlink demo --peers`: the story against real Tryton and Vendure, for a person to watch. */
describe.skipIf(!available.ok)('demo --peers', () => {
  let child: ChildProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-demo-peers-'));

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('starts both systems, and orders travel both ways while people work in them; Ctrl+C stops it all', async () => {
    child = spawnCli(
      [
        'demo',
        '--peers',
        '--json',
        '--port',
        '0',
        '--dir',
        dir,
        '--customers',
        '5',
        '--products',
        '6',
        '--activity-every',
        '1',
      ],
      { LEDGERLINK_ADMIN_PASSWORD: PASSWORD, PORT: undefined },
    );
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const m = /"url":\s*"(http:\/\/[^"]+)"/.exec(out);
        if (m) {
          clearInterval(timer);
          resolve(m[1]!);
        }
      }, 100);
      child!.once('exit', (code) => {
        clearInterval(timer);
        reject(new Error(`the demo exited with ${code}: ${out}`));
      });
    });
    expect(out).toMatch(/"tryton":\s*"http:\/\/127\.0\.0\.1:\d+/);
    expect(out).toMatch(/"vendure":\s*"http:\/\/127\.0\.0\.1:\d+/);
    const login = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    });
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    type Flows = { flows: Array<{ name: string; states: Record<string, number> }> };
    const processed = (flows: Flows, name: string) =>
      flows.flows.find((f) => f.name === name)?.states.processed ?? 0;
    const want = [
      'tryton-vendure.customers',
      'tryton-vendure.products',
      'vendure-tryton.orders',
      'tryton-vendure.invoices',
      'tryton-vendure.shipments',
    ];
    let flows: Flows = { flows: [] };
    const end = Date.now() + 150_000;
    while (Date.now() < end) {
      flows = (await (await fetch(`${url}/api/flows`, { headers: { cookie } })).json()) as Flows;
      if (want.every((f) => processed(flows, f) > 0)) break;
      // The flows poll every minute; a person would wait, a test asks for a run now.
      for (const f of want)
        await fetch(`${url}/api/flows/${f}/runs`, {
          method: 'POST',
          headers: {
            cookie,
            'content-type': 'application/json',
            'x-csrf-token': (
              (await (await fetch(`${url}/api/auth/me`, { headers: { cookie } })).json()) as {
                csrfToken: string;
              }
            ).csrfToken,
          },
          // Every record of the flow: a run over the whole flow says so.
          body: '{"confirm":true}',
        });
      await new Promise((r) => setTimeout(r, 2000));
    }
    for (const f of want) expect(processed(flows, f), f).toBeGreaterThan(0);
    const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 600_000);
});
