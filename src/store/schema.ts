import type { Generated } from 'kysely';

/**
 * One schema for both dialects. Timestamps are ISO-8601 UTC text (sortable, zone explicit, identical
 * on SQLite and PostgreSQL), JSON is text, booleans are 0/1 integers: the repositories never need to
 * know which engine they run on.
 */
export interface Database {
  connections: ConnectionsTable;
  flows: FlowsTable;
  sync_records: SyncRecordsTable;
  cursors: CursorsTable;
  runs: RunsTable;
  run_pages: RunPagesTable;
  connector_log: ConnectorLogTable;
  webhook_inbox: WebhookInboxTable;
  jobs: JobsTable;
  queue_workers: QueueWorkersTable;
  credentials: CredentialsTable;
  schedules: SchedulesTable;
  batches: BatchesTable;
  batch_rows: BatchRowsTable;
  batch_row_keys: BatchRowKeysTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  rate_limits: RateLimitsTable;
  rate_limit_leases: RateLimitLeasesTable;
  login_failures: LoginFailuresTable;
  mailbox_requests: MailboxRequestsTable;
  sequence_keys: SequenceKeysTable;
  mailbox_sessions: MailboxSessionsTable;
  reconcile_accepted: ReconcileAcceptedTable;
  alert_rules: AlertRulesTable;
  alert_incidents: AlertIncidentsTable;
  alert_deliveries: AlertDeliveriesTable;
}

/**
 * The request budget of one connection, shared by every process on PostgreSQL: the instant the next
 * request may start, and until when the system asked everyone to wait (a 429). Unlike the other
 * tables' ISO text, these are epoch milliseconds on the database's clock: every request does
 * arithmetic on them, and one clock for every host means a skewed one never jumps the queue.
 */
export interface RateLimitsTable {
  connection: string;
  next_at: number;
  paused_until: number;
}

/**
 * The concurrency slots of a connection, one row each: held by a process (`holder`) until it gives the
 * slot back or its lease runs out — so the slots of a killed process come back by themselves.
 */
export interface RateLimitLeasesTable {
  connection: string;
  slot: number;
  holder: string | null;
  /** Epoch milliseconds on the database's clock; the holder renews it while the request lasts. */
  expires_at: number;
}

/** A Load of a batch screen, kept so its grid pages and sorts on the server and Process works from it. */
export interface BatchesTable {
  id: Generated<number>;
  flow: string;
  /** JSON: the read query (dates, filters, ids) the Load used. */
  query: string;
  row_count: number;
  created_by: string | null;
  created_at: string;
  /** JSON: the grid columns the source declared when the Load was made (null before they existed). */
  columns: string | null;
}

/** One record of a Load: what it is, its sync state, and what processing would do. */
export interface BatchRowsTable {
  batch_id: number;
  position: number;
  source_id: string;
  label: string;
  updated_at: string;
  current_state: string | null;
  target_id: string | null;
  plan: string;
  reason: string | null;
  /** JSON: the owned fields an update would write. */
  fields: string | null;
  /** JSON: the row's value per declared grid column (money as {amount, currency}). */
  columns: string | null;
}

/** A row's sort key for one declared column: text that orders the same on SQLite and PostgreSQL. */
export interface BatchRowKeysTable {
  batch_id: number;
  position: number;
  name: string;
  sort_key: string;
}

/** When each flow's schedule last fired, so a tick missed while no process ran is made up once. */
export interface SchedulesTable {
  flow: string;
  expression: string;
  fired_at: string;
}

/** Credentials a connection earns at run time (an OAuth refresh token), encrypted with the store's key. */
export interface CredentialsTable {
  connection: string;
  name: string;
  /** AES-256-GCM: "v1:" + base64url(iv | tag | ciphertext). */
  value: string;
  updated_at: string;
}

export interface ConnectionsTable {
  name: string;
  connector: string;
  settings: string;
  updated_at: string;
}

export interface FlowsTable {
  name: string;
  source: string;
  target: string;
  entity: string;
  enabled: number;
  config: string;
  updated_at: string;
}

/** Lifecycle of one record in one flow; also the link between the two systems' ids. */
export type SyncState =
  | 'prepared'
  | 'processed'
  | 'failed'
  | 'skipped'
  | 'filtered'
  | 'waiting'
  | 'aborted'
  | 'deleted';

