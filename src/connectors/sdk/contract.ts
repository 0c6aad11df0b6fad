import type { Logger } from 'pino';
import type { EntityName, Money } from '../../model/index.js';
import type { ErrorData } from './errors.js';
import type { HttpExchange } from './http.js';
import type { Mailbox } from './mailbox.js';
import type { ConnectorManifest, RateLimit } from './manifest.js';
import type { RequestLimiter } from './rate-limit.js';

/** What to read: an incremental window, specific ids, and/or connector-defined batch filters. */
export interface ReadQuery {
  /** Records modified at or after this instant (inclusive, so records sharing a timestamp are never skipped). */
  since?: string;
  /** Records modified at or before this instant. */
  until?: string;
  /** Source ids (the entity's key field, e.g. CustomerID or InventoryID). */
  ids?: readonly string[];
  /** Filters declared in the manifest, by name: { customerClass: ['RETAIL', 'WHOLESALE'] }. */
  filters?: Readonly<Record<string, readonly string[]>>;
  pageSize?: number;
}

/**
 * One record as read from a source, already mapped to the canonical shape (not yet validated —
 * the engine validates with the model so that every rejection reads the same way). A record the
 * connector could not map carries an error instead of data: it is an outcome, not an exception.
 */
export type SourceItem =
  | { id: string; updatedAt: string; data: unknown; error?: undefined }
  | { id: string; updatedAt: string; data?: undefined; error: ErrorData };

/** A record as it exists on a target system, found by natural key or by id. */
export interface TargetRecord {
  id: string;
  /** The target's current representation, for connectors that must merge on update. */
  snapshot?: unknown;
}

/** A row of a listing (see the manifest's Listing): its values by column name, and what it refers to. */
export interface ListedRow {
  id: string;
  columns: Record<string, string | Money | null>;
  /** The source ids of the records uploading the row brings over, by entity (none: nothing to upload). */
  uploads?: Partial<Record<EntityName, string[]>>;
  /** Why this row has nothing to upload, when the listing uploads but this row does not. */
  note?: string;
}

/**
 * Ids of other records this record refers to, as they are on the target: by entity, the source id
 * the canonical record uses → the target's id. The engine resolves them through the link table
 * (flows in either direction between the two connections) before a record is matched or written,
 * e.g. `{ customer: { C000042: '17' }, salesOrder: { SO000123: '42' } }` for a Magento target.
 */
export type References = Readonly<Partial<Record<EntityName, Readonly<Record<string, string>>>>>;

export interface WriteItem {
  /** Correlates results with items; the engine uses the source id. */
  ref: string;
  action: 'create' | 'update';
  /** Required for updates. */
  targetId?: string;
  /** The full canonical record. */
  data: unknown;
  /**
   * For updates: the canonical fields this flow owns. Everything else on the target record must be
   * left exactly as it is. Ignored on create (a new record gets every mapped field).
   */
  fields?: readonly string[];
  /** The target's current representation when the engine already has it (from lookup). */
  existing?: TargetRecord;
  /**
   * For updates: a short hash of each owned field as this flow last wrote it to the target (only the
   * fields it knows; `lastWrittenAs` reads them), so a connector can tell a change it made itself —
   * a hold it put on — from one it never made and must not undo.
   */
  lastWritten?: Readonly<Record<string, string>>;
  /** The target ids of the records this one refers to (its customer, its products, its order). */
  refs?: References;
}

/**
 * What became of one item. A written record may say what it did (`reason`, for the connector log)
 * and which owned fields it did not take (`pending`: the target refused them, a setting said to
 * leave them, or they are to be tried again) — those keep their last hash and are offered again
 * with the record's next change or a retry. `skipped`: nothing was written, deliberately, for the
 * reason given (logged once per reason); every field asked stays pending unless `pending` names
 * fewer (a change that could only be noted, and was). `unchanged`: nothing needed writing, the
 * target already holds what was asked (not logged, like any unchanged record).
 */
