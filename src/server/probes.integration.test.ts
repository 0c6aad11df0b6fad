import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { openStore, type Store } from '../store/index.js';
import { createUser } from './auth/accounts.js';
import { createApiToken } from './auth/api-tokens.js';
import { mountProbes } from './probes.js';

/** What `ledgerlink worker` mounts on its own small listener: no API, the same probes and metrics. */
describe('probes for a process without the API', () => {
  let tdb: TestDatabase;
  let store: Store;
  let app: FastifyInstance;
  let token: string;

  beforeAll(async () => {
    tdb = await createTestDatabase('sqlite');
    store = await openStore(tdb.url);
    app = Fastify();
    mountProbes(app, { store });
    await createUser(store, {
      username: 'scraper',
      role: 'viewer',
      password: 'long enough to pass',
      mustChangePassword: false,
    });
    token = (await createApiToken(store, { username: 'scraper', name: 'prometheus' })).token;
  });
  afterAll(async () => {
    await app.close();
    await store.close();
    await tdb.drop();
  });

  it('answers /health and /ready, and /metrics to a viewer’s API token only', async () => {
    expect((await app.inject('/health')).json()).toEqual({ ok: true });
    expect((await app.inject('/ready')).json()).toMatchObject({ ok: true });
    expect((await app.inject('/metrics')).statusCode).toBe(401);
    expect(
      (await app.inject({ url: '/metrics', headers: { authorization: 'Bearer ll_wrong' } })).statusCode,
    ).toBe(401);
    const ok = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${token}` } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('# TYPE ledgerlink_records_total counter');
  });

  it('is not ready when the store no longer answers', async () => {
    const gone = await openStore(tdb.url);
    const probe = Fastify();
    mountProbes(probe, { store: gone });
    await gone.close();
    const res = await probe.inject('/ready');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ ok: false, checks: [{ name: 'store', ok: false }] });
    await probe.close();
  });
});
