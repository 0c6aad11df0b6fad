import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usersWithTokens } from '../support/api-server.js';
import { runCli } from '../support/cli.js';
import { DIALECTS } from '../support/databases.js';
import { closeAndCheck, type OrderEnvironment, startOrderEnvironment } from '../support/order-environment.js';

const FLOW = 'acumatica-magento.customers';
const IDS = ['C000001', 'C000002', 'C000003'];

/**
 * Issue 19 part 4, end to end over loopback: Acumatica pushes customer changes, Ledgerlink syncs them
 * to Magento. Replaying that period writes nothing; after Magento lost the customers a replay writes
 * each back once. A customer a person skipped stays skipped while Acumatica sends it unchanged, goes
 * when it changed, and goes when someone un-skips it.
 */
describe.each(DIALECTS)('replay and sticky skip, Acumatica → Magento (%s store)', (dialect) => {
  let env: OrderEnvironment;
  let token: string;
  let from: string;
  let to: string;

  const record = (id: string) => env.ctx.store.records.get(FLOW, id);
  const magentoWrites = () => env.magento.kit.writeCalls().length;
  const acumaticaWrites = () => env.acumatica.kit.writeCalls().length;
  const emailOf = (id: string) => String(env.acumatica.customers.get(id)?.MainContact?.Email?.value ?? '');
  const inMagento = (id: string) =>
    [...env.magento.customers.values()].filter((c) => c.email === emailOf(id));
  /** Every push delivered and every delivery of both systems processed. */
  const settled = async (what: string) => {
    await env.acumatica.pushIdle();
    await new Promise((r) => setTimeout(r, 200));
    await env.until(async () => (await env.ctx.store.inbox.depth()) === 0, what);
    await new Promise((r) => setTimeout(r, 200));
    await env.until(async () => (await env.ctx.store.inbox.depth()) === 0, what);
  };
  const api = async (path: string, body: unknown) => {
    const res = await fetch(`${env.svc.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      body: (await res.json()) as Record<string, unknown> & { error?: { message: string } },
    };
  };
  const creditLimit = (id: string, value: number) =>
    env.acumatica.touch('customer', [id], (r) => {
      (r as { CreditLimit?: { value: number } }).CreditLimit = { value };
    });

  beforeAll(async () => {
    env = await startOrderEnvironment({ customers: 5, products: 2, dialect });
    token = (await usersWithTokens(env.ctx.store, [['olga', 'operator']])).operator!;
  }, 120_000);
  afterAll(() => closeAndCheck(env));

  it('pushed customer changes are processed: each customer once in Magento', async () => {
    from = new Date(Date.now() - 1000).toISOString();
    for (const id of IDS) creditLimit(id, 7_000);
    await env.until(async () => {
      for (const id of IDS) if ((await record(id))?.state !== 'processed') return false;
      return true;
    }, 'the customers to sync');
    await settled('the deliveries to be processed');
    to = new Date(Date.now() + 1000).toISOString();
    for (const id of IDS) expect(inMagento(id), id).toHaveLength(1);
  });

  it('replaying the period (API) re-processes its deliveries and writes nothing', async () => {
    const before = [magentoWrites(), acumaticaWrites()];
    const r = await api('/api/webhooks/replay', { connection: 'acumatica', from, to });
    expect(r.status).toBe(202);
    expect(r.body.deliveries).toBeGreaterThanOrEqual(IDS.length);
    expect(r.body.relinked).toBe(0);
    await settled('the replay');
    const processed = await env.ctx.store.inbox.list({ connection: 'acumatica', status: 'processed' });
    expect(processed.length).toBeGreaterThanOrEqual(IDS.length);
    expect([magentoWrites(), acumaticaWrites()]).toEqual(before);
    for (const id of IDS) expect(inMagento(id), id).toHaveLength(1);
  });

  it('the API refuses an unknown connection and a bad window, naming the field', async () => {
    const unknown = await api('/api/webhooks/replay', { connection: 'nope', from, to });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error?.message).toMatch(/^body\/connection there is no connection "nope"/);
    const backwards = await api('/api/webhooks/replay', { connection: 'acumatica', from: to, to: from });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error?.message).toMatch(/^body\/to must be after from/);
    const garbage = await api('/api/webhooks/replay', { connection: 'acumatica', from: 'yesterday', to });
    expect(garbage.status).toBe(400);
    expect(garbage.body.error?.message).toMatch(/^body\/from "yesterday" is not an ISO 8601/);
  });

  it('the CLI refuses an unknown connection, a bad window and a missing option, naming the option', async () => {
    const cfg = { LEDGERLINK_CONFIG: env.configPath };
    const cases: Array<[string[], RegExp]> = [
      [
        ['--connection', 'nope', '--from', from, '--to', to],
        /^error: --connection: there is no connection "nope" \(the connections are acumatica, magento\)/,
      ],
      [
        ['--connection', 'acumatica', '--from', 'yesterday', '--to', to],
        /^error: --from: "yesterday" is not an ISO 8601 date/,
      ],
      [['--connection', 'acumatica', '--from', to, '--to', from], /^error: --to: must be after from/],
      [['--connection', 'acumatica', '--from', from], /required option '--to <iso>' not specified/],
    ];
    const before = (await env.ctx.store.inbox.list({ connection: 'acumatica', status: 'processed' })).length;
    for (const [args, message] of cases) {
      const r = await runCli(['replay', ...args], cfg);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stdout).toBe('');
    }
    // Nothing was requeued.
    expect((await env.ctx.store.inbox.list({ connection: 'acumatica', status: 'processed' })).length).toBe(
      before,
    );
  }, 60_000);

  it('after Magento lost the customers, a replay (CLI) writes each back once', async () => {
    for (const id of IDS) for (const c of inMagento(id)) env.magento.customers.delete(Number(c.id));
    for (const id of IDS) expect(inMagento(id)).toHaveLength(0);
    const before = env.magento.kit.writeCalls().length;
    const r = await runCli(['replay', '--connection', 'acumatica', '--from', from, '--to', to], {
      LEDGERLINK_CONFIG: env.configPath,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^replayed \d+ deliveries of acumatica received from .*; 3 records the target had lost written again/,
    );
    expect(r.stdout).toMatch(/acumatica-magento\.customers/);
    await settled('the deliveries of the restored customers');
    for (const id of IDS) expect(inMagento(id), id).toHaveLength(1);
    const creates = env.magento.kit
      .writeCalls()
      .slice(before)
      .filter((c) => c.method === 'POST' && /\/customers$/.test(c.path));
    expect(creates).toHaveLength(IDS.length);
    for (const id of IDS) {
      const row = await record(id);
      expect(row?.state, id).toBe('processed');
      expect(row?.target_id, id).toBe(String(inMagento(id)[0]?.id));
    }
  });

  it('a skipped customer stays skipped while it comes unchanged, with who and why', async () => {
    const row = (await record('C000001'))!;
    const skip = await api(`/api/records/${row.id}/skip`, { reason: 'a test account' });
    expect(skip.status).toBe(200);
    const kept = (await record('C000001'))!;
    expect([kept.state, kept.skipped_by, kept.skip_reason]).toEqual(['skipped', 'olga', 'a test account']);
    expect(kept.skipped_hash).toMatch(/^owned:/);
    // The API shows who, why and when (the dashboard's skip note), and keeps the hash to itself.
    const shown = skip.body.record as Record<string, unknown>;
    expect(shown).toMatchObject({ state: 'skipped', skipped_by: 'olga', skip_reason: 'a test account' });
    expect(shown.skipped_at).toBe(kept.skipped_at);
    expect(shown).not.toHaveProperty('skipped_hash');
    const listed = await fetch(`${env.svc.url}/api/records?flow=${FLOW}&state=skipped`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const page = (await listed.json()) as { total: number; records: Array<Record<string, unknown>> };
    expect(page.total).toBe(1);
    expect(page.records[0]).toMatchObject({
      source_id: 'C000001',
      skipped_by: 'olga',
      data: expect.any(Object),
    });
    expect(page.records[0]).not.toHaveProperty('skipped_hash');
    const before = [magentoWrites(), acumaticaWrites()];
    expect((await api('/api/webhooks/replay', { connection: 'acumatica', from, to })).status).toBe(202);
    await settled('the replay');
    const after = (await record('C000001'))!;
    expect([after.state, after.reason, after.skipped_by]).toEqual([
      'skipped',
      'skipped by olga: a test account',
      'olga',
    ]);
    expect([magentoWrites(), acumaticaWrites()]).toEqual(before);
  });

  it('changed in Acumatica, it goes again; skipped again and un-skipped, it goes too', async () => {
    const before = magentoWrites();
    creditLimit('C000001', 9_000);
    await env.until(
      async () => (await record('C000001'))?.state === 'processed',
      'the changed customer to go',
    );
    await settled('the change');
    const gone = (await record('C000001'))!;
    expect([gone.skipped_by, gone.skip_reason, gone.skipped_hash]).toEqual([null, null, null]);
    expect(magentoWrites()).toBeGreaterThan(before);

    const again = await api(`/api/records/${gone.id}/skip`, { reason: 'still a test account' });
    expect(again.status).toBe(200);
    const unskip = await api(`/api/records/${gone.id}/unskip`, {});
    expect(unskip.status).toBe(200);
    expect((await record('C000001'))?.skipped_by).toBeNull();
    expect(
      (
        await api('/api/webhooks/replay', {
          connection: 'acumatica',
          from,
          to: new Date(Date.now() + 1000).toISOString(),
        })
      ).status,
    ).toBe(202);
    await settled('the replay after the un-skip');
    expect((await record('C000001'))?.state).toBe('processed');
    // Marking it processed takes a skip back too.
    expect((await api(`/api/records/${gone.id}/skip`, { reason: 'once more' })).status).toBe(200);
    expect((await api(`/api/records/${gone.id}/processed`, {})).status).toBe(200);
    expect((await record('C000001'))?.skipped_by).toBeNull();
    // Un-skipping what no person skipped is refused.
    expect((await api(`/api/records/${gone.id}/unskip`, {})).status).toBe(400);
  });
});
