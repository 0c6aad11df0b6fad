import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialects/adapter.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then, not as typed now
type AnyDb = Kysely<any>;

/**
 * A person's skip outlives the next delivery of the same record: who skipped it, why, when, and the
 * hash of the source record as it was then. The record stays skipped while the source sends it
 * unchanged; it goes again when it changed, or when someone un-skips it. The webhook inbox is read
 * by connection and time for a replay of a period.
 */
export async function up(db: AnyDb, _a: DialectAdapter): Promise<void> {
  await db.schema.alterTable('sync_records').addColumn('skipped_by', 'text').execute();
  await db.schema.alterTable('sync_records').addColumn('skip_reason', 'text').execute();
  await db.schema.alterTable('sync_records').addColumn('skipped_at', 'text').execute();
  await db.schema.alterTable('sync_records').addColumn('skipped_hash', 'text').execute();
  await db.schema
    .createIndex('webhook_inbox_by_received')
    .ifNotExists()
    .on('webhook_inbox')
    .columns(['connection', 'received_at', 'id'])
    .execute();
}
