import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorContractSuite } from '../../../test/support/connector-contract-suite.js';
import { Customer, type EntityName, Product } from '../../model/index.js';
import type { SourceItem } from '../sdk/contract.js';
import { settingsSchema } from '../sdk/manifest.js';
import { type MagentoConnector, magentoConnector } from './index.js';
import { MAGENTO_SANDBOX, type MagentoSandbox, startMagentoSandbox } from './sandbox/index.js';

const logger = pino({ level: 'silent' });

function connect(sb: MagentoSandbox, overrides: Record<string, unknown> = {}): MagentoConnector {
  const settings = settingsSchema(magentoConnector.manifest.connectionFields).parse({
    baseUrl: sb.url,
    accessToken: MAGENTO_SANDBOX.accessToken,
    timeoutMs: 3000,
    ...overrides,
  });
  return magentoConnector.create(settings, { connection: 'magento', logger }) as MagentoConnector;
}

const asAdmin = (password = MAGENTO_SANDBOX.admin.password) => ({
  authMode: 'admin',
  username: MAGENTO_SANDBOX.admin.username,
  password,
  accessToken: undefined,
});

let n = 0;
const customer = (patch: Record<string, unknown> = {}) => {
  n++;
  return Customer.parse({
    number: `C9${n}`,
    name: `Buyer ${n}`,
    email: `buyer${n}@example.com`,
    currency: 'USD',
    creditLimit: { amount: '1500.00', currency: 'USD' },
    contacts: [{ firstName: 'Bea', lastName: `Buyer${n}`, phone: '+1 555 0101', isPrimary: true }],
    addresses: [
      { kind: 'main', line1: '1 Shop St', city: 'Denver', region: 'CO', postalCode: '80202', country: 'US' },
    ],
    updatedAt: new Date().toISOString(),
    ...patch,
  });
};
const product = (patch: Record<string, unknown> = {}) => {
  n++;
  return Product.parse({
    sku: `P-${n}`,
    name: `Product ${n}`,
    description: 'Original text',
    status: 'active',
    listPrice: { amount: '12.34', currency: 'USD' },
    standardCost: { amount: '5.5', currency: 'USD' },
    unit: 'EA',
    stock: [
      { warehouse: 'MAIN', onHand: '7' },
      { warehouse: 'RETAIL', onHand: '3.5' },
    ],
    updatedAt: new Date().toISOString(),
    ...patch,
  });
};
const sample = (entity: EntityName): Record<string, unknown> =>
  entity === 'customer' ? customer() : product();

async function collect(it: AsyncIterable<SourceItem[]>): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const page of it) out.push(...page);
  return out;
}

for (const stockApi of ['source-items', 'stock-item'] as const) {
  connectorContractSuite({
    name: `magento (stock via ${stockApi})`,
    readable: ['customer', 'product', 'salesOrder'],
    writable: ['customer', 'product'],
    async start(count) {
      const sb = await startMagentoSandbox({
        customers: count,
        products: count,
        orders: count,
        conformance: true,
      });
      return {
        kit: sb.kit,
        connector: connect(sb, { stockApi }),
        makeConnector: (o) => connect(sb, { stockApi, ...o }),
        close: () => sb.close(),
      };
    },
    sample,
    change: (entity, record) =>
      entity === 'customer'
        ? { record: { ...record, creditLimit: { amount: '7777.25', currency: 'USD' } }, field: 'creditLimit' }
        : { record: { ...record, listPrice: { amount: '99.95', currency: 'USD' } }, field: 'listPrice' },
    async readBack(entity, connector, id) {
      const [item] = await connector.get(entity, [id]);
      return item?.data as Record<string, unknown>;
    },
    unownedField: (entity) => (entity === 'customer' ? 'name' : 'description'),
    badCredentials: { accessToken: 'wrong' },
  });
}

