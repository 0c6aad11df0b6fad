import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then, not as typed now
type AnyDb = Kysely<any>;

/**
 * What the outside probe of the service found (issue 13).
 * - A refused webhook delivery keeps only a bounded excerpt of its body, so the inbox notes the
 *   whole body's size and SHA-256 (what a person needs to match it with the sender's log) and whether
 *   `body` is cut. Rows stored before keep their whole body: their size is read from it.
 * - Refused deliveries are pruned after a retention period, by status and age.
 * - Failed logins under names no user has are counted too, so an unknown name locks exactly as a
 *   real one does and the answers never tell which names exist.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('webhook_inbox').addColumn('body_bytes', 'integer').execute();
  await db.schema.alterTable('webhook_inbox').addColumn('body_sha256', 'text').execute();
  await db.schema
    .alterTable('webhook_inbox')
    .addColumn('body_truncated', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('webhook_inbox_status_received')
    .on('webhook_inbox')
    .columns(['status', 'received_at'])
    .execute();
  await db.schema
    .createTable('login_failures')
    .addColumn('username', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('locked_until', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
