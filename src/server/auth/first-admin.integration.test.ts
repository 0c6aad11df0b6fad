import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../../test/support/databases.js';
import { openStore, type Store } from '../../store/index.js';
import { login } from './accounts.js';
import { ensureFirstAdmin } from './first-admin.js';

describe.each(DIALECTS)('the first admin on %s', (dialect) => {
  let tdb: TestDatabase;
  let store: Store;
  let printed: string[];
  const print = (line: string) => printed.push(line);

  beforeEach(async () => {
    tdb = await createTestDatabase(dialect);
    store = await openStore(tdb.url);
    printed = [];
  });
  afterEach(async () => {
    await store.close();
    await tdb.drop();
  });

  it('on an empty store: admin with a one-time password, printed once and to be changed', async () => {
    await ensureFirstAdmin(store, print, {});
    expect(printed).toHaveLength(1);
    const [, password] =
      /^first login: admin \/ (\S+) — you will be asked to change it$/.exec(printed[0]!) ?? [];
    expect(password).toHaveLength(24);
    const admin = await login(store, 'admin', password!);
    expect(admin).toMatchObject({ role: 'admin', must_change_password: 1 });
    expect(admin.password_hash).not.toContain(password!);
    // Started again: nothing is created or printed.
    await ensureFirstAdmin(store, print, {});
    expect(printed).toHaveLength(1);
    expect(await store.users.count()).toBe(1);
  });

  it('with LEDGERLINK_ADMIN_PASSWORD: that password, no change asked, and the password never printed', async () => {
    const env = { LEDGERLINK_ADMIN_PASSWORD: 'automation password' };
    await ensureFirstAdmin(store, print, env);
    expect(printed).toEqual(['first login: admin, with the password in LEDGERLINK_ADMIN_PASSWORD']);
    expect(await login(store, 'admin', 'automation password')).toMatchObject({ must_change_password: 0 });
  });

  it('refuses a weak LEDGERLINK_ADMIN_PASSWORD, naming the variable', async () => {
    await expect(ensureFirstAdmin(store, print, { LEDGERLINK_ADMIN_PASSWORD: 'admin' })).rejects.toThrow(
      /LEDGERLINK_ADMIN_PASSWORD: a password needs at least 12 characters/,
    );
    expect(await store.users.count()).toBe(0);
  });

  it('two processes starting at once on one store: one admin, printed once', async () => {
    await Promise.all([ensureFirstAdmin(store, print, {}), ensureFirstAdmin(store, print, {})]);
    expect(await store.users.count()).toBe(1);
    expect(printed).toHaveLength(1);
  });
});
