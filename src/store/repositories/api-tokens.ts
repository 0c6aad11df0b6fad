import type { Kysely, Selectable } from 'kysely';
import type { ApiTokensTable, Database, Role } from '../schema.js';

export type ApiTokenRow = Selectable<ApiTokensTable>;

/** A token with its user's current role, read in one query (a token never has more than its user). */
export interface ApiTokenWithUser extends ApiTokenRow {
  user_role: Role;
}

/** API tokens, kept as digests; the token itself is shown once, when it is created. */
export class ApiTokenRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(t: { username: string; name: string; token_hash: string; role: Role }): Promise<ApiTokenRow> {
    const row = await this.db
      .insertInto('api_tokens')
      .values({ ...t, created_at: new Date().toISOString(), last_used_at: null })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { ...row, id: Number(row.id) };
  }

  async byHash(hash: string): Promise<ApiTokenWithUser | undefined> {
    return this.db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.username', 'api_tokens.username')
      .selectAll('api_tokens')
      .select('users.role as user_role')
      .where('api_tokens.token_hash', '=', hash)
      .executeTakeFirst();
  }

  async get(id: number): Promise<ApiTokenRow | undefined> {
    return this.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Every token, or one user's; newest first. */
  async list(username?: string): Promise<ApiTokenRow[]> {
    let q = this.db.selectFrom('api_tokens').selectAll();
    if (username !== undefined) q = q.where('username', '=', username);
    return q.orderBy('id', 'desc').execute();
  }

  async touch(id: number, at: string): Promise<void> {
    await this.db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
  }

  /** Lowers a user's tokens that have one of the roles `above` to `role` (the user was demoted). */
  async cap(username: string, role: Role, above: readonly Role[]): Promise<void> {
    if (above.length === 0) return;
    await this.db
      .updateTable('api_tokens')
      .set({ role })
      .where('username', '=', username)
      .where('role', 'in', [...above])
      .execute();
  }

  async remove(id: number): Promise<boolean> {
    const res = await this.db.deleteFrom('api_tokens').where('id', '=', id).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }
}
