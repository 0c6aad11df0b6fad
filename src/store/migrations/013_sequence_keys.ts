import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialects/adapter.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then, not as typed now
type AnyDb = Kysely<any>;

/**
 * Oldest-first flows (seed 002: "every synchronization must be done from the very beginning"): what
 * each record that failed or waits touches — a stock position `stock:<sku>@<warehouse>`, a transfer
 * `transfer:<number>` — and when it happened, so a later record touching the same thing, in any
 * oldest-first flow reading the same source, waits for it instead of overtaking it. Rows exist only
 * while their record has not succeeded.
 */
export async function up(db: AnyDb, a: DialectAdapter): Promise<void> {
  await db.schema
    .createTable('sequence_keys')
    .addColumn('id', a.idType, a.idColumn)
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('seq_key', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('flow', 'text', (c) => c.notNull())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addUniqueConstraint('sequence_keys_record_key', ['flow', 'source_id', 'seq_key'])
    .execute();
  await db.schema
    .createIndex('sequence_keys_by_key')
    .on('sequence_keys')
    .columns(['source', 'seq_key', 'occurred_at'])
    .execute();
}
