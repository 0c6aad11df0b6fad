import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Context, openContext } from '../../src/runtime/context.js';
import { type Service, startService } from '../../src/runtime/service.js';
import { createUser } from '../../src/server/auth/accounts.js';
import { createApiToken } from '../../src/server/auth/api-tokens.js';
import { type SyncEnvironment, startSyncEnvironment } from '../support/environment.js';

const FLOW = 'acumatica-magento.customers';

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the HTTP API with its worker (ledgerlink serve)', () => {
  let env: SyncEnvironment;
  let ctx: Context;
  let svc: Service;
  let app: FastifyInstance;
  let token: string;
  /** The API as a script calls it: an operator's API token on every request. */
  const api = (o: string | InjectOptions) =>
    app.inject({
      ...(typeof o === 'string' ? { url: o } : o),
      headers: { authorization: `Bearer ${token}` },
    });

  beforeAll(async () => {
    env = await startSyncEnvironment({ customers: 40, products: 10, seed: 21 });
    ctx = await openContext({ configPath: env.configPath });
    svc = await startService(ctx, { host: '127.0.0.1', port: 0 });
    app = svc.app;
    await createUser(ctx.store, {
      username: 'ops',
      role: 'operator',
      password: 'correct horse battery',
      mustChangePassword: false,
    });
    token = (await createApiToken(ctx.store, { username: 'ops', name: 'api tests' })).token;
  });
  afterAll(async () => {
    await svc.stop();
    await ctx.close();
    expect(env.acumatica.auth.sessions.size, 'every Acumatica session is logged out').toBe(0);
    await env.close();
  });

  it('documents itself in OpenAPI and answers health and readiness', async () => {
    const doc = (await app.inject('/openapi.json')).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/flows',
        '/api/flows/{name}/load',
        '/api/flows/{name}/runs',
        '/api/log',
        '/api/records',
        '/api/connections/{name}/check',
      ]),
    );
    expect((await app.inject('/health')).json()).toEqual({ ok: true });
    expect((await app.inject('/ready')).statusCode).toBe(200);
  });

  it('loads a preview, queues a run that the worker carries out, and shows it in runs, records and the log', async () => {
    const load = await api({
      method: 'POST',
      url: `/api/flows/${FLOW}/load`,
      payload: { ids: ['C000001', 'C000002'] },
    });
    expect(load.statusCode).toBe(200);
    const { batchId } = load.json() as { batchId: number };
    expect(load.json()).toMatchObject({ count: 2 });
    expect((await api(`/api/batches/${batchId}/rows`)).json()).toMatchObject({
      total: 2,
      rows: [{ plan: 'create' }, { plan: 'create' }],
    });

    const queued = await api({
      method: 'POST',
      url: `/api/flows/${FLOW}/runs`,
      payload: { since: '2000-01-01' },
    });
    expect(queued.statusCode).toBe(202);
    const run = await until('the run to finish', async () => {
      const runs = (await api(`/api/runs?flow=${FLOW}`)).json() as {
        runs: Array<{ status: string; created: number }>;
      };
      return runs.runs.find((r) => r.status !== 'running');
    });
    expect(run).toMatchObject({ status: 'succeeded', created: 40 });
    const records = (await api(`/api/records?flow=${FLOW}&state=processed&limit=5`)).json() as {
      total: number;
      records: unknown[];
    };
    expect(records.total).toBe(40);
    expect(records.records).toHaveLength(5);
    const log = (await api(`/api/log?flow=${FLOW}&status=success&limit=1`)).json() as {
      total: number;
      entries: Array<{ request: { method: string } }>;
    };
    expect(log.total).toBe(40);
    expect(log.entries[0]?.request.method).toBe('POST');
    const flows = (await api('/api/flows')).json() as {
      flows: Array<{ name: string; states: Record<string, number> }>;
    };
    expect(flows.flows.find((f) => f.name === FLOW)?.states).toEqual({ processed: 40 });
  });

  it('retries a failed record by id once its data is fixed', async () => {
    env.magento.kit.injectFault({
      kind: 'status',
      status: 400,
      times: 1,
      match: { method: 'PUT', path: '/V1/customers/' },
    });
    env.acumatica.touch('customer', ['C000003'], (r) => {
      r.CreditLimit = { value: 4242 };
    });
    const first = await ctx.engine.run(FLOW, { trigger: 'manual', query: { ids: ['C000003'] } });
    expect(first.counts.failed).toBe(1);
    const row = await ctx.store.records.get(FLOW, 'C000003');
    const retried = await api({ method: 'POST', url: `/api/records/${row!.id}/retry` });
    expect(retried.statusCode).toBe(200);
    expect(
      (retried.json() as { results: Array<{ counts: { updated: number } }> }).results[0]?.counts.updated,
    ).toBe(1);
  });

  it('tests connections, hides secrets, and refuses bad requests with a reason', async () => {
    const conns = (await api('/api/connections')).json() as {
      connections: Array<{ name: string; settings: Record<string, unknown> }>;
    };
    expect(conns.connections.find((c) => c.name === 'acumatica')?.settings.password).toBe('********');
    expect(JSON.stringify(conns)).not.toContain('sandbox-integration-token');
    const check = (await api({ method: 'POST', url: '/api/connections/magento/check' })).json() as {
      ok: boolean;
    };
    expect(check.ok).toBe(true);

    const unknown = await api({ method: 'POST', url: '/api/flows/nope/load', payload: {} });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: 'unknown_flow' } });
    const badDate = await api({
      method: 'POST',
      url: `/api/flows/${FLOW}/load`,
      payload: { since: '31/12/2026' },
    });
    expect(badDate.statusCode).toBe(400);
    expect(badDate.json().error.message).toMatch(/since "31\/12\/2026" is not a date/);
    const badBody = await api({
      method: 'POST',
      url: `/api/flows/${FLOW}/runs`,
      payload: { colour: 'blue' },
    });
    expect(badBody.statusCode).toBe(400);
    expect((await api({ method: 'POST', url: '/api/records/999999/retry' })).statusCode).toBe(404);
    expect((await api({ method: 'POST', url: '/api/connections/nope/check' })).statusCode).toBe(404);
  });

  it('a scheduled job runs incrementally through the worker', async () => {
    env.acumatica.touch('customer', ['C000004'], (r) => {
      r.CreditLimit = { value: 1 };
    });
    await svc.scheduler.enqueue(FLOW);
    const run = await until('the scheduled run', async () => {
      const runs = await ctx.store.runs.list({ flow: FLOW, limit: 1 });
      return runs[0]?.trigger === 'schedule' && runs[0].status !== 'running' ? runs[0] : undefined;
    });
    expect(run).toMatchObject({ status: 'succeeded', updated: 1 });
    expect(await ctx.store.jobs.pending()).toBe(0);
  });
});