export type WriteResult =
  | {
      ref: string;
      ok: true;
      targetId: string;
      /** The number a person knows the record by on the target, when it differs from the id (Magento's increment_id). */
      targetNumber?: string;
      action: 'created' | 'updated';
      reason?: string;
      pending?: readonly string[];
      exchanges?: HttpExchange[];
    }
  | {
      ref: string;
      ok: true;
      action: 'skipped' | 'unchanged';
      reason: string;
      /** The target record, when there is one. */
      targetId?: string;
      pending?: readonly string[];
      exchanges?: HttpExchange[];
    }
  | { ref: string; ok: false; error: ErrorData; exchanges?: HttpExchange[] };

/** A result that created or updated its target record (and so names it). */
export type WrittenResult = Extract<WriteResult, { action: 'created' | 'updated' }>;
export const isWritten = (r: WriteResult | undefined): r is WrittenResult =>
  r?.ok === true && (r.action === 'created' || r.action === 'updated');

export interface CheckResult {
  name: string;
  ok: boolean;
  message: string;
}

/** A webhook delivery as the server received it. */
export interface InboundDelivery {
  headers: Readonly<Record<string, string | undefined>>;
  rawBody: string;
}

/** A record a webhook delivery says changed: the engine re-reads it by id, so the delivery's copy never wins over fresher data. */
export interface WebhookEvent {
  entity: EntityName;
  /** Source id of the record that changed (empty when the event carries a shift instead). */
  id: string;
  occurredAt?: string;
  kind?: 'upsert' | 'delete';
  /**
   * A register's shift closed (a POS): the event names no record; the flows reading this source in
   * shift-close mode run on the shift's records (engine/shifts.ts). `entity` is the entity the
   * shift's records are, `id` the shift's id.
   */
  shift?: ShiftClosed;
}

/** A register shift that closed: what was sold on one register between its opening and closing. */
export interface ShiftClosed {
  id: string;
  /** The register (and outlet) it belongs to, as the source codes them. */
  register?: string;
  outlet?: string;
  /** When it opened; a notification may not say (the engine then asks `closedShifts`). */
  openedAt?: string;
  closedAt: string;
  /** The shift's own figures, to check what was sent against. */
  totals?: {
    sales?: { amount: string; currency: string };
    refunds?: { amount: string; currency: string };
    orders?: number;
    /** Taken per payment method, by the method's name. */
    payments?: Readonly<Record<string, { amount: string; currency: string }>>;
  };
}

export interface WebhookHandler {
  /** Returns undefined when the delivery is authentic, else the reason it is not (shown in the webhook log). */
  verify(delivery: InboundDelivery): string | undefined;
  /**
   * What identifies this delivery across retries by the sender (Acumatica's Query + Id); the inbox
   * stores a delivery once per key. Undefined: the body's hash is used.
   */
  deliveryId(delivery: InboundDelivery): string | undefined;
  /** The records the delivery names. Throws a LedgerlinkError (code parse) when the body cannot be read. */
  parse(delivery: InboundDelivery): WebhookEvent[];
  /**
   * The answer the sender expects once the delivery is safely stored (Adobe Commerce's synchronous
   * webhooks wait for {"op": "success"}); default 202 with the inbox id.
   */
  readonly acknowledgement?: { status: number; body: unknown };
  /**
   * The sender holds back every later delivery until this one is acknowledged (Intuit): a verified
   * delivery we cannot read is kept in the webhook log as failed and answered as received, so one
   * bad body does not stop the stream. Otherwise it is a 400 with the reason (Acumatica retries it
   * a few times, then lists it as failed on its side too).
   */
  readonly acknowledgeUnreadable?: boolean;
  /**
   * The largest body the system sends to a webhook, in bytes (a larger one is refused 413 before it
   * is read). Default WEBHOOK_BODY_LIMIT.
   */
  readonly maxBodyBytes?: number;
}

/** What a connection's upkeep did. */
export interface UpkeepResult {
  /** Kept in the store and handed to the next upkeep. */
  state?: string;
  message: string;
  /** Part of the upkeep failed: the job fails with this after the state is kept. */
  problem?: string;
}

