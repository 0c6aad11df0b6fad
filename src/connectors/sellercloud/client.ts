import { type HttpBinding, HttpClient, type HttpExchange, type HttpRequest } from '../sdk/http.js';
import { ConnectionLimiter } from '../sdk/rate-limit.js';
import { SellerCloudAuth } from './auth.js';
import { classify, errorMessage, resetWaitMs } from './errors.js';
import { sellercloudManifest } from './manifest.js';
import { MAX_PAGE, type SellerCloudSettings } from './settings.js';

export interface CallOptions {
  record?: HttpExchange[];
  signal?: AbortSignal;
}

/** A list endpoint's answer (Get All Orders, Get All Customers, Get Inventory Info: FACTS.md). */
export interface Paged<T> {
  Items?: T[];
  TotalResults?: number;
}

export type Query = Record<string, string | number | readonly (string | number)[] | undefined>;

/**
 * Talks to one team's SellerCloud server: the bearer token from the username and password (renewed
 * before it ends and once on a 401), the connection's request budget, and SellerCloud's error bodies
 * turned into our error classes. A rate limit's RateLimitResetTime is honoured as a Retry-After.
 */
export class SellerCloudClient {
  readonly auth: SellerCloudAuth;
  readonly http: HttpClient;
  /** Calls made, by "METHOD path" (tests count paging and per-package calls). */
  readonly calls: Record<string, number> = {};

  constructor(
    readonly s: SellerCloudSettings,
    o: { connection: string } & HttpBinding,
  ) {
    this.auth = new SellerCloudAuth(s, o);
    this.http = new HttpClient({
      baseUrl: s.baseUrl,
      timeoutMs: s.timeoutMs,
      connection: o.connection,
      limiter: o.limiter ?? new ConnectionLimiter(sellercloudManifest.rateLimit!),
      systemName: 'SellerCloud',
      authHeaders: async () => ({ authorization: `Bearer ${await this.auth.accessToken()}` }),
      onUnauthorized: (sent) => this.auth.onUnauthorized(sent),
      errorMessage: (body) => errorMessage(body),
      classify,
      // The rate limit names when it lifts in its body, not in a header: hand it on as one.
      onResponse: (res) => {
        if (res.status !== 429 || res.headers['retry-after'] !== undefined) return;
        const wait = resetWaitMs(res.body);
        if (wait !== undefined) res.headers['retry-after'] = String(Math.ceil(wait / 100) / 10);
      },
    });
  }

  async call<T>(
    method: HttpRequest['method'],
    path: string,
    o: CallOptions & { query?: Query; body?: unknown; accept?: number[]; idempotent?: boolean } = {},
  ): Promise<{ status: number; body: T }> {
    const key = `${method} ${path.replace(/\/\d+(?=\/|$)/g, '/{id}')}`;
    this.calls[key] = (this.calls[key] ?? 0) + 1;
    const res = await this.http.request<T>({
      method,
      path,
      ...(o.query ? { query: toParams(o.query) } : {}),
      ...(o.body !== undefined ? { body: o.body } : {}),
      ...(o.accept ? { accept: o.accept } : {}),
      ...(o.idempotent !== undefined ? { idempotent: o.idempotent } : {}),
      ...(o.record ? { record: o.record } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    return { status: res.status, body: res.body };
  }

  /**
   * Every item of a list endpoint, a page at a time: pageNumber from 1, pageSize at most 50; the
   * last page is the one that reaches TotalResults, or a short or empty one.
   */
  async *pages<T>(path: string, query: Query, pageSize: number, o: CallOptions = {}): AsyncIterable<T[]> {
    const size = Math.min(MAX_PAGE, Math.max(1, pageSize));
    let seen = 0;
    for (let page = 1; ; page++) {
      const { body } = await this.call<Paged<T>>('GET', path, {
        ...o,
        query: { ...query, pageNumber: page, pageSize: size },
      });
      const items = Array.isArray(body?.Items) ? body.Items : [];
      seen += items.length;
      if (items.length) yield items;
      if (items.length < size) return;
      if (typeof body?.TotalResults === 'number' && seen >= body.TotalResults) return;
    }
  }

  async close(): Promise<void> {
    await this.http.close();
    await this.auth.close();
  }
}

/** Lists as repeated parameters (orderIDs=1&orderIDs=2), as ASP.NET binds a List (FACTS.md ⚠). */
function toParams(q: Query): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) out.append(k, String(x));
    else out.append(k, String(v));
  }
  return out;
}

/** A DateTime filter as SellerCloud takes it: "mm/dd/yyyy hh:mm" (REST Services Overview), in UTC ⚠. */
export function filterDate(iso: string, round: 'down' | 'up'): string {
  const ms = Date.parse(iso);
  const minute = 60_000;
  const t = new Date(round === 'down' ? Math.floor(ms / minute) * minute : Math.ceil(ms / minute) * minute);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(t.getUTCMonth() + 1)}/${p(t.getUTCDate())}/${t.getUTCFullYear()} ${p(t.getUTCHours())}:${p(t.getUTCMinutes())}`;
}
