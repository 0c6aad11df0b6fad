import { type Kysely, sql } from 'kysely';
import type { DialectAdapter } from '../dialects/adapter.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then, not as typed now
type AnyDb = Kysely<any>;

/**
 * PostgreSQL only: a page's record locks and its read of those records' link rows in one round trip
 * (repositories/record-locks.ts). A function, because one plain statement cannot do both: its
 * snapshot is taken before it waits for a lock, so it would miss the row the lock's last holder
 * committed while it waited, and sync that record a second time. A VOLATILE function takes a fresh
 * snapshot for each statement it runs, so its read comes after the locks.
 *
 * The wait's limit is local to the calling statement's transaction (the pooled connection keeps no
 * trace of it) and in force before the first lock. The locks are taken in hash order, so that two
 * pages never wait on each other.
 *
 * It returns the link table's row type: a later migration that replaces `sync_records` (rather than
 * altering it) drops this function first and creates it again.
 */
export async function up(db: AnyDb, a: DialectAdapter): Promise<void> {
  if (a.name !== 'postgres') return;
  await sql`
    create or replace function ledgerlink_lock_records(
      lock_keys text[], lock_wait text, read_flow text, read_ids text[]
    ) returns setof sync_records
    language plpgsql volatile
    as $fn$
    begin
      perform set_config('lock_timeout', lock_wait, true);
      perform count(pg_advisory_lock(h)) from (
        select distinct hashtextextended(k, 0) as h from unnest(lock_keys) as k order by h
      ) as sorted;
      return query select * from sync_records r where r.flow = read_flow and r.source_id = any(read_ids);
    end
    $fn$`.execute(db);
}
