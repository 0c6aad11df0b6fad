import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, usersWithTokens } from '../../../test/support/api-server.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../../test/support/databases.js';
import { type Flow, flowDefaults } from '../../engine/flow.js';
import { openStore, type Store } from '../../store/index.js';
import { createUser } from './accounts.js';
import { createApiToken } from './api-tokens.js';
import { routeAccess } from './plugin.js';
import { defaultAccess } from './rules.js';
import { digest } from './secrets.js';

const flow: Flow = {
  ...flowDefaults,
  name: 'a-b.customers',
  entity: 'customer',
  source: 'a',
  target: 'b',
  ownedFields: ['creditLimit'],
};
const PASSWORD = 'correct horse battery';

/**
 * The only non-GET routes a viewer may call, each declared `access: 'viewer'` on purpose: they change
 * nothing but the caller's own session, password and tokens, or only preview. A route added to this
 * list is a decision to review.
 */
const VIEWER_CHANGES = [
  'POST /api/auth/logout',
  'POST /api/auth/password',
  'POST /api/tokens',
  'DELETE /api/tokens/:id',
  'POST /api/flows/:name/load',
  // Scan is a preview too: what processing would write, and what it needs, nothing written.
  'POST /api/flows/:name/scan',
  // Dry run: what processing would do to each record, field by field, nothing written or kept.
  'POST /api/flows/:name/preview',
  // Find in a listing (the Sage View's invoice items, transactions): a read with a body, nothing written.
  'POST /api/connections/:name/listings/:listing/find',
];

/** Every route Fastify has, read from its own route tree (so nothing depends on the plugin's bookkeeping). */
function registeredRoutes(app: FastifyInstance): Array<{ method: string; url: string }> {
  const path: string[] = [];
  const out: Array<{ method: string; url: string }> = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    path.length = m[1]!.length / 4;
    path.push(m[2]!);
    for (const method of m[3]?.split(', ') ?? []) out.push({ method, url: path.join('') });
  }
  return out;
}

type Body = { error?: { code: string; message: string }; [key: string]: unknown };
interface Answer {
  status: number;
  body: Body;
  headers: Headers;
}
interface Session {
  cookie: string;
  csrf: string;
  setCookie: string;
  body: Body;
}

