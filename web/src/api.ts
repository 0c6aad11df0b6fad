// The one client the dashboard talks to the server through: JSON in and out, the session cookie,
// the CSRF token on every change, and the server's {error:{code,message}} turned into an ApiError
// whose message is what the person sees.

export type Role = 'viewer' | 'operator' | 'admin';

export interface User {
  username: string;
  role: Role;
  mustChangePassword?: boolean;
}

export interface Counts {
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  failed: number;
  waiting: number;
}

export interface LastRun {
  id: number;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  counts: Counts;
}

export interface Condition {
  name: string;
  expression: string;
  explain?: string;
}

export interface FlowFilter {
  name: string;
  title: string;
  kind: 'dates' | 'values' | 'ids' | 'text';
  /** text: what the text is compared with, as the source names it ("Customer ID"). */
  field?: string;
  idFileHeader?: string;
  /** ids: what the IDs are ("Customers", "Invoice Nbrs"). */
  idsTitle?: string;
  /** values: a fixed pick list (otherwise it is read from the source). */
  options?: string[];
}

export type GridColumnType = 'text' | 'date' | 'datetime' | 'money' | 'status';

/** A column of a flow's batch grid, as its source's own screen shows it. */
export interface GridColumn {
  name: string;
  title: string;
  path: string;
  type: GridColumnType;
}

export interface Money {
  amount: string;
  currency: string;
}

export type CellValue = string | Money | null;

export interface FilterOption {
  value: string;
  title?: string;
}

export interface Flow {
  name: string;
  description?: string;
  entity: string;
  source: string;
  target: string;
  enabled: boolean;
  syncMode?: string;
  schedule: string | null;
  ownedFields: string[];
  targetUpdatableFields?: string[];
  conditions?: Condition[];
  valueMaps?: Record<string, string>;
  idMapping?: 'source' | 'target';
  /** Records go in the order they happened, a later one waiting for an earlier one that failed (seed 002). */
  oldestFirst?: boolean;
  filters?: FlowFilter[];
  columns?: GridColumn[];
  /** What a record of this flow needs synced first (an order: its customer and products). */
  dependencies?: { entity: string; flow?: string }[];
  states: Record<string, number>;
  lastRun: LastRun | null;
}

export interface FlowUpdate {
  enabled?: boolean;
  syncMode?: string;
  schedule?: string | null;
  ownedFields?: string[];
  conditions?: Condition[];
  idMapping?: 'source' | 'target';
}

export interface ReadQuery {
  since?: string;
  until?: string;
  ids?: string[];
  filters?: Record<string, string[]>;
}

export type Plan = 'create' | 'update' | 'unchanged' | 'skip' | 'wait' | 'fail';

export interface BatchRow {
  position: number;
  source_id: string;
  label: string;
  updated_at: string;
  current_state: string | null;
  target_id: string | null;
  plan: Plan;
  reason: string | null;
  fields: string[] | null;
  /** The row's value per grid column of the Load. */
  columns: Record<string, CellValue>;
}

/**
 * One field an update would write: `old` is the target's value now (`from: 'target'`) or what was last
 * written (`from: 'last written'`); where neither is known `oldKnown` is false and `note` says why.
 */
export interface FieldChange {
  field: string;
  oldKnown: boolean;
  old?: unknown;
  new: unknown;
  from?: 'target' | 'last written';
  note?: string;
}

/** One record of a dry run: what processing would do to it, and for an update each field old → new. */
export interface DryRunRow {
  sourceId: string;
  label: string;
  plan: Plan;
  targetId: string | null;
  currentState: string | null;
  reason: string | null;
  waitingOn: string | null;
  changes: FieldChange[] | null;
}

export interface DryRun {
  flow: string;
  total: number;
  counts: Partial<Record<Plan, number>>;
  offset: number;
  rows: DryRunRow[];
}

/** A replay of a period: how many deliveries went back in the queue, and links forgotten for lost records. */
export interface ReplayedPeriod {
  queued: boolean;
  deliveries: number;
  relinked: number;
  connection: string;
  from: string;
  to: string;
}

/** One record as a Load or a Scan previews it: its sync state and what processing would do. */
export interface PreviewRow {
  sourceId: string;
  label: string;
  updatedAt: string;
  currentState: string | null;
  targetId: string | null;
  plan: Plan;
  fields?: string[];
  reason?: string;
  columns?: Record<string, CellValue>;
}

