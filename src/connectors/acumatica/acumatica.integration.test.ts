import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorContractSuite } from '../../../test/support/connector-contract-suite.js';
import type { EntityName } from '../../model/index.js';
import { settingsSchema } from '../sdk/manifest.js';
import { type AcumaticaConnector, acumaticaConnector } from './index.js';
import { type AcumaticaSandbox, SANDBOX_CREDENTIALS, startAcumaticaSandbox } from './sandbox/index.js';

const logger = pino({ level: 'silent' });

function connect(sb: AcumaticaSandbox, overrides: Record<string, unknown> = {}): AcumaticaConnector {
  const settings = settingsSchema(acumaticaConnector.manifest.connectionFields).parse({
    baseUrl: sb.url,
    username: SANDBOX_CREDENTIALS.username,
    password: SANDBOX_CREDENTIALS.password,
    company: SANDBOX_CREDENTIALS.company,
    timeoutMs: 5000,
    ...overrides,
  });
  return acumaticaConnector.create(settings, { connection: 'acumatica', logger }) as AcumaticaConnector;
}

let n = 0;
const sample = (entity: EntityName, i: number): Record<string, unknown> => {
  n++;
  const now = new Date().toISOString();
  if (entity === 'customer') {
    return {
      number: `NEW${i}X${n}`,
      name: `New Customer ${n}`,
      email: `new${n}@example.com`,
      class: 'RETAIL',
      status: 'active',
      onHold: false,
      currency: 'USD',
      creditLimit: { amount: '2500.00', currency: 'USD' },
      contacts: [{ firstName: 'New', lastName: `Person${n}`, isPrimary: true }],
      addresses: [{ kind: 'main', line1: '9 Test Road', city: 'Austin', country: 'US' }],
      updatedAt: now,
    };
  }
  return {
    sku: `NEWSKU${i}X${n}`,
    name: `New item ${n}`,
    status: 'active',
    listPrice: { amount: '10.50', currency: 'USD' },
    unit: 'EA',
    stock: [],
    updatedAt: now,
  };
};

for (const version of ['24.200.001', '23.200.001']) {
  connectorContractSuite({
    name: `acumatica Default/${version}`,
    readable: ['customer', 'product'],
    writable: ['customer', 'product'],
    async start(count) {
      const sb = await startAcumaticaSandbox({
        customers: count,
        products: count,
        conformance: true,
        seed: 7,
      });
      return {
        kit: sb.kit,
        connector: connect(sb, { endpointVersion: version }),
        makeConnector: (o) => connect(sb, { endpointVersion: version, ...o }),
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
    unownedField: () => 'name',
    badCredentials: { password: 'wrong' },
  });
}

describe('Acumatica sessions and OAuth', () => {
  let sb: AcumaticaSandbox;
  beforeAll(async () => {
    sb = await startAcumaticaSandbox({
      customers: 30,
      products: 5,
      conformance: true,
      maxSessions: 2,
      tokenLifetimeSeconds: 20,
    });
  });
  afterAll(async () => {
    expect(sb.kit.violations).toEqual([]);
    await sb.close();
  });

  it('logs in once, logs in again once when the session expires, and always logs out', async () => {
    const c = connect(sb);
    const before = sb.auth.logins;
    for await (const _ of c.read('customer', { pageSize: 7 })) {
      /* read every page */
    }
    expect(sb.auth.logins - before).toBe(1);
    sb.auth.expireAll();
    const items = await c.get('customer', ['C000001']);
    expect(items).toHaveLength(1);
    expect(sb.auth.logins - before).toBe(2);
    await c.close();
    expect(sb.auth.sessions.size).toBe(0);
  });

  it('says clearly when the licence has no session left, and works again after others log out', async () => {
    const a = connect(sb);
    const b = connect(sb);
    const c = connect(sb);
    await a.get('customer', ['C000001']);
    await b.get('customer', ['C000001']);
    const results = await c.check();
    const failed = results.find((r) => !r.ok);
    expect(failed?.message).toMatch(/API Login Limit/);
    await a.close();
    expect((await c.check()).every((r) => r.ok)).toBe(true);
    await b.close();
    await c.close();
    expect(sb.auth.sessions.size).toBe(0);
  });

  it('OAuth 2.0: password grant, refresh before expiry, and a fresh grant after revocation', async () => {
    const c = connect(sb, {
      authMode: 'oauth2',
      clientId: SANDBOX_CREDENTIALS.clientId,
      clientSecret: SANDBOX_CREDENTIALS.clientSecret,
    });
    expect((await c.get('customer', ['C000002']))[0]?.id).toBe('C000002');
    // Tokens live 20 s and the client renews 30 s early, so the next call refreshes.
    await c.get('customer', ['C000003']);
    expect(sb.auth.refreshes).toBeGreaterThanOrEqual(1);
    sb.auth.expireAll();
    expect((await c.get('customer', ['C000004']))[0]?.id).toBe('C000004');
    await c.close();
    const bad = connect(sb, {
      authMode: 'oauth2',
      clientId: SANDBOX_CREDENTIALS.clientId,
      clientSecret: 'nope',
    });
    const verdicts = await bad.check();
    expect(verdicts.find((v) => !v.ok)?.message).toMatch(/refused the OAuth credentials/);
    await bad.close();
  });

  it('reports an invalid value the way Acumatica words it, as a rejected record', async () => {
    const c = connect(sb);
    const [r] = await c.write('customer', [
      { ref: 'x', action: 'create', data: { ...sample('customer', 1), class: 'NOPE' } },
    ]);
    expect(r?.ok).toBe(false);
    if (r && !r.ok) {
      expect(r.error.category).toBe('rejected');
      expect(r.error.message).toMatch(/CustomerClass: 'NOPE' cannot be found in the system/);
      expect(r.exchanges?.[0]?.status).toBe(422);
    }
    await c.close();
  });
});
