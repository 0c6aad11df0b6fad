import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then, not as typed now
type AnyDb = Kysely<any>;

/**
 * A run shared by many workers: its reader queues one job per page and notes how many pages there
 * are (`pages_total`) and where the incremental cursor moves when they are all done (`cursor_next`).
 * Each page job notes its counts as one `run_pages` row — keyed by run and page, so a page job that
 * runs twice (its worker died after the work, before the acknowledgement) is counted once — and
 * adds them to the run's counts and `pages_done` in the same transaction.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('runs').addColumn('pages_total', 'integer').execute();
  await db.schema.alterTable('runs').addColumn('cursor_next', 'text').execute();
  await db.schema
    .alterTable('runs')
    .addColumn('pages_done', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('run_pages')
    .addColumn('run_id', 'integer', (c) => c.notNull())
    .addColumn('page_no', 'integer', (c) => c.notNull())
    .addColumn('read_count', 'integer', (c) => c.notNull())
    .addColumn('created', 'integer', (c) => c.notNull())
    .addColumn('updated', 'integer', (c) => c.notNull())
    .addColumn('unchanged', 'integer', (c) => c.notNull())
    .addColumn('skipped', 'integer', (c) => c.notNull())
    .addColumn('failed', 'integer', (c) => c.notNull())
    .addColumn('waiting', 'integer', (c) => c.notNull())
    .addColumn('finished_at', 'text', (c) => c.notNull())
    .addColumn('worker', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('run_pages_pk', ['run_id', 'page_no'])
    .execute();
}