/** One line of a document a Scan would send. */
export interface ScanLine {
  record: string;
  customer?: string;
  lineNumber?: number;
  sku?: string;
  description?: string;
  quantity?: string;
  unit?: string;
  unitPrice?: Money;
  discount?: Money;
  writeIn?: boolean;
}

/**
 * A Scan: the documents processing would send, what their customers and products would need, and
 * their lines — before anything is written. Lists hold at most the limit asked; `counts` are whole.
 */
export interface ScanResult {
  flow: string;
  counts: Record<string, number>;
  records: PreviewRow[];
  /** onTarget: no flow brings them, the target has them already (an order lacking one is not uploadable). */
  needs: { entity: string; flow?: string; ids: string[]; rows: PreviewRow[]; onTarget?: boolean }[];
  lines: ScanLine[];
}

/** A built-in sort, or the name of one of the Load's columns. */
export type BatchSort = string;

export interface BatchInfo {
  id: number;
  flow: string;
  count: number;
  createdAt: string;
  createdBy?: string | null;
  query?: ReadQuery;
  columns?: GridColumn[];
}

export type RunStatus =
  | 'queued'
  | 'running'
  | 'succeeded'
  | 'completed_with_failures'
  | 'failed'
  | 'cancelled'
  | 'interrupted';

/** A run as the flow's event stream tells it; a queued run has no id or counts yet. */
export interface RunEvent {
  id: number | null;
  flow: string;
  status: RunStatus;
  trigger: string | null;
  startedBy?: string | null;
  counts: Counts | null;
  total: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  message: string | null;
}

/** A run row as GET /api/runs lists it. */
export interface RunRow {
  id: number;
  flow: string;
  trigger: string;
  status: RunStatus;
  started_at: string;
  finished_at: string | null;
  read_count: number;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  failed: number;
  waiting: number;
  total: number | null;
  message: string | null;
  started_by?: string | null;
  request?: string | null;
}

export type LogStatus = 'success' | 'failed' | 'skipped' | 'waiting' | 'aborted' | 'manual';

export interface LogEntry {
  id: number;
  run_id: number | null;
  flow: string;
  entity: string;
  source_id: string;
  target_id: string | null;
  source_number: string | null;
  target_number: string | null;
  action: string;
  status: LogStatus;
  reason: string | null;
  error_code: string | null;
  error_category: string | null;
  request: unknown;
  response: unknown;
  duration_ms: number;
  attempt: number;
  created_at: string;
}

/** One call an attempt made (every one is kept; request/response are the one that carried the record). */
export interface LogCall {
  method: string;
  url: string;
  status: number | null;
  durationMs: number;
  request: unknown;
  response: unknown;
}

export interface SyncRecord {
  id: number;
  flow: string;
  source_id: string;
  target_id: string | null;
  target_number: string | null;
  natural_key: string | null;
  state: string;
  attempts: number;
  error_code: string | null;
  error_message: string | null;
  reason: string | null;
  waiting_on: string | null;
  edited: number | boolean;
  next_attempt_at: string | null;
  last_synced_at: string | null;
  data: unknown;
  updated_at: string;
  /** A person's skip, kept while the source sends the record unchanged: who, why (if given), when. */
  skipped_by?: string | null;
  skip_reason?: string | null;
  skipped_at?: string | null;
}

export interface Delivery {
  id: number;
  connection: string;
  received_at: string;
  verified: boolean;
  status: string;
  error: string | null;
  events: { entity: string; id: string }[] | null;
  headers: Record<string, unknown>;
  /** The log lists excerpts: a verified body is read whole from `url`; a refused one kept no more. */
  body: { excerpt: string; bytes: number; sha256: string | null; complete: boolean; url: string | null };
  processed_at: string | null;
}

/** A record a webhook delivery named, with its sync state in one flow that reads it. */
export interface WebhookRecord {
  entity: string;
  sourceId: string;
  flow: string;
  recordId: number | null;
  label: string;
  /** null: the inbox has not drained it through the flow yet. */
  state: string | null;
  reason: string | null;
  targetId: string | null;
  targetNumber: string | null;
  updatedAt: string | null;
}

export interface WebhookRecordsPage {
  total: number;
  deliveries: {
    id: number;
    receivedAt: string;
    status: string;
    error: string | null;
    records: WebhookRecord[];
    /** Records it named beyond those listed. */
    more: number;
  }[];
}

