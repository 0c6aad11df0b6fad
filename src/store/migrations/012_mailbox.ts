import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialects/adapter.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then, not as typed now
type AnyDb = Kysely<any>;

/**
 * The mailbox of a connection whose system collects its work by polling us (QuickBooks Desktop
 * through the Web Connector): each request waits in a row under a key unique per connection — so a
 * retry finds the request it queued before instead of queuing a second one — until the poller takes
 * it (sent) and brings its answer (answered, or error). And the poller's sessions: when it last
 * polled, with which company file and version, and its last error.
 */
export async function up(db: AnyDb, a: DialectAdapter): Promise<void> {
  await db.schema
    .createTable('mailbox_requests')
    .addColumn('id', a.idType, a.idColumn)
    .addColumn('connection', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request', 'text', (c) => c.notNull())
    // 1: asking again is harmless (a query); 0: it changes the books, never sent twice blindly.
    .addColumn('retry_safe', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('response', 'text')
    .addColumn('status_code', 'integer')
    .addColumn('status_message', 'text')
    .addColumn('ticket', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .addColumn('answered_at', 'text')
    .addUniqueConstraint('mailbox_requests_key', ['connection', 'key'])
    .execute();
  await db.schema
    .createIndex('mailbox_requests_waiting')
    .on('mailbox_requests')
    .columns(['connection', 'status', 'id'])
    .execute();

  await db.schema
    .createTable('mailbox_sessions')
    .addColumn('ticket', 'text', (c) => c.primaryKey())
    .addColumn('connection', 'text', (c) => c.notNull())
    .addColumn('username', 'text')
    .addColumn('refused', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text')
    .addColumn('company_file', 'text')
    .addColumn('country', 'text')
    .addColumn('version', 'text')
    .addColumn('client_version', 'text')
    .addColumn('answered', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('wait_until', 'text')
    .execute();
  await db.schema
    .createIndex('mailbox_sessions_latest')
    .on('mailbox_sessions')
    .columns(['connection', 'last_seen_at'])
    .execute();
}
