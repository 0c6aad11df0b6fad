import type { ChildProcess } from 'node:child_process';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_TASK } from '../../src/engine/engine.js';
import { GraphileQueue } from '../../src/runtime/queue/graphile.js';
import { RUN_TASK } from '../../src/runtime/worker.js';
import { openStore, type Store } from '../../src/store/index.js';
import { runCli, spawnCli } from '../support/cli.js';
import { type SyncEnvironment, startSyncEnvironment } from '../support/environment.js';

const CUSTOMERS = 'acumatica-magento.customers';
const PRODUCTS = 'acumatica-magento.products';
const logger = pino({ level: 'silent' });

/** Resolves with the first stdout line that parses as JSON (what `--json` prints once started). */
function started(child: ChildProcess, timeoutMs = 30_000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (d) => {
      err += d;
    });
    const timer = setTimeout(
      () => reject(new Error(`not started within ${timeoutMs} ms: ${err}`)),
      timeoutMs,
    );
    child.stdout?.on('data', (d) => {
      out += d;
      try {
        const value = JSON.parse(out) as Record<string, unknown>;
        clearTimeout(timer);
        resolve(value);
      } catch {
        // not all of it yet
      }
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before starting: ${err}`)));
  });
}

function exit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });
}

async function until(probe: () => Promise<boolean> | boolean, timeoutMs = 150_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Nothing held: no job or queue locked by a worker, no worker noted alive, no run left running. */
async function nothingHeld(store: Store, o: { runs?: boolean } = {}): Promise<void> {
  const { rows } = await import('kysely').then(({ sql }) =>
    sql<{
      n: number;
    }>`select count(*)::int as n from graphile_worker.jobs where locked_by is not null`.execute(store.db),
  );
  expect(rows[0]?.n).toBe(0);
  expect(await store.db.selectFrom('queue_workers').selectAll().execute()).toEqual([]);
  if (o.runs !== false)
    expect((await store.runs.list({ limit: 50 })).filter((r) => r.status === 'running')).toEqual([]);
}

describe('scale-out on PostgreSQL: ledgerlink worker', () => {
  let env: SyncEnvironment;
  let store: Store;
  let queue: GraphileQueue;
  const children: ChildProcess[] = [];
  const spawnWorker = (concurrency: number) => {
    const child = spawnCli(['worker', '--concurrency', String(concurrency), '--json'], {
      LEDGERLINK_CONFIG: env.configPath,
      LEDGERLINK_WORKER_TIMEOUT: '3',
    });
    children.push(child);
    child.stderr?.on('data', (d) => {
      if (process.env.DEBUG_WORKERS) process.stderr.write(d);
    });
    return child;
  };

  beforeAll(async () => {
    // A little latency per Magento call, so a run lasts long enough to be stopped in the middle.
    env = await startSyncEnvironment({
      customers: 300,
      products: 120,
      dialect: 'postgres',
      magentoLatencyMs: 4,
    });
    env.writeConfig({ pageSize: 10 });
    store = await openStore(env.db.url);
    // What `serve` and the webhook intake do: add jobs to the store's queue.
    queue = await GraphileQueue.open(store, env.db.url, logger);
  });
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  });
  afterAll(async () => {
    await queue?.close();
    await store?.close();
    expect(env.magento.kit.violations).toEqual([]);
    await env?.close();
  });

  it('refuses the embedded store, saying serve already runs its worker', async () => {
    const r = await runCli(['worker'], {
      LEDGERLINK_CONFIG: env.configPath,
      LEDGERLINK_DATABASE_URL: 'sqlite::memory:',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs a PostgreSQL store .* serve already runs its worker/);
  });

  it('two workers share one run: its pages spread over both, every record once, counted once, the cursor moved at the end', async () => {
    const workers = [spawnWorker(2), spawnWorker(2)];
    for (const w of workers) await started(w);
    await queue.add({
      task: RUN_TASK,
      payload: { flow: PRODUCTS, trigger: 'manual', incremental: true },
      jobKey: `run:${PRODUCTS}`,
    });
    await until(async () => (await store.runs.list({ flow: PRODUCTS, limit: 1 }))[0]?.status === 'succeeded');
    const [run] = await store.runs.list({ flow: PRODUCTS, limit: 1 });
    // 120 products, 10 a page: twelve page jobs, each counted once in the run.
    expect(run).toMatchObject({ pages_total: 12, read_count: 120, created: 120, failed: 0 });
    const pages = await store.runs.pages(run!.id);
    expect(pages.map((p) => p.page_no)).toEqual([...Array(12).keys()].map((i) => i + 1));
    expect(new Set(pages.map((p) => p.worker)).size).toBe(2);
    expect(await store.cursors.get(PRODUCTS)).toBeTruthy();
    const skus = [...env.magento.products.values()].map((p) => p.sku);
    expect(skus).toHaveLength(120);
    expect(new Set(skus).size).toBe(120);
    expect(await store.records.countByState(PRODUCTS)).toEqual({ processed: 120 });
    for (const w of workers) w.kill('SIGTERM');
    expect(await Promise.all(workers.map(exit))).toEqual([0, 0]);
    await nothingHeld(store);
  });

  it('SIGTERM mid-run: the page in hand is stored, the rest stay queued, exit 0 with nothing held; another worker finishes the run', async () => {
    const worker = spawnWorker(2);
    expect(await started(worker)).toMatchObject({ queue: 'graphile-worker', concurrency: 2 });
    await queue.add({
      task: RUN_TASK,
      payload: { flow: CUSTOMERS, trigger: 'manual' },
      jobKey: `run:${CUSTOMERS}`,
    });
    await until(() => env.magento.customers.size >= 40);
    const stoppedAt = Date.now();
    worker.kill('SIGTERM');
    expect(await exit(worker)).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(15_000);
    expect(env.magento.customers.size).toBeLessThan(300);
    await nothingHeld(store, { runs: false });
    // The run is not failed: its pages wait in the queue for the next worker.
    expect(await queue.pending([PAGE_TASK])).toBeGreaterThan(0);
    const [cut] = await store.runs.list({ flow: CUSTOMERS, limit: 1 });
    expect(cut?.status).toBe('running');

    const next = spawnWorker(2);
    await started(next);
    // The run ends on the next worker. The page the stopping worker had in hand may have been cut
    // mid-request: its records then went back as transient failures, which the next worker retries.
    await until(async () => (await store.runs.get(cut!.id))?.status !== 'running');
    expect(await store.runs.get(cut!.id)).toMatchObject({ read_count: 300, pages_total: 30 });
    // Its reader stopped, but a shared run lives on in its pages: the last of them ends it, and
    // nothing that starts meanwhile (the retry of the cut page's records) takes it for dead.
    expect(['succeeded', 'completed_with_failures']).toContain((await store.runs.get(cut!.id))?.status);
    expect((await store.runs.get(cut!.id))?.message ?? '').not.toMatch(/stopped/);
    await until(async () => (await store.records.countByState(CUSTOMERS)).processed === 300);
    next.kill('SIGTERM');
    expect(await exit(next)).toBe(0);
    await nothingHeld(store);
    const emails = [...env.magento.customers.values()].map((c) => c.email);
    expect(emails).toHaveLength(300);
    expect(new Set(emails).size).toBe(300);
    expect(await store.records.countByState(CUSTOMERS)).toEqual({ processed: 300 });
  });
});

describe('scale-out on PostgreSQL: two ledgerlink serve on one store', () => {
  let env: SyncEnvironment;

  beforeAll(async () => {
    env = await startSyncEnvironment({ customers: 5, products: 0, dialect: 'postgres' });
    // Every second, so a few seconds show whether a tick is queued once or twice.
    env.writeConfig({ schedule: '* * * * * *', syncMode: 'scheduled' });
  });
  afterAll(async () => {
    await env?.close();
  });

  it('queue each scheduled tick once, and stop with exit 0', async () => {
    const serve = () =>
      spawnCli(['serve', '--port', '0', '--no-worker', '--json'], {
        LEDGERLINK_CONFIG: env.configPath,
        LEDGERLINK_ADMIN_PASSWORD: 'not-the-point-here-1',
        LOG_LEVEL: 'info',
      });
    const both = [serve(), serve()];
    const logs = both.map((c) => {
      const lines: string[] = [];
      let rest = '';
      c.stderr?.on('data', (d) => {
        const text = rest + String(d);
        const parts = text.split('\n');
        rest = parts.pop() ?? '';
        lines.push(...parts);
      });
      return lines;
    });
    const ticks = () =>
      logs.flatMap((lines) =>
        lines
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as { msg?: string; tick?: string; flow?: string })
          .filter((l) => l.msg === 'scheduled run queued' && l.flow === 'acumatica-magento.customers')
          .map((l) => l.tick!),
      );
    try {
      for (const c of both)
        expect(await started(c)).toMatchObject({ queue: 'graphile-worker', worker: false });
      // Three ticks queued between them (a few seconds on a quiet machine; later on a loaded one).
      await until(() => ticks().length >= 3);
    } finally {
      for (const c of both) c.kill('SIGTERM');
    }
    expect(await Promise.all(both.map(exit))).toEqual([0, 0]);
    const all = ticks();
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(new Set(all).size).toBe(all.length); // no tick queued by both
  });
});