/** What the synchronization settings panel changes of a flow. */
export interface SyncSettings {
  syncMode?: string;
  schedule?: string | null;
  idMapping?: 'source' | 'target';
}

export interface ConnectionField {
  name: string;
  title: string;
  type: 'string' | 'url' | 'secret' | 'integer' | 'boolean' | 'enum';
  /** A secret the system sends us (a webhook token): not asked again when the address changes. */
  inbound?: boolean;
  required?: boolean;
  default?: string | number | boolean;
  options?: string[];
  description?: string;
  when?: { field: string; equals: string[] } | { field: string; equals: string[] }[];
}

/**
 * A list of a connection's records beside its entities (Sage 50's invoice items and transactions):
 * found like an entity, uploading what each row refers to through the flows of `uploads`; without
 * them view-only, `viewOnly` saying why.
 */
export interface Listing {
  name: string;
  title: string;
  filters: FlowFilter[];
  columns: GridColumn[];
  uploads?: string[];
  viewOnly?: string;
}

/** A row of a listing: its cells, and the ids of what uploading it brings, by entity. */
export interface ListedRow {
  id: string;
  columns: Record<string, CellValue>;
  uploads?: Record<string, string[]>;
  note?: string;
}

export interface Connection {
  name: string;
  connector: string;
  title: string;
  settings: Record<string, unknown>;
  fields: ConnectionField[];
  listings?: Listing[];
  /** Access is granted on the system's consent page (OAuth authorization code): the Authorize… button. */
  authorization?: boolean;
}

export interface Check {
  name: string;
  ok: boolean;
  message: string;
}

export type ValueMapRow = Record<string, string>;

export interface Stats {
  hours: string[];
  /** Per hour: records synced, records that ended the hour failed, and every failed attempt. */
  flows: { name: string; success: number[]; failed: number[]; failedAttempts?: number[] }[];
  openFailures: number;
  /** The newest open failures, each with its reason. */
  failures?: {
    id: number;
    flow: string;
    sourceId: string;
    state: string;
    reason: string | null;
    at: string;
  }[];
  inboxDepth: number;
}

export interface UserRow {
  username: string;
  role: Role;
  mustChangePassword?: boolean;
  createdAt?: string;
  created_at?: string;
}

export interface TokenRow {
  id: number;
  username?: string;
  name: string;
  role: Role;
  createdAt?: string;
  created_at?: string;
  lastUsedAt?: string | null;
  last_used_at?: string | null;
}

export interface AlertParamInfo {
  default: number;
  min: number;
  max: number;
  label: string;
}

export interface AlertRule {
  kind: string;
  title: string;
  enabled: boolean;
  params: Record<string, number>;
  defaults: Record<string, number>;
  paramInfo: Record<string, AlertParamInfo>;
  scope: string | null;
}

export interface AlertRules {
  rules: AlertRule[];
  channels: {
    email: { configured: boolean; to?: string[]; host?: string };
    webhook: { configured: boolean; format?: string; host?: string };
  };
  reminderHours: number;
  checkEverySeconds: number;
}

export interface AlertIncident {
  id: number;
  rule: string;
  title: string;
  subject: string;
  summary: string;
  link: string;
  since: string;
  openedAt: string;
  lastNotifiedAt: string | null;
  resolvedAt: string | null;
  state: 'open' | 'resolved';
  deliveries: Array<{
    event: string;
    channel: string;
    status: string;
    attempts: number;
    error: string | null;
  }>;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    /** Each problem of a refused configuration change, when the server lists them. */
    readonly problems: string[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const isApiError = (e: unknown): e is ApiError => (e as { name?: string })?.name === 'ApiError';

/** The message to show a person for anything a call threw. */
export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

let csrfToken: string | null = null;
let unauthorized: () => void = () => {};

export function setCsrfToken(token: string | null | undefined): void {
  csrfToken = token ?? null;
}

/** What to do when the server says the session is gone (the app shows the login screen). */
export function onUnauthorized(handler: () => void): void {
  unauthorized = handler;
}

type Query = Record<string, string | number | boolean | null | undefined | readonly string[]>;

export function withQuery(path: string, query: Query = {}): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) {
      if (v.length) qs.set(k, v.join(','));
    } else qs.set(k, String(v));
  }
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

