import { type ErrorData, LedgerlinkError } from '../sdk/errors.js';
import { type HttpBinding, HttpClient, type HttpExchange, type HttpResponse } from '../sdk/http.js';
import { dynamicsManifest } from './manifest.js';
import {
  type BatchOperation,
  type BatchResponse,
  buildBatch,
  idFromEntityUrl,
  parseBatchResponse,
} from './odata.js';
import { TokenProvider, type TokenSettings } from './token.js';

export const API = 'api/data/v9.2/';

/** The OData headers every Web API request carries. */
const ODATA_HEADERS = {
  'odata-maxversion': '4.0',
  'odata-version': '4.0',
  accept: 'application/json',
} as const;

/** Formatted values (option labels, the name behind a lookup) come with the data when asked for. */
export const ANNOTATIONS = 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"';

export type Row = Record<string, unknown> & { '@odata.etag'?: string };

interface ODataError {
  error?: { code?: string; message?: string };
}

/** The service protection codes: number of requests, execution time, concurrent requests. */
const THROTTLE_CODES = new Set(['0x80072322', '0x80072321', '0x80072326']);
/** Codes that mean the caller is not allowed (privileges, a disabled user): nothing works until fixed. */
const AUTH_CODES = new Set(['0x80048306', '0x80040220', '0x8004d24b', '0x80040225']);
const NOT_FOUND = '0x80040217';
const DUPLICATE = new Set(['0x80040237', '0x80040333']);

export function odataError(body: unknown): { code?: string; message?: string } {
  const e = (body as ODataError | undefined)?.error;
  return e && typeof e === 'object' ? e : {};
}

function errorText(body: unknown): string | undefined {
  const e = odataError(body);
  if (e.message) return e.code ? `${e.message} (${e.code})` : e.message;
  return typeof body === 'string' && body ? body.slice(0, 500) : undefined;
}

export function classify(status: number, body: unknown): Pick<ErrorData, 'code' | 'category'> | undefined {
  const code = odataError(body).code?.toLowerCase();
  if (status === 429 || (code && THROTTLE_CODES.has(code)))
    return { code: 'rate_limit', category: 'rate_limited' };
  if (code && AUTH_CODES.has(code)) return { code: 'auth', category: 'config' };
  if (code === NOT_FOUND) return { code: 'not_found', category: 'rejected' };
  if (code && DUPLICATE.has(code)) return { code: 'duplicate', category: 'rejected' };
  return undefined;
}

/** What the service protection headers of the latest answer said, for check() and the log. */
export interface Budget {
  burstRemaining?: number;
  timeRemaining?: number;
}

const header = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

export interface DynamicsClientSettings extends TokenSettings {}

/**
 * One Dataverse environment's Web API: client-credential tokens from Entra ID (renewed by msal
 * before expiry, and once more after a 401), the OData headers, paging by @odata.nextLink, optimistic
 * concurrency with @odata.etag, $batch change sets, change tracking, and service protection limits
 * honoured from Retry-After and the x-ms-ratelimit headers through the connection's request budget.
 */
export class DynamicsClient {
  readonly http: HttpClient;
  readonly tokens: TokenProvider;
  readonly budget: Budget = {};

  constructor(
    s: DynamicsClientSettings,
    o: { connection: string } & HttpBinding = { connection: 'dynamics' },
  ) {
    this.tokens = new TokenProvider(s);
    this.http = new HttpClient({
      baseUrl: `${new URL(s.url).origin}/${API}`,
      timeoutMs: s.timeoutMs,
      connection: o.connection,
      limiter: o.limiter,
      rateLimit: dynamicsManifest.rateLimit,
      systemName: 'Dynamics 365',
      authHeaders: async () => ({ authorization: `Bearer ${await this.tokens.token()}` }),
      onUnauthorized: async (sent) => {
        await this.tokens.renew(sent.authorization?.replace(/^Bearer /, ''));
        return true;
      },
      onResponse: (res) => this.watchBudget(res),
      errorMessage: (body) => errorText(body),
      classify,
    });
  }

