import type { Logger } from 'pino';
import type { CredentialStore } from '../sdk/contract.js';
import { type HttpBinding, HttpClient, type HttpExchange } from '../sdk/http.js';
import { ConnectionLimiter } from '../sdk/rate-limit.js';
import { Sage200Auth } from './auth.js';
import { classify, errorMessage } from './faults.js';
import { sage200Manifest } from './manifest.js';
import type { Sage200Settings } from './settings.js';

/** A string literal in an OData $filter: single quotes, a quote inside doubled. */
export const odataString = (v: string): string => `'${v.replace(/'/g, "''")}'`;

/** `field eq 'a' or field eq 'b'` in parentheses (the API's $filter has no `in`; FACTS.md ⚠). */
export const anyOf = (field: string, values: readonly (string | number)[]): string =>
  `(${values.map((v) => `${field} eq ${typeof v === 'number' ? v : odataString(v)}`).join(' or ')})`;

export interface ListQuery {
  filter?: string;
  orderby?: string;
  top: number;
  skip?: number;
}

/**
 * Talks to one Sage 200 company: every path below the API base, the bearer token from Sage ID and
 * the X-Site and X-Company headers on every call, OData-style $filter / $orderby / $top / $skip,
 * errors mapped to our classes (FACTS.md).
 */
export class Sage200Client {
  readonly http: HttpClient;
  readonly auth: Sage200Auth;

  constructor(
    readonly s: Sage200Settings,
    o: { connection: string; credentials?: CredentialStore; logger?: Logger } & HttpBinding,
  ) {
    this.auth = new Sage200Auth(s, o);
    this.http = new HttpClient({
      baseUrl: s.baseUrl,
      timeoutMs: s.timeoutMs,
      connection: o.connection,
      limiter: o.limiter ?? new ConnectionLimiter(sage200Manifest.rateLimit!),
      systemName: 'Sage 200',
      authHeaders: async () => ({
        authorization: `Bearer ${await this.auth.accessToken()}`,
        'x-site': s.siteId,
        'x-company': s.companyId,
      }),
      onUnauthorized: (sent) => this.auth.onUnauthorized(sent),
      errorMessage: (body) => errorMessage(body),
      classify: (status, body) => classify(status, body),
    });
  }

  /** One page of a collection (a JSON array). */
  async list<T>(
    path: string,
    q: ListQuery,
    o: { signal?: AbortSignal; record?: HttpExchange[] } = {},
  ): Promise<T[]> {
    const res = await this.http.request<T[]>({
      method: 'GET',
      path,
      query: {
        ...(q.filter ? { $filter: q.filter } : {}),
        ...(q.orderby ? { $orderby: q.orderby } : {}),
        $top: q.top,
        ...(q.skip ? { $skip: q.skip } : {}),
      },
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.record ? { record: o.record } : {}),
    });
    return Array.isArray(res.body) ? res.body : [];
  }

  /** Every row matching, page by page ($top/$skip until a short page). */
  async *pages<T>(path: string, q: Omit<ListQuery, 'skip'>, signal?: AbortSignal): AsyncIterable<T[]> {
    for (let skip = 0; ; skip += q.top) {
      const rows = await this.list<T>(path, { ...q, skip }, signal ? { signal } : {});
      if (rows.length) yield rows;
      if (rows.length < q.top) return;
    }
  }

  async post<T>(path: string, body: unknown, record?: HttpExchange[]): Promise<T> {
    const res = await this.http.request<T>({ method: 'POST', path, body, ...(record ? { record } : {}) });
    return res.body;
  }

  async get<T>(path: string): Promise<T> {
    return (await this.http.request<T>({ method: 'GET', path })).body;
  }

  async close(): Promise<void> {
    await this.http.close();
    await this.auth.close();
  }
}
