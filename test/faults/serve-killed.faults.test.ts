import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/server/auth/api-tokens.js';
import { openStore, type Store } from '../../src/store/index.js';
import { type SyncEnvironment, startSyncEnvironment } from '../support/environment.js';
import { report, seconds, spawnService, until, type WorkerProcess } from '../support/fault-kit.js';

const FLOW = 'acumatica-magento.products';
const PRODUCTS = 400;
const KILL_AT = 100;

/**
 * Fault scenario 6 (issue 14): the embedded default, one `ledgerlink serve` on SQLite, killed with
 * SIGKILL a quarter of the way through a Process All of 400 products, and started again. Nobody
 * touches anything: the run the dead process owned is marked interrupted with how far it got, its
 * job is back in the queue, and a new run finishes the other 300; every product lands once.
 */
describe('fault: serve killed in the middle of a run', () => {
  let env: SyncEnvironment;
  let store: Store;
  let serve: WorkerProcess | undefined;
  const start = () => {
    serve = spawnService(['serve', '--port', '0', '--json'], {
      LEDGERLINK_CONFIG: env.configPath,
      LEDGERLINK_ADMIN_PASSWORD: 'not-the-point-here-1',
    });
    return serve.started as Promise<{ url: string }>;
  };

  beforeAll(async () => {
    env = await startSyncEnvironment({
      customers: 0,
      products: PRODUCTS,
      dialect: 'sqlite',
      seed: 21,
      magentoLatencyMs: 15,
    });
    // No schedule: only the person's Process All runs the flow.
    env.writeConfig({ pageSize: 10, schedule: null });
    store = await openStore(env.db.url);
  });
  afterAll(async () => {
    if (serve?.alive()) serve.child.kill('SIGKILL');
    await store?.close();
    await env?.close();
  });

  it('the interrupted run is taken up at restart and the other records land, once, without a person', async () => {
    const { url } = await start();
    await until(async () => (await store.users.count()) > 0, 10_000, 'the first admin');
    const [admin] = await store.users.list();
    const { token } = await createApiToken(store, { username: admin!.username, name: 'faults' });
    const queued = await fetch(`${url}/api/flows/${FLOW}/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ since: '2000-01-01' }),
    });
    expect(queued.status, await queued.text()).toBe(202);
    const running = async () => (await store.runs.list({ flow: FLOW, limit: 1 }))[0];
    await until(
      async () => ((await running())?.read_count ?? 0) >= KILL_AT,
      60_000,
      `${KILL_AT} products read`,
    );
    serve!.child.kill('SIGKILL');
    await serve!.exited;
    const cut = (await running())!;
    expect(cut.status).toBe('running');
    const landedAtKill = env.magento.products.size;

    const restarted = Date.now();
    await start();
    await until(
      async () => env.magento.products.size === PRODUCTS && (await running())?.status === 'succeeded',
      120_000,
      'every product to land and the new run to end',
      async () => JSON.stringify({ runs: await store.runs.list({ flow: FLOW, limit: 3 }) }),
    );
    const after = await store.runs.get(cut.id);
    expect(after?.status).toBe('interrupted');
    expect(after?.message).toMatch(
      /^the process running it \(.+\) stopped after \d+ of 400 records; the run was taken up again$/,
    );
    const resumed = (await running())!;
    expect(resumed.id).toBeGreaterThan(cut.id);
    // Nothing twice: each SKU once in Magento, the new run created only what the dead one had not.
    const skus = [...env.magento.products.values()].map((p) => p.sku);
    expect(new Set(skus).size).toBe(PRODUCTS);
    expect(resumed.created + landedAtKill).toBeGreaterThanOrEqual(PRODUCTS - 10);
    report('serve killed mid-run', {
      killedAt: `${cut.read_count} of ${PRODUCTS} read, ${landedAtKill} in Magento`,
      resumedRun: resumed.id,
      resumedCounts: { created: resumed.created, unchanged: resumed.unchanged, updated: resumed.updated },
      allLandedSecondsAfterRestart: seconds(Date.now() - restarted),
    });
    serve!.child.kill('SIGTERM');
    await serve!.exited;
  });
});
