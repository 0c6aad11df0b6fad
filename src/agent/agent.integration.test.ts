import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CuttingProxy } from '../../test/support/cutting-proxy.js';
import { MemoryConnector } from '../connectors/memory/index.js';
import { LedgerlinkError } from '../connectors/sdk/errors.js';
import { PATHS } from './protocol.js';
import { RemoteConnector } from './remote-connector.js';
import { buildAgentServer } from './serve.js';

const TOKEN = 't'.repeat(40);
const logger = pino({ level: 'silent' });

/** The agent's wire on loopback: a memory connector served, reached through a proxy that drops. */
describe('ledgerlink agent: the connector contract over HTTP', () => {
  let source: MemoryConnector;
  let agents: Array<{ app: FastifyInstance; port: number }>;
  let proxy: CuttingProxy;
  let remote: RemoteConnector;
  let url: string;

  const serve = async () => {
    const app = await buildAgentServer({
      connector: source,
      connection: 'mem',
      token: TOKEN,
      logger,
      version: 'test',
    });
    const at = await app.listen({ host: '127.0.0.1', port: 0 });
    return { app, port: Number(new URL(at).port) };
  };
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`http://127.0.0.1:${agents[0]!.port}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  beforeEach(async () => {
    source = new MemoryConnector('Memory');
    for (let n = 1; n <= 7; n++)
      source.put(
        'customer',
        { number: `C${n}`, name: `Customer ${n}`, email: `c${n}@example.com`, currency: 'USD' },
        `2026-01-0${n}T00:00:00.000Z`,
      );
    agents = [await serve(), await serve()];
    proxy = new CuttingProxy({ host: '127.0.0.1', port: agents[0]!.port });
    url = await proxy.listen();
    remote = new RemoteConnector({
      manifest: source.manifest,
      naturalKey: (e, d) => source.naturalKey(e, d),
      url,
      token: TOKEN,
      ctx: { connection: 'mem', logger },
      retries: 3,
    });
  });
  afterEach(async () => {
    await remote.close();
    await proxy.close();
    for (const a of agents) await a.app.close();
  });

  it('a read whose agent restarted in the middle goes on after the pages already delivered', async () => {
    const ids: string[] = [];
    let pages = 0;
    for await (const page of remote.read('customer', { pageSize: 2 })) {
      ids.push(...page.map((i) => i.id));
      // After two pages the agent "restarts": the other one, which knows no session, answers.
      if (++pages === 2) {
        proxy.retarget(agents[1]!.port);
        proxy.outage(0);
      }
    }
    expect(ids).toEqual(['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7']);
  });

  it('a page asked for again is the same page; a page out of turn is a 409', async () => {
    const first = (await (await post(PATHS.read, { entity: 'customer', query: { pageSize: 3 } })).json()) as {
      session: string;
    };
    const again = async () => (await post(PATHS.next, { session: first.session, seq: 1 })).json();
    const a = await again();
    expect(await again()).toEqual(a);
    expect((a as { items: Array<{ id: string }> }).items.map((i) => i.id)).toEqual(['C4', 'C5', 'C6']);
    const skip = await post(PATHS.next, { session: first.session, seq: 3 });
    expect(skip.status).toBe(409);
    const gone = await post(PATHS.next, { session: '00000000-0000-4000-8000-000000000000', seq: 1 });
    expect(gone.status).toBe(410);
  });

  it('a connector’s error comes back with its code and retry category', async () => {
    source.down = new LedgerlinkError({ code: 'auth', category: 'config', message: 'the password is wrong' });
    const e = await remote.get('customer', ['C1']).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'auth', category: 'config' });
    expect((e as Error).message).toMatch(/answered 409: the password is wrong/);
    source.down = undefined;
    expect((await remote.get('customer', ['C1'])).map((i) => i.id)).toEqual(['C1']);
  });

  it('bodies are checked: a refusal names the field; a write needs its idempotency key', async () => {
    const bad = await post(PATHS.get, { entity: 'nope', ids: [] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { field: 'entity' } });
    const keyless = await post(PATHS.write, { entity: 'customer', items: [] });
    expect(keyless.status).toBe(400);
    expect(await keyless.json()).toMatchObject({ error: { field: 'idempotency-key' } });
    const noToken = await fetch(`http://127.0.0.1:${agents[0]!.port}${PATHS.hello}`);
    expect(noToken.status).toBe(401);
  });

  it('a write repeated with its key is answered from the first write', async () => {
    const item = {
      ref: 'C9',
      action: 'create',
      data: { number: 'C9', name: 'Nine', email: 'c9@example.com', currency: 'USD' },
    };
    const key = { 'idempotency-key': 'k-0123456789abcdef' };
    const one = await (await post(PATHS.write, { entity: 'customer', items: [item] }, key)).json();
    const two = await (await post(PATHS.write, { entity: 'customer', items: [item] }, key)).json();
    expect(two).toEqual(one);
    expect(source.records.get('customer')?.size).toBe(8);
  });
});
