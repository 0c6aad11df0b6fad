import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialects/adapter.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then, not as typed now
type AnyDb = Kysely<any>;

/**
 * Order to cash: documents have numbers people know besides their ids (Magento's increment_id), a
 * log entry names the records it concerns (a shipment's order) so one order's whole story can be
 * told, an inbox delivery remembers the records it named, and each schedule remembers when it last
 * fired so a tick missed while the process was down runs once at start. A job added again while it
 * runs (a webhook arriving while its connection's inbox is drained) runs once more afterwards.
 */
export async function up(db: AnyDb, _a: DialectAdapter): Promise<void> {
  await db.schema.alterTable('sync_records').addColumn('target_number', 'text').execute();
  await db.schema.alterTable('connector_log').addColumn('source_number', 'text').execute();
  await db.schema.alterTable('connector_log').addColumn('target_number', 'text').execute();
  /** " id1 id2 … " of the records this entry refers to, on both systems, for `log --record`. */
  await db.schema.alterTable('connector_log').addColumn('related', 'text').execute();
  await db.schema.createIndex('connector_log_target').on('connector_log').columns(['target_id']).execute();
  await db.schema.alterTable('webhook_inbox').addColumn('events', 'text').execute();
  await db.schema.createIndex('webhook_inbox_status').on('webhook_inbox').columns(['status', 'id']).execute();
  /** Bumped when a job is added again under its key; a job re-added while it ran runs once more. */
  await db.schema
    .alterTable('jobs')
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('schedules')
    .addColumn('flow', 'text', (c) => c.primaryKey())
    .addColumn('expression', 'text', (c) => c.notNull())
    .addColumn('fired_at', 'text', (c) => c.notNull())
    .execute();
}
