import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorContractSuite } from '../../../test/support/connector-contract-suite.js';
import { Customer, type EntityName } from '../../model/index.js';
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
    addresses: [{ kind: 'main', line1: '1 Shop St', city: 'Denver', postalCode: '80202', country: 'US' }],
    updatedAt: new Date().toISOString(),
    ...patch,
  });
};
const sample = (entity: EntityName): Record<string, unknown> =>
  entity === 'customer'
    ? customer()
    : {
        sku: `P-${++n}`,
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
      };

connectorContractSuite({
  name: 'magento',
  readable: ['customer', 'product'],
  writable: ['customer', 'product'],
  async start(count) {
    const sb = await startMagentoSandbox({ customers: count, products: count, conformance: true });
    return {
      kit: sb.kit,
      connector: connect(sb),
      makeConnector: (o) => connect(sb, o),
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

describe('Magento specifics', () => {
  let sb: MagentoSandbox;
  let c: MagentoConnector;
  beforeAll(async () => {
    sb = await startMagentoSandbox({ conformance: true });
    c = connect(sb);
  });
  afterAll(async () => {
    await c.close();
    expect(sb.kit.violations).toEqual([]);
    await sb.close();
  });

  it('admin mode logs in, and logs in again once when the token expires', async () => {
    const a = connect(sb, {
      authMode: 'admin',
      username: MAGENTO_SANDBOX.admin.username,
      password: MAGENTO_SANDBOX.admin.password,
      accessToken: undefined,
    });
    expect((await a.check()).every((v) => v.ok)).toBe(true);
    expect(sb.adminTokens.size).toBe(1);
    sb.adminTokens.clear();
    expect(await a.count('customer', {})).toBe(0);
    expect(sb.adminTokens.size).toBe(1);
    const bad = connect(sb, {
      authMode: 'admin',
      username: 'admin',
      password: 'nope',
      accessToken: undefined,
    });
    expect((await bad.check()).find((v) => !v.ok)?.message).toMatch(
      /refused the admin login of "admin": The account sign-in was incorrect/,
    );
    await a.close();
    await bad.close();
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
    expect(r?.ok).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  });

  it('repeats a GET after a 500, and turns a hang into a transient timeout', async () => {
    sb.kit.injectFault({
      kind: 'status',
      status: 500,
      times: 1,
      match: { method: 'GET', path: '/V1/customers/search' },
    });
    expect(await c.count('customer', {})).toBeGreaterThan(0);
    const quick = connect(sb, { timeoutMs: 300 });
    sb.kit.injectFault({ kind: 'hang', times: 10, match: { method: 'GET', path: '/V1/products' } });
    const err = await quick.count('product', {}).catch((e) => e);
    expect(err).toMatchObject({ code: 'timeout', category: 'transient' });
    sb.kit.clearFaults();
    await quick.close();
  });

  it("a name Magento refuses is a rejected record with Magento's message; a missing phone is caught before sending", async () => {
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
        message: 'Magento answered 400: First Name is not valid!',
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
    expect(noPhone?.ok === false && noPhone.error.message).toMatch(
      /Magento needs a telephone number on address 1 \(main\)/,
    );
    expect(sb.kit.calls.length).toBe(before);
  });

  it('an update of creditLimit leaves an address someone edited in Magento untouched', async () => {
    const data = customer();
    const [created] = await c.write('customer', [{ ref: 'z', action: 'create', data }]);
    const id = Number(created?.ok && created.targetId);
    const edited = structuredClone(sb.customers.get(id)!.addresses!);
    edited[0]!.street = ['99 Edited Avenue'];
    sb.editCustomer(id, { addresses: edited });
    const [upd] = await c.write('customer', [
      {
        ref: 'z',
        action: 'update',
        targetId: String(id),
        data: { ...data, creditLimit: { amount: '42.10', currency: 'USD' }, addresses: [] },
        fields: ['creditLimit'],
      },
    ]);
    expect(upd?.ok).toBe(true);
    const after = sb.customers.get(id)!;
    expect(after.addresses?.[0]?.street).toEqual(['99 Edited Avenue']);
    expect(after.custom_attributes?.find((a) => a.attribute_code === 'credit_limit')?.value).toBe('42.10');
  });

  it("resolves regions through Magento's directory, once per country, and refuses one it does not know", async () => {
    const address = (region: string) => [
      { kind: 'main', line1: '1 Shop St', city: 'Seattle', postalCode: '98101', region, country: 'US' },
    ];
    const before = sb.kit.calls.filter((x) => x.path.includes('/directory/')).length;
    const [ok] = await c.write('customer', [
      { ref: 'r', action: 'create', data: customer({ addresses: address('WA') }) },
    ]);
    const [byName] = await c.write('customer', [
      { ref: 's', action: 'create', data: customer({ addresses: address('Washington') }) },
    ]);
    expect(ok?.ok && byName?.ok).toBe(true);
    const saved = sb.customers.get(Number(ok?.ok && ok.targetId))!;
    expect(saved.addresses?.[0]?.region).toMatchObject({
      region: 'Washington',
      region_code: 'WA',
      region_id: 47,
    });
    expect(sb.kit.calls.filter((x) => x.path.includes('/directory/')).length - before).toBe(1);
    const [bad] = await c.write('customer', [
      { ref: 't', action: 'create', data: customer({ addresses: address('Atlantis') }) },
    ]);
    expect(bad).toMatchObject({ ok: false, error: { category: 'rejected' } });
    expect(bad?.ok === false && bad.error.message).toMatch(
      /Magento does not know the region "Atlantis" of US on address 1 \(main\)/,
    );
  });

  it('looks up 50 customers in one call', async () => {
    const list = Array.from({ length: 50 }, () => customer());
    const results = await c.write(
      'customer',
      list.map((d, i) => ({ ref: String(i), action: 'create' as const, data: d })),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    const keys = list.map((d) => c.naturalKey('customer', d)!);
    const before = sb.kit.calls.length;
    const found = await c.lookup('customer', keys);
    expect(found.size).toBe(50);
    expect(sb.kit.calls.length - before).toBe(1);
  });

  it('writes stock as one source-item call per batch, summing the chosen warehouses exactly', async () => {
    const picky = connect(sb, { stockWarehouses: 'MAIN' });
    const items = [sample('product'), sample('product'), sample('product')];
    const before = sb.kit.calls.filter((x) => x.path.endsWith('/source-items')).length;
    const res = await c.write(
      'product',
      items.map((d, i) => ({ ref: String(i), action: 'create' as const, data: d })),
    );
    expect(res.every((r) => r.ok)).toBe(true);
    expect(sb.kit.calls.filter((x) => x.path.endsWith('/source-items')).length - before).toBe(1);
    expect(sb.sourceItems.get(`${items[0]!.sku}|default`)).toMatchObject({ quantity: 10.5, status: 1 });
    await picky.write('product', [
      { ref: 'p', action: 'update', targetId: String(items[1]!.sku), data: items[1], fields: ['stock'] },
    ]);
    expect(sb.sourceItems.get(`${items[1]!.sku}|default`)?.quantity).toBe(7);
    await picky.close();
  });
});
