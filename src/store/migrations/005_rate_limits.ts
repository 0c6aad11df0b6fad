import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then, not as typed now
type AnyDb = Kysely<any>;

/**
 * Rate limits and concurrency per connection shared by every process (PostgreSQL): a row per
 * connection for its turns and pauses, a row per concurrency slot for its lease. Created on SQLite too,
 * so the schema stays one, though a single process keeps its budget in memory there.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('rate_limits')
    .addColumn('connection', 'text', (c) => c.primaryKey())
    .addColumn('next_at', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('paused_until', 'double precision', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('rate_limit_leases')
    .addColumn('connection', 'text', (c) => c.notNull())
    .addColumn('slot', 'integer', (c) => c.notNull())
    .addColumn('holder', 'text')
    .addColumn('expires_at', 'double precision', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('rate_limit_leases_pk', ['connection', 'slot'])
    .execute();
  await db.schema.createIndex('rate_limit_leases_holder').on('rate_limit_leases').column('holder').execute();
}
