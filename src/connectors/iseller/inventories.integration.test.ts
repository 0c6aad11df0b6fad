import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, usersWithTokens } from '../../../test/support/api-server.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases.js';
import { openStore, type Store } from '../../store/index.js';
import type { ListedRow, ReadQuery } from '../sdk/contract.js';
import type { IsellerConnector } from './connector.js';
import { isellerConnector } from './index.js';
import { type IsellerSandbox, startIsellerSandbox } from './sandbox/index.js';
import { connect } from './test-support.js';

/** The stock the sandbox holds, one row per outlet and SKU, in GetOutlets' and the products' order. */
function sandboxStock(sb: IsellerSandbox, outlets = sb.data.outlets.map((o) => o.outlet_code)) {
  return outlets.flatMap((outlet) =>
    [...sb.data.products.values()]
      .filter((p) => p.sku)
      .map((p) => ({
        id: `${outlet}/${p.sku}`,
        columns: { outlet, sku: p.sku, stock: String(p.stock.get(outlet) ?? 0) },
      })),
  );
}

async function pagesOf(it: AsyncIterable<ListedRow[]>): Promise<ListedRow[][]> {
  const out: ListedRow[][] = [];
  for await (const page of it) out.push(page);
  return out;
}

const list = (c: IsellerConnector, q: ReadQuery) => c.listRows('outletInventories', q);

describe('iSeller outlet inventories (GetOutletInventories as a listing)', { timeout: 30_000 }, () => {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    while (open.length) await open.pop()!.close();
  });
  async function shop(pageSize: number) {
    // The seed's shop (4 SKUs, one product without) and three generated products: 7 SKUs an outlet.
    const sb = await startIsellerSandbox({ count: 3 });
    open.push(sb);
    const c = connect(sb, { pageSize });
    open.push(c);
    return { sb, c };
  }

  it('lists every outlet’s stock per SKU, page by page, each page within the page size', async () => {
    const { sb, c } = await shop(2);
    const pages = await pagesOf(list(c, {}));
    expect(pages.flat()).toEqual(sandboxStock(sb));
    expect(pages.flat()).toHaveLength(4 * 7);
    expect(pages.every((p) => p.length >= 1 && p.length <= 2)).toBe(true);
    // One outlet a call, pages 1–4 of 2 (the last with one row and has_next_item false), outlet after outlet.
    const sent = sb.requests
      .filter((r) => r.call === 'GetOutletInventories')
      .map((r) => `${String(r.body.outlet_code)}:${String(r.body.page)}/${String(r.body.page_size)}`);
    expect(sent).toEqual(['KMG', 'SNY', 'BSD', 'GDG'].flatMap((o) => [1, 2, 3, 4].map((n) => `${o}:${n}/2`)));
    // The figures are the sandbox's own, moved by the day's sales, transfers and stock take.
    expect(pages.flat().find((r) => r.id === 'BSD/GULA-1KG')?.columns.stock).toBe('18');
    expect(pages.flat().find((r) => r.id === 'SNY/P00001')?.columns.stock).toBe('0');
  });

  it('the outlets a filter names, and SKUs by their first letters in any case', async () => {
    const { sb, c } = await shop(3);
    const named = (await pagesOf(list(c, { filters: { outlet: ['GDG', 'SNY'] } }))).flat();
    expect(named).toEqual(sandboxStock(sb, ['GDG', 'SNY']));
    expect(sb.requests.some((r) => r.call === 'GetOutlets')).toBe(false);
    const kopi = (await pagesOf(list(c, { filters: { search: ['kopi'] } }))).flat();
    expect(kopi).toEqual(sandboxStock(sb).filter((r) => r.columns.sku === 'KOPI-250'));
    expect(kopi.map((r) => r.id)).toEqual(['KMG/KOPI-250', 'SNY/KOPI-250', 'BSD/KOPI-250', 'GDG/KOPI-250']);
  });

  it('status false is a failure in iSeller’s words, never an empty or a shortened list', async () => {
    const { sb, c } = await shop(2);
    sb.failNext('GetOutletInventories', 'The inventory list could not be read');
    await expect(pagesOf(list(c, {}))).rejects.toMatchObject({
      category: 'rejected',
      message: 'iSeller GetOutletInventories answered status false: The inventory list could not be read',
    });
    // Refused halfway (the second page of the first outlet): the rows so far are not the list.
    const rows = list(c, {})[Symbol.asyncIterator]();
    expect((await rows.next()).value).toHaveLength(2);
    sb.failNext('GetOutletInventories', 'Too many requests, slow down');
    await expect(rows.next()).rejects.toMatchObject({
      category: 'rate_limited',
      message: 'iSeller GetOutletInventories answered status false: Too many requests, slow down',
    });
    // An outlet iSeller does not know is refused by iSeller, naming it.
    await expect(pagesOf(list(c, { filters: { outlet: ['KMG', 'XYZ'] } }))).rejects.toMatchObject({
      code: 'not_found',
      message: 'iSeller GetOutletInventories answered status false: Outlet XYZ not found',
    });
    // Stock now has no modified window: a window is refused, not ignored.
    await expect(pagesOf(list(c, { since: '2025-03-01T00:00:00Z' }))).rejects.toMatchObject({
      category: 'config',
    });
  });
});

