import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sage50Connector } from '../../src/connectors/sage50/index.js';
import { connect, hostedFor } from '../../src/connectors/sage50/test-support.js';
import { openStore, type Store } from '../../src/store/index.js';
import { type ApiServer, startApiServer, usersWithTokens } from '../support/api-server.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

/** POST /api/connections/:name/listings/:listing/find over HTTP: what it answers, and what it refuses. */
describe('the listings API (the Sage View’s Invoice Items and Transactions)', () => {
  let sage: Awaited<ReturnType<typeof hostedFor>>;
  let tdb: TestDatabase;
  let store: Store;
  let api: ApiServer;
  let viewer: string;
  const connector = () => connect(sage);
  let live: ReturnType<typeof connector>;

  const find = (listing: string, body: unknown, query = '') =>
    fetch(`${api.url}/api/connections/sage50/listings/${listing}/find${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${viewer}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const message = async (res: Response) =>
    ((await res.json()) as { error: { message: string } }).error.message;

  beforeAll(async () => {
    sage = await hostedFor('sqlite');
    live = connector();
    tdb = await createTestDatabase('sqlite');
    store = await openStore(tdb.url);
    api = await startApiServer({
      store,
      connectors: { get: () => live },
      connections: new Map([
        ['sage50', { name: 'sage50', definition: sage50Connector, settings: sage.settings() }],
      ]),
    });
    viewer = (await usersWithTokens(store, [['vera', 'viewer']])).viewer!;
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await live?.close();
    await store?.close();
    await tdb?.drop();
    await sage?.close();
    await sage?.drop();
  });

  it('a viewer finds rows by the start of the account reference; the page is capped, the count whole', async () => {
    const all = await find('invoiceItems', { filters: { search: ['A1'] } });
    expect(all.status).toBe(200);
    const body = (await all.json()) as { count: number; rows: Array<{ id: string }>; viewOnly?: string };
    expect(body.rows.map((r) => r.id)).toEqual(['1/1', '1/2', '1/3']);
    expect(body.viewOnly).toBeTruthy();
    const one = (await (await find('invoiceItems', { filters: { search: ['A1'] } }, '?limit=1')).json()) as {
      count: number;
      rows: unknown[];
    };
    expect([one.rows.length, one.count]).toEqual([1, 3]);
  });

  it('refusals name the field: no filter, a page over the cap, an unknown listing or filter', async () => {
    const whole = await find('invoiceItems', {});
    expect(whole.status).toBe(400);
    expect(await message(whole)).toMatch(/^filters: .*never read whole/);
    const big = await find('invoiceItems', { filters: { search: ['A1'] } }, '?limit=5000');
    expect(big.status).toBe(400);
    expect(await message(big)).toMatch(/limit/);
    const nowhere = await find('ledgers', { filters: { search: ['A1'] } });
    expect(nowhere.status).toBe(404);
    expect(await message(nowhere)).toMatch(/has no list "ledgers"; it lists invoiceItems, transactions/);
    const odd = await find('invoiceItems', { filters: { colour: ['red'] } });
    expect(odd.status).toBe(400);
    expect(await message(odd)).toMatch(/colour/);
  });
});
