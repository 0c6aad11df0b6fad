import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logScope } from '../../src/engine/observe.js';
import { type Context, createLogger, openContext } from '../../src/runtime/context.js';
import { buildServer } from '../../src/server/app.js';
import { createUser } from '../../src/server/auth/accounts.js';
import { createApiToken } from '../../src/server/auth/api-tokens.js';
import { type SyncEnvironment, startSyncEnvironment } from '../support/environment.js';

const CUSTOMERS = 'acumatica-magento.customers';
const PRODUCTS = 'acumatica-magento.products';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus' text format, one sample a line (comments skipped). */
function samples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const m = /^([a-z_:][a-z0-9_:]*)(?:\{(.*)\})? (\S+)$/i.exec(l)!;
      const labels = Object.fromEntries(
        [...(m[2] ?? '').matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/gi)].map((x) => [x[1]!, x[2]!]),
      );
      return { name: m[1]!, labels, value: Number(m[3]) };
    });
}

/** The sum of the samples of `name` whose labels include `labels`. */
const total = (all: Sample[], name: string, labels: Record<string, string> = {}): number =>
  all
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);

describe('observability: metrics after a sync, JSON logs naming the run and the record, readiness', () => {
  let env: SyncEnvironment;
  let ctx: Context;
  let app: FastifyInstance;
  let viewer: string;
  const lines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    env = await startSyncEnvironment({ customers: 30, products: 10, seed: 5 });
    // The process's own logger (pino, JSON), at debug, written here instead of to stderr.
    const logger = createLogger('debug', { write: (line: string) => lines.push(JSON.parse(line)) });
    ctx = await openContext({ configPath: env.configPath, logger });
    app = await buildServer({ ctx, version: 'test' });
    await createUser(ctx.store, {
      username: 'prometheus',
      role: 'viewer',
      password: 'scrapes every fifteen seconds',
      mustChangePassword: false,
    });
    viewer = (await createApiToken(ctx.store, { username: 'prometheus', name: 'scraper' })).token;
  });
  afterAll(async () => {
    await app.close();
    await ctx.close();
    await env.close();
  });

  const scrape = async () => {
    const res = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${viewer}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return samples(res.body);
  };

  it('counts records, calls and latencies by flow and connection; a 429 makes records wait, not fail', async () => {
    const customers = await ctx.engine.run(CUSTOMERS, { trigger: 'manual' });
    expect(customers.counts).toMatchObject({ created: 30, failed: 0 });

    // Magento refuses the first product write with a 429 and a minute's Retry-After: longer than the
    // client waits, so the records it holds up go back to the store, waiting — none fails.
    env.magento.kit.injectFault({
      kind: 'status',
      status: 429,
      retryAfterSeconds: 60,
      times: 1,
      match: { method: 'PUT', path: '/V1/products/' },
    });
    const products = await ctx.engine.run(PRODUCTS, { trigger: 'manual' });
    expect(products.counts.failed).toBe(0);
    expect(products.counts.waiting).toBeGreaterThanOrEqual(1);
    expect(products.counts.created + products.counts.waiting).toBe(10);
    expect(env.magento.kit.faults).toEqual([]);

    // A delivery stored and not yet processed is the inbox's depth.
    await ctx.store.inbox.store({ connection: 'magento', headers: {}, body: '{}', verified: true });

    const m = await scrape();
    expect(total(m, 'ledgerlink_records_total', { flow: CUSTOMERS, outcome: 'created' })).toBe(30);
    expect(total(m, 'ledgerlink_records_total', { flow: PRODUCTS, outcome: 'waiting' })).toBe(
      products.counts.waiting,
    );
    expect(total(m, 'ledgerlink_records_total', { outcome: 'failed' })).toBe(0);
    expect(total(m, 'ledgerlink_record_duration_seconds_count', { flow: CUSTOMERS })).toBe(30);

    const magentoCalls = env.magento.kit.calls.filter((c) => c.path.includes('/rest/')).length;
    expect(total(m, 'ledgerlink_http_calls_total', { connection: 'magento' })).toBe(magentoCalls);
    expect(
      total(m, 'ledgerlink_http_calls_total', { connection: 'magento', method: 'PUT', status_class: '4xx' }),
    ).toBe(1);
    expect(
      total(m, 'ledgerlink_http_calls_total', {
        connection: 'acumatica',
        method: 'GET',
        status_class: '2xx',
      }),
    ).toBeGreaterThan(0);
    expect(total(m, 'ledgerlink_http_call_duration_seconds_count', { connection: 'magento' })).toBe(
      magentoCalls,
    );

    expect(total(m, 'ledgerlink_runs_in_progress', { flow: CUSTOMERS })).toBe(0);
    expect(total(m, 'ledgerlink_runs_total', { flow: PRODUCTS, status: 'succeeded' })).toBe(1);
    // The waiting products left a retry job; the delivery is the inbox.
    expect(total(m, 'ledgerlink_jobs_pending', { task: 'flow.retry' })).toBe(1);
    expect(total(m, 'ledgerlink_webhook_inbox_depth', { connection: 'magento' })).toBe(1);
    // The runtime's own figures come along.
    expect(total(m, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('counts a run in progress while it runs', async () => {
    // Acumatica holds the read (until the client's 5 s timeout; the retry answers).
    env.acumatica.kit.injectFault({ kind: 'hang', times: 1, match: { method: 'GET', path: '/Customer' } });
    const run = ctx.engine.run(CUSTOMERS, { trigger: 'manual', query: { ids: ['C000001'] } });
    let during = 0;
    for (let i = 0; i < 100 && during === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      during = total(await scrape(), 'ledgerlink_runs_in_progress', { flow: CUSTOMERS });
    }
    expect(during).toBe(1);
    await run;
    expect(total(await scrape(), 'ledgerlink_runs_in_progress', { flow: CUSTOMERS })).toBe(0);
  });

  it('needs a viewer: no credentials, no metrics', async () => {
    const bare = await app.inject('/metrics');
    expect(bare.statusCode).toBe(401);
    expect(bare.json()).toMatchObject({ error: { code: 'unauthenticated' } });
  });

  it('every line logged during a run names the run and the flow; a record line names the record', async () => {
    const waiting = lines.find((l) => l.msg === 'record waiting');
    expect(waiting).toMatchObject({ flow: PRODUCTS, runId: expect.any(Number), status: 'waiting' });
    expect(String(waiting!.sourceId)).toMatch(/\S/);
    expect(String(waiting!.reason)).toMatch(/waiting for the rate limit|429/);
    const created = lines.find((l) => l.msg === 'record created' && l.flow === CUSTOMERS);
    expect(created).toMatchObject({ runId: expect.any(Number), sourceId: expect.stringMatching(/^C\d+/) });
    // No key twice on a line (a child logger's and the run scope's would be).
    const raw: string[] = [];
    const logger = createLogger('info', { write: (line: string) => raw.push(line) });
    logger.child({ runId: 1, flow: 'x' }).info('hello');
    expect(raw[0]!.match(/"runId"/g)).toHaveLength(1);
    // Every line written inside a run carries its id, whoever wrote it: a connector's logger was
    // made for its connection, long before the run.
    const finished = lines.filter((l) => l.msg === 'run finished');
    expect(finished.length).toBeGreaterThanOrEqual(2);
    for (const l of finished)
      expect(l).toMatchObject({ runId: expect.any(Number), flow: expect.any(String) });
    const connectorLog = logger.child({ connection: 'magento' });
    await logScope.run({ runId: 42, flow: PRODUCTS }, async () => {
      await new Promise((r) => setTimeout(r, 1));
      connectorLog.warn('a lookup was slow');
    });
    connectorLog.warn('outside any run');
    expect(raw.slice(1).map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ connection: 'magento', runId: 42, flow: PRODUCTS, msg: 'a lookup was slow' }),
      expect.not.objectContaining({ runId: expect.anything() }),
    ]);
  });

  it('is ready when the store answers and its migrations are current; the systems are not asked', async () => {
    const res = await app.inject('/ready');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      ok: true,
      checks: [
        { name: 'store', ok: true },
        { name: 'migrations', ok: true, message: 'current' },
      ],
    });
    await ctx.store.db
      .deleteFrom('ledgerlink_migrations' as never)
      .where('name' as never, '=', '005_rate_limits' as never)
      .execute();
    const stale = await app.inject('/ready');
    expect(stale.statusCode).toBe(503);
    expect(stale.json()).toMatchObject({ ok: false, message: 'migrations: not applied: 005_rate_limits' });
  });
});
