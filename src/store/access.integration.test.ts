import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../test/support/databases.js';
import { openStore, type Store } from './index.js';

const user = (username: string, role: 'viewer' | 'operator' | 'admin' = 'viewer') => ({
  username,
  role,
  password_hash: `hash-of-${username}`,
  must_change_password: false,
});

const session = (id: string, username: string, at: string, expires: string) => ({
  id,
  username,
  csrf_token: `csrf-${id}`,
  created_at: at,
  last_seen_at: at,
  expires_at: expires,
});

// Users, sessions and API tokens behave the same on SQLite and PostgreSQL.
describe.each(DIALECTS)('access store on %s', (dialect) => {
  let tdb: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    tdb = await createTestDatabase(dialect);
    store = await openStore(tdb.url);
  });
  afterAll(async () => {
    await store.close();
    await tdb.drop();
  });

  it('creates users once per name, lists and changes them', async () => {
    expect(await store.users.count()).toBe(0);
    expect(await store.users.create(user('root', 'admin'))).toBe(true);
    expect(await store.users.create({ ...user('root', 'viewer'), must_change_password: true })).toBe(false);
    expect(await store.users.create({ ...user('vera'), must_change_password: true })).toBe(true);
    expect(await store.users.count()).toBe(2);
    expect(await store.users.get('root')).toMatchObject({ role: 'admin', must_change_password: 0 });
    expect((await store.users.list()).map((u) => u.username)).toEqual(['root', 'vera']);
    expect(await store.users.update('vera', { role: 'operator' })).toBe(true);
    expect(await store.users.update('nobody', { role: 'operator' })).toBe(false);
    expect(await store.users.get('vera')).toMatchObject({ role: 'operator', must_change_password: 1 });
  });

  it('counts failed logins in a row, locks at the limit and starts again; a success or a new password clears them', async () => {
    await store.users.create(user('fay'));
    const lockUntil = '2030-01-01T00:00:00.000Z';
    for (let i = 1; i < 3; i++)
      expect(await store.users.recordFailure('fay', 3, lockUntil)).toMatchObject({
        failed_logins: i,
        locked_until: null,
      });
    expect(await store.users.recordFailure('fay', 3, lockUntil)).toMatchObject({
      failed_logins: 0,
      locked_until: lockUntil,
    });
    expect(await store.users.recordFailure('nobody', 3, lockUntil)).toBeUndefined();
    await store.users.recordSuccess('fay');
    expect(await store.users.get('fay')).toMatchObject({ failed_logins: 0, locked_until: null });
    await store.users.recordFailure('fay', 3, lockUntil);
    await store.users.update('fay', { password_hash: 'new' });
    expect(await store.users.get('fay')).toMatchObject({ failed_logins: 0, password_hash: 'new' });
  });

  it('never leaves the store without an admin', async () => {
    await store.users.create(user('solo-check', 'viewer'));
    // root is the only admin.
    expect(await store.users.setRole('root', 'operator')).toBe('last_admin');
    expect(await store.users.remove('root')).toBe('last_admin');
    expect(await store.users.remove('nobody')).toBe('missing');
    expect(await store.users.setRole('nobody', 'admin')).toBe('missing');
    expect(await store.users.setRole('solo-check', 'admin')).toBe('done');
    expect(await store.users.setRole('root', 'operator')).toBe('done');
    expect(await store.users.remove('solo-check')).toBe('last_admin');
    expect(await store.users.setRole('root', 'admin')).toBe('done');
    // Two admins removed at once: one goes, the other stays.
    const both = await Promise.all([store.users.remove('root'), store.users.remove('solo-check')]);
    expect(both.sort()).toEqual(['done', 'last_admin']);
    const admins = (await store.users.list()).filter((u) => u.role === 'admin');
    expect(admins).toHaveLength(1);
    if (admins[0]!.username !== 'root') await store.users.create(user('root', 'admin'));
    await store.users.remove('solo-check');
  });

  it('keeps sessions by digest with their user’s role, touches, ends and sweeps them', async () => {
    const now = '2026-03-01T12:00:00.000Z';
    await store.sessions.create(session('s1', 'vera', now, '2026-03-08T12:00:00.000Z'));
    await store.sessions.create(session('s2', 'vera', now, '2026-03-08T12:00:00.000Z'));
    await store.sessions.create(
      session('s3', 'root', '2026-02-01T00:00:00.000Z', '2026-02-08T00:00:00.000Z'),
    );
    await store.sessions.create(
      session('s4', 'root', '2026-02-28T00:00:00.000Z', '2026-03-07T00:00:00.000Z'),
    );
    expect(await store.sessions.find('s1')).toMatchObject({
      username: 'vera',
      role: 'operator',
      must_change_password: 1,
      csrf_token: 'csrf-s1',
    });
    expect(await store.sessions.find('nope')).toBeUndefined();
    await store.sessions.touch('s1', '2026-03-01T13:00:00.000Z');
    expect((await store.sessions.find('s1'))?.last_seen_at).toBe('2026-03-01T13:00:00.000Z');
    // s3 is past its end, s4 idle since before the cut-off.
    expect(await store.sessions.prune(now, '2026-03-01T00:00:00.000Z')).toBe(2);
    expect(await store.sessions.removeForUser('vera', 's1')).toBe(1);
    expect(await store.sessions.countForUser('vera')).toBe(1);
    await store.sessions.remove('s1');
    expect(await store.sessions.countForUser('vera')).toBe(0);
  });

  it('keeps API tokens by digest, finds them with their user’s role, caps and revokes them', async () => {
    const a = await store.tokens.create({
      username: 'vera',
      name: 'export',
      token_hash: 'h-a',
      role: 'operator',
    });
    const b = await store.tokens.create({
      username: 'vera',
      name: 'monitor',
      token_hash: 'h-b',
      role: 'viewer',
    });
    const c = await store.tokens.create({
      username: 'root',
      name: 'deploy',
      token_hash: 'h-c',
      role: 'admin',
    });
    expect(typeof a.id).toBe('number');
    expect(a).toMatchObject({ username: 'vera', name: 'export', role: 'operator', last_used_at: null });
    await expect(
      store.tokens.create({ username: 'vera', name: 'dup', token_hash: 'h-a', role: 'viewer' }),
    ).rejects.toThrow();
    expect(await store.tokens.byHash('h-a')).toMatchObject({ id: a.id, user_role: 'operator' });
    expect(await store.tokens.byHash('nope')).toBeUndefined();
    expect((await store.tokens.list('vera')).map((t) => t.name)).toEqual(['monitor', 'export']);
    expect((await store.tokens.list()).map((t) => t.id)).toEqual([c.id, b.id, a.id]);
    await store.tokens.touch(a.id, '2026-03-01T12:00:00.000Z');
    expect((await store.tokens.get(a.id))?.last_used_at).toBe('2026-03-01T12:00:00.000Z');
    await store.tokens.cap('vera', 'viewer', ['operator', 'admin']);
    expect((await store.tokens.list('vera')).map((t) => t.role)).toEqual(['viewer', 'viewer']);
    expect(await store.tokens.remove(b.id)).toBe(true);
    expect(await store.tokens.remove(b.id)).toBe(false);
  });

  it('a removed user takes their sessions and tokens along', async () => {
    await store.sessions.create(session('v1', 'vera', new Date().toISOString(), '2099-01-01T00:00:00.000Z'));
    expect(await store.users.remove('vera')).toBe('done');
    expect(await store.sessions.find('v1')).toBeUndefined();
    expect(await store.tokens.list('vera')).toEqual([]);
    expect(await store.tokens.byHash('h-a')).toBeUndefined();
  });
});
