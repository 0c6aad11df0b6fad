import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialects/adapter.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then, not as typed now
type AnyDb = Kysely<any>;

/**
 * Alerts: the rules a person changed from their defaults (one row per kind; a kind without a row runs
 * with its defaults), the incidents they opened, and each message of an incident per channel.
 *
 * An incident is open while `open_key` ("<rule>|<subject>") is set; the unique index makes opening
 * one a claim, so several processes evaluating the same store open it once, and resolving clears
 * the key (NULLs are distinct on both engines) so the next incident of that subject can open. A
 * message is a row unique per incident, event ("opened", "reminder:<n>", "resolved") and channel:
 * whoever inserts it first owns it, a lease (`claimed_until`) keeps a second process from sending it
 * at the same time, and a failed one stays due for the next check.
 */
export async function up(db: AnyDb, a: DialectAdapter): Promise<void> {
  await db.schema
    .createTable('alert_rules')
    .addColumn('kind', 'text', (c) => c.primaryKey())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('scope', 'text')
    .addColumn('updated_by', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('alert_incidents')
    .addColumn('id', a.idType, a.idColumn)
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('open_key', 'text')
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('link', 'text', (c) => c.notNull())
    .addColumn('since', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'text', (c) => c.notNull())
    .addColumn('last_notified_at', 'text')
    .addColumn('resolved_at', 'text')
    .execute();
  await db.schema
    .createIndex('alert_incidents_open')
    .unique()
    .on('alert_incidents')
    .column('open_key')
    .execute();
  await db.schema
    .createIndex('alert_incidents_by_time')
    .on('alert_incidents')
    .columns(['resolved_at', 'id'])
    .execute();

  await db.schema
    .createTable('alert_deliveries')
    .addColumn('id', a.idType, a.idColumn)
    .addColumn('incident_id', 'integer', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .addColumn('claimed_until', 'text')
    .addUniqueConstraint('alert_deliveries_once', ['incident_id', 'event', 'channel'])
    .execute();
  await db.schema
    .createIndex('alert_deliveries_due')
    .on('alert_deliveries')
    .columns(['status', 'id'])
    .execute();
}
