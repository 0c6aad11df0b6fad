import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then, not as typed now
type AnyDb = Kysely<any>;

/**
 * Lookups every page makes must not scan the link table: matching by natural key (a new record) and
 * releasing the records that wait on the ones just synced. Without these, a flow slowed as it grew
 * (a million-record initial sync fell from 11,000 to 800 records/s).
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createIndex('sync_records_flow_natural_key')
    .on('sync_records')
    .columns(['flow', 'natural_key'])
    .execute();
  await db.schema.createIndex('sync_records_waiting_on').on('sync_records').column('waiting_on').execute();
}
