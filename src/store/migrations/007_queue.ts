import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then, not as typed now
type AnyDb = Kysely<any>;

/**
 * The queue at scale: embedded jobs may name a serial queue (one at a time, in order), and workers
 * that share a PostgreSQL store note that they are alive, so the jobs of one that died are given to
 * the others within seconds instead of waiting for the queue engine's own hours-long lock expiry.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('queue_name', 'text').execute();
  await db.schema.createIndex('jobs_queue_name').on('jobs').columns(['queue_name', 'locked_at']).execute();
  await db.schema
    .createTable('queue_workers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('heartbeat_at', 'text', (c) => c.notNull())
    .execute();
}
