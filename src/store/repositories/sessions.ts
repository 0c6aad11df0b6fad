import type { Kysely, Selectable } from 'kysely';
import type { Database, Role, SessionsTable } from '../schema.js';

export type SessionRow = Selectable<SessionsTable>;

/** A session with what a request needs to know about its user, read in one query. */
export interface SessionWithUser extends SessionRow {
  role: Role;
  must_change_password: number;
}

/** Browser logins, keyed by the digest of the cookie's token. */
export class SessionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(s: SessionRow): Promise<void> {
    await this.db.insertInto('sessions').values(s).execute();
  }

  async find(id: string): Promise<SessionWithUser | undefined> {
    return this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.username', 'sessions.username')
      .selectAll('sessions')
      .select(['users.role', 'users.must_change_password'])
      .where('sessions.id', '=', id)
      .executeTakeFirst();
  }

  async touch(id: string, at: string): Promise<void> {
    await this.db.updateTable('sessions').set({ last_seen_at: at }).where('id', '=', id).execute();
  }

  async remove(id: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', id).execute();
  }

  /** Ends a user's sessions (a password was reset), but for the one that changed it, if any. */
  async removeForUser(username: string, except?: string): Promise<number> {
    let q = this.db.deleteFrom('sessions').where('username', '=', username);
    if (except) q = q.where('id', '<>', except);
    return Number((await q.executeTakeFirst()).numDeletedRows);
  }

  async countForUser(username: string): Promise<number> {
    const row = await this.db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('username', '=', username)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Drops sessions past their absolute end or idle since before `idleBefore`; returns how many went. */
  async prune(now: string, idleBefore: string): Promise<number> {
    const res = await this.db
      .deleteFrom('sessions')
      .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<', idleBefore)]))
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
