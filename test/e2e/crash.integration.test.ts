import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { runCli, spawnCli } from '../support/cli.js';
import { type SyncEnvironment, startSyncEnvironment } from '../support/environment.js';

/** Kills `ledgerlink batch` with SIGKILL once the target holds `after` records of the kind counted. */
async function killWhen(
  env: SyncEnvironment,
  flow: string,
  count: () => number,
  after: number,
): Promise<void> {
  const child = spawnCli(['batch', flow, '--process-all', '--json'], { LEDGERLINK_CONFIG: env.configPath });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const deadline = Date.now() + 60_000;
  while (count() < after && Date.now() < deadline && child.exitCode === null)
    await new Promise((r) => setTimeout(r, 5));
  if (child.exitCode !== null)
    throw new Error(`the batch ended before it could be killed (exit ${child.exitCode}): ${stderr}`);
  child.kill('SIGKILL');
  await exited;
}

describe('crash: SIGKILL mid-batch, then restart', () => {
  let env: SyncEnvironment;

  beforeAll(async () => {
    // A little latency per call, so each run lasts long enough to be killed at chosen points.
    env = await startSyncEnvironment({ customers: 1000, products: 1000, seed: 11, magentoLatencyMs: 1 });
  });
  afterAll(async () => {
    expect(env.magento.kit.violations).toEqual([]);
    await env.close();
  });

  it('every customer and product exists exactly once on Magento afterwards', async () => {
    const customers = () => env.magento.customers.size;
    const products = () => env.magento.products.size;
    for (const after of [150, 420, 777]) await killWhen(env, 'acumatica-magento.customers', customers, after);
    for (const after of [90, 505]) await killWhen(env, 'acumatica-magento.products', products, after);
    expect(customers()).toBeGreaterThanOrEqual(777);
    expect(customers()).toBeLessThan(1000);

    for (const flow of ['acumatica-magento.customers', 'acumatica-magento.products']) {
      const r = await runCli(
        ['batch', flow, '--process-all', '--json'],
        { LEDGERLINK_CONFIG: env.configPath },
        { timeoutMs: 120_000 },
      );
      expect(r.code, r.stderr).toBe(0);
      const result = JSON.parse(r.stdout) as { counts: { failed: number; read: number } };
      expect(result.counts).toMatchObject({ read: 1000, failed: 0 });
    }

    const all = [...env.magento.customers.values()];
    expect(all).toHaveLength(1000);
    expect(new Set(all.map((c) => c.email.toLowerCase())).size).toBe(1000);
    expect(env.magento.products.size).toBe(1000);
    const skus = [...env.magento.products.values()].map((p) => p.sku);
    expect(new Set(skus).size).toBe(1000);

    // Every record is linked, and the killed runs are closed rather than left "running".
    const store = await openStore(env.db.url);
    const states = await store.records.countByState();
    const runs = await store.runs.list({ limit: 20 });
    await store.close();
    expect(states).toEqual({ processed: 2000 });
    expect(runs.filter((r) => r.status === 'running')).toEqual([]);
  });
});
