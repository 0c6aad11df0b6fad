import { type Kysely, sql } from 'kysely';
import type { DialectAdapter } from '../dialects/adapter.js';
import type { Database } from '../schema.js';

/** How long a page waits for records another worker holds before its job fails and is retried. */
const LOCK_WAIT = '120s';

/**
 * One worker at a time per record. Pages of a run shared by several workers hold distinct records,
 * except when a record changed while the reader paged through the source and so appears twice; two
 * workers writing it at once would both find no link and both create it. On PostgreSQL each page
 * takes an advisory lock per record (flow and source id hashed) on a connection of its own, in
 * sorted order so that two pages never wait on each other, and gives them back when it ends. The
 * embedded store has one process whose flow runs one page at a time: nothing to do.
 */
export class RecordLocks {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly adapter: DialectAdapter,
    /** How long a page waits for its records (a PostgreSQL interval); shorter in tests. */
    private readonly wait = LOCK_WAIT,
  ) {}

  async hold<T>(flow: string, sourceIds: readonly string[], body: () => Promise<T>): Promise<T> {
    if (!this.adapter.multiProcess || sourceIds.length === 0) return body();
    const keys = [...new Set(sourceIds.map((id) => `${flow}:${id}`))];
    return new Promise<T>((resolve, reject) => {
      this.db
        .connection()
        .execute(async (conn) => {
          let failed: { error: unknown } | undefined;
          try {
            // One round trip: the wait's limit, then hash, sort and lock in that order. The limit is
            // local to this statement's own transaction, so the pooled connection keeps no trace of
            // it; and it is in force before the first lock, because the sort takes in every key (past
            // the filter that sets it) before it hands any to pg_advisory_lock.
            await sql`select count(pg_advisory_lock(h)) from (
                select distinct hashtextextended(k, 0) as h from unnest(${keys}::text[]) as k
                where (select set_config('lock_timeout', ${this.wait}, true)) is not null
                order by h
              ) as sorted`.execute(conn);
            // Done: the caller goes on (it counts the page) while the locks go back, one round trip
            // less on every page.
            resolve(await body());
          } catch (e) {
            failed = { error: e };
          }
          try {
            // Also after a lock_timeout: whatever was taken before the timeout is given back.
            await sql`select pg_advisory_unlock_all()`.execute(conn);
          } catch (e) {
            // After a success nobody waits for this any more. Locks not given back go with the
            // session when the connection closes, or at its next page's unlock, which gives back all.
            failed ??= { error: e };
          }
          if (failed) reject(failed.error);
        })
        .catch(reject);
    });
  }
}
