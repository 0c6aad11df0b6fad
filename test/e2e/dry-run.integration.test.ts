import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FieldChange } from '../../src/engine/outcome.js';
import { type Context, openContext } from '../../src/runtime/context.js';
import { buildServer } from '../../src/server/app.js';
import { createUser } from '../../src/server/auth/accounts.js';
import { createApiToken } from '../../src/server/auth/api-tokens.js';
import { runCli } from '../support/cli.js';
import { DIALECTS } from '../support/databases.js';
import { type SyncEnvironment, startSyncEnvironment } from '../support/environment.js';

const FLOW = 'acumatica-magento.customers';
const id = (n: number) => `C${String(n).padStart(6, '0')}`;
/** Synced first: C000001–C000006. Then C000003 changes its credit limit, C000004 stays as it was. */
const FIRST = [1, 2, 3, 4, 5, 6].map(id);
const CHANGED = id(3);
const SAME = id(4);
const NEW = [7, 8, 9, 10].map(id);
const SELECTED = [CHANGED, SAME, ...NEW];
const NEW_LIMIT = 4321.5;

interface PlanRow {
  sourceId: string;
  label: string;
  plan: string;
  targetId: string | null;
  reason?: string | null;
  waitingOn?: string | null;
  changes?: FieldChange[] | null;
}

const customAttr = (
  c: { custom_attributes?: Array<{ attribute_code: string; value: unknown }> },
  code: string,
) => c.custom_attributes?.find((a) => a.attribute_code === code)?.value;

