import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnCli } from '../support/cli.js';

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

describe('long-running commands', () => {
  it('demo (npm start): seeded sandboxes, an initial sync visible through the API, a clean stop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-demo-'));
    const child = spawnCli(
      ['demo', '--port', '0', '--dir', dir, '--customers', '30', '--products', '20', '--no-activity'],
      { PORT: undefined },
    );
    const [, url] = await waitFor(child, /running on (http:\/\/127\.0\.0\.1:\d+)/);
    let flows: Array<{ name: string; states: Record<string, number>; lastRun: { status: string } | null }> =
      [];
    for (let i = 0; i < 200; i++) {
      flows = ((await (await fetch(`${url}/api/flows`)).json()) as { flows: typeof flows }).flows;
      if (flows.every((f) => f.lastRun && f.lastRun.status !== 'running')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(Object.fromEntries(flows.map((f) => [f.name, f.states]))).toEqual({
      'acumatica-magento.customers': { processed: 30 },
      'acumatica-magento.products': { processed: 20 },
    });
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