export interface SyncRecordsTable {
  id: Generated<number>;
  flow: string;
  source_id: string;
  target_id: string | null;
  /** The number a person knows the target record by, when it differs from its id. */
  target_number: string | null;
  natural_key: string | null;
  state: SyncState;
  /** Hash of the owned projection last written; equal hash = zero calls to the target. */
  last_hash: string | null;
  source_updated_at: string | null;
  attempts: number;
  error_code: string | null;
  error_category: string | null;
  error_message: string | null;
  /** Why the record is skipped, filtered or waiting (condition results, predecessor). */
  reason: string | null;
  /** "<flow>:<source id>" of the predecessor this record waits for. */
  waiting_on: string | null;
  /** 1 when a person edited `data` for a retry: the retry writes it instead of re-reading the source. */
  edited: number;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  last_synced_at: string | null;
  /** The canonical record as last read (or as edited by a person before a retry). */
  data: string | null;
  /** Who skipped the record by hand (a sticky skip), why, when, and the source record's hash then. */
  skipped_by?: string | null;
  skip_reason?: string | null;
  skipped_at?: string | null;
  /** `data:<hash of the canonical record>` or `owned:<the link's per-field hashes>`; null: not known yet. */
  skipped_hash?: string | null;
  created_at: string;
  updated_at: string;
}

export interface CursorsTable {
  flow: string;
  value: string;
  updated_at: string;
}

/**
 * interrupted: the process running it died (killed, crashed) and another took the work up again as a
 * new run; the row keeps how far it got.
 */
export type RunStatus =
  | 'running'
  | 'succeeded'
  | 'completed_with_failures'
  | 'failed'
  | 'cancelled'
  | 'interrupted';

export interface RunsTable {
  id: Generated<number>;
  flow: string;
  trigger: string;
  mode: string;
  filter: string;
  status: RunStatus;
  owner: string;
  started_at: string;
  heartbeat_at: string;
  finished_at: string | null;
  read_count: number;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  failed: number;
  waiting: number;
  /** How many records the run covers, when known (the end of a progress bar). */
  total: number | null;
  message: string | null;
  /** A run shared by workers: how many page jobs it queued (null while reading, and for a run in one process). */
  pages_total: number | null;
  /** Pages of a shared run done so far. */
  pages_done: Generated<number>;
  /** Where the incremental cursor moves once every page of a shared run is done. */
  cursor_next: string | null;
  /** Who started the run from a screen or the API (null for schedules, webhooks, retries). */
  started_by: string | null;
  /** The request that queued it (POST /api/flows/{name}/runs answers with it), so its screen can follow it. */
  request: string | null;
}

/** The counts of one page of a shared run, written once by the job that processed it. */
export interface RunPagesTable {
  run_id: number;
  page_no: number;
  read_count: number;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  failed: number;
  waiting: number;
  finished_at: string;
  /** The process that did it (host:pid). */
  worker: string;
}

/** `manual`: a person's decision about the record (skipped, marked processed, edited, linked, unlinked). */
export type LogStatus = 'success' | 'failed' | 'skipped' | 'waiting' | 'aborted' | 'manual';

export interface ConnectorLogTable {
  id: Generated<number>;
  run_id: number | null;
  flow: string;
  entity: string;
  source_id: string;
  target_id: string | null;
  source_number: string | null;
  target_number: string | null;
  /** " id1 id2 … ": the records this one refers to (a shipment's order), on both systems. */
  related: string | null;
  action: string;
  status: LogStatus;
  reason: string | null;
  error_code: string | null;
  error_category: string | null;
  /** The call that carried the record (the create or update, not a comment made after it). */
  request: string | null;
  response: string | null;
  /** JSON: every call of the attempt, in order, each {method, url, status, durationMs, request, response}. */
  calls?: string | null;
  duration_ms: number;
  attempt: number;
  created_at: string;
}

export interface WebhookInboxTable {
  id: Generated<number>;
  connection: string;
  received_at: string;
  headers: string;
  body: string;
  dedupe_key: string | null;
  verified: number;
  status: string;
  error: string | null;
  processed_at: string | null;
  /** JSON: the records the delivery named ({entity, id}), once parsed. */
  events: string | null;
  /** The whole body's size in bytes and SHA-256 (hex); null on rows stored before they were kept. */
  body_bytes: number | null;
  body_sha256: string | null;
  /** 1 when `body` is only the first bytes of it (a refused delivery keeps no more). */
  body_truncated: Generated<number>;
}

/**
 * Failed logins under names no user has: counted like a user's own, so an unknown name locks as a
 * real one does and neither the answer nor its timing tells which names exist.
 */
export interface LoginFailuresTable {
  username: string;
  failures: number;
  locked_until: string | null;
  updated_at: string;
}

export interface JobsTable {
  id: Generated<number>;
  task: string;
  payload: string;
  /** Jobs with the same key are one job: adding again replaces the payload and run time. */
  job_key: string | null;
  run_at: string;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  locked_at: string | null;
  locked_by: string | null;
  /** Bumped each time the job is added again under its key. */
  revision: Generated<number>;
  /** Jobs of one named queue run one at a time, in order (null: no such constraint). */
  queue_name: string | null;
  created_at: string;
  updated_at: string;
}

/**
 * A worker process of the PostgreSQL queue and when it last said it was alive: the jobs it holds
 * go back to the queue once its heartbeat is older than the lock timeout (it crashed or was killed).
 */
