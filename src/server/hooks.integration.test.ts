import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { Agent, fetch as fetchFrom } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../test/support/databases.js';
import { rawExchange } from '../../test/support/raw-http.js';
import type { LoadedConfig } from '../config/load.js';
import { MemoryConnector } from '../connectors/memory/index.js';
import { quickbooksWebhook, SIGNATURE_HEADER, signBody } from '../connectors/quickbooks/webhook.js';
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
import { LINGER } from './body-limits.js';
import type { ServerLimits } from './limits.js';

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
  let ctx: Context;
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

  /** Another server over the same store and engine, with other limits. */
  async function serve(limits: Partial<ServerLimits>): Promise<{ app: FastifyInstance; url: string }> {
    const app = await buildServer({ ctx, wake: () => worker.poke(), version: 'test', limits });
    return { app, url: await app.listen({ host: '127.0.0.1', port: 0 }) };
  }

  beforeEach(async () => {
    tdb = await createTestDatabase(dialect);
    store = await openStore(tdb.url);
    source = new MemoryConnector('Source');
    source.webhookSecret = 's3cret';
    target = new MemoryConnector('Target');
    // `q` answers as QuickBooks Online does: Intuit's webhook contract on the memory connector's records.
    const intuit = Object.assign(Object.create(source) as MemoryConnector, {
      webhook: quickbooksWebhook({ verifierToken: 'intuit-token', realmId: '9130' }),
    });
    const connectors = { get: (n: string) => (n === 'a' ? source : n === 'q' ? intuit : target) };
    const queue = new EmbeddedQueue(store, logger, { pollMs: 20 });
    engine = new Engine(store, new Map([[flow.name, flow]]), connectors, logger, new Map(), queue);
    worker = new Worker(queue, engine, logger);
    ctx = {
      config: {
        connections: new Map([
          ['a', {}],
          ['q', {}],
        ]),
      } as unknown as LoadedConfig,
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
    // Events that are not {entity, id} (the fuzz suite's [null]) are unreadable too, not stored as
    // work: the inbox's job stopped on them, and every delivery after them waited.
    for (const events of [[null], [1], [{ entity: 'customer' }], [{ entity: 'customer', id: { a: 1 } }]]) {
      const odd = await deliver({ id: `odd-${JSON.stringify(events)}`, events });
      expect(odd.status).toBe(400);
      expect(((await odd.json()) as { error: { message: string } }).error.message).toMatch(/^events\[0\]/);
    }
    // Ids no system has (the fuzz suite's): unreadable, never work that fails forever in the inbox job.
    for (const id of ['Z'.repeat(257), 'C\u00001', 'C\n1']) {
      const odd = await deliver({
        id: `odd-id-${id.length}-${id.charCodeAt(1)}`,
        events: [{ entity: 'customer', id }],
      });
      expect(odd.status).toBe(400);
      expect(((await odd.json()) as { error: { message: string } }).error.message).toMatch(
        /^record 1 the delivery names \(a customer\) has an id that (is 257 characters long|holds a control character)/,
      );
    }
    // A delivery id with NUL in it (PostgreSQL's text cannot hold one): stored, and recognised again.
    expect((await deliver({ id: 'nul\u0000id', events: [] })).status).toBe(202);
    expect(await (await deliver({ id: 'nul\u0000id', events: [] })).json()).toEqual({
      received: true,
      duplicate: true,
    });
    const nowhere = await deliver(delivery('n1', 1), 's3cret', 'nope');
    expect(nowhere.status).toBe(404);
  });
  it('QuickBooks deliveries are answered 200, an unreadable one too (kept as failed), so Intuit does not hold the stream', async () => {
    const toIntuit = (raw: string, token = 'intuit-token') =>
      fetch(`${url}/hooks/q`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(raw, token) },
        body: raw,
      });
    const good = JSON.stringify({
      eventNotifications: [
        {
          realmId: '9130',
          dataChangeEvent: { entities: [{ name: 'Customer', id: 'C1', operation: 'Update' }] },
        },
      ],
    });
    // Intuit counts only a 200 as delivered (it retries anything else for ever, every 6 h at last).
    const first = await toIntuit(good);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: true });
    expect((await toIntuit(good)).status).toBe(200);
    // Signed but not readable: kept in the log as failed, acknowledged so later events still come.
    const odd = await toIntuit('{"eventNotifications": "not a list"}');
    expect(odd.status).toBe(200);
    // Forged: still refused, so Intuit's own retries show the misconfiguration.
    expect((await toIntuit(good.replace('C1', 'C2'), 'guess')).status).toBe(401);
    const rows = (await store.inbox.list()).filter((r) => r.connection === 'q');
    expect(rows.map((r) => [r.status, r.verified]).sort()).toEqual([
      ['failed', 1],
      ['received', 1],
      ['rejected', 0],
    ]);
    expect(rows.find((r) => r.status === 'failed' && r.verified === 1)?.error).toMatch(
      /no eventNotifications/,
    );
  });

  it('a refused delivery keeps its headers and a 4 KB excerpt with its size and SHA-256; the log lists excerpts', async () => {
    // Under the memory connector's 1 MB limit, unsigned: before the fix each was stored whole.
    const big = JSON.stringify({ id: 'x', events: [], pad: 'é'.repeat(450_000) });
    for (let i = 0; i < 10; i++) expect((await deliver(JSON.parse(big), 'guess')).status).toBe(401);
    const rows = await store.db.selectFrom('webhook_inbox').selectAll().execute();
    expect(rows).toHaveLength(10);
    for (const r of rows) {
      expect(Buffer.byteLength(r.body)).toBeLessThanOrEqual(4096);
      expect(big.startsWith(r.body)).toBe(true);
      expect(r).toMatchObject({
        body_bytes: Buffer.byteLength(big),
        body_sha256: createHash('sha256').update(big).digest('hex'),
        body_truncated: 1,
        dedupe_key: null,
      });
    }
    await createUser(store, { username: 'vic', role: 'viewer', password: 'correct horse battery' });
    const { token } = await createApiToken(store, { username: 'vic', name: 'tests' });
    const headers = { authorization: `Bearer ${token}` };
    const res = await fetch(`${url}/api/webhooks?limit=10`, { headers });
    const text = await res.text();
    // Ten whole bodies were 9 MB; ten excerpts and their headers are a few KB.
    expect(text.length).toBeLessThan(40_000);
    const log = JSON.parse(text) as {
      deliveries: Array<{
        id: number;
        body: { excerpt: string; bytes: number; complete: boolean; url: null };
      }>;
    };
    expect(log.deliveries[0]!.body).toMatchObject({
      bytes: Buffer.byteLength(big),
      complete: false,
      url: null,
    });
    expect(log.deliveries[0]!.body.excerpt.length).toBeLessThanOrEqual(1024);
    const whole = await fetch(`${url}/api/webhooks/${log.deliveries[0]!.id}/body`, { headers });
    expect(whole.status).toBe(404);
    expect(((await whole.json()) as { error: { message: string } }).error.message).toMatch(/was refused/);

    // A verified delivery's whole body is one request away.
    source.put('customer', customer(1));
    const ok = (await (await deliver(delivery('v1', 1))).json()) as { id: number };
    const listed = (await (await fetch(`${url}/api/webhooks?status=received`, { headers })).json()) as {
      deliveries: Array<{ body: { url: string; complete: boolean } }>;
    };
    expect(listed.deliveries[0]!.body).toMatchObject({ url: `/api/webhooks/${ok.id}/body`, complete: true });
    const full = (await (await fetch(`${url}${listed.deliveries[0]!.body.url}`, { headers })).json()) as {
      body: string;
    };
    expect(JSON.parse(full.body)).toEqual(delivery('v1', 1));
  });

  it('a body larger than the system sends is refused 413 before it is stored, with or without its length', async () => {
    const huge = JSON.stringify({ id: 'h', events: [], pad: 'x'.repeat(10 * 1024 * 1024) });
    const sized = await deliver(JSON.parse(huge), 'guess');
    expect(sized.status).toBe(413);
    expect(await sized.json()).toEqual({
      error: { code: 'too_large', message: 'the body is larger than a Source webhook may be (at most 1 MB)' },
    });
    // Chunked: no content-length to refuse it by; it is counted as it streams.
    const chunked = await fetch(`${url}/hooks/a`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-memory-secret': 's3cret' },
      body: new ReadableStream({
        start(c) {
          for (let i = 0; i < 12; i++) c.enqueue(new TextEncoder().encode('x'.repeat(1024 * 1024)));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as { error: { code: string } }).error.code).toBe('too_large');
    expect(await store.inbox.count()).toBe(0);
  });

  it('a sender still writing when its body passes the limit reads the 413, not a reset', async () => {
    const mb = (n: number) => Buffer.alloc(n * 1024 * 1024, 0x78);
    const head = (length: string) =>
      `POST /hooks/a HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\nx-memory-secret: s3cret\r\n${length}\r\n\r\n`;
    // Chunked: past the limit within the first chunk; the answer waits for the body's end.
    const chunked = rawExchange(url, head('transfer-encoding: chunked'));
    await chunked.write(Buffer.concat([Buffer.from('300000\r\n'), mb(3), Buffer.from('\r\n')]));
    await sleep(300);
    expect(chunked.received()).toBe('');
    await chunked.write(Buffer.concat([Buffer.from('300000\r\n'), mb(3), Buffer.from('\r\n0\r\n\r\n')]));
    await chunked.closed;
    expect(chunked.error()).toBeUndefined();
    expect(chunked.received()).toMatch(/^HTTP\/1\.1 413 [\s\S]*"too_large"/);
    // Declared: refused by its length, yet read to its end before the answer.
    const sized = rawExchange(url, head('content-length: 5242880'));
    await sized.write(mb(3));
    await sleep(300);
    expect(sized.received()).toBe('');
    await sized.write(mb(2));
    await sized.closed;
    expect(sized.error()).toBeUndefined();
    expect(sized.received()).toMatch(/^HTTP\/1\.1 413 [\s\S]*"too_large"/);
    // A sender that stops halfway is not waited for past the linger time.
    const kept = LINGER.ms;
    LINGER.ms = 200;
    try {
      const stalled = rawExchange(url, head('transfer-encoding: chunked'));
      await stalled.write(Buffer.concat([Buffer.from('200000\r\n'), mb(2), Buffer.from('\r\n')]));
      await until(async () => stalled.received().length > 0, 5_000);
      expect(stalled.received()).toMatch(/^HTTP\/1\.1 413 /);
      stalled.destroy();
    } finally {
      LINGER.ms = kept;
    }
    expect(await store.inbox.count()).toBe(0);
  });

  it('a forged delivery carrying a real delivery id does not swallow the genuine one', async () => {
    source.put('customer', customer(1, '555.00'));
    // Before the fix the forgery claimed the id, and the genuine delivery answered "200 duplicate".
    expect((await deliver(delivery('real-1', 1), 'guess')).status).toBe(401);
    const genuine = await deliver(delivery('real-1', 1));
    expect(genuine.status).toBe(202);
    expect((await deliver(delivery('real-1', 1))).status).toBe(200);
    await worker.start();
    await until(async () => (await store.inbox.depth()) === 0);
    await until(async () => (await store.jobs.pending([WEBHOOK_TASK, RUN_TASK])) === 0);
    expect(target.calls.create).toBe(1);
    expect([...target.records.get('customer')!.values()][0]?.data.creditLimit).toEqual({
      amount: '555.00',
      currency: 'USD',
    });
    expect(await store.inbox.count({ status: 'processed' })).toBe(1);
    expect(await store.inbox.count({ status: 'rejected' })).toBe(1);
  });

  it('limits deliveries per connection and address, and per connection, with 429 and Retry-After', async () => {
    const limited = await serve({ webhooksPerMinutePerAddress: 5, webhooksPerMinute: 8 });
    try {
      const from = (address: string) => new Agent({ localAddress: address });
      const [one, two] = [from('127.0.0.1'), from('127.0.0.2')];
      const send = (agent: Agent, n: number) =>
        fetchFrom(`${limited.url}/hooks/a`, {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/json', 'x-memory-secret': 's3cret' },
          body: JSON.stringify(delivery(`r${n}`, n)),
        });
      for (let n = 1; n <= 5; n++) expect((await send(one, n)).status).toBe(202);
      const sixth = await send(one, 6);
      expect(sixth.status).toBe(429);
      expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await sixth.json()).toEqual({
        error: {
          code: 'rate_limited',
          message: expect.stringMatching(
            /^more than 5 webhook deliveries a minute from 127\.0\.0\.1 to connection "a"; try again in \d+ s$/,
          ),
        },
      });
      // Another address has its own allowance, until the connection's is spent.
      for (let n = 7; n <= 9; n++) expect((await send(two, n)).status).toBe(202);
      const over = await send(two, 10);
      expect(over.status).toBe(429);
      expect(((await over.json()) as { error: { message: string } }).error.message).toMatch(
        /^more than 8 webhook deliveries a minute to connection "a"/,
      );
      expect(await store.inbox.count()).toBe(8);
      await Promise.all([one.close(), two.close()]);
    } finally {
      await limited.app.close();
    }
  });

  it('refused deliveries are pruned once their retention is over', async () => {
    await deliver(delivery('old', 1), 'guess');
    await deliver(delivery('old2', 1), 'guess');
    await store.db
      .updateTable('webhook_inbox')
      .set({ received_at: new Date(Date.now() - 8 * 86_400_000).toISOString() })
      .execute();
    source.put('customer', customer(2));
    await deliver(delivery('kept', 2));
    // Pruning runs as refused deliveries arrive, at most once a minute per process.
    const { takeDelivery } = await import('../runtime/webhooks.js');
    await takeDelivery(
      store,
      'a',
      source,
      { headers: {}, rawBody: '{}' },
      { now: () => Date.now() + 120_000 },
    );
    const left = await store.db.selectFrom('webhook_inbox').select(['status', 'dedupe_key']).execute();
    // The old refused row is gone; the verified one and the refused one that pruned stay.
    expect(left.map((r) => `${r.status}:${r.dedupe_key}`).sort()).toEqual(['received:kept', 'rejected:null']);
  });
});
