import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialects/adapter.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then, not as typed now
type AnyDb = Kysely<any>;

/**
 * Batch screens: a Load is kept server-side (its rows page and sort on the server, and Process
 * works from it), and a run knows how many records it covers, so a progress bar has an end.
 */
export async function up(db: AnyDb, a: DialectAdapter): Promise<void> {
  await db.schema.alterTable('runs').addColumn('total', 'integer').execute();
  await db.schema
    .createTable('batches')
    .addColumn('id', a.idType, a.idColumn)
    .addColumn('flow', 'text', (c) => c.notNull())
    .addColumn('query', 'text', (c) => c.notNull())
    .addColumn('row_count', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('batch_rows')
    .addColumn('batch_id', 'integer', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('current_state', 'text')
    .addColumn('target_id', 'text')
    .addColumn('plan', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('fields', 'text')
    .addPrimaryKeyConstraint('batch_rows_pk', ['batch_id', 'position'])
    .execute();
}
