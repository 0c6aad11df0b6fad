import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type { DialectAdapter } from '../dialects/adapter.js';
import type { Database, Role, UsersTable } from '../schema.js';

export type UserRow = Selectable<UsersTable>;

export interface NewUser {
  username: string;
  role: Role;
  password_hash: string;
  must_change_password: boolean;
}

export type UserChange = Partial<Pick<UserRow, 'role' | 'password_hash' | 'must_change_password'>>;

/** Why a change that would leave no administrator was refused, or that there was nobody to change. */
export type GuardedResult = 'done' | 'missing' | 'last_admin';

/** People who may log in, with their role, password hash and failed-login count. */
export class UserRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly adapter: DialectAdapter,
  ) {}

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async get(username: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  }

  async list(): Promise<UserRow[]> {
    return this.db.selectFrom('users').selectAll().orderBy('username').execute();
  }

  /** False when the name is taken (two processes creating the first admin at once: one wins). */
  async create(u: NewUser): Promise<boolean> {
    const now = new Date().toISOString();
    const row = await this.db
      .insertInto('users')
      .values({
        username: u.username,
        role: u.role,
        password_hash: u.password_hash,
        must_change_password: u.must_change_password ? 1 : 0,
        failed_logins: 0,
        locked_until: null,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('username').doNothing())
      .returning('username')
      .executeTakeFirst();
    return row !== undefined;
  }

  /** A new password also clears the failed-login count and any lock. */
  async update(username: string, change: UserChange): Promise<boolean> {
    const res = await this.db
      .updateTable('users')
      .set({
        ...change,
        ...(change.password_hash ? { failed_logins: 0, locked_until: null } : {}),
        updated_at: new Date().toISOString(),
      })
      .where('username', '=', username)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /**
   * Counts a failed login; the `limit`-th in a row locks the account until `lockUntil` and starts the
   * count again. One statement, so concurrent guesses cannot slip past the limit.
   */
  async recordFailure(username: string, limit: number, lockUntil: string): Promise<UserRow | undefined> {
    const reached = sql<boolean>`failed_logins + 1 >= ${limit}`;
    return this.db
      .updateTable('users')
      .set({
        failed_logins: sql`case when ${reached} then 0 else failed_logins + 1 end`,
        locked_until: sql`case when ${reached} then ${lockUntil} else locked_until end`,
      })
      .where('username', '=', username)
      .returningAll()
      .executeTakeFirst();
  }

  /**
   * A failed login under a name no user has, counted as `recordFailure` counts a user's: the
   * `limit`-th in a row locks the name until `lockUntil`. Returns the lock, if the name is locked now.
   * Names untouched for a day are forgotten as new ones come.
   */
  async recordUnknownFailure(username: string, limit: number, lockUntil: string): Promise<string | null> {
    const now = new Date().toISOString();
    const reached = sql<boolean>`login_failures.failures + 1 >= ${limit}`;
    const row = await this.db
      .insertInto('login_failures')
      .values({ username, failures: 1, locked_until: null, updated_at: now })
      .onConflict((oc) =>
        oc.column('username').doUpdateSet({
          failures: sql`case when ${reached} then 0 else login_failures.failures + 1 end`,
          locked_until: sql`case when ${reached} then ${lockUntil} else login_failures.locked_until end`,
          updated_at: now,
        }),
      )
      .returning('locked_until')
      .executeTakeFirst();
    if (Math.random() < 0.01)
      await this.db
        .deleteFrom('login_failures')
        .where('updated_at', '<', new Date(Date.now() - 86_400_000).toISOString())
        .execute();
    return row?.locked_until ?? null;
  }

  /** Until when a name no user has is locked, if it is. */
  async unknownLock(username: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('login_failures')
      .select('locked_until')
      .where('username', '=', username)
      .executeTakeFirst();
    return row?.locked_until ?? null;
  }

  async recordSuccess(username: string): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ failed_logins: 0, locked_until: null })
      .where('username', '=', username)
      .where((eb) => eb.or([eb('failed_logins', '>', 0), eb('locked_until', 'is not', null)]))
      .execute();
  }

  /** Changes a role, unless that would leave no administrator. */
  async setRole(username: string, role: Role): Promise<GuardedResult> {
    return this.guarded(username, role !== 'admin', async (tx) => {
      await tx
        .updateTable('users')
        .set({ role, updated_at: new Date().toISOString() })
        .where('username', '=', username)
        .execute();
    });
  }

  /** Removes a user (their sessions and tokens go with them), unless that would leave no administrator. */
  async remove(username: string): Promise<GuardedResult> {
    return this.guarded(username, true, async (tx) => {
      await tx.deleteFrom('users').where('username', '=', username).execute();
    });
  }

  private async guarded(
    username: string,
    losesAdmin: boolean,
    change: (tx: Transaction<Database>) => Promise<void>,
  ): Promise<GuardedResult> {
    return this.db.transaction().execute(async (tx) => {
      // Locking every admin row makes two concurrent removals of the last two admins take turns, so
      // the second sees one admin left. SQLite serialises writers already and has no FOR UPDATE.
      let admins = tx.selectFrom('users').select('username').where('role', '=', 'admin');
      if (this.adapter.supportsSkipLocked) admins = admins.forUpdate();
      const adminNames = (await admins.execute()).map((r) => r.username);
      const user = await tx
        .selectFrom('users')
        .select('role')
        .where('username', '=', username)
        .executeTakeFirst();
      if (!user) return 'missing';
      if (losesAdmin && user.role === 'admin' && adminNames.length <= 1) return 'last_admin';
      await change(tx);
      return 'done';
    });
  }
}
