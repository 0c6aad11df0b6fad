import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, TEST_PASSWORD, usersWithTokens } from '../../test/support/api-server.js';
import { type OAuthEnvironment, startOAuthEnvironment } from '../../test/support/oauth-environment.js';
import { STORED } from '../connectors/quickbooks/auth.js';
import { QBO_SANDBOX, type QuickBooksSandbox } from '../connectors/quickbooks/sandbox/index.js';
import type { Store } from '../store/index.js';

interface Session {
  cookie: string;
  csrf: string;
}

/**
 * The OAuth authorization-code grant from the dashboard, over loopback against the QuickBooks Online
 * sandbox: POST /api/connections/qbo/authorize, the sandbox's consent page (it agrees at once and
 * redirects with code, state and realmId), GET /oauth/callback; the refresh token ends up sealed in
 * the store and the connection works from it.
 */
describe('authorizing a connection from the dashboard', () => {
  let env: OAuthEnvironment;
  let store: Store;
  let sb: QuickBooksSandbox;
  let api: ApiServer;
  let tokens: Awaited<ReturnType<typeof usersWithTokens>>;
  let anna: Session;

  async function login(username: string): Promise<Session> {
    const res = await fetch(`${api.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: TEST_PASSWORD }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { csrfToken: string };
    return { cookie: res.headers.get('set-cookie')!.split(';')[0]!, csrf: body.csrfToken };
  }

  async function call(
    path: string,
    o: { method?: string; session?: Session; token?: string; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { ...o.headers };
    if (o.session) Object.assign(headers, { cookie: o.session.cookie, 'x-csrf-token': o.session.csrf });
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    const res = await fetch(path.startsWith('http') ? path : `${api.url}${path}`, {
      method: o.method ?? 'GET',
      headers,
      redirect: 'manual',
    });
    const text = await res.text();
    const json = res.headers.get('content-type')?.startsWith('application/json')
      ? JSON.parse(text)
      : undefined;
    return { status: res.status, headers: res.headers, text, json };
  }

  /** POST …/authorize, then the system's consent page: the address it sends the browser back to. */
  async function consent(session: Session, name = 'qbo'): Promise<string> {
    const started = await call(`/api/connections/${name}/authorize`, { method: 'POST', session });
    expect(started.status, started.text).toBe(200);
    const page = await fetch(started.json.authorizeUrl as string, { redirect: 'manual' });
    expect(page.status).toBe(302);
    return page.headers.get('location')!;
  }

  beforeAll(async () => {
    env = await startOAuthEnvironment();
    ({ store, sandbox: sb, api } = env);
    tokens = await usersWithTokens(store, [
      ['anna', 'admin'],
      ['olga', 'operator'],
      ['vic', 'viewer'],
    ]);
    anna = await login('anna');
  });
  afterAll(async () => {
    await env?.close();
  });

  it('the connection list says which connections are authorized through a consent page', async () => {
    const list = await call('/api/connections', { token: tokens.viewer! });
    const flags = Object.fromEntries(
      (list.json.connections as Array<{ name: string; authorization: boolean }>).map((c) => [
        c.name,
        c.authorization,
      ]),
    );
    expect(flags).toEqual({ qbo: true, files: false });
  });

  it('authorize → consent → callback: the refresh token is sealed in the store and the connection works', async () => {
    const before = await call('/api/connections/qbo/check', { method: 'POST', session: anna });
    expect(before.json.ok).toBe(false);
    expect(before.json.checks[0].message).toMatch(/has not been authorized yet.*Connections page/);

    const back = new URL(await consent(anna));
    expect(back.origin + back.pathname).toBe(`${api.url}/oauth/callback`);
    expect(back.searchParams.get('realmId')).toBe(QBO_SANDBOX.realmId);

    const landed = await call(back.toString(), { session: anna });
    expect(landed.status).toBe(303);
    expect(landed.headers.get('location')).toBe('/connections?connection=qbo&authorization=ok');
    expect(sb.oauth.grants.authorization_code).toBe(1);

    const kept = store.credentials.forConnection('qbo');
    const refresh = await kept.get(STORED.refreshToken);
    expect(refresh).toMatch(/^sbx-rt-/);
    expect(sb.oauth.refreshTokens.has(refresh!)).toBe(true);
    expect(await kept.get(STORED.realmId)).toBe(QBO_SANDBOX.realmId);

    // What the Connections page shows next: the token's state.
    const after = await call('/api/connections/qbo/check', { method: 'POST', session: anna });
    expect(after.json.checks[0]).toEqual({
      name: 'credentials',
      ok: true,
      message: expect.stringMatching(/the refresh token expires on \d{4}-\d{2}-\d{2}/),
    });
    expect(after.json.checks[1]).toMatchObject({ name: 'company', ok: true });

    // Another process (a worker) starts from the store alone: a fresh access token from the stored
    // refresh token, the company from the stored realm.
    sb.oauth.expireAccessTokens();
    const worker = env.connectors();
    try {
      const checks = await worker.get('qbo').check();
      expect(checks.slice(0, 2).map((c) => [c.name, c.ok])).toEqual([
        ['credentials', true],
        ['company', true],
      ]);
      expect(sb.oauth.grants.refresh_token).toBeGreaterThanOrEqual(1);
      expect(await kept.get(STORED.refreshToken)).not.toBe(refresh); // rotated, and kept
    } finally {
      await worker.closeAll();
    }
  });

  it('a replayed callback is refused 400 with a page saying to start again', async () => {
    const back = await consent(anna);
    expect((await call(back, { session: anna })).status).toBe(303);
    const again = await call(back, { session: anna });
    expect(again.status).toBe(400);
    expect(again.headers.get('content-type')).toMatch(/text\/html/);
    expect(again.text).toMatch(/already been completed/);
    expect(again.text).toMatch(/Authorize again/);
  });

  it('a state nobody started is refused 400, and its code is never exchanged', async () => {
    const back = new URL(await consent(anna));
    back.searchParams.set('state', 'forged-state');
    const grants = sb.oauth.grants.authorization_code;
    const res = await call(back.toString(), { session: anna });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/does not belong to an authorization Ledgerlink started/);
    expect((await call('/oauth/callback')).status).toBe(400);
    expect(sb.oauth.grants.authorization_code).toBe(grants);
  });

  it('a code the system refuses comes back as the reason on the Connections page, not a 500', async () => {
    const back = new URL(await consent(anna));
    back.searchParams.set('code', 'sbx-code-never-issued');
    const res = await call(back.toString(), { session: anna });
    expect(res.status).toBe(303);
    const to = new URL(res.headers.get('location')!, api.url);
    expect(to.pathname).toBe('/connections');
    expect(to.searchParams.get('authorization')).toBe('failed');
    expect(to.searchParams.get('reason')).toMatch(/invalid_grant/);
  });

  it('consent refused on the system’s page comes back as the reason', async () => {
    const back = new URL(await consent(anna));
    back.searchParams.delete('code');
    back.searchParams.set('error', 'access_denied');
    const res = await call(back.toString());
    const to = new URL(res.headers.get('location')!, api.url);
    expect(to.searchParams.get('authorization')).toBe('failed');
    expect(to.searchParams.get('reason')).toBe('access was not granted: access_denied');
  });

  it('a callback in another user’s session is refused', async () => {
    await usersWithTokens(store, [['bert', 'admin']]);
    const bert = await login('bert');
    const res = await call(await consent(anna), { session: bert });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/started by anna, and this browser is logged in as bert/);
  });

  it('only an admin may start it; a connection without OAuth is 409, an unknown one 404', async () => {
    const viewer = await call('/api/connections/qbo/authorize', { method: 'POST', token: tokens.viewer! });
    expect([viewer.status, viewer.json.error.code]).toEqual([403, 'forbidden']);
    const operator = await call('/api/connections/qbo/authorize', {
      method: 'POST',
      token: tokens.operator!,
    });
    expect(operator.status).toBe(403);
    expect((await call('/api/connections/qbo/authorize', { method: 'POST' })).status).toBe(401);
    const files = await call('/api/connections/files/authorize', { method: 'POST', token: tokens.admin! });
    expect([files.status, files.json.error.code]).toEqual([409, 'not_authorizable']);
    expect(files.json.error.message).toMatch(/connection "files" is not granted access through an OAuth/);
    const none = await call('/api/connections/nope/authorize', { method: 'POST', token: tokens.admin! });
    expect([none.status, none.json.error.code]).toEqual([404, 'not_found']);
  });

  it('the redirect URI is the configured public address, else the request’s', async () => {
    const redirectOf = async (headers: Record<string, string> = {}) => {
      const r = await call('/api/connections/qbo/authorize', {
        method: 'POST',
        token: tokens.admin!,
        headers,
      });
      return r.json.redirectUri as string;
    };
    // trustProxy is off: a forwarded host is not believed.
    expect(await redirectOf({ 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' })).toBe(
      `${api.url}/oauth/callback`,
    );
    const config = api.ctx.config as { server?: { publicUrl?: string } };
    config.server = { publicUrl: 'https://ledgerlink.example.com' };
    try {
      expect(await redirectOf()).toBe('https://ledgerlink.example.com/oauth/callback');
    } finally {
      delete config.server;
    }
  });

  it('both routes are in the OpenAPI document', async () => {
    const doc = (await call('/openapi.json')).json as { paths: Record<string, Record<string, unknown>> };
    expect(doc.paths['/api/connections/{name}/authorize']?.post).toBeDefined();
    expect(doc.paths['/oauth/callback']?.get).toBeDefined();
  });
});
