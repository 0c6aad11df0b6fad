import { type Kysely, sql } from 'kysely';
import type { DialectAdapter } from '../dialects/adapter.js';
import type { Database } from '../schema.js';
import type { SyncRecord } from './sync-records.js';

/** How long a page waits for records another worker holds before its job fails and is retried. */
const LOCK_WAIT = '120s';

/**
 * One worker at a time per record. Pages of a run shared by several workers hold distinct records,
 * except when a record changed while the reader paged through the source and so appears twice; two
 * workers writing it at once would both find no link and both create it. On PostgreSQL each page
 * takes an advisory lock per record (flow and source id hashed) on a connection of its own, in
 * sorted order so that two pages never wait on each other, and gives them back when it ends. The
 * embedded store has one process whose flow runs one page at a time: nothing to do.
 *
 * A page that plans asks for its records' link rows too (`read`): read in the same round trip, after
 * the locks (migrations/017_lock_and_read.ts), so it sees what the records' last holder stored.
 */
export class RecordLocks {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly adapter: DialectAdapter,
    /** How long a page waits for its records (a PostgreSQL interval); shorter in tests. */
    private readonly wait = LOCK_WAIT,
  ) {}

  /**
   * Runs `body` while this page holds its records. With `read`, the body gets the flow's link rows of
   * those records, read once the locks are held (PostgreSQL); without it, or on the embedded store,
   * it gets none and reads what it needs itself.
   */
  async hold<T>(
    flow: string,
    sourceIds: readonly string[],
    body: (rows?: ReadonlyMap<string, SyncRecord>) => Promise<T>,
    opts: { read?: boolean } = {},
  ): Promise<T> {
    if (!this.adapter.multiProcess || sourceIds.length === 0) return body();
    const keys = [...new Set(sourceIds.map((id) => `${flow}:${id}`))];
    const readIds = opts.read ? [...new Set(sourceIds)] : [];
    return new Promise<T>((resolve, reject) => {
      this.db
        .connection()
        .execute(async (conn) => {
          let failed: { error: unknown } | undefined;
          try {
            // One round trip: the wait's limit, the locks in hash order, then the rows asked for.
            const { rows } = await sql<SyncRecord>`select * from ledgerlink_lock_records(
                ${keys}::text[], ${this.wait}, ${flow}, ${readIds}::text[])`.execute(conn);
            const read = opts.read ? new Map(rows.map((r) => [r.source_id, r])) : undefined;
            // Done: the caller goes on (it counts the page) while the locks go back, one round trip
            // less on every page.
            resolve(await body(read));
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
