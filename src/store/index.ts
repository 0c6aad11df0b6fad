import { dirname, join } from 'node:path';
import type { Kysely } from 'kysely';
import type { DialectAdapter, OpenedDatabase } from './dialects/adapter.js';
import { openPostgres } from './dialects/postgres.js';
import { openSqlite } from './dialects/sqlite.js';
import { migrate } from './migrate.js';
import { AlertRepository } from './repositories/alerts.js';
import { ApiTokenRepository } from './repositories/api-tokens.js';
import { BatchRepository } from './repositories/batches.js';
import { ConnectorLogRepository } from './repositories/connector-log.js';
import { CredentialRepository } from './repositories/credentials.js';
import { CursorRepository } from './repositories/cursors.js';
import { DefinitionRepository } from './repositories/definitions.js';
import { InboxRepository } from './repositories/inbox.js';
import { JobRepository } from './repositories/jobs.js';
import { MailboxRepository } from './repositories/mailbox.js';
import { RateLimitRepository } from './repositories/rate-limits.js';
import { ReconcileAcceptedRepository } from './repositories/reconcile-accepted.js';
import { RecordLocks } from './repositories/record-locks.js';
import { RunRepository } from './repositories/runs.js';
import { ScheduleRepository } from './repositories/schedules.js';
import { SequenceKeyRepository } from './repositories/sequence-keys.js';
import { SessionRepository } from './repositories/sessions.js';
import { SyncRecordRepository } from './repositories/sync-records.js';
import { UserRepository } from './repositories/users.js';
import type { Database } from './schema.js';
import { SecretBox } from './secret-box.js';

export type * from './repositories/alerts.js';
export type { ApiTokenRow, ApiTokenWithUser } from './repositories/api-tokens.js';
export * from './repositories/batches.js';
export * from './repositories/connector-log.js';
export type { CredentialStore } from './repositories/credentials.js';
export type { InboxEntry, InboxStatus } from './repositories/inbox.js';
export * from './repositories/jobs.js';
export type { Turn } from './repositories/rate-limits.js';
export type { AcceptedFinding } from './repositories/reconcile-accepted.js';
export * from './repositories/runs.js';
export type { ScheduleRow } from './repositories/schedules.js';
export type { SessionRow, SessionWithUser } from './repositories/sessions.js';
export * from './repositories/sync-records.js';
export type { GuardedResult, UserRow } from './repositories/users.js';
export type * from './schema.js';

export const DEFAULT_DATABASE_URL = 'sqlite:./data/ledgerlink.db';

export interface Store {
  db: Kysely<Database>;
  adapter: DialectAdapter;
  location: string;
  records: SyncRecordRepository;
  runs: RunRepository;
  log: ConnectorLogRepository;
  cursors: CursorRepository;
  jobs: JobRepository;
  inbox: InboxRepository;
  definitions: DefinitionRepository;
  credentials: CredentialRepository;
  schedules: ScheduleRepository;
  batches: BatchRepository;
  users: UserRepository;
  sessions: SessionRepository;
  tokens: ApiTokenRepository;
  /** The shared request budgets of connections (used on PostgreSQL only). */
  limits: RateLimitRepository;
  /** One worker at a time per record (a no-op on the embedded store). */
  recordLocks: RecordLocks;
  /** The work queued for systems that poll us for it (the QuickBooks Web Connector). */
  mailbox: MailboxRepository;
  sequence: SequenceKeyRepository;
  /** Reconciliation findings people accepted. */
  accepted: ReconcileAcceptedRepository;
  /** Alert rules, incidents and their messages. */
  alerts: AlertRepository;
  close(): Promise<void>;
}

/** `poolSize`: PostgreSQL connections this process may hold (default 10). */
export function openDatabase(url: string, opts: { poolSize?: number } = {}): OpenedDatabase {
  if (url.startsWith('sqlite:')) return openSqlite(url);
  if (url.startsWith('postgres://') || url.startsWith('postgresql://'))
    return openPostgres(url, opts.poolSize);
  throw new Error(`unsupported database URL "${url}": use sqlite:./path.db or postgres://user@host:5432/db`);
}

/** Opens the store named by the URL (default: the embedded SQLite file) and brings its schema up to date. */
export async function openStore(
  url: string = process.env.LEDGERLINK_DATABASE_URL ?? DEFAULT_DATABASE_URL,
  opts: { poolSize?: number } = {},
): Promise<Store> {
  const opened = openDatabase(url, opts);
  try {
    await migrate(opened);
  } catch (e) {
    await opened.destroy();
    throw e;
  }
  const { db, adapter } = opened;
  return {
    db,
    adapter,
    location: opened.location,
    records: new SyncRecordRepository(db, adapter.name === 'postgres'),
    runs: new RunRepository(db, adapter.name === 'postgres'),
    log: new ConnectorLogRepository(db),
    cursors: new CursorRepository(db),
    jobs: new JobRepository(db, adapter),
    inbox: new InboxRepository(db),
    definitions: new DefinitionRepository(db),
    credentials: new CredentialRepository(db, () => SecretBox.open(keyFileFor(opened.location))),
    schedules: new ScheduleRepository(db),
    batches: new BatchRepository(db),
    users: new UserRepository(db, adapter),
    sessions: new SessionRepository(db),
    tokens: new ApiTokenRepository(db),
    limits: new RateLimitRepository(db),
    recordLocks: new RecordLocks(db, adapter),
    mailbox: new MailboxRepository(db),
    sequence: new SequenceKeyRepository(db),
    accepted: new ReconcileAcceptedRepository(db),
    alerts: new AlertRepository(db),
    close: () => opened.destroy(),
  };
}

/** The key file of the embedded default lives beside the SQLite file; elsewhere under ./data. */
function keyFileFor(location: string): string {
  const m = /^sqlite:(.+)$/.exec(location);
  return m && m[1] !== ':memory:' ? join(dirname(m[1]!), 'secret.key') : join('data', 'secret.key');
}
