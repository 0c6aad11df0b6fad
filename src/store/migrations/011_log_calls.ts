import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then, not as typed now
type AnyDb = Kysely<any>;

/**
 * Every call an attempt made, in order (JSON, each redacted and bounded), beside the request and
 * response of the call that carried the record: a create that also leaves an order comment showed
 * only the comment.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('connector_log').addColumn('calls', 'text').execute();
}