describe('Magento specifics', () => {
  let sb: MagentoSandbox;
  let c: MagentoConnector;
  const callsTo = (fragment: string, method?: string) =>
    sb.kit.calls.filter((x) => x.path.includes(fragment) && (!method || x.method === method));

  beforeAll(async () => {
    sb = await startMagentoSandbox({ conformance: true, customers: 30, products: 5 });
    c = connect(sb);
  });
  afterAll(async () => {
    await c.close();
    expect(sb.kit.violations).toEqual([]);
    await sb.close();
  });

  it('admin mode logs in once, and once more when the token expires', async () => {
    const a = connect(sb, asAdmin());
    expect((await a.check()).every((v) => v.ok)).toBe(true);
    expect(sb.adminTokens.size).toBe(1);
    const logins = () => callsTo('/V1/integration/admin/token').length;
    const before = logins();
    await a.count('customer', {});
    expect(logins()).toBe(before);
    sb.adminTokens.clear(); // Magento's 4 hours are up
    // Several requests in flight meet the expired token; one new login serves them all.
    const counts = await Promise.all([
      a.count('customer', {}),
      a.count('product', {}),
      a.count('customer', {}),
    ]);
    expect(counts).toEqual([30, 5, 30]);
    expect(logins()).toBe(before + 1);
    expect(sb.adminTokens.size).toBe(1);
    await a.close();
  });

  it('a wrong admin password and a wrong token are clear credential verdicts', async () => {
    const bad = connect(sb, asAdmin('nope'));
    const verdicts = await bad.check();
    expect(verdicts.find((v) => v.name === 'reach')?.ok).toBe(true);
    expect(verdicts.find((v) => !v.ok)).toMatchObject({
      name: 'credentials',
      message: expect.stringMatching(/refused the admin login of "admin": The account sign-in was incorrect/),
    });
    await bad.close();
    const token = connect(sb, { accessToken: 'expired' });
    expect((await token.check()).find((v) => !v.ok)?.message).toMatch(
      /^Magento refused the access token: The consumer isn't authorized to access Magento_Customer::customer\. — .*standalone Bearer tokens/,
    );
    await token.close();
  });

  it('honours Retry-After on a 429 and the write lands', async () => {
    sb.kit.injectFault({
      kind: 'status',
      status: 429,
      retryAfterSeconds: 1,
      times: 1,
      match: { method: 'POST', path: '/V1/customers' },
    });
    const t0 = Date.now();
    const [r] = await c.write('customer', [{ ref: 'a', action: 'create', data: customer() }]);
    const waited = Date.now() - t0;
    expect(r?.ok).toBe(true);
    expect(waited).toBeGreaterThanOrEqual(950);
    const posts = callsTo('/V1/customers', 'POST').slice(-2);
    expect(posts.map((x) => x.status)).toEqual([429, 200]);
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('repeats a GET after a 500', async () => {
    const before = callsTo('/V1/customers/search').length;
    sb.kit.injectFault({
      kind: 'status',
      status: 500,
      times: 1,
      match: { method: 'GET', path: '/V1/customers/search' },
    });
    expect(await c.count('customer', {})).toBeGreaterThan(0);
    expect(
      callsTo('/V1/customers/search')
        .slice(before)
        .map((x) => x.status),
    ).toEqual([500, 200]);
  });

  it('a hang is a transient timeout; a create is not repeated blindly (the engine looks it up first)', async () => {
    const quick = connect(sb, { timeoutMs: 250 });
    sb.kit.injectFault({ kind: 'hang', times: 1, match: { method: 'POST', path: '/V1/customers' } });
    const t0 = Date.now();
    const [r] = await quick.write('customer', [{ ref: 'h', action: 'create', data: customer() }]);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(r).toMatchObject({ ok: false, error: { code: 'timeout', category: 'transient' } });
    sb.kit.injectFault({ kind: 'hang', times: 1, match: { method: 'GET', path: '/V1/products' } });
    const got = await quick.get('product', ['MAG00001']);
    expect(got.map((x) => x.id)).toEqual(['MAG00001']);
    await quick.close();
  });

  it("a duplicate e-mail is a rejected record carrying Magento's message", async () => {
    const data = customer();
    const [first] = await c.write('customer', [{ ref: 'd1', action: 'create', data }]);
    expect(first?.ok).toBe(true);
    const [again] = await c.write('customer', [
      { ref: 'd2', action: 'create', data: { ...data, number: 'OTHER', email: data.email!.toUpperCase() } },
    ]);
    expect(again).toMatchObject({
      ok: false,
      error: {
        code: 'invalid_data',
        category: 'rejected',
        httpStatus: 400,
        message:
          'Magento answered 400: A customer with the same email address already exists in an associated website.',
      },
    });
  });

  it("a name Magento refuses is rejected with Magento's words; a missing phone is caught before sending", async () => {
    const [bad] = await c.write('customer', [
      {
        ref: 'x',
        action: 'create',
        data: customer({ contacts: [{ firstName: 'Ann#1', lastName: 'Lee', phone: '1', isPrimary: true }] }),
      },
    ]);
    expect(bad).toMatchObject({
      ok: false,
      error: {
        category: 'rejected',
        httpStatus: 400,
        // Magento names neither the character nor the limit; the answer says which.
        message:
          'Magento answered 400: First Name is not valid! (the first name "Ann#1" has "#", which Magento does not take in a name (it takes letters, digits, spaces and , - _ . \' ’ ` &))',
      },
    });
    const before = sb.kit.calls.length;
    const [noPhone] = await c.write('customer', [
      {
        ref: 'y',
        action: 'create',
        data: customer({ contacts: [{ firstName: 'A', lastName: 'B', isPrimary: true }] }),
      },
    ]);
    expect(noPhone).toMatchObject({ ok: false, error: { code: 'missing_field', category: 'rejected' } });
    expect(sb.kit.calls.length).toBe(before);
  });

  it('an update is one PUT of the owned fields: what a person edited in Magento stays, nothing is read', async () => {
    const data = customer();
    const [created] = await c.write('customer', [{ ref: 'z', action: 'create', data }]);
    const id = Number(created?.ok && created.targetId);
    const edited = structuredClone(sb.customers.get(id)!.addresses!);
    edited[0]!.street = ['99 Edited Avenue'];
    sb.editCustomer(id, { addresses: edited, lastname: 'EditedToo' });
    const key = c.naturalKey('customer', data)!;
    const existing = (await c.lookup('customer', [key])).get(key)!;
    for (const [amount, withSnapshot] of [
      ['42.10', true],
      ['0.30', false],
    ] as const) {
      const before = sb.kit.calls.length;
      const [upd] = await c.write('customer', [
        {
          ref: 'z',
          action: 'update',
          targetId: String(id),
          // Canonical addresses and names differ from Magento's: not owned, so not written.
          data: { ...data, creditLimit: { amount, currency: 'USD' }, addresses: [] },
          fields: ['creditLimit'],
          ...(withSnapshot ? { existing } : {}),
        },
      ]);
      expect(upd?.ok).toBe(true);
      const calls = sb.kit.calls.slice(before);
      expect(calls.map((x) => x.method)).toEqual(['PUT']);
      // Only what the flow owns travels: no name, e-mail or address to overwrite a person's edit with.
      const sent = upd?.exchanges?.at(-1)?.requestBody as { customer?: Record<string, unknown> } | undefined;
      expect(Object.keys(sent?.customer ?? {}).sort()).toEqual(['custom_attributes', 'id']);
      const after = sb.customers.get(id)!;
      expect(after.addresses).toEqual(edited);
      expect(after.lastname).toBe('EditedToo');
      expect(after.email).toBe(data.email);
      expect(after.custom_attributes?.find((a) => a.attribute_code === 'credit_limit')?.value).toBe(amount);
      expect(after.custom_attributes?.find((a) => a.attribute_code === 'erp_customer_number')?.value).toBe(
        data.number,
      );
    }
  });

  it('a batch of 120 updates is 120 PUTs and keeps what a person edited in Magento', async () => {
    const list = Array.from({ length: 120 }, () => customer());
    const created = await c.write(
      'customer',
      list.map((d, i) => ({ ref: String(i), action: 'create' as const, data: d })),
    );
    const ids = created.map((r) => Number(r.ok && r.targetId));
    // A person edits a field the flow does not own on two of them.
    for (const i of [99, 119]) sb.editCustomer(ids[i]!, { lastname: `Edited${i}` });
    const before = sb.kit.calls.length;
    const results = await c.write(
      'customer',
      list.map((d, i) => ({
        ref: String(i),
        action: 'update' as const,
        targetId: String(ids[i]),
        data: { ...d, creditLimit: { amount: `${i}.50`, currency: 'USD' }, addresses: [] },
        fields: ['creditLimit'],
      })),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    const calls = sb.kit.calls.slice(before);
    expect(calls.filter((x) => x.method === 'PUT')).toHaveLength(120);
    expect(calls).toHaveLength(120);
    for (const [i, id] of ids.entries()) {
      const after = sb.customers.get(id)!;
      expect(after.custom_attributes?.find((a) => a.attribute_code === 'credit_limit')?.value).toBe(
        `${i}.50`,
      );
      expect(after.lastname).toBe(i === 99 || i === 119 ? `Edited${i}` : list[i]!.contacts[0]!.lastName);
    }
  });

  it('a store before 2.4 refuses a PUT of only the owned fields: the update reads and sends the whole customer, and later batches read first', async () => {
    const old = await startMagentoSandbox({ customerPut: 'replace' });
    const o = connect(old);
    try {
      const list = Array.from({ length: 4 }, () => customer());
      const created = await o.write(
        'customer',
        list.map((d, i) => ({ ref: String(i), action: 'create' as const, data: d })),
      );
      const ids = created.map((r) => String(r.ok && r.targetId));
      old.editCustomer(Number(ids[0]), { lastname: 'EditedInShop' });
      const update = (from: number, to: number, amount: string) =>
        o.write(
          'customer',
          list.slice(from, to).map((d, k) => ({
            ref: String(from + k),
            action: 'update' as const,
            targetId: ids[from + k]!,
            data: { ...d, creditLimit: { amount, currency: 'USD' } },
            fields: ['creditLimit'],
          })),
        );
      let before = old.kit.calls.length;
      const [first] = await update(0, 1, '10.00');
      expect(first).toMatchObject({ ok: true, action: 'updated' });
      // The refused PUT, the read, and the whole customer sent.
      expect(old.kit.calls.slice(before).map((x) => `${x.method} ${x.status}`)).toEqual([
        'PUT 400',
        'GET 200',
        'PUT 200',
      ]);
      before = old.kit.calls.length;
      const rest = await update(1, 4, '20.00');
      expect(rest.every((r) => r.ok)).toBe(true);
      const calls = old.kit.calls.slice(before);
      expect(calls.filter((x) => x.method === 'GET' && x.path.includes('/V1/customers/search'))).toHaveLength(
        1,
      );
      expect(calls.filter((x) => x.method === 'PUT' && x.status === 200)).toHaveLength(3);
      expect(calls).toHaveLength(4);
      expect(old.customers.get(Number(ids[0]))?.lastname).toBe('EditedInShop');
      for (const id of ids.slice(1))
        expect(
          old.customers.get(Number(id))?.custom_attributes?.find((a) => a.attribute_code === 'credit_limit')
            ?.value,
        ).toBe('20.00');
    } finally {
      await o.close();
      await old.close();
    }
  });

  it('looks up 50 customers in one call, and 50 products in one call', async () => {
    const list = Array.from({ length: 50 }, () => customer());
    const results = await c.write(
      'customer',
      list.map((d, i) => ({ ref: String(i), action: 'create' as const, data: d })),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    const keys = list.map((d) => c.naturalKey('customer', d)!);
    let before = sb.kit.calls.length;
    const found = await c.lookup('customer', keys);
    expect(found.size).toBe(50);
    expect(sb.kit.calls.length - before).toBe(1);
    expect((found.get(keys[0]!)!.snapshot as { email?: string }).email).toBe(list[0]!.email);

    const skus = Array.from({ length: 50 }, (_, i) => (i < 5 ? `MAG0000${i + 1}` : `NOPE-${i}`));
    before = sb.kit.calls.length;
    const products = await c.lookup('product', skus);
    expect([...products.keys()].sort()).toEqual(skus.slice(0, 5));
    expect(sb.kit.calls.length - before).toBe(1);
  });

  it("resolves regions through Magento's directory, once per country, and refuses one it does not know", async () => {
    const address = (region: string) => [
      { kind: 'main', line1: '1 Shop St', city: 'Seattle', postalCode: '98101', region, country: 'US' },
    ];
    const before = callsTo('/directory/').length;
    const fresh = connect(sb);
    const [ok] = await fresh.write('customer', [
      { ref: 'r', action: 'create', data: customer({ addresses: address('WA') }) },
    ]);
    const [byName] = await fresh.write('customer', [
      { ref: 's', action: 'create', data: customer({ addresses: address('Washington') }) },
    ]);
    expect(ok?.ok && byName?.ok).toBe(true);
    expect(sb.customers.get(Number(ok?.ok && ok.targetId))!.addresses?.[0]?.region).toMatchObject({
      region: 'Washington',
      region_code: 'WA',
      region_id: 47,
    });
    expect(callsTo('/directory/').length - before).toBe(1);
    const [bad] = await fresh.write('customer', [
      { ref: 't', action: 'create', data: customer({ addresses: address('Atlantis') }) },
    ]);
    expect(bad?.ok === false && bad.error.message).toMatch(
      /does not know the region "Atlantis" of US on address 1/,
    );
    // Magento requires a state for US addresses; it says so itself.
    const [none] = await fresh.write('customer', [
      {
        ref: 'u',
        action: 'create',
        data: customer({ addresses: [{ line1: '1 A St', city: 'X', postalCode: '1', country: 'US' }] }),
      },
    ]);
    expect(none?.ok === false && none.error.message).toBe(
      'Magento answered 400: "regionId" is required. Enter and try again.',
    );
    await fresh.close();
  });

  it('reads by e-mail (an ID file) or Magento id, within the website, and pages without running past the end', async () => {
    const byEmail = await collect(
      c.read('customer', { ids: ['shopper3@example.com', 'SHOPPER4@example.com'] }),
    );
    expect(byEmail.map((x) => (x.data as { email: string }).email).sort()).toEqual([
      'shopper3@example.com',
      'shopper4@example.com',
    ]);
    const mixed = await collect(c.read('customer', { ids: ['1', 'shopper2@example.com', 'junk'] }));
    expect(mixed.map((x) => x.id).sort()).toEqual(['1', '2']);
    const before = callsTo('/V1/customers/search').length;
    expect(await collect(c.read('customer', { ids: ['junk'] }))).toEqual([]);
    expect(callsTo('/V1/customers/search').length).toBe(before);

    // A page size that divides the total: the loop stops on total_count, not on a repeated page.
    const small = await startMagentoSandbox({ conformance: true, customers: 12 });
    const reader = connect(small);
    const pages: number[] = [];
    for await (const page of reader.read('customer', { pageSize: 4 })) pages.push(page.length);
    expect(pages).toEqual([4, 4, 4]);
    expect(small.kit.calls.filter((x) => x.path.endsWith('/customers/search'))).toHaveLength(3);
    await reader.close();
    expect(small.kit.violations).toEqual([]);
    await small.close();
    const elsewhere = connect(sb, { websiteId: 2 });
    expect(await elsewhere.count('customer', {})).toBe(0);
    await elsewhere.close();
  });

  it('a Magento customer the model cannot hold is read as an item with an actionable error', async () => {
    sb.editCustomer(7, {
      addresses: [{ street: [''], city: 'X', country_id: 'US', telephone: '1', postcode: '1' }],
    });
    const [item] = await c.get('customer', ['7']);
    expect(item).toMatchObject({
      id: '7',
      error: {
        code: 'missing_field',
        category: 'rejected',
        message: 'Magento customer 7 (shopper7@example.com): address 1 has no street; complete it in Magento',
      },
    });
    expect(Date.parse(item!.updatedAt)).toBeGreaterThan(0);
  });

  it('MSI: stock of a batch in one call, the chosen warehouses summed exactly; a refused batch is retried item by item', async () => {
    const picky = connect(sb, { stockWarehouses: 'MAIN' });
    const items = [product(), product(), product()];
    const before = callsTo('/source-items', 'POST').length;
    const res = await c.write(
      'product',
      items.map((d, i) => ({ ref: String(i), action: 'create' as const, data: d })),
    );
    expect(res.every((r) => r.ok)).toBe(true);
    expect(callsTo('/source-items', 'POST').length - before).toBe(1);
    expect(sb.sourceItems.get(`${items[0]!.sku}|default`)).toMatchObject({ quantity: 10.5, status: 1 });
    expect(sb.products.get(items[0]!.sku)?.extension_attributes?.website_ids).toEqual([1]);

    const puts = callsTo('/V1/products/', 'PUT').length;
    await picky.write('product', [
      { ref: 'p', action: 'update', targetId: items[1]!.sku, data: items[1], fields: ['stock'] },
    ]);
    expect(sb.sourceItems.get(`${items[1]!.sku}|default`)?.quantity).toBe(7);
    expect(callsTo('/V1/products/', 'PUT').length).toBe(puts); // stock alone: no product write

    sb.kit.injectFault({
      kind: 'status',
      status: 400,
      times: 1,
      match: { method: 'POST', path: '/source-items' },
    });
    const more = [product(), product()];
    const again = await c.write(
      'product',
      more.map((d, i) => ({ ref: String(i), action: 'create' as const, data: d })),
    );
    expect(again.every((r) => r.ok)).toBe(true);
    expect(more.every((p) => sb.sourceItems.get(`${p.sku}|default`)?.quantity === 10.5)).toBe(true);
    await picky.close();
  });

  it("with Magento's Web API input limits on, stock reads are paged explicitly and stock writes split to the list limit", async () => {
    const limited = await startMagentoSandbox({ conformance: true, products: 30, inputLimits: {} });
    const reader = connect(limited);
    // Without an explicit page size Magento would answer 20 source items: products 21-30 would read as stockless.
    const read = await collect(reader.read('product', {}));
    expect(read).toHaveLength(30);
    for (const item of read) {
      const qty = limited.sourceItems.get(`${item.id}|default`)!.quantity;
      expect((item.data as { stock: unknown }).stock).toEqual([
        { warehouse: 'default', onHand: String(qty) },
      ]);
    }
    const fresh = Array.from({ length: 25 }, () => product());
    const results = await reader.write(
      'product',
      fresh.map((d, i) => ({ ref: String(i), action: 'create' as const, data: d })),
    );
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(fresh.every((p) => limited.sourceItems.get(`${p.sku}|default`)?.quantity === 10.5)).toBe(true);
    // One refused for its length, then pieces of the 20 Magento allows.
    const posts = limited.kit.calls.filter((x) => x.method === 'POST' && x.path.endsWith('/source-items'));
    expect(posts.map((x) => x.status)).toEqual([400, 200, 200]);
    await reader.close();
    expect(limited.kit.violations).toEqual([]);
    await limited.close();
  });

  it('legacy stock item: sent whole with the product, keeping settings a person made in Magento', async () => {
    const legacy = connect(sb, { stockApi: 'stock-item' });
    const p = product();
    const [created] = await legacy.write('product', [{ ref: 'l', action: 'create', data: p }]);
    expect(created?.ok).toBe(true);
    expect(sb.stockItem(p.sku)).toMatchObject({ qty: 10.5, is_in_stock: true, is_qty_decimal: true });
    // Someone raises the minimum sale quantity in the admin.
    await legacy.client.request({
      method: 'PUT',
      path: `V1/products/${p.sku}/stockItems/${sb.stockItem(p.sku)!.item_id}`,
      body: { stockItem: { ...sb.stockItem(p.sku)!, use_config_min_sale_qty: 0, min_sale_qty: 6 } },
    });
    const [updated] = await legacy.write('product', [
      {
        ref: 'l',
        action: 'update',
        targetId: p.sku,
        data: {
          ...p,
          stock: [{ warehouse: 'MAIN', onHand: '0' }],
          listPrice: { amount: '1.00', currency: 'USD' },
        },
        fields: ['stock'],
      },
    ]);
    expect(updated?.ok).toBe(true);
    expect(sb.stockItem(p.sku)).toMatchObject({
      qty: 0,
      is_in_stock: false,
      min_sale_qty: 6,
      use_config_min_sale_qty: 0,
    });
    expect(sb.products.get(p.sku)?.price).toBe(12.34); // listPrice was not owned
    const [read] = await legacy.get('product', [p.sku]);
    expect((read!.data as { stock: unknown }).stock).toEqual([{ warehouse: 'default', onHand: '0' }]);
    await legacy.close();
  });
});
