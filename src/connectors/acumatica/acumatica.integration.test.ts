import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorContractSuite } from '../../../test/support/connector-contract-suite.js';
import type { EntityName } from '../../model/index.js';
import { settingsSchema } from '../sdk/manifest.js';
import { type AcumaticaConnector, acumaticaConnector } from './index.js';
import { type AcumaticaSandbox, SANDBOX_CREDENTIALS, startAcumaticaSandbox } from './sandbox/index.js';
import { sandboxSessionCookie } from './sandbox/login.js';

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
    // Several calls meeting the expired session at once renew it once: sessions are licensed.
    sb.auth.expireAll();
    const logins = sb.auth.logins;
    const found = await Promise.all(
      ['C000001', 'C000002', 'C000003', 'C000004', 'C000005'].map((id) => c.get('customer', [id])),
    );
    expect(found.map((f) => f[0]?.id)).toEqual(['C000001', 'C000002', 'C000003', 'C000004', 'C000005']);
    expect(sb.auth.logins - logins).toBe(1);
    expect(sb.auth.sessions.size).toBe(1);
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

  it("ends a session left idle for the site's session timeout (60 minutes unless told), as Acumatica does", async () => {
    const fresh = await startAcumaticaSandbox({});
    expect(fresh.auth.sessionIdleMs).toBe(60 * 60_000);
    await fresh.close();
  });

  it('a session a killed process never logged out comes back after the idle timeout, without a restart', async () => {
    const one = await startAcumaticaSandbox({ customers: 2, maxSessions: 1, sessionIdleMs: 1_000 });
    // A process that logged in and was killed: its session holds the only seat.
    const leaked = await fetch(`${one.url}/entity/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'admin', password: 'sandbox', company: 'Company' }),
    });
    expect(leaked.status).toBe(204);
    const c = connect(one);
    const [item] = await c.get('customer', ['C000001']);
    expect(item?.id).toBe('C000001');
    expect(one.auth.expired).toBe(1);
    await c.close();
    expect(one.auth.sessions.size).toBe(0);
    await one.close();
  });

  it('a 401 on a session the licence still counts: logs that session out, then logs in again', async () => {
    const one = await startAcumaticaSandbox({ customers: 2, maxSessions: 1 });
    const c = connect(one);
    await c.get('customer', ['C000001']);
    expect(one.auth.sessions.size).toBe(1);
    // A refusal that did not end the session (a proxy, a recycled worker): the seat is still taken.
    one.kit.injectFault({ kind: 'status', status: 401, times: 1, match: { path: '/Customer' } });
    const [item] = await c.get('customer', ['C000002']);
    expect(item?.id).toBe('C000002');
    expect(one.auth.logouts).toBe(1);
    expect(one.auth.logins).toBe(2);
    expect(one.auth.sessions.size).toBe(1);
    await c.close();
    expect(one.auth.sessions.size).toBe(0);
    await one.close();
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

  it('reads attributes ($expand=Attributes) and the custom fields a connection names ($custom) as attributes; one names the type', async () => {
    const kept = sb.customers.get('C000003')!;
    kept.Attributes = [
      {
        AttributeID: { value: 'CUSTTYPE' },
        Value: { value: 'B2B' },
        AttributeDescription: { value: 'Type' },
      },
    ] as never;
    (kept as Record<string, unknown>).custom = {
      BAccount: { UsrEnableKNB: { type: 'CustomBooleanField', value: true } },
    };
    const c = connect(sb, {
      customerCustomFields: 'KNB=BAccount.UsrEnableKNB',
      customerTypeField: 'CUSTTYPE',
    });
    const [three] = await c.get('customer', ['C000003']);
    expect(three?.data).toMatchObject({ type: 'B2B', attributes: { CUSTTYPE: 'B2B', KNB: 'true' } });
    // A read of every page asks for them too; a customer without them has none.
    const all: Record<string, unknown>[] = [];
    for await (const page of c.read('customer', { pageSize: 10 }))
      all.push(...page.map((i) => i.data as Record<string, unknown>));
    expect(all.filter((d) => d.attributes).map((d) => d.number)).toEqual(['C000003']);
    expect(all.find((d) => d.number === 'C000004')?.type).toBeUndefined();
    // Without the setting no custom field is asked for; a malformed one is a setup error that says so.
    expect((await connect(sb).get('customer', ['C000003']))[0]?.data).toMatchObject({
      attributes: { CUSTTYPE: 'B2B' },
    });
    expect(() => connect(sb, { customerCustomFields: 'KNB=UsrEnableKNB' })).toThrow(
      /must name a custom field as View.Field/,
    );
    await c.close();
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

describe('Acumatica OAuth 2.0 authorization-code flow', () => {
  it('a person grants access once; the rotating refresh token is kept and used by later connectors', async () => {
    const sb = await startAcumaticaSandbox({ customers: 3, conformance: true, tokenLifetimeSeconds: 20 });
    const kept = new Map<string, string>();
    const credentials = {
      get: async (k: string) => kept.get(k),
      set: async (k: string, v: string) => void kept.set(k, v),
    };
    const settings = settingsSchema(acumaticaConnector.manifest.connectionFields).parse({
      baseUrl: sb.url,
      authMode: 'oauth2',
      oauthFlow: 'authorization_code',
      clientId: SANDBOX_CREDENTIALS.clientId,
      clientSecret: SANDBOX_CREDENTIALS.clientSecret,
    });
    const make = () => acumaticaConnector.create(settings, { connection: 'erp', logger, credentials });

    const before = make();
    const verdicts = await before.check();
    expect(verdicts.find((v) => !v.ok)?.message).toMatch(
      /"erp" uses the authorization-code flow and it has not been authorized yet: run "ledgerlink authorize erp"/,
    );
    await before.close();

    const first = make();
    const redirect = 'http://127.0.0.1:1/oauth/callback';
    const url = new URL(first.authorization!.authorizeUrl(redirect, 'st4te'));
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      scope: 'api offline_access',
      state: 'st4te',
      redirect_uri: redirect,
    });
    const answer = await fetch(url, { redirect: 'manual' });
    const back = new URL(answer.headers.get('location')!);
    expect(back.searchParams.get('state')).toBe('st4te');
    await first.authorization!.complete(back.searchParams.get('code')!, redirect);
    const stored = kept.get('oauth_refresh_token');
    expect(stored).toBeTruthy();
    expect((await first.get('customer', ['C000001']))[0]?.id).toBe('C000001');
    await first.close();

    // Another process later: no access token, only the stored refresh token, which rotates.
    const later = make();
    expect((await later.get('customer', ['C000002']))[0]?.id).toBe('C000002');
    expect(kept.get('oauth_refresh_token')).not.toBe(stored);
    await later.close();

    // A code is good once.
    const reused = make();
    await expect(reused.authorization!.complete(back.searchParams.get('code')!, redirect)).rejects.toThrow(
      /refused the OAuth credentials/,
    );
    await reused.close();
    expect(sb.kit.violations).toEqual([]);
    await sb.close();
  });
});

describe('the Acumatica sandbox’s list after saves', () => {
  it('keeps key order: a saved record is listed in its old place with its new values, an inserted one in its own', async () => {
    const sb = await startAcumaticaSandbox({ customers: 5, seed: 3 });
    try {
      const cookie = await sandboxSessionCookie(sb.url);
      const base = `${sb.url}/entity/Default/24.200.001/Customer`;
      const list = async () =>
        (
          (await (await fetch(base, { headers: { cookie } })).json()) as Array<
            Record<string, { value: unknown }>
          >
        ).map((c) => `${c.CustomerID?.value}:${c.CreditLimit?.value}`);
      const put = (body: unknown) =>
        fetch(base, {
          method: 'PUT',
          headers: { cookie, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const before = await list();
      const ids = before.map((r) => r.split(':')[0]);
      expect(ids).toEqual([...ids].sort());
      expect((await put({ CustomerID: { value: ids[2] }, CreditLimit: { value: 4321 } })).status).toBe(200);
      const after = await list();
      expect(after.map((r) => r.split(':')[0])).toEqual(ids);
      expect(after[2]).toBe(`${ids[2]}:4321`);
      expect(
        (
          await put({
            CustomerID: { value: 'A0001' },
            CustomerName: { value: 'First' },
            CreditLimit: { value: 1 },
          })
        ).status,
      ).toBe(200);
      expect((await list())[0]).toBe('A0001:1');
    } finally {
      await sb.close();
    }
  });
});
