import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialects/adapter.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then, not as typed now
type AnyDb = Kysely<any>;

/**
 * Reconciliation findings a person accepted (who, why, when), with a fingerprint of the values they
 * saw: the next reconcile shows the finding as accepted, not as drift, until those values change.
 */
export async function up(db: AnyDb, a: DialectAdapter): Promise<void> {
  await db.schema
    .createTable('reconcile_accepted')
    .addColumn('id', a.idType, a.idColumn)
    .addColumn('flow', 'text', (c) => c.notNull())
    .addColumn('finding_key', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('accepted_by', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('accepted_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('reconcile_accepted_finding', ['flow', 'finding_key'])
    .execute();
}
