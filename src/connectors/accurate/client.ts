import type { Logger } from 'pino';
import type { CredentialStore } from '../sdk/contract.js';
import { configError, LedgerlinkError } from '../sdk/errors.js';
import { type HttpBinding, HttpClient, type HttpExchange } from '../sdk/http.js';
import { ConnectionLimiter, type RequestLimiter } from '../sdk/rate-limit.js';
import { AccurateOAuth } from './auth.js';
import { classify, type Envelope, errorMessage, isEnvelope, isSessionExpired, refusal } from './faults.js';
import { ACCURATE_RATE_LIMIT } from './rate.js';
import type { AccurateSettings } from './settings.js';
import { apiTokenHeaders } from './signature.js';

/** Where the database is served and the session that opens it (none for an API token). */
export interface DbSession {
  host: string;
  session?: string;
}

export interface CallOptions {
  record?: HttpExchange[];
  signal?: AbortSignal;
}

type Query = URLSearchParams | Record<string, string | number | undefined>;

/** `filter.<field>.op` and its values: one value bare, several indexed `[n]` (spec descriptions). */
export function filterParams(
  q: URLSearchParams,
  field: string,
  op: string,
  values: readonly (string | number)[],
): URLSearchParams {
  q.set(`filter.${field}.op`, op);
  if (values.length === 1) q.set(`filter.${field}.val`, String(values[0]));
  else for (const [i, v] of values.entries()) q.set(`filter.${field}.val[${i}]`, String(v));
  return q;
}

/**
 * Talks to one Accurate database. The account host answers the grant, db-list, open-db and webhook
 * calls; open-db names the host that serves the database and a session that every data call carries
 * as X-Session-ID. A session found dead (FACTS.md ⚠: 401 or `s:false` naming the session) is
 * reopened once — by one caller however many saw it die — and the call is sent again once.
 * With an API token, api-token.do names the host and no session is opened (FACTS.md ⚠); every call,
 * on either host, carries the token, a timestamp and its signature.
 */
export class AccurateClient {
  readonly account: HttpClient;
  readonly auth?: AccurateOAuth;
  private readonly limiter: RequestLimiter;
  private data?: { http: HttpClient; host: string };
  private opening?: Promise<DbSession>;
  private current?: DbSession;
  /** open-db calls made (tests count reopenings). */
  sessionsOpened = 0;

  constructor(
    readonly s: AccurateSettings,
    private readonly o: { connection: string; credentials?: CredentialStore; logger?: Logger } & HttpBinding,
  ) {
    if (s.authMode === 'oauth2') this.auth = new AccurateOAuth(s, o);
    this.limiter = o.limiter ?? new ConnectionLimiter(ACCURATE_RATE_LIMIT);
    this.account = new HttpClient({
      baseUrl: s.accountUrl,
      timeoutMs: s.timeoutMs,
      connection: o.connection,
      // The account host is not the database: its calls do not spend the database's budget.
      rateLimit: ACCURATE_RATE_LIMIT,
      systemName: 'Accurate (account)',
      authHeaders: () => this.credentialHeaders(),
      onUnauthorized: (sent) => this.auth?.onUnauthorized(sent) ?? Promise.resolve(false),
      errorMessage: (body) => errorMessage(body),
      classify: (status, body) => classify(status, body),
    });
  }

  /** The bearer token (OAuth) or the API token with its signed timestamp. */
  async credentialHeaders(): Promise<Record<string, string>> {
    if (this.s.authMode === 'apiToken') {
      if (!this.s.apiToken || !this.s.signatureSecret)
        throw configError('the Accurate connection uses an API token: set apiToken and signatureSecret');
      return apiTokenHeaders(this.s.apiToken, this.s.signatureSecret);
    }
    if (!this.auth) throw configError('the Accurate connection has no OAuth settings');
    return { authorization: `Bearer ${await this.auth.accessToken()}` };
  }

  /** An account-host call whose answer is an envelope; `s:false` throws with Accurate's words. */
  async accountCall<T>(
    method: 'GET' | 'POST',
    path: string,
    query?: Query,
    what = path,
  ): Promise<Envelope<T>> {
    const res = await this.account.request<Envelope<T>>({ method, path, ...(query ? { query } : {}) });
    if (!isEnvelope(res.body))
      throw new LedgerlinkError({
        code: 'parse',
        category: 'transient',
        message: `Accurate answered ${path} with something that is not its {"s", "d"} envelope`,
      });
    if (!res.body.s) throw refusal(res.body, what, res.status);
    return res.body;
  }