export interface QueueWorkersTable {
  /** The queue engine's id for the worker pool (what its locked jobs name as their holder). */
  id: string;
  /** host:pid, for people reading the table. */
  owner: string;
  started_at: string;
  heartbeat_at: string;
}

/** What a person may do, in order: a viewer reads, an operator runs and fixes, an admin also manages access. */
export type Role = 'viewer' | 'operator' | 'admin';

export interface UsersTable {
  username: string;
  role: Role;
  /** bcrypt, cost and salt included. */
  password_hash: string;
  /** 1 when someone else set the password (a one-time one): every call but /api/auth/* is refused until it changes. */
  must_change_password: number;
  /** Failed logins in a row; the tenth locks the account until `locked_until`. */
  failed_logins: number;
  locked_until: string | null;
  created_at: string;
  updated_at: string;
}

/** A browser login. */
export interface SessionsTable {
  /** SHA-256 (hex) of the cookie's random token; the token itself is never stored. */
  id: string;
  username: string;
  /** What a mutating request authenticated by the cookie must repeat in x-csrf-token. */
  csrf_token: string;
  created_at: string;
  /** Refreshed at most once a minute; a session idle too long ends. */
  last_seen_at: string;
  /** The absolute end, however busy the session. */
  expires_at: string;
}

/** A credential for scripts and the CLI: `Authorization: Bearer ll_…`. */
export interface ApiTokensTable {
  id: Generated<number>;
  username: string;
  name: string;
  /** SHA-256 (hex) of the token; the token is shown once, when created. */
  token_hash: string;
  /** At most its user's role. */
  role: Role;
  created_at: string;
  last_used_at: string | null;
}

/**
 * A request waiting for a system that collects its work by polling us (the QuickBooks Web
 * Connector), under a key unique per connection: queued → sent (to a session's ticket) → answered or
 * error, with the answer as the system gave it.
 */
export interface MailboxRequestsTable {
  id: Generated<number>;
  connection: string;
  key: string;
  request: string;
  retry_safe: number;
  status: string;
  response: string | null;
  status_code: number | null;
  status_message: string | null;
  ticket: string | null;
  created_at: string;
  sent_at: string | null;
  answered_at: string | null;
}

/** A session of the poller (a Web Connector ticket), or a refused login (`refused` = 1). */
export interface MailboxSessionsTable {
  ticket: string;
  connection: string;
  username: string | null;
  refused: number;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  closed_at: string | null;
  company_file: string | null;
  country: string | null;
  version: string | null;
  client_version: string | null;
  answered: number;
  last_error: string | null;
  /** Until when an empty sendRequestXML is a pause ("NoOp") rather than the end of the work. */
  wait_until: string | null;
}

/** What a record of an oldest-first flow that has not succeeded touches, and when it happened. */
export interface SequenceKeysTable {
  id: Generated<number>;
  /** The source connection: oldest-first order holds across every flow reading it. */
  source: string;
  seq_key: string;
  occurred_at: string;
  flow: string;
  entity: string;
  source_id: string;
  label: string;
}

/** A reconciliation finding a person accepted, while its values stay as they were (`fingerprint`). */
export interface ReconcileAcceptedTable {
  id: Generated<number>;
  flow: string;
  /** `<kind>:<source id>:<target id>` of the finding. */
  finding_key: string;
  fingerprint: string;
  accepted_by: string;
  reason: string | null;
  accepted_at: string;
}

/** A rule a person changed from its defaults (migration 016); `params` is JSON, `scope` a flow or connection. */
export interface AlertRulesTable {
  kind: string;
  enabled: number;
  params: string;
  scope: string | null;
  updated_by: string | null;
  updated_at: string;
}

/** One incident of a rule about one subject (a flow, a connection): open while `open_key` is set. */
export interface AlertIncidentsTable {
  id: Generated<number>;
  rule: string;
  /** "flow:<name>", "connection:<name>", "credential:<connection>:<what>". */
  subject: string;
  /** "<rule>|<subject>" while open, NULL once resolved: unique, so opening one is a claim. */
  open_key: string | null;
  summary: string;
  /** JSON: what the rule saw (counts, the usual figure it compared with). */
  details: string;
  /** The dashboard path that explains it (/flows/<name>, /log?…, /webhooks?…). */
  link: string;
  /** When the trouble began, as the store tells (a run's end, the last delivery). */
  since: string;
  opened_at: string;
  last_notified_at: string | null;
  resolved_at: string | null;
}

/** One message of an incident on one channel: pending → sent, or failed and due again at the next check. */
export interface AlertDeliveriesTable {
  id: Generated<number>;
  incident_id: number;
  /** "opened", "reminder:<n>" (the n-th reminder interval since it opened), "resolved". */
  event: string;
  /** "email" or "webhook". */
  channel: string;
  status: 'pending' | 'sent' | 'failed' | 'dropped';
  attempts: number;
  error: string | null;
  created_at: string;
  sent_at: string | null;
  claimed_until: string | null;
}