interface RequestOptions {
  body?: unknown;
  /** Sends the body as is (a file) instead of JSON. */
  raw?: Blob;
  /** A 401 here is an answer, not a lost session (the login form itself). */
  quiet401?: boolean;
}

async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: BodyInit | undefined;
  if (opts.raw) {
    headers['content-type'] = 'application/octet-stream';
    body = opts.raw;
  } else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  } else if (method !== 'GET' && method !== 'DELETE') {
    // Fastify refuses an empty body declared as JSON; send an empty object instead.
    headers['content-type'] = 'application/json';
    body = '{}';
  }
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body, credentials: 'same-origin' });
  } catch {
    throw new ApiError('The server cannot be reached; is Ledgerlink running?', 0, 'unreachable');
  }
  const text = await res.text();
  let data: unknown;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!res.ok) {
    const err =
      (data as {
        error?: { code?: string; message?: string; problems?: string[] } | string;
        message?: string;
      }) ?? {};
    const structured = typeof err.error === 'object' ? err.error : undefined;
    let message = structured?.message ?? err.message ?? `${method} ${path} answered ${res.status}`;
    if (res.status === 404 && /^Route /.test(message)) {
      message = `This server does not offer ${method} ${path.split('?')[0]} (is it an older version?)`;
    }
    const e = new ApiError(message, res.status, structured?.code ?? String(res.status), structured?.problems);
    if (res.status === 401 && !opts.quiet401) unauthorized();
    throw e;
  }
  return data as T;
}

const enc = encodeURIComponent;

/** One field that differs between the two systems ("lines[ITEM1].unitPrice"). */
export interface ReconcileDiff {
  path: string;
  source: unknown;
  target: unknown;
}

export type FindingKind = 'missing_in_target' | 'target_gone' | 'not_linked' | 'differs' | 'only_in_target';

/** A reconciliation finding: what is on one side only or differs, and what a person can do. */
export interface Finding {
  key: string;
  kind: FindingKind;
  sourceId: string | null;
  targetId: string | null;
  recordId: number | null;
  state: string | null;
  message: string;
  diffs: ReconcileDiff[];
  actions: Array<'resync' | 'link' | 'accept'>;
  fingerprint: string;
  accepted?: { by: string; reason: string | null; at: string };
}

export interface ReconcileTotal {
  day: string;
  currency: string;
  source: { count: number; amount: string };
  target: { count: number; amount: string };
  differs: boolean;
}

export interface ReconcileReport {
  flow: string;
  sourceTitle: string;
  targetTitle: string;
  since: string | null;
  until: string | null;
  counts: {
    source: number;
    target: number;
    matched: number;
    notSent: number;
    drift: number;
    accepted: number;
  };
  total: number;
  offset: number;
  findings: Finding[];
  totals: ReconcileTotal[];
  notes: string[];
}