  /**
   * Dataverse counts what is left of the user's five-minute allowance on every answer. When the burst
   * allowance is nearly gone we pause the connection for a moment rather than run into the 429 and
   * its longer Retry-After; these headers are for pacing only (the documentation says not to depend on them).
   */
  private watchBudget(res: HttpResponse): void {
    const burst = Number(header(res.headers['x-ms-ratelimit-burst-remaining-xrm-requests']));
    const time = Number(header(res.headers['x-ms-ratelimit-time-remaining-xrm-requests']));
    if (Number.isFinite(burst)) this.budget.burstRemaining = burst;
    if (Number.isFinite(time)) this.budget.timeRemaining = time;
    if (Number.isFinite(burst) && burst <= 1) void this.http.limiter.pause(1000);
  }

  async get<T = Row>(
    path: string,
    query?: Record<string, string | number | undefined>,
    o: { prefer?: string[]; record?: HttpExchange[]; signal?: AbortSignal; accept?: number[] } = {},
  ): Promise<HttpResponse<T>> {
    return this.http.request<T>({
      method: 'GET',
      path,
      ...(query ? { query } : {}),
      headers: { ...ODATA_HEADERS, ...(o.prefer?.length ? { prefer: o.prefer.join(',') } : {}) },
      ...(o.record ? { record: o.record } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.accept ? { accept: o.accept } : {}),
    });
  }

  /**
   * Pages of a collection: the first request carries the query and Prefer: odata.maxpagesize; the
   * following ones follow @odata.nextLink as given (its $skiptoken is Dataverse's paging cookie).
   */
  async *pages(
    entitySet: string,
    query: Record<string, string | number | undefined>,
    pageSize: number,
    signal?: AbortSignal,
  ): AsyncIterable<Row[]> {
    const prefer = [`odata.maxpagesize=${Math.min(5000, Math.max(1, pageSize))}`, ANNOTATIONS];
    let res = await this.get<{ value?: Row[]; '@odata.nextLink'?: string }>(entitySet, query, {
      prefer,
      ...(signal ? { signal } : {}),
    });
    for (;;) {
      const rows = res.body?.value ?? [];
      if (rows.length) yield rows;
      const next = res.body?.['@odata.nextLink'];
      if (!next) return;
      res = await this.get(this.below(next), undefined, { prefer, ...(signal ? { signal } : {}) });
    }
  }

  /** Every row a query finds (for small reference tables and lookups of a page's keys). */
  async all(entitySet: string, query: Record<string, string | number | undefined>): Promise<Row[]> {
    const out: Row[] = [];
    for await (const rows of this.pages(entitySet, query, 5000)) out.push(...rows);
    return out;
  }

