import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { SecretBox } from '../secret-box.js';
import { likeLiteral, likePattern } from '../text-search.js';

/** What a connector may keep between runs and processes for its connection (sealed at rest). */
export interface CredentialStore {
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<void>;
}

export class CredentialRepository {
  constructor(
    private readonly db: Kysely<Database>,
    /** Opened on first use, so stores that keep no credentials never create a key. */
    private readonly openBox: () => SecretBox,
  ) {}

  private boxCache?: SecretBox;
  private get box(): SecretBox {
    this.boxCache ??= this.openBox();
    return this.boxCache;
  }

  /** Every credential of a connection whose name starts with the prefix, opened (e.g. secret settings). */
  async withPrefix(connection: string, prefix: string): Promise<Map<string, string>> {
    const rows = await this.db
      .selectFrom('credentials')
      .select(['name', 'value'])
      .where('connection', '=', connection)
      .where(likePattern('name', `${likeLiteral(prefix)}%`))
      .execute();
    return new Map(rows.map((r) => [r.name.slice(prefix.length), this.box.open(r.value)]));
  }

  /**
   * Forgets what a connection kept (session, refresh token) but the names starting with `except` (its
   * sealed settings): used when it is pointed at another address.
   */
  async forget(connection: string, o: { except: string }): Promise<void> {
    await this.db
      .deleteFrom('credentials')
      .where('connection', '=', connection)
      .where((eb) => eb.not(likePattern('name', `${likeLiteral(o.except)}%`)))
      .execute();
  }

  forConnection(connection: string): CredentialStore {
    return {
      get: async (name) => {
        const row = await this.db
          .selectFrom('credentials')
          .select('value')
          .where('connection', '=', connection)
          .where('name', '=', name)
          .executeTakeFirst();
        return row ? this.box.open(row.value) : undefined;
      },
      set: async (name, value) => {
        const sealed = this.box.seal(value);
        const now = new Date().toISOString();
        await this.db
          .insertInto('credentials')
          .values({ connection, name, value: sealed, updated_at: now })
          .onConflict((oc) =>
            oc.columns(['connection', 'name']).doUpdateSet({ value: sealed, updated_at: now }),
          )
          .execute();
      },
    };
  }
}