export const api = {
  // Session
  me: () => request<{ user: User; csrfToken?: string }>('GET', '/api/auth/me', { quiet401: true }),
  login: (username: string, password: string) =>
    request<{ user: User; csrfToken?: string }>('POST', '/api/auth/login', {
      body: { username, password },
      quiet401: true,
    }),
  logout: () => request<unknown>('POST', '/api/auth/logout'),
  changePassword: (current: string, next: string) =>
    request<{ user?: User; csrfToken?: string }>('POST', '/api/auth/password', {
      body: { current, next },
      quiet401: true,
    }),

  // Users and tokens
  users: () => request<{ users: UserRow[] }>('GET', '/api/users'),
  addUser: (u: { username: string; password: string; role: Role }) =>
    request<unknown>('POST', '/api/users', { body: u }),
  updateUser: (username: string, change: { role?: Role; password?: string }) =>
    request<unknown>('PATCH', `/api/users/${enc(username)}`, { body: change }),
  removeUser: (username: string) => request<unknown>('DELETE', `/api/users/${enc(username)}`),
  tokens: () => request<{ tokens: TokenRow[] }>('GET', '/api/tokens'),
  createToken: (t: { name: string; role: Role }) =>
    request<{ id: number; token: string; name: string; role: Role }>('POST', '/api/tokens', { body: t }),
  revokeToken: (id: number) => request<unknown>('DELETE', `/api/tokens/${id}`),

  // Flows, batches, runs
  flows: () => request<{ flows: Flow[]; configProblems?: string[] }>('GET', '/api/flows'),
  flow: (name: string) => request<Flow>('GET', `/api/flows/${enc(name)}`),
  updateFlow: (name: string, change: FlowUpdate) =>
    request<{ flow: Flow; appliesFrom: 'now' | 'next run'; notice?: string }>(
      'PUT',
      `/api/flows/${enc(name)}`,
      { body: change },
    ),
  idsFile: (flow: string, file: File, filter?: string) =>
    request<{ ids: string[]; count: number; header: string; filter: string }>(
      'POST',
      withQuery(`/api/flows/${enc(flow)}/ids-file`, { filename: file.name, filter }),
      { raw: file },
    ),
  filterOptions: (flow: string, filter: string) =>
    request<{ filter: string; source: 'manifest' | 'source' | 'none'; options: FilterOption[] }>(
      'GET',
      `/api/flows/${enc(flow)}/filters/${enc(filter)}/options`,
    ),
  sourceRecord: (flow: string, id: string) =>
    request<Omit<BatchRow, 'position'>>('GET', `/api/flows/${enc(flow)}/source-records/${enc(id)}`),
  load: (flow: string, query: ReadQuery) =>
    request<{ batchId: number; count: number; columns?: GridColumn[] }>(
      'POST',
      `/api/flows/${enc(flow)}/load`,
      { body: query },
    ),
  batchRows: (
    batchId: number,
    q: {
      offset: number;
      limit: number;
      sort: BatchSort;
      dir: 'asc' | 'desc';
      plan?: string;
      search?: string;
    },
  ) =>
    request<{
      total: number;
      rows: BatchRow[];
      batch?: BatchInfo;
    }>('GET', withQuery(`/api/batches/${batchId}/rows`, q)),
  scan: (flow: string, query: ReadQuery = {}, limit?: number) =>
    request<ScanResult>('POST', withQuery(`/api/flows/${enc(flow)}/scan`, { limit }), { body: query }),
  /** A dry run: writes nothing; a Load's records (or `ids` of them) or a read query. */
  preview: (
    flow: string,
    body: { batchId: number; ids?: string[] } | ReadQuery,
    page: { limit: number; offset: number },
  ) =>
    request<DryRun>('POST', withQuery(`/api/flows/${enc(flow)}/preview`, page), {
      body,
    }),
  run: (flow: string, body: { batchId: number; ids?: string[] } | (ReadQuery & { confirm?: boolean })) =>
    request<{ queued: boolean; flow: string; request?: string; events?: string }>(
      'POST',
      `/api/flows/${enc(flow)}/runs`,
      { body },
    ),
  runs: (q: { flow?: string; limit?: number; offset?: number }) =>
    request<{ runs: RunRow[] }>('GET', withQuery('/api/runs', q)),

  // Connector log
  log: (q: Query) => request<{ total: number; entries: LogEntry[] }>('GET', withQuery('/api/log', q)),
  logEntry: (id: number) =>
    request<LogEntry & { record: SyncRecord | null; calls: LogCall[] | null }>('GET', `/api/log/${id}`),

  // Sync records
  records: (q: Query) =>
    request<{ total: number; records: SyncRecord[] }>('GET', withQuery('/api/records', q)),
  record: (id: number) => request<SyncRecord>('GET', `/api/records/${id}`),
  retry: (id: number) => request<{ results: unknown }>('POST', `/api/records/${id}/retry`),
  retryFailed: (flow?: string) =>
    request<{ results: unknown }>('POST', '/api/records/retry-failed', { body: flow ? { flow } : {} }),
  editData: (id: number, data: unknown) =>
    request<{ record: SyncRecord }>('PUT', `/api/records/${id}/data`, { body: { data } }),
  skip: (id: number, reason?: string) =>
    request<unknown>('POST', `/api/records/${id}/skip`, { body: reason ? { reason } : {} }),
  unskip: (id: number) => request<{ record: SyncRecord }>('POST', `/api/records/${id}/unskip`),
  markProcessed: (id: number) => request<unknown>('POST', `/api/records/${id}/processed`),
  link: (flow: string, sourceId: string, targetId: string) =>
    request<unknown>('POST', '/api/records/link', { body: { flow, sourceId, targetId } }),
  unlink: (id: number) => request<unknown>('POST', `/api/records/${id}/unlink`),
  reconcile: (flow: string, q: { from?: string; to?: string; limit?: number; offset?: number }) =>
    request<ReconcileReport>('GET', withQuery(`/api/flows/${enc(flow)}/reconcile`, q)),
  acceptFinding: (flow: string, f: { key: string; fingerprint: string; reason?: string }) =>
    request<unknown>('POST', `/api/flows/${enc(flow)}/reconcile/accept`, { body: f }),
  resync: (flow: string, sourceIds: string[]) =>
    request<{ counts: Counts; outcomes: Array<{ sourceId: string; status: string; reason: string | null }> }>(
      'POST',
      `/api/flows/${enc(flow)}/reconcile/resync`,
      { body: { sourceIds } },
    ),

  // Webhooks
  webhooks: (q: Query) =>
    request<{ depth: number; total?: number; deliveries: Delivery[] }>('GET', withQuery('/api/webhooks', q)),
  replay: (id: number) => request<unknown>('POST', `/api/webhooks/${id}/replay`),
  replayPeriod: (body: { connection: string; from: string; to: string }) =>
    request<ReplayedPeriod>('POST', '/api/webhooks/replay', { body }),
  // Alerts
  alertRules: () => request<AlertRules>('GET', '/api/alerts/rules'),
  saveAlertRules: (
    rules: Array<{ kind: string; enabled?: boolean; params?: Record<string, number>; scope?: string | null }>,
  ) => request<AlertRules>('PUT', '/api/alerts/rules', { body: { rules } }),
  alerts: (q: Query) =>
    request<{ total: number; incidents: AlertIncident[] }>('GET', withQuery('/api/alerts', q)),
  checkAlerts: () =>
    request<{ opened: number; resolved: number; open: number; sent: number; failed: number }>(
      'POST',
      '/api/alerts/check',
    ),
  testAlert: (channel: 'email' | 'webhook') =>
    request<{ sent: boolean }>('POST', '/api/alerts/test', { body: { channel } }),
  webhookRecords: (q: { connection: string; limit: number; offset: number }) =>
    request<WebhookRecordsPage>('GET', withQuery('/api/webhooks/records', q)),
  saveSyncSettings: (flows: Record<string, SyncSettings>) =>
    request<{ flows: (SyncSettings & { name: string })[] }>('PUT', '/api/sync-settings', { body: { flows } }),
  webhookBody: (id: number) =>
    request<{ id: number; bytes: number; sha256: string | null; body: string }>(
      'GET',
      `/api/webhooks/${id}/body`,
    ),

  // Connections and value maps
  connections: () => request<{ connections: Connection[] }>('GET', '/api/connections'),
  findListed: (connection: string, listing: string, query: ReadQuery, limit?: number) =>
    request<{ listing: string; count: number; rows: ListedRow[] }>(
      'POST',
      withQuery(`/api/connections/${enc(connection)}/listings/${enc(listing)}/find`, { limit }),
      { body: query },
    ),
  checkConnection: (name: string) =>
    request<{ ok: boolean; checks: Check[] }>('POST', `/api/connections/${enc(name)}/check`),
  authorizeConnection: (name: string) =>
    request<{ authorizeUrl: string; redirectUri: string; expiresAt: string }>(
      'POST',
      `/api/connections/${enc(name)}/authorize`,
    ),
  saveConnection: (name: string, settings: Record<string, unknown>) =>
    request<{ connection: Connection }>('PUT', `/api/connections/${enc(name)}`, { body: { settings } }),
  valueMaps: () =>
    request<{ maps: Record<string, ValueMapRow[]>; columns: Record<string, string[]> }>(
      'GET',
      '/api/value-maps',
    ),
  saveValueMap: (name: string, rows: ValueMapRow[]) =>
    request<{ rows: ValueMapRow[]; checked: string[]; unchecked: string[] }>(
      'PUT',
      `/api/value-maps/${enc(name)}`,
      { body: { rows } },
    ),

  // Home
  stats: (hours = 24) => request<Stats>('GET', withQuery('/api/stats', { hours })),
};

/** The counts of a run row, in the shape the event stream uses. */
export function runEventOf(r: RunRow): RunEvent {
  return {
    id: r.id,
    flow: r.flow,
    status: r.status,
    trigger: r.trigger,
    startedBy: r.started_by ?? null,
    counts: {
      read: r.read_count,
      created: r.created,
      updated: r.updated,
      unchanged: r.unchanged,
      skipped: r.skipped,
      failed: r.failed,
      waiting: r.waiting,
    },
    total: r.total ?? null,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    message: r.message,
  };
}
