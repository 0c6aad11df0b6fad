import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

export class CursorRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(flow: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('cursors')
      .select('value')
      .where('flow', '=', flow)
      .executeTakeFirst();
    return row?.value;
  }

  async set(flow: string, value: string): Promise<void> {
    const now = new Date().toISOString();
    await this.db
      .insertInto('cursors')
      .values({ flow, value, updated_at: now })
      .onConflict((oc) => oc.column('flow').doUpdateSet({ value, updated_at: now }))
      .execute();
  }

  async reset(flow: string): Promise<void> {
    await this.db.deleteFrom('cursors').where('flow', '=', flow).execute();
  }
}