/** Dry run (CLI and API) on each store: zero writes anywhere, then a real run that does exactly what it said. */
describe.each(DIALECTS)('a dry run over loopback (%s store)', (dialect) => {
  let env: SyncEnvironment;
  let ctx: Context;
  let app: FastifyInstance;
  let url: string;
  let viewer: string;
  let oldLimit: number;
  let apiRows: PlanRow[];

  /** Everything a dry run must leave as it was: links and sync states, cursors, runs, the connector log, Loads, jobs. */
  async function storeState(): Promise<unknown> {
    const db = ctx.store.db;
    return {
      records: await db.selectFrom('sync_records').selectAll().orderBy('id').execute(),
      cursors: await db.selectFrom('cursors').selectAll().orderBy('flow').execute(),
      runs: await db.selectFrom('runs').selectAll().orderBy('id').execute(),
      runPages: await db
        .selectFrom('run_pages')
        .select((eb) => eb.fn.countAll().as('n'))
        .execute(),
      log: await db
        .selectFrom('connector_log')
        .select((eb) => eb.fn.countAll().as('n'))
        .execute(),
      batches: await db
        .selectFrom('batches')
        .select((eb) => eb.fn.countAll().as('n'))
        .execute(),
      jobs: await db
        .selectFrom('jobs')
        .select((eb) => eb.fn.countAll().as('n'))
        .execute(),
    };
  }
  const writes = () => env.magento.kit.writeCalls().length + env.acumatica.kit.writeCalls().length;

  beforeAll(async () => {
    env = await startSyncEnvironment({ customers: 12, products: 3, dialect, seed: 19 });
    ctx = await openContext({ configPath: env.configPath });
    app = await buildServer({ ctx, version: 'test' });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
    await createUser(ctx.store, {
      username: 'vic',
      role: 'viewer',
      password: 'correct horse battery',
      mustChangePassword: false,
    });
    viewer = (await createApiToken(ctx.store, { username: 'vic', name: 'dry run' })).token;

    const first = await ctx.engine.run(FLOW, { trigger: 'batch', query: { ids: FIRST } });
    expect(first.counts).toMatchObject({ created: 6, failed: 0 });
    oldLimit = Number(env.acumatica.customers.get(CHANGED)!.CreditLimit?.value);
    expect(oldLimit).not.toBe(NEW_LIMIT);
    env.acumatica.touch('customer', [CHANGED], (r) => {
      r.CreditLimit = { value: NEW_LIMIT };
    });
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
    expect(env.acumatica.kit.violations, 'Acumatica traffic that departs from its published spec').toEqual(
      [],
    );
    expect(env.magento.kit.violations, 'Magento traffic that departs from its published spec').toEqual([]);
    await env.close();
  });

  it('the API (as a viewer) and the CLI preview create ×4, update ×1 with creditLimit old → new, unchanged ×1 — and write nothing anywhere', async () => {
    const writesBefore = writes();
    const stateBefore = await storeState();

    const res = await fetch(`${url}/api/flows/${FLOW}/preview?limit=200`, {
      method: 'POST',
      headers: { authorization: `Bearer ${viewer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ids: SELECTED }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { total: number; counts: Record<string, number>; rows: PlanRow[] };
    expect(body.total).toBe(6);
    expect(body.counts).toEqual({ create: 4, update: 1, unchanged: 1 });
    apiRows = body.rows;
    const plans = Object.fromEntries(apiRows.map((r) => [r.sourceId, r.plan]));
    expect(plans).toEqual({
      [CHANGED]: 'update',
      [SAME]: 'unchanged',
      ...Object.fromEntries(NEW.map((n) => [n, 'create'])),
    });
    const update = apiRows.find((r) => r.sourceId === CHANGED)!;
    expect(update.targetId).toBeTruthy();
    // Only the field that changed; its old value is what Magento has now, its new one what will be written.
    expect(update.changes).toHaveLength(1);
    const [change] = update.changes!;
    expect(change).toMatchObject({ field: 'creditLimit', oldKnown: true, from: 'target' });
    expect(Number((change!.old as { amount: string }).amount)).toBe(oldLimit);
    expect(Number((change!.new as { amount: string }).amount)).toBe(NEW_LIMIT);
    for (const r of apiRows.filter((x) => x.plan !== 'update')) expect(r.changes).toBeNull();

    // The CLI, as JSON: the same plans and the same change.
    const json = await runCli([
      'batch',
      FLOW,
      '--dry-run',
      '--ids',
      SELECTED.join(','),
      '--json',
      '-c',
      env.configPath,
    ]);
    expect(json.code, json.stderr).toBe(0);
    const cli = JSON.parse(json.stdout) as {
      dryRun: boolean;
      count: number;
      plan: Record<string, number>;
      rows: PlanRow[];
    };
    expect(cli).toMatchObject({ dryRun: true, count: 6, plan: { create: 4, update: 1, unchanged: 1 } });
    expect(Object.fromEntries(cli.rows.map((r) => [r.sourceId, r.plan]))).toEqual(plans);
    expect(cli.rows.find((r) => r.sourceId === CHANGED)!.changes).toEqual(update.changes);

    // The CLI, for people: one line per record, each change old → new under its update.
    const text = await runCli([
      'batch',
      FLOW,
      '--dry-run',
      '--process',
      SELECTED.join(','),
      '-c',
      env.configPath,
    ]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('dry run — nothing is written');
    expect(text.stdout).toMatch(new RegExp(`${CHANGED}\\)?: update → ${update.targetId}`));
    expect(text.stdout).toMatch(/creditLimit: [\d.]+ USD → 4321\.50? USD/);
    for (const n of NEW) expect(text.stdout).toMatch(new RegExp(`${n}\\)?: create`));
    expect(text.stdout).toMatch(new RegExp(`${SAME}\\)?: unchanged`));
    expect(text.stdout).toContain('6 records would be: ');

    // Zero write calls to either system; the store exactly as it was.
    expect(writes() - writesBefore).toBe(0);
    expect(await storeState()).toEqual(stateBefore);
  });

  it("a Load's preview (batchId) is of the ids Process would send: all of it, some of it, none that are not in it", async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${viewer}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const load = await post(`/api/flows/${FLOW}/load`, { ids: SELECTED });
    expect(load.status).toBe(200);
    const { batchId } = (await load.json()) as { batchId: number };
    const before = writes();
    const plansOf = (rows: PlanRow[]) => Object.fromEntries(rows.map((r) => [r.sourceId, r.plan]));

    const all = await post(`/api/flows/${FLOW}/preview`, { batchId });
    expect(all.status).toBe(200);
    const whole = (await all.json()) as { total: number; counts: Record<string, number>; rows: PlanRow[] };
    expect(whole.counts).toEqual({ create: 4, update: 1, unchanged: 1 });
    expect(plansOf(whole.rows)).toEqual(plansOf(apiRows));

    const some = await post(`/api/flows/${FLOW}/preview`, { batchId, ids: [CHANGED, NEW[0]] });
    expect(some.status).toBe(200);
    const part = (await some.json()) as { total: number; rows: PlanRow[] };
    expect(part.total).toBe(2);
    expect(plansOf(part.rows)).toEqual({ [CHANGED]: 'update', [NEW[0]!]: 'create' });
    expect(part.rows.find((r) => r.sourceId === CHANGED)!.changes).toEqual(
      apiRows.find((r) => r.sourceId === CHANGED)!.changes,
    );

    const stray = await post(`/api/flows/${FLOW}/preview`, { batchId, ids: [CHANGED, 'C999999'] });
    expect(stray.status).toBe(400);
    expect(((await stray.json()) as { error: { message: string } }).error.message).toBe(
      `C999999 are not in Load ${batchId}`,
    );
    const gone = await post(`/api/flows/${FLOW}/preview`, { batchId: 2_000_000_000 });
    expect(gone.status).toBe(400);
    expect(((await gone.json()) as { error: { message: string } }).error.message).toMatch(
      /^no Load 2000000000 of flow acumatica-magento\.customers/,
    );
    expect(writes() - before).toBe(0);
  });

  it('the real run right after does exactly what the preview said: same records, same actions, same field', async () => {
    expect(apiRows, 'the preview ran first').toBeDefined();
    const magentoBefore = env.magento.kit.writeCalls().length;
    const run = await ctx.engine.run(FLOW, { trigger: 'batch', query: { ids: SELECTED } });
    const done: Record<string, string> = { create: 'created', update: 'updated', unchanged: 'unchanged' };
    expect(Object.fromEntries(run.outcomes.map((o) => [o.sourceId, o.status]))).toEqual(
      Object.fromEntries(apiRows.map((r) => [r.sourceId, done[r.plan]])),
    );
    const updated = run.outcomes.find((o) => o.sourceId === CHANGED)!;
    const previewed = apiRows.find((r) => r.sourceId === CHANGED)!;
    expect(updated.targetId).toBe(previewed.targetId);

    // Four creates and one update on Magento, the update to the previewed record only; the unchanged one untouched.
    const calls = env.magento.kit.writeCalls().slice(magentoBefore);
    const puts = calls.filter((c) => c.method === 'PUT');
    expect(puts).toHaveLength(1);
    expect(puts[0]!.path).toContain(`/${previewed.targetId}`);
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(4);
    const customer = env.magento.customers.get(Number(previewed.targetId))!;
    expect(Number(customAttr(customer, 'credit_limit'))).toBe(NEW_LIMIT);

    // Previewed again, everything is as the preview's new values said it would be.
    const again = await ctx.engine.dryRun(FLOW, { ids: SELECTED });
    expect(again.map((r) => r.plan)).toEqual(SELECTED.map(() => 'unchanged'));
  });

  it('a new product price is previewed old → new as Magento has it now, with zero writes', async () => {
    const PRODUCTS = 'acumatica-magento.products';
    const first = await ctx.engine.run(PRODUCTS, { trigger: 'batch' });
    expect(first.counts).toMatchObject({ created: 3, failed: 0 });
    const item = 'ITEM00002';
    const oldPrice = env.magento.products.get(item)!.price;
    env.acumatica.touch('product', [item], (r) => {
      r.DefaultPrice = { value: 88.8 };
    });
    const before = writes();
    const rows = await ctx.engine.dryRun(PRODUCTS, {});
    expect(Object.fromEntries(rows.map((r) => [r.sourceId, r.plan]))).toEqual({
      ITEM00001: 'unchanged',
      [item]: 'update',
      ITEM00003: 'unchanged',
    });
    const changes = rows.find((r) => r.sourceId === item)!.changes!;
    expect(changes.map((c) => c.field)).toEqual(['listPrice']);
    expect(changes[0]).toMatchObject({ oldKnown: true, from: 'target' });
    expect(Number((changes[0]!.old as { amount: string }).amount)).toBe(oldPrice);
    expect(Number((changes[0]!.new as { amount: string }).amount)).toBe(88.8);
    expect(writes() - before).toBe(0);
  });
});