  /** The database's host and session, opened once and shared. */
  session(): Promise<DbSession> {
    if (this.current) return Promise.resolve(this.current);
    this.opening ??= this.open().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async open(): Promise<DbSession> {
    this.sessionsOpened++;
    let s: DbSession;
    if (this.s.authMode === 'apiToken') {
      const b = await this.accountCall<{ database?: { id?: number; host?: string } }>(
        'POST',
        'api/api-token.do',
        undefined,
        'the API token',
      );
      const host = b.d?.database?.host;
      if (!host) throw configError('Accurate did not name the database of this API token (api-token.do)');
      s = { host };
    } else {
      if (!/^\d+$/.test(this.s.databaseId))
        throw configError('databaseId must be the number db-list.do lists for the Accurate database');
      const b = await this.accountCall<unknown>(
        'GET',
        'api/open-db.do',
        { id: this.s.databaseId },
        `to open database ${this.s.databaseId}`,
      );
      const host = typeof b.host === 'string' ? b.host : undefined;
      const session = typeof b.session === 'string' ? b.session : undefined;
      if (!host || !session) throw configError('open-db.do answered without a host and a session');
      s = { host, session };
    }
    this.current = s;
    return s;
  }

  /** The session `stale` is dead: the first caller to say so opens a new one, the rest wait for it. */
  private async reopen(stale: DbSession): Promise<DbSession> {
    if (this.current === stale) this.current = undefined;
    return this.session();
  }

  private dataHttp(host: string): HttpClient {
    if (this.data?.host === host) return this.data.http;
    const old = this.data?.http;
    void old?.close();
    const http = new HttpClient({
      baseUrl: `${host.replace(/\/+$/, '')}/accurate/`,
      timeoutMs: this.s.timeoutMs,
      connection: this.o.connection,
      limiter: this.limiter,
      systemName: 'Accurate',
      errorMessage: (body) => errorMessage(body),
      classify: (status, body) => classify(status, body),
    });
    this.data = { http, host };
    return http;
  }

  /**
   * One data call: `<host>/accurate/api/<path>` with the session. Answers the envelope as it came
   * (bulk-save reads each record's own result); `s:false` throws unless `raw`.
   */
  async call<T>(
    req: { method: 'GET' | 'POST' | 'DELETE'; path: string; query?: Query; body?: unknown; raw?: boolean },
    o: CallOptions = {},
  ): Promise<Envelope<T>> {
    for (let attempt = 0; ; attempt++) {
      const s = await this.session();
      const credentials = await this.credentialHeaders();
      const res = await this.dataHttp(s.host).request<Envelope<T>>({
        method: req.method,
        path: `api/${req.path}`,
        ...(req.query ? { query: req.query } : {}),
        ...(req.body !== undefined ? { body: req.body } : {}),
        headers: { ...credentials, ...(s.session ? { 'x-session-id': s.session } : {}) },
        accept: [401],
        ...(o.record ? { record: o.record } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
      });
      if (attempt === 0 && isSessionExpired(res.status, res.body)) {
        // Refused before anything was done: the call is safe to send again, once.
        this.o.logger?.info({ connection: this.o.connection }, 'Accurate session expired; reopening');
        await this.reopen(s);
        continue;
      }
      if (res.status === 401) {
        if (attempt === 0 && this.auth) {
          await this.auth.onUnauthorized(credentials);
          continue;
        }
        throw new LedgerlinkError({
          code: 'auth',
          category: 'config',
          httpStatus: 401,
          message: `Accurate refused the connection's credentials: ${errorMessage(res.body) ?? 'HTTP 401'}`,
        });
      }
      if (!isEnvelope(res.body))
        throw new LedgerlinkError({
          code: 'parse',
          category: 'transient',
          message: `Accurate answered ${req.path} with something that is not its {"s", "d"} envelope`,
        });
      if (!res.body.s && !req.raw) throw refusal(res.body, req.path, res.status);
      return res.body;
    }
  }

  /** One page of list.do (or another paged list such as item/list-stock.do): rows and Accurate's paging. */
  async list<T>(
    entity: string,
    q: URLSearchParams,
    o: CallOptions = {},
  ): Promise<{ rows: T[]; page: number; pageCount: number }> {
    const path = entity.endsWith('.do') ? entity : `${entity}/list.do`;
    const b = await this.call<T[]>({ method: 'GET', path, query: q }, o);
    const rows = Array.isArray(b.d) ? b.d : [];
    return { rows, page: b.sp?.page ?? 1, pageCount: b.sp?.pageCount ?? 1 };
  }

  /** Every page of list.do, in order, `pageSize` rows a page (at most MAX_PAGE). */
  async *pages<T>(
    entity: string,
    q: URLSearchParams,
    pageSize: number,
    signal?: AbortSignal,
  ): AsyncIterable<T[]> {
    for (let page = 1; ; page++) {
      const params = new URLSearchParams(q);
      params.set('sp.page', String(page));
      params.set('sp.pageSize', String(pageSize));
      const r = await this.list<T>(entity, params, signal ? { signal } : {});
      if (r.rows.length) yield r.rows;
      if (page >= r.pageCount || r.rows.length < pageSize) return;
    }
  }

  /** detail.do by id; undefined when Accurate has no such record. */
  async detail<T>(entity: string, id: string | number, o: CallOptions = {}): Promise<T | undefined> {
    try {
      const b = await this.call<T>({ method: 'GET', path: `${entity}/detail.do`, query: { id } }, o);
      return b.d;
    } catch (e) {
      if (e instanceof LedgerlinkError && e.code === 'not_found') return undefined;
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.data?.http.close();
    await this.account.close();
    await this.auth?.close();
  }
}