/** POST /api/connections/:name/listings/:listing/find over HTTP, as the Sage View's listings are. */
describe('the listings API for iSeller’s Outlet inventories', { timeout: 60_000 }, () => {
  let sb: IsellerSandbox;
  let live: IsellerConnector;
  let tdb: TestDatabase;
  let store: Store;
  let api: Awaited<ReturnType<typeof startApiServer>>;
  let viewer: string;

  const find = (body: unknown, query = '') =>
    fetch(`${api.url}/api/connections/iseller/listings/outletInventories/find${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${viewer}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const message = async (res: Response) =>
    ((await res.json()) as { error: { message: string } }).error.message;

  beforeAll(async () => {
    sb = await startIsellerSandbox({ count: 3 });
    live = connect(sb, { pageSize: 2 });
    tdb = await createTestDatabase('sqlite');
    store = await openStore(tdb.url);
    api = await startApiServer({
      store,
      connectors: { get: () => live },
      connections: new Map([
        ['iseller', { name: 'iseller', definition: isellerConnector, settings: sb.settings() }],
      ]),
    });
    viewer = (await usersWithTokens(store, [['vera', 'viewer']])).viewer!;
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await live?.close();
    await store?.close();
    await tdb?.drop();
    await sb?.close();
  });

  it('a viewer finds stock by SKU at every outlet, or at the outlets named; the page capped, the count whole', async () => {
    const res = await find({ filters: { search: ['GULA'] } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      count: number;
      rows: ListedRow[];
      columns: Array<{ name: string }>;
      viewOnly?: string;
      uploads: string[];
    };
    expect(body.rows).toEqual(sandboxStock(sb).filter((r) => r.columns.sku === 'GULA-1KG'));
    expect(body.count).toBe(4);
    expect(body.columns.map((c) => c.name)).toEqual(['outlet', 'sku', 'stock']);
    expect([body.uploads, Boolean(body.viewOnly)]).toEqual([[], true]);
    const kmg = (await (await find({ filters: { outlet: ['KMG'] } }, '?limit=3')).json()) as {
      count: number;
      rows: ListedRow[];
    };
    expect(kmg.rows).toEqual(sandboxStock(sb, ['KMG']).slice(0, 3));
    expect(kmg.count).toBe(7);
  });

  it('refusals: nothing named, a window it does not have, iSeller’s status false as a 502 with its words', async () => {
    const whole = await find({});
    expect(whole.status).toBe(400);
    expect(await message(whole)).toBe(
      'filters: name the first letters to search by (filters.search) or outlets (filters.outlet); a listing is never read whole',
    );
    const dated = await find({ since: '2025-03-01' });
    expect(dated.status).toBe(400);
    expect(await message(dated)).toMatch(/^since: iSeller's Outlet inventories have no modified window/);
    sb.failNext('GetOutletInventories', 'The inventory list could not be read');
    const refused = await find({ filters: { outlet: ['KMG'] } });
    expect(refused.status).toBe(502);
    expect(await message(refused)).toBe(
      'iSeller GetOutletInventories answered status false: The inventory list could not be read',
    );
    const unknown = await find({ filters: { outlet: ['XYZ'] } });
    expect(unknown.status).toBe(502);
    expect(await message(unknown)).toMatch(/Outlet XYZ not found/);
  });
});