  /**
   * The rows changed since a delta link (or, without one, every row and the first delta link):
   * change tracking must be enabled on the table. Deleted rows come as { id, reason: 'deleted' }.
   */
  async changes(
    entitySetOrDeltaLink: string,
    select?: string,
  ): Promise<{ changed: Row[]; deleted: string[]; deltaLink: string }> {
    const changed: Row[] = [];
    const deleted: string[] = [];
    const first = !entitySetOrDeltaLink.includes('$deltatoken');
    let res = await this.get<{ value?: Row[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string }>(
      first ? entitySetOrDeltaLink : this.below(entitySetOrDeltaLink),
      first && select ? { $select: select } : undefined,
      { prefer: ['odata.track-changes', 'odata.maxpagesize=5000'] },
    );
    for (;;) {
      for (const r of res.body?.value ?? []) {
        if (typeof r['@odata.context'] === 'string' && String(r['@odata.context']).endsWith('$deletedEntity'))
          deleted.push(String(r.id));
        else changed.push(r);
      }
      const next = res.body?.['@odata.nextLink'];
      if (next) {
        res = await this.get(this.below(next), undefined, {
          prefer: ['odata.track-changes', 'odata.maxpagesize=5000'],
        });
        continue;
      }
      const delta = res.body?.['@odata.deltaLink'];
      if (!delta)
        throw new LedgerlinkError({
          code: 'config',
          category: 'config',
          message: `Dynamics 365 gave no delta link for ${entitySetOrDeltaLink}: enable change tracking on the table`,
        });
      return { changed, deleted, deltaLink: delta };
    }
  }

  /** Creates a row; answers its id (from OData-EntityId). */
  async create(entitySet: string, body: Record<string, unknown>, record?: HttpExchange[]): Promise<string> {
    const res = await this.http.request({
      method: 'POST',
      path: entitySet,
      body,
      headers: { ...ODATA_HEADERS },
      ...(record ? { record } : {}),
    });
    const id = idFromEntityUrl(header(res.headers['odata-entityid']));
    if (!id)
      throw new LedgerlinkError({
        code: 'server',
        category: 'transient',
        message: `Dynamics 365 created a ${entitySet} row but did not say its id (no OData-EntityId)`,
      });
    return id;
  }

  /** Updates a row only if it still has this etag (412 otherwise), never creating one (If-Match). */
  async update(
    entitySet: string,
    id: string,
    body: Record<string, unknown>,
    etag: string | undefined,
    record?: HttpExchange[],
  ): Promise<void> {
    await this.http.request({
      method: 'PATCH',
      path: `${entitySet}(${id})`,
      body,
      headers: { ...ODATA_HEADERS, 'if-match': etag ?? '*' },
      ...(record ? { record } : {}),
    });
  }

  /**
   * Sends groups of operations as one $batch, each group its own change set (all or nothing), and
   * asks Dataverse to go on after a failed change set. Answers one list per group: the group's
   * answers, or the single error that rolled it back, or none when Dataverse stopped before it.
   */
  async batch(
    groups: ReadonlyArray<readonly BatchOperation[]>,
    record?: HttpExchange[],
  ): Promise<BatchResponse[][]> {
    if (groups.length === 0) return [];
    const ops = groups.reduce((n, g) => n + g.length, 0);
    if (ops > 1000)
      throw new Error(`a $batch holds at most 1,000 operations; this one has ${ops} (split the page)`);
    const { body, contentType } = buildBatch(this.http.url(''), groups);
    const res = await this.http.request<string>({
      method: 'POST',
      path: '$batch',
      text: { body, contentType },
      headers: { ...ODATA_HEADERS, prefer: 'odata.continue-on-error' },
      // A $batch of creates is not repeated after a lost answer: the engine looks the records up first.
      idempotent: false,
      ...(record ? { record } : {}),
    });
    const parts = parseBatchResponse(String(res.body ?? ''), header(res.headers['content-type']));
    return groups.map((_, i) => parts[i] ?? []);
  }

  /** An answer of a $batch operation as the error our HttpClient would have thrown for it. */
  batchError(r: BatchResponse): LedgerlinkError {
    const kind = classify(r.status, r.body) ?? defaultKind(r.status);
    const text = errorText(r.body);
    return new LedgerlinkError({
      ...kind,
      httpStatus: r.status,
      message: text ? `Dynamics 365 answered ${r.status}: ${text}` : `Dynamics 365 answered ${r.status}`,
    });
  }

  /** A link Dataverse gave (nextLink, deltaLink) as a path below the Web API root; never another host. */
  below(link: string): string {
    const base = new URL(this.http.url(''));
    const target = new URL(link, base);
    if (target.origin !== base.origin || !target.pathname.startsWith(base.pathname))
      throw new LedgerlinkError({
        code: 'config',
        category: 'config',
        message: `Dynamics 365 pointed to ${target.origin}${target.pathname}, outside ${base.href}`,
      });
    return `${target.pathname.slice(base.pathname.length)}${target.search}`;
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}

function defaultKind(status: number): Pick<ErrorData, 'code' | 'category'> {
  if (status === 401 || status === 403) return { code: 'auth', category: 'config' };
  if (status === 404) return { code: 'not_found', category: 'rejected' };
  if (status === 412 || status === 409) return { code: 'conflict', category: 'rejected' };
  if (status >= 500 || status === 0) return { code: 'server', category: 'transient' };
  return { code: 'invalid_data', category: 'rejected' };
}
