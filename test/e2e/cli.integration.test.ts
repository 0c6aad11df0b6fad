import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { type SyncEnvironment, startSyncEnvironment } from '../support/environment.js';

const FLOW = 'acumatica-magento.customers';

async function xlsx(path: string, rows: string[][]): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('ids');
  for (const r of rows) ws.addRow(r);
  await wb.xlsx.writeFile(path);
  return path;
}

/** The error contract for people: exactly one line, starting "error:", and a non-zero exit. */
function oneLineError(
  r: { code: number | null; stderr: string; stdout: string },
  pattern: RegExp,
  code = 1,
): void {
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
}

describe('the ledgerlink command', () => {
  let env: SyncEnvironment;
  let cfg: Record<string, string>;

  beforeAll(async () => {
    env = await startSyncEnvironment({ customers: 30, products: 5, seed: 9 });
    cfg = { LEDGERLINK_CONFIG: env.configPath };
  });
  afterAll(async () => {
    expect(env.magento.kit.violations).toEqual([]);
    await env.close();
  });

  describe('bad input: one clear line, a non-zero exit, nothing written', () => {
    it('malformed configuration', async () => {
      const bad = join(env.dir, 'broken.yaml');
      writeFileSync(bad, 'connections:\n  acumatica: [unclosed\n');
      oneLineError(
        await runCli(['batch', FLOW, '--process-all', '-c', bad]),
        /broken\.yaml:\d+:\d+: not valid YAML/,
      );
    });

    it('a configuration with a wrong value names the YAML path', async () => {
      const bad = join(env.dir, 'wrong.yaml');
      writeFileSync(
        bad,
        readFileSync(env.configPath, 'utf8').replace(
          'acumatica-magento.customers:',
          'acumatica-magento.customers:\n    pageSize: lots',
        ),
      );
      oneLineError(
        await runCli(['batch', FLOW, '--load', '-c', bad]),
        /wrong\.yaml:\d+:\d+ flows\.acumatica-magento\.customers\.pageSize: /,
      );
    });

    it('unknown flow', async () => {
      oneLineError(
        await runCli(['batch', 'acumatica-magento.widgets', '--process-all'], cfg),
        /unknown flow "acumatica-magento\.widgets"; configured flows: acumatica-magento\.customers, acumatica-magento\.products/,
      );
    });

    it('wrong ID-file header', async () => {
      const file = await xlsx(join(env.dir, 'ids-wrong.xlsx'), [['Cust'], ['C000001']]);
      oneLineError(
        await runCli(['batch', FLOW, '--process-all', '--ids-file', file], cfg),
        /ids-wrong\.xlsx: the first row must be the header "Customer" .*\(found "Cust"\)/,
      );
    });

    it('unreadable Excel file', async () => {
      const file = join(env.dir, 'garbage.xlsx');
      writeFileSync(file, 'PK\u0003\u0004 but not really a workbook');
      oneLineError(
        await runCli(['batch', FLOW, '--process-all', '--ids-file', file], cfg),
        /garbage\.xlsx is not a readable Excel \(\.xlsx\) file/,
      );
    });

    it('dates in the wrong format', async () => {
      oneLineError(
        await runCli(['batch', FLOW, '--load', '--since', '31/01/2026'], cfg),
        /--since "31\/01\/2026" is not a date; use YYYY-MM-DD/,
      );
      oneLineError(
        await runCli(['batch', FLOW, '--load', '--until', '2026-01-31T10:00:00'], cfg),
        /--until "2026-01-31T10:00:00" has no zone/,
      );
    });

    it('a filter the source does not have names the ones it has', async () => {
      oneLineError(
        await runCli(['batch', FLOW, '--load', '--filter', 'colour=red'], cfg),
        /Acumatica has no "colour" filter for customer records; it has: customerClass, status/,
        2,
      );
    });

    it('a text filter (the search box) takes the start of a reference, at most 100 characters', async () => {
      oneLineError(
        await runCli(['batch', FLOW, '--load', '--filter', `search=${'C'.repeat(101)}`], cfg),
        /--filter search: the start of the Customer ID is at most 100 characters; 101 were typed/,
        2,
      );
    });

    it('no mode is bad usage', async () => {
      oneLineError(
        await runCli(['batch', FLOW], cfg),
        /choose one of --load, --scan, --dry-run, --process-all or --process <ids>/,
        2,
      );
    });

    it('a dry run goes alone or with a processing, never with a Load or a Scan, nor incrementally', async () => {
      oneLineError(
        await runCli(['batch', FLOW, '--dry-run', '--load'], cfg),
        /--dry-run goes alone or with --process-all or --process <ids>, not with --load or --scan/,
        2,
      );
      oneLineError(
        await runCli(['batch', FLOW, '--dry-run', '--process-all', '--incremental'], cfg),
        /--dry-run previews what the filters select; leave out --incremental/,
        2,
      );
    });

    it('machines get the same errors as JSON', async () => {
      const r = await runCli(['batch', 'nope', '--process-all', '--json'], cfg);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout)).toEqual({
        error: { code: 'unknown_flow', message: expect.stringContaining('unknown flow "nope"') },
      });
    });

    it('and none of it wrote anything to Magento or started a run', async () => {
      expect(env.magento.kit.writeCalls()).toEqual([]);
      const log = await runCli(['log', '--json'], cfg);
      expect(JSON.parse(log.stdout).total).toBe(0);
    });
  });

  it('init writes a commented configuration and will not overwrite it', async () => {
    const path = join(env.dir, 'fresh.yaml');
    const first = await runCli(['init', '-c', path]);
    expect(first.code).toBe(0);
    expect(readFileSync(path, 'utf8')).toMatch(/^# Ledgerlink configuration/);
    oneLineError(await runCli(['init', '-c', path]), /fresh\.yaml already exists; use --force/, 2);
  });

  it('load previews from an ID file; process-all does it; log and doctor report', async () => {
    const file = await xlsx(join(env.dir, 'ids.xlsx'), [['Customer'], ['C000001'], ['C000002'], ['C000003']]);
    const load = await runCli(['batch', FLOW, '--load', '--ids-file', file, '--json'], cfg);
    expect(load.code, load.stderr).toBe(0);
    const preview = JSON.parse(load.stdout) as { count: number; plan: Record<string, number> };
    expect(preview).toMatchObject({ count: 3, plan: { create: 3 } });
    expect(env.magento.kit.writeCalls()).toEqual([]);

    const run = await runCli(['batch', FLOW, '--process-all', '--ids-file', file], cfg);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/read 3 · created 3 · updated 0 · unchanged 0/);
    expect(env.magento.customers.size).toBe(3);

    const retail = [...env.acumatica.customers.values()].filter(
      (c) => c.CustomerClass?.value === 'RETAIL',
    ).length;
    const byClass = await runCli(
      ['batch', FLOW, '--load', '--filter', 'customerClass=RETAIL', '--json'],
      cfg,
    );
    expect(JSON.parse(byClass.stdout).count).toBe(retail);

    const picked = await runCli(['batch', FLOW, '--process', 'C000010,C000011', '--json'], cfg);
    expect(JSON.parse(picked.stdout).counts).toMatchObject({ read: 2, created: 2 });

    const all = await runCli(['batch', FLOW, '--process-all', '--since', '2000-01-01', '--json'], cfg);
    expect(JSON.parse(all.stdout).counts).toMatchObject({ read: 30, created: 25, unchanged: 5 });

    const log = await runCli(['log', '--flow', FLOW, '--record', 'C000002'], cfg);
    expect(log.stdout).toMatch(/acumatica-magento\.customers C000002 → \d+: processed/);

    const ok = await runCli(['doctor'], cfg);
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toMatch(/✔ acumatica +credentials/);

    env.writeConfig({}, { accessToken: 'wrong-token' });
    const bad = await runCli(['doctor', '--json'], cfg);
    expect(bad.code).toBe(1);
    const verdicts = JSON.parse(bad.stdout) as {
      ok: boolean;
      verdicts: Array<{ subject: string; ok: boolean; message: string }>;
    };
    expect(verdicts.ok).toBe(false);
    expect(verdicts.verdicts.find((v) => v.subject === 'magento' && !v.ok)?.message).toMatch(
      /token|authori/i,
    );
    env.writeConfig();
    expect(existsSync(env.configPath)).toBe(true);
  });

  it('batch without a flow runs every flow between two connections once, in dependency order', async () => {
    oneLineError(
      await runCli(['batch', '--between', 'acumatica'], cfg),
      /--between takes two connection names/,
      2,
    );
    oneLineError(
      await runCli(['batch', '--between', 'acumatica,nowhere'], cfg),
      /there is no connection "nowhere"; configured: acumatica, magento/,
      2,
    );
    oneLineError(await runCli(['batch', '--load'], cfg), /name a flow to filter, load or process/, 2);

    const magentoProducts = env.magento.products.size;
    const r = await runCli(['batch', '--between', 'magento,acumatica', '--no-wait', '--json'], cfg);
    const out = JSON.parse(r.stdout) as {
      flows: Array<{ flow: string; status: string; counts: { read: number; created: number } }>;
      failedRuns: number;
      recordsStillFailing: number;
    };
    expect(out.flows.map((f) => f.flow)).toEqual([
      'acumatica-magento.customers',
      'acumatica-magento.products',
    ]);
    expect(out.failedRuns).toBe(0);
    expect(r.code, r.stderr).toBe(out.recordsStillFailing > 0 ? 3 : 0);
    expect(out.flows[1]?.counts.read).toBe(5);
    expect(env.magento.products.size).toBeGreaterThan(magentoProducts);

    // A second batch reads only what changed since: nothing.
    const again = JSON.parse((await runCli(['batch', '--json', '--no-wait'], cfg)).stdout) as typeof out;
    expect(again.flows.map((f) => f.counts.created)).toEqual([0, 0]);
  });
});
