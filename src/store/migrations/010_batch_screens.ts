import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then, not as typed now
type AnyDb = Kysely<any>;

/**
 * The seed's batch screens (issue 14).
 * - A Load keeps the columns the source declares (`batches.columns`) and each row's values
 *   (`batch_rows.columns`, JSON), and a sort key per row and column in `batch_row_keys`: text that
 *   orders the same on both dialects (money as a fixed-width decimal, dates as ISO UTC), so the grid
 *   sorts on the server by any declared column with an index, whatever the Load's size.
 * - A run knows who started it from a screen (`started_by`) and the request that queued it
 *   (`request`), so a progress bar follows the run that person started, also after a reload.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('batches').addColumn('columns', 'text').execute();
  await db.schema.alterTable('batch_rows').addColumn('columns', 'text').execute();
  await db.schema
    .createTable('batch_row_keys')
    .addColumn('batch_id', 'integer', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('sort_key', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('batch_row_keys_pk', ['batch_id', 'name', 'position'])
    .execute();
  await db.schema
    .createIndex('batch_row_keys_sort')
    .on('batch_row_keys')
    .columns(['batch_id', 'name', 'sort_key', 'position'])
    .execute();
  await db.schema.alterTable('runs').addColumn('started_by', 'text').execute();
  await db.schema.alterTable('runs').addColumn('request', 'text').execute();
  await db.schema.createIndex('runs_request').on('runs').columns(['request']).execute();
}