/** Access control over real HTTP on loopback, on each dialect: sessions, CSRF, tokens, roles, lockout. */
describe.each(DIALECTS)('access control on %s', (dialect) => {
  let tdb: TestDatabase;
  let store: Store;
  let app: FastifyInstance;
  let url: string;
  const tokens: Record<'admin' | 'operator' | 'viewer', string> = { admin: '', operator: '', viewer: '' };

  async function call(
    path: string,
    o: {
      method?: string;
      token?: string;
      session?: Session;
      csrf?: string;
      body?: unknown;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (o.session) headers.cookie = o.session.cookie;
    if (o.csrf !== undefined) headers['x-csrf-token'] = o.csrf;
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${url}${path}`, {
      method: o.method ?? 'GET',
      headers,
      ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
    });
    const text = await res.text();
    const json = res.headers.get('content-type')?.startsWith('application/json') && text;
    return { status: res.status, body: json ? (JSON.parse(text) as Body) : {}, headers: res.headers };
  }

  async function login(
    username: string,
    password = PASSWORD,
    headers: Record<string, string> = {},
  ): Promise<Session> {
    const res = await call('/api/auth/login', { method: 'POST', body: { username, password }, headers });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const setCookie = res.headers.get('set-cookie') ?? '';
    return {
      cookie: setCookie.split(';')[0]!,
      csrf: res.body.csrfToken as string,
      setCookie,
      body: res.body,
    };
  }
  /** A change made with the session cookie and its CSRF token. */
  const change = (s: Session, path: string, method: string, body?: unknown) =>
    call(path, { method, session: s, csrf: s.csrf, ...(body !== undefined ? { body } : {}) });

  beforeAll(async () => {
    tdb = await createTestDatabase(dialect);
    store = await openStore(tdb.url);
    // These tests log in far more often than a person would; the limit per address has its own test.
    const server = await startApiServer({
      store,
      flows: [flow],
      limits: { loginsPerMinutePerAddress: 10_000 },
    });
    app = server.app;
    url = server.url;
    Object.assign(
      tokens,
      await usersWithTokens(store, [
        ['root', 'admin'],
        ['olga', 'operator'],
        ['vic', 'viewer'],
      ]),
    );
  });
  afterAll(async () => {
    await app.close();
    await store.close();
    await tdb.drop();
  });

  it('logs in with a session cookie (HttpOnly, SameSite=Strict; Secure unless plain HTTP), answers /me, logs out', async () => {
    const s = await login('root');
    expect(s.body).toEqual({
      user: { username: 'root', role: 'admin', mustChangePassword: false },
      csrfToken: expect.any(String),
    });
    expect(s.setCookie).toMatch(/^ledgerlink_session=[A-Za-z0-9_-]{43}; /);
    expect(s.setCookie.split('; ').slice(1).sort()).toEqual(
      ['HttpOnly', 'Max-Age=604800', 'Path=/', 'SameSite=Strict'].sort(),
    );
    // The store keeps the token's digest, never the token.
    const token = s.cookie.split('=')[1]!;
    expect(await store.sessions.find(token)).toBeUndefined();
    expect(await store.sessions.find(digest(token))).toMatchObject({ username: 'root', csrf_token: s.csrf });

    const me = await call('/api/auth/me', { session: s });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      user: { username: 'root', role: 'admin', mustChangePassword: false },
      csrfToken: s.csrf,
    });
    expect((await call('/api/flows', { session: s })).status).toBe(200);

    // Behind a proxy that terminated TLS, the cookie is Secure.
    const viaTls = await login('root', PASSWORD, { 'x-forwarded-proto': 'https' });
    expect(viaTls.setCookie).toMatch(/; Secure(;|$)/);

    const out = await change(s, '/api/auth/logout', 'POST');
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^ledgerlink_session=; Path=\/; Max-Age=0;/);
    const after = await call('/api/auth/me', { session: s });
    expect(after.status).toBe(401);
    expect(after.body.error?.code).toBe('unauthenticated');
    expect(after.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    // The other session is untouched.
    expect((await call('/api/auth/me', { session: viaTls })).status).toBe(200);
  });

  it('a wrong password and an unknown user get the same 401; no credentials or a bad token get 401 too', async () => {
    const wrong = await call('/api/auth/login', {
      method: 'POST',
      body: { username: 'root', password: 'not it at all' },
    });
    const nobody = await call('/api/auth/login', {
      method: 'POST',
      body: { username: 'nobody', password: PASSWORD },
    });
    for (const r of [wrong, nobody]) {
      expect(r.status).toBe(401);
      expect(r.body).toEqual({
        error: { code: 'invalid_credentials', message: 'wrong username or password' },
      });
      expect(r.headers.get('set-cookie')).toBeNull();
    }
    const bad = await call('/api/auth/login', { method: 'POST', body: { username: 'root' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe('invalid_request');

    const none = await call('/api/flows');
    expect(none.status).toBe(401);
    expect(none.body.error).toEqual({
      code: 'unauthenticated',
      message: expect.stringMatching(/log in first/),
    });
    const forged = await call('/api/flows', { token: 'll_forged' });
    expect(forged.status).toBe(401);
    expect(forged.body.error?.message).toMatch(/API token is not valid/);
    const stale = await call('/api/flows', { headers: { cookie: 'ledgerlink_session=made-up' } });
    expect(stale.status).toBe(401);
    // A path no route matches under /api is no open probe either.
    expect((await call('/api/no-such-thing')).status).toBe(401);
  });

  it('locks an account for 15 minutes after 10 failed logins in a row, with a message that says so', async () => {
    await createUser(store, {
      username: 'lou',
      role: 'viewer',
      password: PASSWORD,
      mustChangePassword: false,
    });
    const attempt = (password: string) =>
      call('/api/auth/login', { method: 'POST', body: { username: 'lou', password } });
    for (let i = 1; i <= 9; i++) expect((await attempt(`guess number ${i}`)).status).toBe(401);
    const tenth = await attempt('guess number 10');
    expect(tenth.status).toBe(429);
    expect(tenth.body.error).toEqual({
      code: 'account_locked',
      message: expect.stringMatching(
        /locked for 15 minutes after 10 failed logins in a row; try again in 15 minutes/,
      ),
    });
    expect(Number(tenth.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
    // Even the right password is refused while the lock holds.
    expect((await attempt(PASSWORD)).body.error?.code).toBe('account_locked');
    // A success before the limit starts the count again.
    await store.db
      .updateTable('users')
      .set({ locked_until: '2000-01-01T00:00:00.000Z' })
      .where('username', '=', 'lou')
      .execute();
    for (let i = 1; i <= 9; i++) await attempt(`again ${i}`);
    expect((await attempt(PASSWORD)).status).toBe(200);
    expect((await attempt('one more wrong')).status).toBe(401);
    expect((await store.users.get('lou'))?.failed_logins).toBe(1);
  });

  it('a name nobody has locks after 10 failures exactly as a real one: the answers never tell which names exist', async () => {
    await createUser(store, {
      username: 'rae',
      role: 'viewer',
      password: PASSWORD,
      mustChangePassword: false,
    });
    const attempt = (username: string) =>
      call('/api/auth/login', { method: 'POST', body: { username, password: 'a wrong guess' } });
    const answers = async (username: string) => {
      const out: Array<{ status: number; body: Body; retryAfter: number }> = [];
      for (let i = 0; i < 11; i++) {
        const r = await attempt(username);
        out.push({ status: r.status, body: r.body, retryAfter: Number(r.headers.get('retry-after') ?? 0) });
      }
      return out;
    };
    const real = await answers('rae');
    const made = await answers('nobody-by-this-name');
    // Before the fix an unknown name never locked: its 10th answer was 401 where a real one's is 429.
    const shape = (a: typeof real) =>
      a.map((x) => ({
        status: x.status,
        code: x.body.error?.code,
        message: x.body.error?.message.replace(/"[^"]+"/, '"NAME"'),
        retryAfter: x.retryAfter > 14 * 60 ? 'about 15 minutes' : x.retryAfter,
      }));
    expect(shape(made)).toEqual(shape(real));
    expect(shape(real).map((x) => x.status)).toEqual([...Array(9).fill(401), 429, 429]);
    // The lock of a made-up name is kept like a user's: fifteen minutes.
    const lock = Date.parse((await store.users.unknownLock('nobody-by-this-name')) ?? '');
    expect(lock - Date.now()).toBeGreaterThan(14 * 60_000);
  });

  it('a change made with the cookie must carry its CSRF token; an API token needs none', async () => {
    const s = await login('olga');
    const noHeader = await call('/api/tokens', { method: 'POST', session: s, body: { name: 'x' } });
    expect(noHeader.status).toBe(403);
    expect(noHeader.body.error?.code).toBe('csrf');
    const other = await login('olga');
    const wrongHeader = await call('/api/tokens', {
      method: 'POST',
      session: s,
      csrf: other.csrf,
      body: { name: 'x' },
    });
    expect(wrongHeader.status).toBe(403);
    expect(wrongHeader.body.error?.code).toBe('csrf');
    expect((await change(s, '/api/tokens', 'POST', { name: 'with csrf' })).status).toBe(201);
    // Reading needs no CSRF token.
    expect((await call('/api/tokens', { session: s })).status).toBe(200);
    const bearer = await call('/api/tokens', {
      method: 'POST',
      token: tokens.operator,
      body: { name: 'by token' },
    });
    expect(bearer.status).toBe(201);
    const me = await call('/api/auth/me', { token: tokens.operator });
    expect(me.body).toEqual({
      user: { username: 'olga', role: 'operator', mustChangePassword: false },
      csrfToken: null,
    });
  });

  it('a session ends 7 days after login, or after 12 hours idle; last_seen moves at most once a minute', async () => {
    const idOf = (s: Session) => digest(s.cookie.split('=')[1]!);
    const setSession = (s: Session, change: { expires_at?: string; last_seen_at?: string }) =>
      store.db.updateTable('sessions').set(change).where('id', '=', idOf(s)).execute();
    const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

    const old = await login('vic');
    await setSession(old, { expires_at: ago(1000) });
    const expired = await call('/api/auth/me', { session: old });
    expect(expired.status).toBe(401);
    expect(expired.body.error).toEqual({
      code: 'unauthenticated',
      message: 'the session has ended; log in again',
    });
    expect(expired.headers.get('set-cookie')).toMatch(/^ledgerlink_session=; .*Max-Age=0/);
    expect(await store.sessions.find(idOf(old))).toBeUndefined();

    const idle = await login('vic');
    await setSession(idle, { last_seen_at: ago(12 * 3600_000 + 1000) });
    expect((await call('/api/auth/me', { session: idle })).status).toBe(401);

    const busy = await login('vic');
    const recent = ago(30_000);
    await setSession(busy, { last_seen_at: recent });
    expect((await call('/api/auth/me', { session: busy })).status).toBe(200);
    expect((await store.sessions.find(idOf(busy)))?.last_seen_at).toBe(recent);
    await setSession(busy, { last_seen_at: ago(11 * 3600_000) });
    expect((await call('/api/auth/me', { session: busy })).status).toBe(200);
    expect(Date.parse((await store.sessions.find(idOf(busy)))!.last_seen_at)).toBeGreaterThan(
      Date.now() - 10_000,
    );
  });

  it('a password someone else set must be changed before anything but /api/auth/*', async () => {
    await createUser(store, { username: 'nina', role: 'operator', password: PASSWORD });
    const elsewhere = await login('nina');
    const s = await login('nina');
    expect(s.body.user).toEqual({ username: 'nina', role: 'operator', mustChangePassword: true });
    const blocked = await call('/api/flows', { session: s });
    expect(blocked.status).toBe(403);
    expect(blocked.body.error?.code).toBe('password_change_required');
    expect((await call('/api/auth/me', { session: s })).body.user).toMatchObject({
      mustChangePassword: true,
    });

    const wrong = await change(s, '/api/auth/password', 'POST', {
      current: 'not the password',
      next: 'a much better password',
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error?.code).toBe('wrong_password');
    const short = await change(s, '/api/auth/password', 'POST', { current: PASSWORD, next: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.error).toEqual({
      code: 'weak_password',
      message: expect.stringMatching(/at least 12 characters/),
    });
    const same = await change(s, '/api/auth/password', 'POST', { current: PASSWORD, next: PASSWORD });
    expect(same.body.error?.message).toMatch(/must differ/);
    expect(
      (await change(s, '/api/auth/password', 'POST', { current: PASSWORD, next: 'a much better password' }))
        .status,
    ).toBe(204);

    // This session goes on, now unblocked; the other one ended; the new password logs in.
    expect((await call('/api/flows', { session: s })).status).toBe(200);
    expect((await call('/api/auth/me', { session: elsewhere })).status).toBe(401);
    expect((await login('nina', 'a much better password')).body.user).toMatchObject({
      mustChangePassword: false,
    });
  });

  it('a viewer changes nothing; an operator manages no access; a token acts with at most its user’s role', async () => {
    const viewerRun = await call(`/api/flows/${flow.name}/runs`, {
      method: 'POST',
      token: tokens.viewer,
      body: {},
    });
    expect(viewerRun.status).toBe(403);
    expect(viewerRun.body.error).toEqual({
      code: 'forbidden',
      message: expect.stringMatching(/needs the operator role/),
    });
    const s = await login('vic');
    const viaCookie = await change(s, '/api/records/retry-failed', 'POST', {});
    expect(viaCookie.status).toBe(403);
    expect(viaCookie.body.error?.code).toBe('forbidden');
    expect((await call('/api/flows', { token: tokens.viewer })).status).toBe(200);

    const operatorUsers = await call('/api/users', { token: tokens.operator });
    expect(operatorUsers.status).toBe(403);
    expect(operatorUsers.body.error?.message).toMatch(/needs the admin role; olga acts as operator/);
    const operatorAdd = await call('/api/users', {
      method: 'POST',
      token: tokens.operator,
      body: { username: 'eve', role: 'admin', password: PASSWORD },
    });
    expect(operatorAdd.status).toBe(403);

    // A token never has more than its user: not when created, and not after the user is demoted.
    const tooHigh = await call('/api/tokens', {
      method: 'POST',
      token: tokens.operator,
      body: { name: 'x', role: 'admin' },
    });
    expect(tooHigh.status).toBe(403);
    expect(tooHigh.body.error?.message).toMatch(/at most the role operator/);
    const readOnly = await call('/api/tokens', {
      method: 'POST',
      token: tokens.operator,
      body: { name: 'ro', role: 'viewer' },
    });
    expect(readOnly.body).toMatchObject({ role: 'viewer', username: 'olga' });
    expect(
      (
        await call(`/api/flows/${flow.name}/runs`, {
          method: 'POST',
          token: readOnly.body.token as string,
          body: {},
        })
      ).status,
    ).toBe(403);

    await createUser(store, {
      username: 'otto',
      role: 'operator',
      password: PASSWORD,
      mustChangePassword: false,
    });
    const ottoToken = (await createApiToken(store, { username: 'otto', name: 'ops' })).token;
    expect((await call('/api/auth/me', { token: ottoToken })).body.user).toMatchObject({ role: 'operator' });
    const demote = await call('/api/users/otto', {
      method: 'PATCH',
      token: tokens.admin,
      body: { role: 'viewer' },
    });
    expect(demote.status).toBe(200);
    expect((await call('/api/auth/me', { token: ottoToken })).body.user).toMatchObject({ role: 'viewer' });
    expect((await store.tokens.list('otto'))[0]?.role).toBe('viewer');
  });

  it('admins add, change and remove users — never the last admin', async () => {
    const admin = { token: tokens.admin };
    const extra = await call('/api/users', {
      method: 'POST',
      ...admin,
      body: { username: 'pat', role: 'operator', password: PASSWORD, colour: 'blue' },
    });
    expect(extra.status).toBe(400);
    expect(extra.body.error?.code).toBe('invalid_request');
    const weak = await call('/api/users', {
      method: 'POST',
      ...admin,
      body: { username: 'pat', role: 'operator', password: 'pat' },
    });
    expect(weak.status).toBe(400);
    expect(weak.body.error?.code).toBe('weak_password');
    const added = await call('/api/users', {
      method: 'POST',
      ...admin,
      body: { username: 'pat', role: 'operator', password: PASSWORD },
    });
    expect(added.status).toBe(201);
    expect(added.body.user).toMatchObject({ username: 'pat', role: 'operator', mustChangePassword: true });
    expect(JSON.stringify(added.body)).not.toContain('hash');
    const again = await call('/api/users', {
      method: 'POST',
      ...admin,
      body: { username: 'pat', role: 'viewer', password: PASSWORD },
    });
    expect(again.status).toBe(409);
    expect(again.body.error?.code).toBe('user_exists');

    const list = await call('/api/users', admin);
    expect((list.body.users as Array<{ username: string }>).map((u) => u.username)).toEqual(
      expect.arrayContaining(['root', 'olga', 'vic', 'pat']),
    );

    // A password an admin sets must be changed, and ends that user's sessions.
    await call('/api/users/pat', { method: 'PATCH', ...admin, body: { password: 'first one-time pw' } });
    const patSession = await login('pat', 'first one-time pw');
    const reset = await call('/api/users/pat', {
      method: 'PATCH',
      ...admin,
      body: { password: 'second one-time pw' },
    });
    expect(reset.body.user).toMatchObject({ mustChangePassword: true });
    expect((await call('/api/auth/me', { session: patSession })).status).toBe(401);
    expect((await call('/api/users/pat', { method: 'PATCH', ...admin, body: {} })).status).toBe(400);
    expect(
      (await call('/api/users/nobody', { method: 'PATCH', ...admin, body: { role: 'viewer' } })).status,
    ).toBe(404);

    const lastDelete = await call('/api/users/root', { method: 'DELETE', ...admin });
    expect(lastDelete.status).toBe(409);
    expect(lastDelete.body.error).toEqual({
      code: 'last_admin',
      message: expect.stringMatching(/only admin/),
    });
    const lastDemote = await call('/api/users/root', {
      method: 'PATCH',
      ...admin,
      body: { role: 'operator' },
    });
    expect(lastDemote.status).toBe(409);
    expect(lastDemote.body.error?.code).toBe('last_admin');
    expect((await call('/api/users/nobody', { method: 'DELETE', ...admin })).status).toBe(404);
    expect((await call('/api/users/pat', { method: 'DELETE', ...admin })).status).toBe(204);
    expect(await store.users.get('pat')).toBeUndefined();
  });

  it('API tokens are shown once, listed without the secret, and revoked by their owner or an admin', async () => {
    const created = await call('/api/tokens', {
      method: 'POST',
      token: tokens.viewer,
      body: { name: 'monitor' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'monitor',
      role: 'viewer',
      username: 'vic',
      token: expect.stringMatching(/^ll_/),
    });
    const id = created.body.id as number;
    const own = await call('/api/tokens', { token: tokens.viewer });
    const listed = own.body.tokens as Array<Record<string, unknown>>;
    expect(listed.every((t) => t.username === 'vic')).toBe(true);
    expect(JSON.stringify(own.body)).not.toMatch(/ll_|token_hash/);
    const all = (await call('/api/tokens', { token: tokens.admin })).body.tokens as Array<{
      username: string;
    }>;
    expect(new Set(all.map((t) => t.username))).toEqual(new Set(['root', 'olga', 'vic', 'otto']));

    // Someone else's token is as good as unknown; the owner and an admin may revoke.
    expect((await call(`/api/tokens/${id}`, { method: 'DELETE', token: tokens.operator })).status).toBe(404);
    expect((await call('/api/auth/me', { token: created.body.token as string })).status).toBe(200);
    expect((await call(`/api/tokens/${id}`, { method: 'DELETE', token: tokens.viewer })).status).toBe(204);
    expect((await call('/api/auth/me', { token: created.body.token as string })).status).toBe(401);
    const another = await call('/api/tokens', {
      method: 'POST',
      token: tokens.viewer,
      body: { name: 'again' },
    });
    expect(
      (await call(`/api/tokens/${another.body.id}`, { method: 'DELETE', token: tokens.admin })).status,
    ).toBe(204);
    expect(await store.tokens.get(another.body.id as number)).toBeUndefined();
  });

  /**
   * Every route the server registers — including any added after this test was written — answers 401
   * without credentials unless it is public, and public routes are exactly these: probes, webhook
   * intake, the API documentation, pages outside /api (not /metrics), and login. A viewer is refused every change
   * but those listed in VIEWER_CHANGES; an operator every admin route.
   */
  it('walks every registered route: 401 without credentials, 403 for a viewer changing anything', async () => {
    const routes = registeredRoutes(app);
    expect(routes.length).toBeGreaterThan(40);
    const declared = new Map(routeAccess(app).map((r) => [`${r.method} ${r.url}`, r.access]));
    // The parse misses nothing the plugin saw.
    for (const key of declared.keys()) expect(routes.map((r) => `${r.method} ${r.url}`)).toContain(key);

    const reads = (m: string) => m === 'GET' || m === 'HEAD';
    const isPublic = (m: string, path: string) =>
      ['/health', '/ready', '/openapi.json', '/docs'].includes(path) ||
      path.startsWith('/docs/') ||
      path.startsWith('/hooks/') ||
      path.startsWith('/qbwc/') ||
      // Pages outside /api, but for the metrics, whose counts need a viewer.
      (reads(m) && path !== '/api' && !path.startsWith('/api/') && path !== '/metrics') ||
      (m === 'POST' && path === '/api/auth/login');
    const concrete = (path: string) => path.replace(/:[^/]+/g, '1').replace(/\*/g, 'x');
    const refused = (r: Answer) =>
      ['unauthenticated', 'forbidden', 'csrf'].includes(r.body.error?.code ?? '');

    const problems: string[] = [];
    for (const { method, url: path } of routes) {
      const route = `${method} ${path}`;
      // Routes registered before the access plugin (the documentation) are judged by the defaults.
      const access = declared.get(route) ?? defaultAccess(method, path);
      if ((access === 'public') !== isPublic(method, path)) problems.push(`${route}: declared ${access}`);
      const bare = await call(concrete(path), { method });
      if (isPublic(method, path)) {
        if (refused(bare))
          problems.push(`${route}: public, but answered ${bare.status} ${bare.body.error?.code}`);
        continue;
      }
      if (bare.status !== 401 || (method !== 'HEAD' && bare.body.error?.code !== 'unauthenticated'))
        problems.push(`${route}: answered ${bare.status} without credentials`);
      if (!reads(method) && !VIEWER_CHANGES.includes(route)) {
        const viewer = await call(concrete(path), { method, token: tokens.viewer });
        if (viewer.status !== 403 || viewer.body.error?.code !== 'forbidden')
          problems.push(`${route}: answered ${viewer.status} to a viewer`);
      }
      if (access === 'admin') {
        const operator = await call(concrete(path), { method, token: tokens.operator });
        if (operator.status !== 403 || (method !== 'HEAD' && operator.body.error?.code !== 'forbidden'))
          problems.push(`${route}: answered ${operator.status} to an operator`);
      }
    }
    expect(problems).toEqual([]);
    for (const route of VIEWER_CHANGES) expect(declared.get(route), route).toBe('viewer');
  });
});
