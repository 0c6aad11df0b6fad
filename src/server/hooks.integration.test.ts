import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../test/support/databases.js';
import type { LoadedConfig } from '../config/load.js';
import { MemoryConnector } from '../connectors/memory/index.js';
import { Engine } from '../engine/engine.js';
import { type Flow, flowDefaults } from '../engine/flow.js';
import type { ConnectorSet } from '../runtime/connections.js';
import type { Context } from '../runtime/context.js';
import { EmbeddedQueue } from '../runtime/queue/embedded.js';
import { WEBHOOK_TASK } from '../runtime/webhooks.js';
import { RUN_TASK, Worker } from '../runtime/worker.js';
import { openStore, type Store } from '../store/index.js';
import { buildServer } from './app.js';
import { createUser } from './auth/accounts.js';
import { createApiToken } from './auth/api-tokens.js';

const logger = pino({ level: 'silent' });
const flow: Flow = {
  ...flowDefaults,
  name: 'a-b.customers',
  entity: 'customer',
  source: 'a',
  target: 'b',
  ownedFields: ['creditLimit'],
};
const customer = (n: number, limit = '100.00') => ({
  number: `C${n}`,
  name: `Customer ${n}`,
  email: `c${n}@example.com`,
  currency: 'USD',
  creditLimit: { amount: limit, currency: 'USD' },
});

async function until(probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The webhook intake over real HTTP on loopback: every delivery is a row before it is answered,
 * duplicates and reversed batches have one effect, forged ones are refused and kept for the log.
 */
describe.each(DIALECTS)('webhook intake on %s', (dialect) => {
  let tdb: TestDatabase;
  let store: Store;
  let source: MemoryConnector;
  let target: MemoryConnector;
  let engine: Engine;
  let worker: Worker;
  let url: string;
  let close: () => Promise<void>;

  const deliver = (body: unknown, secret = 's3cret', connection = 'a') =>
    fetch(`${url}/hooks/${connection}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-memory-secret': secret },
      body: JSON.stringify(body),
    });
  const delivery = (id: string, ...customers: number[]) => ({
    id,
    events: customers.map((n) => ({ entity: 'customer', id: `C${n}` })),
  });

  beforeEach(async () => {
    tdb = await createTestDatabase(dialect);
    store = await openStore(tdb.url);
    source = new MemoryConnector('Source');
    source.webhookSecret = 's3cret';
    target = new MemoryConnector('Target');
    const connectors = { get: (n: string) => (n === 'a' ? source : target) };
    const queue = new EmbeddedQueue(store, logger, { pollMs: 20 });
    engine = new Engine(store, new Map([[flow.name, flow]]), connectors, logger, new Map(), queue);
    worker = new Worker(queue, engine, logger);
    const ctx = {
      config: { connections: new Map([['a', {}]]) } as unknown as LoadedConfig,
      store,
      queue,
      engine,
      logger,
      connectors: connectors as unknown as ConnectorSet,
      reload: async () => undefined,
      onReload: () => undefined,
      close: async () => undefined,
    } satisfies Context;
    const app = await buildServer({ ctx, wake: () => worker.poke(), version: 'test' });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
    close = async () => {
      await app.close();
      await worker.stop();
    };
  });
  afterEach(async () => {
    await close();
    await store.close();
    await tdb.drop();
  });

  it('stores a delivery before answering, and processes it in a job', async () => {
    source.put('customer', customer(1));
    const res = await deliver(delivery('d1', 1));
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: number };
    // Answered, and no worker has run yet: the delivery is already a row, with the records it names.
    const row = await store.inbox.get(id);
    expect(row).toMatchObject({ connection: 'a', status: 'received', verified: 1 });
    expect(JSON.parse(row!.events!)).toEqual([{ entity: 'customer', id: 'C1' }]);
    expect(JSON.parse(row!.headers)['x-memory-secret']).toBe('[redacted]');
    expect((await store.jobs.list()).map((j) => j.task)).toEqual([WEBHOOK_TASK]);
    await worker.start();
    await until(async () => (await store.inbox.get(id))?.status === 'processed');
    expect(target.records.get('customer')?.size).toBe(1);
    const [run] = await store.runs.list({ flow: flow.name });
    expect(run).toMatchObject({ trigger: 'webhook', status: 'succeeded', created: 1 });
  });

  it('every delivery sent twice and a batch in reverse order: one effect each, the newest data wins', async () => {
    for (let n = 1; n <= 10; n++) source.put('customer', customer(n, `${n}00.00`));
    // C1 changed three times; its deliveries arrive newest first.
    source.put('customer', customer(1, '999.00'));
    const batch = [
      ...Array.from({ length: 10 }, (_, i) => delivery(`d${i + 1}`, i + 1)),
      delivery('c1-v2', 1),
      delivery('c1-v3', 1),
    ].reverse();
    for (const d of batch) {
      expect((await deliver(d)).status).toBe(202);
      const again = await deliver(d);
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual({ received: true, duplicate: true });
    }
    expect(await store.inbox.depth()).toBe(12);
    await worker.start();
    await until(async () => (await store.inbox.depth()) === 0);
    await until(async () => (await store.jobs.pending([WEBHOOK_TASK, RUN_TASK])) === 0);
    const written = [...target.records.get('customer')!.values()];
    expect(written).toHaveLength(10);
    expect(target.calls.create).toBe(10);
    expect(target.calls.update).toBe(0);
    expect(written.find((r) => r.data.number === 'C1')?.data.creditLimit).toEqual({
      amount: '999.00',
      currency: 'USD',
    });
  });

  it('a forged delivery is refused with the reason and kept for the webhook log, never processed', async () => {
    source.put('customer', customer(1));
    const res = await deliver(delivery('f1', 1), 'guess');
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: {
        code: 'unverified',
        message: 'x-memory-secret does not match the connection’s webhook secret',
      },
    });
    const [row] = await store.inbox.list();
    expect(row).toMatchObject({ status: 'rejected', verified: 0 });
    expect(await store.jobs.list()).toEqual([]);
    // The webhook log shows it to whoever may read the API, with the reason and the secret header redacted.
    await createUser(store, { username: 'vic', role: 'viewer', password: 'correct horse battery' });
    const { token } = await createApiToken(store, { username: 'vic', name: 'tests' });
    const headers = { authorization: `Bearer ${token}` };
    expect((await fetch(`${url}/api/webhooks`)).status).toBe(401);
    const log = (await (await fetch(`${url}/api/webhooks?status=rejected`, { headers })).json()) as {
      deliveries: Array<{ verified: boolean; error: string; headers: Record<string, string> }>;
    };
    expect(log.deliveries).toHaveLength(1);
    expect(log.deliveries[0]).toMatchObject({
      verified: false,
      error: 'x-memory-secret does not match the connection’s webhook secret',
    });
    expect(log.deliveries[0]?.headers['x-memory-secret']).toBe('[redacted]');
  });

  it('an unreadable body is a 400 with the reason; an unknown connection a 404', async () => {
    const bad = await deliver({ id: 'x', nothing: true });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/"events" list/);
    expect((await store.inbox.list())[0]).toMatchObject({ status: 'failed' });
    const nowhere = await deliver(delivery('n1', 1), 's3cret', 'nope');
    expect(nowhere.status).toBe(404);
  });
});
