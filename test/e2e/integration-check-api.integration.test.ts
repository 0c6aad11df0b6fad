import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/server/auth/accounts.js';
import { createApiToken } from '../../src/server/auth/api-tokens.js';
import { type CheckEnvironment, startCheckEnvironment } from '../support/iseller-accurate-check.js';

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface WebhookRecordsAnswer {
  total: number;
  deliveries: {
    id: number;
    status: string;
    records: { flow: string; label: string; state: string | null; reason: string | null }[];
    more: number;
  }[];
}

/**
 * The two routes behind seed 002's Integration Data Check: the operator's synchronization settings
 * (PUT /api/sync-settings, one edit of the configuration file, a 400 naming the field) and the webhook
 * log as the records its deliveries brought (GET /api/webhooks/records).
 */
describe('the Integration Data Check API', () => {
  let env: CheckEnvironment;
  const tokens: Record<string, string> = {};
  const as = (who: string, o: InjectOptions) =>
    env.svc.app.inject({ ...o, headers: { authorization: `Bearer ${tokens[who]}`, ...o.headers } });
  const put = (who: string, flows: unknown) =>
    as(who, { method: 'PUT', url: '/api/sync-settings', payload: { flows } });

  beforeAll(async () => {
    env = await startCheckEnvironment();
    for (const [username, role] of [
      ['olga', 'operator'],
      ['vera', 'viewer'],
    ] as const) {
      await createUser(env.ctx.store, {
        username,
        role,
        password: 'check-api-password-1',
        mustChangePassword: false,
      });
      tokens[username] = (await createApiToken(env.ctx.store, { username, name: 'tests' })).token;
    }
  }, 120_000);
  afterAll(async () => env?.close(), 60_000);

  it('an operator changes sync mode, schedule and id mapping of several flows in one edit of the file', async () => {
    const res = await put('olga', {
      'iseller-accurate.sales': { syncMode: 'scheduled', schedule: '0 9,21 * * *' },
      'iseller-accurate.transfers': { syncMode: 'realtime' },
      'iseller-accurate.customers': { idMapping: 'source' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().flows).toEqual([
      expect.objectContaining({
        name: 'iseller-accurate.sales',
        syncMode: 'scheduled',
        schedule: '0 9,21 * * *',
      }),
      expect.objectContaining({ name: 'iseller-accurate.transfers', syncMode: 'realtime', schedule: null }),
      expect.objectContaining({ name: 'iseller-accurate.customers', idMapping: 'source' }),
    ]);
    const file = env.flowsInFile();
    expect(file['iseller-accurate.sales']).toMatchObject({ syncMode: 'scheduled', schedule: '0 9,21 * * *' });
    expect(file['iseller-accurate.customers']).toMatchObject({ idMapping: 'source' });
    // The running engine has them too: the flows API reads them back.
    const flow = await as('vera', { method: 'GET', url: '/api/flows/iseller-accurate.sales' });
    expect(flow.json()).toMatchObject({ syncMode: 'scheduled', schedule: '0 9,21 * * *' });
  });

  it('a bad value is a 400 naming the field, and nothing of the request is written', async () => {
    const before = JSON.stringify(env.flowsInFile());
    const cases: [unknown, RegExp][] = [
      [{ 'iseller-accurate.sales': { syncMode: 'hourly' } }, /syncMode/],
      [{ 'iseller-accurate.sales': { idMapping: 'both' } }, /idMapping/],
      [{ 'iseller-accurate.sales': { ownedFields: ['name'] } }, /ownedFields|additional/],
      [
        {
          'iseller-accurate.transfers': { syncMode: 'realtime' },
          'iseller-accurate.sales': { schedule: 'at nine' },
        },
        /flows\.iseller-accurate\.sales\.schedule: "at nine" is not a valid cron schedule/,
      ],
      [
        { 'iseller-accurate.payments': { syncMode: 'scheduled', schedule: null } },
        /flows\.iseller-accurate\.payments\.schedule: a flow synchronized on scheduled time needs the hours/,
      ],
      [{ 'no-such.flow': { syncMode: 'realtime' } }, /flows\.no-such\.flow: no such flow/],
      [{}, /flows/],
    ];
    for (const [flows, message] of cases) {
      const res = await put('olga', flows);
      expect(res.statusCode, JSON.stringify(flows)).toBe(400);
      expect(res.json().error.message).toMatch(message);
    }
    expect(JSON.stringify(env.flowsInFile())).toBe(before);
  });

  it('a viewer sees the settings but cannot change them', async () => {
    const res = await put('vera', { 'iseller-accurate.sales': { syncMode: 'realtime' } });
    expect(res.statusCode).toBe(403);
    expect(env.flowsInFile()['iseller-accurate.sales']).toMatchObject({ syncMode: 'scheduled' });
  });

  it("the webhook log names each delivery's records with their sync state and reason", async () => {
    await env.receiveGoods();
    const answer = await until('the receipts synced', async () => {
      const res = await as('vera', { method: 'GET', url: '/api/webhooks/records?connection=accurate' });
      const body = res.json() as WebhookRecordsAnswer;
      return body.deliveries[0]?.records.every((r) => r.state) ? body : undefined;
    });
    expect(answer.total).toBe(1);
    expect(answer.deliveries[0]!.records).toEqual([
      expect.objectContaining({ flow: 'accurate-iseller.purchases', label: 'RI-0101', state: 'processed' }),
      expect.objectContaining({
        flow: 'accurate-iseller.purchases',
        label: 'RI-0102',
        state: 'failed',
        reason: expect.stringContaining('the product does not have an SKU'),
      }),
    ]);
    // Every page is capped, and the connection is named.
    const big = await as('vera', {
      method: 'GET',
      url: '/api/webhooks/records?connection=accurate&limit=101',
    });
    expect(big.statusCode).toBe(400);
    expect(big.json().error.message).toMatch(/limit/);
    const none = await as('vera', { method: 'GET', url: '/api/webhooks/records' });
    expect(none.statusCode).toBe(400);
    expect(none.json().error.message).toMatch(/connection/);
  });
});
