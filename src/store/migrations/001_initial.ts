import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialects/adapter.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then, not as typed now
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, a: DialectAdapter): Promise<void> {
  await db.schema
    .createTable('connections')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('connector', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('flows')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sync_records')
    .addColumn('id', a.idType, a.idColumn)
    .addColumn('flow', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text')
    .addColumn('natural_key', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('last_hash', 'text')
    .addColumn('source_updated_at', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error_code', 'text')
    .addColumn('error_category', 'text')
    .addColumn('error_message', 'text')
    .addColumn('reason', 'text')
    .addColumn('waiting_on', 'text')
    .addColumn('edited', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text')
    .addColumn('last_attempt_at', 'text')
    .addColumn('last_synced_at', 'text')
    .addColumn('data', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('sync_records_flow_source', ['flow', 'source_id'])
    .execute();
  await db.schema
    .createIndex('sync_records_flow_state')
    .on('sync_records')
    .columns(['flow', 'state'])
    .execute();
  await db.schema
    .createIndex('sync_records_flow_target')
    .on('sync_records')
    .columns(['flow', 'target_id'])
    .execute();

  await db.schema
    .createTable('cursors')
    .addColumn('flow', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('runs')
    .addColumn('id', a.idType, a.idColumn)
    .addColumn('flow', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('filter', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('heartbeat_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('read_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unchanged', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('skipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('waiting', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('message', 'text')
    .execute();
  await db.schema.createIndex('runs_flow_started').on('runs').columns(['flow', 'started_at']).execute();

  await db.schema
    .createTable('connector_log')
    .addColumn('id', a.idType, a.idColumn)
    .addColumn('run_id', 'integer')
    .addColumn('flow', 'text', (c) => c.notNull())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('error_code', 'text')
    .addColumn('error_category', 'text')
    .addColumn('request', 'text')
    .addColumn('response', 'text')
    .addColumn('duration_ms', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('connector_log_flow_created')
    .on('connector_log')
    .columns(['flow', 'created_at'])
    .execute();
  await db.schema
    .createIndex('connector_log_status')
    .on('connector_log')
    .columns(['status', 'created_at'])
    .execute();
  await db.schema.createIndex('connector_log_source').on('connector_log').columns(['source_id']).execute();

  await db.schema
    .createTable('credentials')
    .addColumn('connection', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('credentials_pk', ['connection', 'name'])
    .execute();

  await db.schema
    .createTable('webhook_inbox')
    .addColumn('id', a.idType, a.idColumn)
    .addColumn('connection', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('headers', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text')
    .addColumn('verified', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('processed_at', 'text')
    .addUniqueConstraint('webhook_inbox_dedupe', ['connection', 'dedupe_key'])
    .execute();

  await db.schema
    .createTable('jobs')
    .addColumn('id', a.idType, a.idColumn)
    .addColumn('task', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('job_key', 'text', (c) => c.unique())
    .addColumn('run_at', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('locked_at', 'text')
    .addColumn('locked_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jobs_run_at').on('jobs').columns(['locked_at', 'run_at']).execute();
}