/** What upkeep may ask of the engine. */
export interface UpkeepContext {
  /**
   * Deliveries the system's own log says it sent (Accurate's webhook-history.do), read with the
   * connection's credentials: each the inbox lacks (by the handler's delivery id) is stored as
   * verified and becomes work, as if it had arrived. Answers how many were missing.
   */
  recoverDeliveries(deliveries: readonly InboundDelivery[]): Promise<number>;
}

/** The body limit of a webhook whose handler declares none. */
export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

/**
 * An interactive OAuth grant (authorization code): a person opens `authorizeUrl`, the system redirects
 * back with a code, and `complete` exchanges it, keeping what must survive in the credential store.
 */
export interface OAuthAuthorization {
  authorizeUrl(redirectUri: string, state: string): string;
  /**
   * `params` are every parameter of the redirect (QuickBooks names the company the person chose in
   * `realmId` beside the code).
   */
  complete(code: string, redirectUri: string, params?: Readonly<Record<string, string>>): Promise<void>;
}

/** Where a connector keeps what it earns at run time (a rotating refresh token); sealed at rest. */
export interface CredentialStore {
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<void>;
}

/** What a system calls the codes of a field, and the codes it has. */
export interface KnownCodes {
  /** In the system's words, plural: "tax rate codes", "ship vias". */
  what: string;
  codes: readonly string[];
}

/** A value a `values` batch filter can take, as the source lists it (a customer class and its description). */
export interface FilterOption {
  value: string;
  title?: string;
}

/** One live connection to one external system. */
export interface Connector {
  readonly manifest: ConnectorManifest;
  /** Reachability, credentials and permissions, each a separate verdict. */
  check(): Promise<CheckResult[]>;
  /** Streams pages of records; never loads a whole entity set into memory. */
  read(entity: EntityName, query: ReadQuery, signal?: AbortSignal): AsyncIterable<SourceItem[]>;
  /**
   * Records of an entity this connector writes but does not offer as a source (Magento's invoices),
   * by the target ids its writes returned, in canonical form as far as the system shows them (fields
   * it does not keep are absent): what a reconciliation compares the source with. Reads only.
   */
  readWritten?(entity: EntityName, ids: readonly string[], signal?: AbortSignal): Promise<SourceItem[]>;
  /** How many records a read would return, when the API can tell cheaply (for progress bars). */
  count?(entity: EntityName, query: ReadQuery): Promise<number | undefined>;
  /**
   * For a source that keeps its own change token (Dataverse's delta links): the ids of the records
   * changed since `token` (every record when there is none yet), and the token to keep once they
   * are synced. An incremental run then reads exactly those ids, with no timestamp window to read
   * twice. Undefined when the entity is not tracked so: the run falls back to its timestamp cursor.
   */
  changedSince?(
    entity: EntityName,
    token: string | undefined,
    signal?: AbortSignal,
  ): Promise<{ ids: string[]; token: string } | undefined>;
  /**
   * The values a `values` batch filter of the entity can take, read from the system (its customer
   * classes, item classes, order types): the batch screen's pick list. Undefined when the connector
   * does not list that filter's values (the manifest's `options` may, or a person types them).
   */
  filterOptions?(
    entity: EntityName,
    filter: string,
    signal?: AbortSignal,
  ): Promise<FilterOption[] | undefined>;
  /**
   * The rows of one of the manifest's listings, a page at a time, selected as a read is (its text
   * filter, a modified window); present when the manifest declares listings.
   */
  listRows?(listing: string, query: ReadQuery, signal?: AbortSignal): AsyncIterable<ListedRow[]>;
  /**
   * Register shifts closed at or after `since` (all there are when undefined), oldest first: the
   * polling pass behind a POS's shift-closed notification.
   */
  closedShifts?(since: string | undefined, signal?: AbortSignal): Promise<ShiftClosed[]>;
  /**
   * Care a connection needs now and then whatever the flows do (Accurate's webhook subscription lapses
   * unless renewed): called about hourly with the state it returned last time (kept in the store),
   * it does what is due and says what it did. A failure is thrown, so the job fails where people see;
   * a failure of one part beside another that worked (the webhook renewed, its history unreadable) is
   * returned as `problem` so the state of what worked is kept, and the job then fails with it.
   */
  upkeep?(state: string | undefined, ctx: UpkeepContext): Promise<UpkeepResult>;
  /** Reads specific records by source id; ids not found are simply absent from the result. */
  get(entity: EntityName, ids: readonly string[]): Promise<SourceItem[]>;
  /**
   * The key that identifies a canonical record on this (target) system, e.g. the e-mail for a
   * Magento customer; undefined when the record lacks it (the engine then rejects the record).
   * `refs` are the target ids of the records it refers to (a shipment's key may need its order's id).
   */
  naturalKey(entity: EntityName, data: unknown, refs?: References): string | undefined;
  /**
   * Why a record has no natural key, in this system's words, when the manifest's description of the
   * key does not say it well (a Magento connection writing B2B companies needs the company e-mail).
   */
  missingKeyReason?(entity: EntityName, data: unknown): string | undefined;
  /** Finds existing target records by natural key, in as few calls as the API allows. */
  lookup(entity: EntityName, keys: readonly string[]): Promise<Map<string, TargetRecord>>;
  /** Writes records; one result per item, in any order. Never throws for a record-level problem. */
  write(entity: EntityName, items: readonly WriteItem[]): Promise<WriteResult[]>;
  readonly webhook?: WebhookHandler;
  /**
   * The codes the system knows for a value-mapped field of the canonical model (`shipVia`,
   * `paymentMethod`, `orderType`, `taxLines.code`), as its API lists them; undefined when it cannot
   * list them. A value map's row is checked against these when it is saved.
   */
  knownCodes?(field: string): Promise<KnownCodes | undefined>;
  /** Present when the connection is configured for an interactive OAuth grant. */
  readonly authorization?: OAuthAuthorization;
  /** Releases sessions (Acumatica sessions are a licensed resource) and sockets. */
  close(): Promise<void>;
  /**
   * A SOAP service the system's own client calls to collect its work (the QuickBooks Web Connector),
   * served at POST /qbwc/<connection>, with the file a person installs in that client.
   */
  readonly soapEndpoint?: SoapEndpoint;
}

