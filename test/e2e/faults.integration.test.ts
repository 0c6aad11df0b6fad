import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Context, openContext } from '../../src/runtime/context.js';
import { runCli } from '../support/cli.js';
import { type SyncEnvironment, startSyncEnvironment } from '../support/environment.js';

const FLOW = 'acumatica-magento.customers';

describe('faults on the Magento side', () => {
  let env: SyncEnvironment;
  let ctx: Context;

  beforeAll(async () => {
    env = await startSyncEnvironment({ customers: 200, products: 0, seed: 5 });
    env.writeConfig({}, { timeoutMs: 400 });
    ctx = await openContext({ configPath: env.configPath });
  });
  afterAll(async () => {
    await ctx?.close();
    expect(env.acumatica.kit.violations).toEqual([]);
    expect(env.magento.kit.violations).toEqual([]);
    await env.close();
  });

  it('429 with Retry-After, 500s and hangs are retried with backoff and every record lands, once', async () => {
    const { kit } = env.magento;
    kit.injectFault({
      kind: 'status',
      status: 429,
      retryAfterSeconds: 1,
      times: 3,
      match: { method: 'POST', path: '/V1/customers' },
    });
    kit.injectFault({
      kind: 'status',
      status: 500,
      times: 6,
      match: { method: 'POST', path: '/V1/customers' },
    });
    kit.injectFault({ kind: 'hang', times: 2, match: { method: 'GET', path: '/V1/customers/search' } });
    const started = Date.now();
    const first = await ctx.engine.run(FLOW, { trigger: 'batch' });
    const retries = await ctx.engine.settle(FLOW, Date.now() + 30_000);
    const elapsed = Date.now() - started;

    expect(kit.faults).toEqual([]); // every injected fault was met
    const statuses = kit.calls.map((c) => c.status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
    expect(statuses.filter((s) => s === 500)).toHaveLength(6);
    expect(statuses.filter((s) => s === 0)).toHaveLength(2); // the hangs
    expect(elapsed).toBeGreaterThanOrEqual(1000); // Retry-After: 1 was honoured

    const created =
      first.counts.created + retries.reduce((n, r) => n + r.counts.created + r.counts.updated, 0);
    expect(first.counts.failed).toBeGreaterThan(0); // the 500s on POST are not blindly repeated by the client…
    expect(created).toBe(200); // …the engine retried those records after looking them up
    const all = [...env.magento.customers.values()];
    expect(all).toHaveLength(200);
    expect(new Set(all.map((c) => c.email)).size).toBe(200);
    expect(await ctx.store.records.countByState(FLOW)).toEqual({ processed: 200 });
  });

  it("a record Magento rejects fails with Magento's message; once fixed, ledgerlink retry makes it succeed", async () => {
    // A new customer is saved in Acumatica with a first name Magento's validation refuses.
    const copy = structuredClone(env.acumatica.customers.get('C000050')!);
    copy.CustomerID = { value: 'C009999' };
    copy.MainContact!.FirstName = { value: 'Ann#1' };
    copy.MainContact!.Email = { value: 'ann.new@example.com' };
    env.acumatica.customers.set('C009999', copy);
    env.acumatica.touch('customer', ['C009999']);
    const email = 'ann.new@example.com';

    const r = await ctx.engine.run(FLOW, { trigger: 'batch', query: { ids: ['C009999'] } });
    expect(r.counts.failed).toBe(1);
    const row = await ctx.store.records.get(FLOW, 'C009999');
    expect(row).toMatchObject({ state: 'failed', error_category: 'rejected', next_attempt_at: null });
    expect(row?.error_message).toMatch(/Magento answered 400: .*First Name is not valid/);
    const log = await ctx.store.log.list({ sourceId: 'C009999', status: ['failed'] });
    expect(JSON.parse(log.rows[0]!.response!).status).toBe(400);

    const stillBad = await runCli(['retry', 'C009999'], { LEDGERLINK_CONFIG: env.configPath });
    expect(stillBad.code).toBe(3);
    expect(stillBad.stdout).toMatch(/First Name is not valid/);

    env.acumatica.touch('customer', ['C009999'], (r2) => {
      (r2.MainContact as { FirstName?: unknown }).FirstName = { value: 'Ann' };
    });
    const fixed = await runCli(['retry', 'C009999', '--json'], { LEDGERLINK_CONFIG: env.configPath });
    expect(fixed.code, fixed.stderr).toBe(0);
    const out = JSON.parse(fixed.stdout) as { results: Array<{ counts: { created: number } }> };
    expect(out.results[0]?.counts.created).toBe(1);
    expect([...env.magento.customers.values()].filter((c) => c.email === email)).toHaveLength(1);
  });
});
