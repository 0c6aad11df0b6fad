import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityName } from '../../model/index.js';
import type { ReadQuery, SourceItem } from '../sdk/contract.js';
import { isLedgerlinkError } from '../sdk/errors.js';
import { settingsSchema } from '../sdk/manifest.js';
import { type DynamicsConnector, dynamicsConnector } from './index.js';
import { DYNAMICS_SANDBOX, type DynamicsSandbox, startDynamicsSandbox } from './sandbox/index.js';

// The SYNC Uploader's search box (§6): accounts by the start of their account number, products by
// the start of their product ID, orders by their account's number — startswith() in $filter, with
// Dataverse's LIKE wildcards (% _ [) bracketed so they stand for themselves.

const logger = pino({ level: 'silent' });

describe('Dynamics 365 text search: the start of the account number or product ID', () => {
  let sb: DynamicsSandbox;
  let c: DynamicsConnector;

  const read = async (entity: EntityName, search: string, extra: Partial<ReadQuery> = {}) => {
    const out: SourceItem[] = [];
    for await (const page of c.read(entity, { pageSize: 5, filters: { search: [search] }, ...extra }))
      out.push(...page);
    return out.map((i) => i.id).sort();
  };
  const numbers = (set: 'accounts' | 'products', column: string, start: string) =>
    sb
      .rows(set)
      .map((r) => String(r[column] ?? ''))
      .filter((n) => n.toLowerCase().startsWith(start.toLowerCase()))
      .sort();
  const ordersOf = (start: string) => {
    const accounts = new Set(
      sb
        .rows('accounts')
        .filter((a) =>
          String(a.accountnumber ?? '')
            .toLowerCase()
            .startsWith(start.toLowerCase()),
        )
        .map((a) => String(a.accountid)),
    );
    return sb
      .rows('salesorders')
      .filter((o) => accounts.has(String(o._customerid_value)))
      .map((o) => String(o.ordernumber))
      .sort();
  };

  beforeAll(async () => {
    sb = await startDynamicsSandbox({ customers: 25, products: 25, orders: 40 });
    // Account numbers a person may type: LIKE wildcards, a quote, characters a URL must encode.
    for (const accountnumber of ['100%OFF', '100XOFF', 'A_B1', 'AXB1', '[X]1', 'X1', "O'NEIL+&1"])
      sb.create('accounts', { accountnumber, name: accountnumber, customertypecode: 3 });
    const oneil = sb.find('accounts', 'accountnumber', "O'NEIL+&1")!;
    sb.create('salesorders', {
      ordernumber: 'ORD-ONEIL',
      name: 'ORD-ONEIL',
      statuscode: 200000,
      'customerid_account@odata.bind': `/accounts(${oneil.accountid})`,
      'pricelevelid@odata.bind': `/pricelevels(${sb.seeded.priceListId})`,
      order_details: [
        {
          isproductoverridden: true,
          productdescription: 'x',
          ispriceoverridden: true,
          quantity: 1,
          priceperunit: 1,
        },
      ],
    });
    const settings = settingsSchema(dynamicsConnector.manifest.connectionFields).parse({
      url: sb.url,
      tenantId: DYNAMICS_SANDBOX.tenantId,
      clientId: DYNAMICS_SANDBOX.clientId,
      clientSecret: DYNAMICS_SANDBOX.clientSecret,
      authority: sb.authority,
      timeoutMs: 5000,
    });
    c = dynamicsConnector.create(settings, { connection: 'dynamics', logger }) as DynamicsConnector;
  });
  afterAll(async () => {
    await c?.close();
    expect(sb.kit.violations).toEqual([]);
    await sb.close();
  });

  it('search: only accounts whose account number starts with the text, whatever its case', async () => {
    const expected = numbers('accounts', 'accountnumber', 'C00001');
    expect(expected).toHaveLength(10);
    expect(await read('customer', 'c00001')).toEqual(expected);
    expect(await read('customer', 'A1D')).toEqual(['A1D001']);
    expect(await read('customer', 'ZZZ')).toEqual([]);
    expect(sb.store.filters.at(-1)).toMatchObject({
      set: 'accounts',
      filter: expect.stringContaining("startswith(accountnumber,'ZZZ')"),
    });
  });

  it('search: only products whose product ID starts with the text', async () => {
    const expected = numbers('products', 'productnumber', 'P00002');
    expect(expected).toEqual(['P000020', 'P000021', 'P000022', 'P000023', 'P000024', 'P000025']);
    expect(await read('product', 'p00002')).toEqual(expected);
  });

  it("search: only orders whose account's number starts with the text (accounts found first, then customerid In)", async () => {
    const expected = ordersOf('C00001');
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(sb.rows('salesorders').length);
    const from = sb.store.filters.length;
    expect(await read('salesOrder', 'c00001')).toEqual(expected);
    const asked = sb.store.filters.slice(from);
    expect(asked[0]).toEqual({ set: 'accounts', filter: "startswith(accountnumber,'c00001')" });
    const orders = asked.filter((f) => f.set === 'salesorders');
    expect(orders.length).toBeGreaterThan(0);
    for (const f of orders)
      expect(f.filter).toMatch(/Microsoft\.Dynamics\.CRM\.In\(PropertyName='customerid'/);
    expect(await read('salesOrder', 'XXX')).toEqual(ordersOf('XXX001'));
    expect(await read('salesOrder', 'NOBODY')).toEqual([]);
  });

  it('search: % _ and [ stand for themselves; a quote and URL characters are escaped', async () => {
    // Unbracketed, % and _ would also find 100XOFF and AXB1, and [X] would find X1.
    expect(await read('customer', '100%')).toEqual(['100%OFF']);
    expect(await read('customer', 'a_b')).toEqual(['A_B1']);
    expect(await read('customer', '[X]')).toEqual(['[X]1']);
    expect(await read('customer', "o'neil+&")).toEqual(["O'NEIL+&1"]);
    expect(await read('salesOrder', "O'NEIL+")).toEqual(['ORD-ONEIL']);
  });

  it('search: the text narrows the other filters and ids, never widens them', async () => {
    const ready = await read('salesOrder', 'C00001', { filters: { search: ['C00001'], status: ['ready'] } });
    const readyAll = new Set(
      sb
        .rows('salesorders')
        .filter((o) => o.statuscode === 200000)
        .map((o) => String(o.ordernumber)),
    );
    expect(ready.length).toBeGreaterThan(0);
    expect(ready).toEqual(ordersOf('C00001').filter((o) => readyAll.has(o)));
    expect(await read('customer', 'C00001', { ids: ['C000011', 'C000002', 'A1D001'] })).toEqual(['C000011']);
  });

  it('search: another filter name is refused naming the search filter', async () => {
    const e = await read('customer', 'x', { filters: { status: ['Active'] } }).catch((x: unknown) => x);
    expect(isLedgerlinkError(e) && e.message).toMatch(/no "status" filter.*search/);
  });
});