/** What the server needs to serve a polling client's SOAP calls for a connection. */
export interface SoapEndpoint {
  /** The largest SOAP body the client sends, in bytes (a larger one is refused 413 unread). */
  readonly maxBodyBytes: number;
  /** Answers one SOAP call (the envelope as sent); `from` is the caller's address, for the log. */
  handle(body: string, from: string): Promise<{ status: number; contentType: string; body: string }>;
  /** The client's configuration file for this connection (the .qwc), or why it cannot be made yet. */
  installFile(): { filename: string; contentType: string; body: string } | { refusal: string };
}

export interface ConnectorContext {
  /** The connection's name in the configuration (e.g. "acumatica"). */
  connection: string;
  logger: Logger;
  credentials?: CredentialStore;
  /**
   * The connection's request budget: its manifest's rate limit under the configuration's override,
   * shared by every process on a PostgreSQL store. Clients hand it to their HttpClient; without it
   * they keep the manifest's limit in their own process.
   */
  limiter?: RequestLimiter;
  /**
   * A further budget of the connection for one kind of its requests (`purpose`), kept like `limiter`:
   * shared by every process on a PostgreSQL store (QuickBooks Online's 40 batch requests a minute per
   * company, besides its 500 requests).
   */
  budgetFor?(purpose: string, limit: RateLimit): RequestLimiter;
  /**
   * Where a connector whose system polls us for work (QuickBooks Desktop through the Web Connector)
   * queues its requests and finds their answers: in the store, shared by every process.
   */
  mailbox?: Mailbox;
}

export interface ConnectorDefinition {
  manifest: ConnectorManifest;
  create(settings: Record<string, unknown>, ctx: ConnectorContext): Connector;
}

export const defineConnector = (d: ConnectorDefinition): ConnectorDefinition => d;
