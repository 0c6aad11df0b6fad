import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request, errors as undiciErrors } from 'undici';
import { reportCall } from './calls.js';
import { type ErrorCode, type ErrorData, LedgerlinkError } from './errors.js';
import type { RateLimit } from './manifest.js';
import { ConnectionLimiter, type RequestLimiter } from './rate-limit.js';
import { redact, redactUrl } from './redact.js';
import { stoppingSignal, untilStopped } from './stopping.js';

/**
 * One request and its answer. Bodies are kept as sent and received; `forLog` redacts and truncates
 * them, which is done only for the exchanges that reach the connector log.
 */
export interface HttpExchange {
  method: string;
  url: string;
  status?: number;
  requestBody?: unknown;
  responseBody?: unknown;
  durationMs: number;
  attempt: number;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  path: string;
  query?: Record<string, string | number | undefined> | URLSearchParams;
  body?: unknown;
  /** A form-encoded body (OAuth token requests) instead of JSON. */
  form?: Record<string, string>;
  /** A body sent as it is, with its own content type (a multipart OData $batch), instead of JSON. */
  text?: { body: string; contentType: string };
  headers?: Record<string, string>;
  /**
   * Whether the request may be repeated after a 5xx or a timeout. POSTs that create records are
   * not: the engine retries them after looking the record up by natural key, so a lost answer
   * never becomes a duplicate. Every method is retried after a 429, which means "not processed".
   */
  idempotent?: boolean;
  /**
   * The budget this request waits for instead of the client's: one that keeps a second limit of the
   * system's on top of the connection's (QuickBooks' batch requests a minute), and passes the rest on.
   */
  limiter?: RequestLimiter;
  /** Statuses that are answers, not errors (e.g. 404 for a lookup). */
  accept?: readonly number[];
  /** Exchanges are appended here, for the connector log. */
  record?: HttpExchange[];
  /** Overrides the client's retry count (0 for a login, which the request it serves already retries). */
  retries?: number;
  /** Skip the auth hooks (for the login request itself). */
  anonymous?: boolean;
  signal?: AbortSignal;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

/**
 * What a connector's context lends its HTTP client: the connection's name (calls are counted by it)
 * and the connection's budget.
 */
export interface HttpBinding {
  connection?: string;
  /** Shared by every process on a PostgreSQL store; without it the client keeps `rateLimit` on its own. */
  limiter?: RequestLimiter;
}

export interface HttpClientOptions extends HttpBinding {
  baseUrl: string;
  /** Time allowed for the whole answer before the request counts as hung. */
  timeoutMs?: number;
  maxRetries?: number;
  /** Longest wait between attempts; a Retry-After beyond it is handed to the engine instead. */
  maxBackoffMs?: number;
  /** The manifest's limit, kept in this process when no limiter is lent. */
  rateLimit?: RateLimit;
  /** Headers added to every non-anonymous request (auth). */
  authHeaders?: () => Promise<Record<string, string>> | Record<string, string>;
  /**
   * Called on 401 with the auth headers the refused request carried, so that of several requests
   * refused at once only the first renews the credentials; return true to repeat the request once.
   */
  onUnauthorized?: (sent: Readonly<Record<string, string>>) => Promise<boolean>;
  /** Sees every response (e.g. to collect Set-Cookie). */
  onResponse?: (res: HttpResponse) => void;
  /** Pulls the human message out of the system's error body. */
  errorMessage?: (body: unknown, status: number) => string | undefined;
  /** Maps a status to an error code/category when the system departs from HTTP norms. */
  classify?: (status: number, body: unknown) => Pick<ErrorData, 'code' | 'category'> | undefined;
  systemName: string;
}

const MAX_LOGGED_BODY = 16_384;

/** Parses Retry-After: delta-seconds or an HTTP-date. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Capped exponential backoff with full jitter. */
export function backoffMs(attempt: number, baseMs = 250, capMs = 30_000, random = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function statusToError(status: number): { code: ErrorCode; category: ErrorData['category'] } {
  if (status === 429) return { code: 'rate_limit', category: 'rate_limited' };
  if (status === 401 || status === 403) return { code: 'auth', category: 'config' };
  if (status === 404) return { code: 'not_found', category: 'rejected' };
  if (status === 409 || status === 412) return { code: 'conflict', category: 'rejected' };
  if (status === 413) return { code: 'too_large', category: 'rejected' };
  if (status === 408) return { code: 'timeout', category: 'transient' };
  if (status >= 500) return { code: 'server', category: 'transient' };
  return { code: 'invalid_data', category: 'rejected' };
}

/**
 * The HTTP client every connector uses: one keep-alive agent per connection, the connection's rate
 * limit, timeouts, retries with capped exponential backoff that honour Retry-After, re-login on 401,
 * typed errors, and a redacted record of each exchange for the connector log.
 */
export class HttpClient {
  private readonly agent: Agent;
  readonly limiter: RequestLimiter;
  private readonly base: URL;
  /** Requests sent, by method; benchmarks and tests read it. */
  readonly stats = { requests: 0, retries: 0, byMethod: {} as Record<string, number> };

  constructor(private readonly opts: HttpClientOptions) {
    this.base = new URL(opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`);
    this.limiter = opts.limiter ?? new ConnectionLimiter(opts.rateLimit);
    this.agent = new Agent({ connections: this.limiter.limit.concurrency ?? 16, keepAliveTimeout: 10_000 });
  }

  url(path: string, query?: HttpRequest['query']): string {
    const u = new URL(path.replace(/^\//, ''), this.base);
    if (query) {
      const entries = query instanceof URLSearchParams ? [...query.entries()] : Object.entries(query);
      for (const [k, v] of entries) if (v !== undefined) u.searchParams.append(k, String(v));
    }
    return u.toString();
  }

  async request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    const maxRetries = req.retries ?? this.opts.maxRetries ?? 4;
    const maxBackoff = this.opts.maxBackoffMs ?? 30_000;
    const idempotent = req.idempotent ?? req.method !== 'POST';
    let reauthenticated = false;
    for (let attempt = 0; ; attempt++) {
      let failure: LedgerlinkError;
      let unprocessed = false;
      try {
        const auth = !req.anonymous && this.opts.authHeaders ? await this.opts.authHeaders() : {};
        const res = await this.send<T>(req, attempt, auth);
        if (res.status < 400 || req.accept?.includes(res.status)) return res;
        if (res.status === 401 && !req.anonymous && !reauthenticated && this.opts.onUnauthorized) {
          reauthenticated = true;
          if (await this.opts.onUnauthorized(auth)) {
            attempt--;
            continue;
          }
        }
        failure = this.httpError(res);
      } catch (e) {
        failure = this.networkError(e);
        // Refused before any byte was sent: the system never saw the request, so repeating is safe.
        unprocessed = (e as { code?: string }).code === 'ECONNREFUSED';
      }
      const wait = failure.retryAfterMs ?? backoffMs(attempt);
      // Slowing down is the connection's business, not this request's: every caller (in every process
      // sharing the limiter) waits, also when this request gives up and goes back to the engine.
      if (failure.category === 'rate_limited' && failure.httpStatus !== undefined)
        await (req.limiter ?? this.limiter).pause(wait);
      const retryable =
        failure.category === 'rate_limited' ||
        (failure.category === 'transient' && (idempotent || unprocessed));
      if (!retryable || attempt >= maxRetries) throw failure;
      if (wait > maxBackoff) throw failure; // the engine reschedules the record at retryAfterMs
      // A stopping process waits for nothing: the record is retried by whoever still runs.
      if (stoppingSignal().aborted) throw failure;
      this.stats.retries++;
      try {
        await untilStopped(req.signal, (signal) => sleep(wait, undefined, { signal }));
      } catch (e) {
        if (req.signal?.aborted) throw e;
        throw failure;
      }
    }
  }

  private async send<T>(
    req: HttpRequest,
    attempt: number,
    auth: Record<string, string>,
  ): Promise<HttpResponse<T>> {
    const url = this.url(req.path, req.query);
    const headers: Record<string, string> = { accept: 'application/json', ...req.headers, ...auth };
    let body: string | undefined;
    if (req.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(req.form).toString();
    } else if (req.text) {
      headers['content-type'] = req.text.contentType;
      body = req.text.body;
    } else if (req.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.body);
    }
    // A turn further away than the longest backoff goes back to the engine as a rate limit (the record waits).
    // A stopping process takes a turn only if it is free now: waiting for one could hold it (and the
    // job locks it keeps) for as long as the budget says.
    const maxWait = this.opts.maxBackoffMs ?? 30_000;
    const limiter = req.limiter ?? this.limiter;
    const release = stoppingSignal().aborted
      ? await limiter.acquire(req.signal, 0)
      : await untilStopped(req.signal, (signal) => limiter.acquire(signal, maxWait)).catch((e) => {
          if (req.signal?.aborted || !stoppingSignal().aborted) throw e;
          throw new LedgerlinkError({
            code: 'rate_limit',
            category: 'transient',
            message: `${this.opts.systemName} was not called: this process is stopping, and the connection's turn had not come`,
          });
        });
    const started = performance.now();
    const exchange: HttpExchange = {
      method: req.method,
      url: redactUrl(url),
      requestBody: req.form ?? req.text?.body ?? req.body,
      durationMs: 0,
      attempt,
    };
    req.record?.push(exchange);
    this.stats.requests++;
    this.stats.byMethod[req.method] = (this.stats.byMethod[req.method] ?? 0) + 1;
    try {
      const timeout = this.opts.timeoutMs ?? 30_000;
      const res = await request(url, {
        method: req.method,
        headers,
        body,
        dispatcher: this.agent,
        headersTimeout: timeout,
        bodyTimeout: timeout,
        ...(req.signal ? { signal: req.signal } : {}),
      });
      const text = await res.body.text();
      let parsed: unknown = text;
      if (text.length > 0) {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = text;
        }
      } else parsed = undefined;
      exchange.status = res.statusCode;
      exchange.responseBody = parsed;
      const out: HttpResponse<T> = { status: res.statusCode, headers: res.headers, body: parsed as T };
      this.opts.onResponse?.(out as HttpResponse);
      return out;
    } finally {
      const elapsed = performance.now() - started;
      exchange.durationMs = Math.round(elapsed);
      release();
      reportCall({
        connection: this.opts.connection ?? this.opts.systemName,
        method: req.method,
        ...(exchange.status !== undefined ? { status: exchange.status } : {}),
        durationMs: elapsed,
      });
    }
  }

  private httpError(res: HttpResponse): LedgerlinkError {
    const kind = this.opts.classify?.(res.status, res.body) ?? statusToError(res.status);
    const detail = this.opts.errorMessage?.(res.body, res.status);
    const message = detail
      ? `${this.opts.systemName} answered ${res.status}: ${detail}`
      : `${this.opts.systemName} answered ${res.status}`;
    const retryAfterMs =
      res.status === 429 || res.status === 503 ? parseRetryAfter(res.headers['retry-after']) : undefined;
    return new LedgerlinkError({
      ...kind,
      message,
      httpStatus: res.status,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }

  private networkError(e: unknown): LedgerlinkError {
    if (e instanceof LedgerlinkError) return e;
    const err = e as { code?: string; name?: string; message?: string };
    const timedOut =
      e instanceof undiciErrors.HeadersTimeoutError ||
      e instanceof undiciErrors.BodyTimeoutError ||
      err.code === 'UND_ERR_HEADERS_TIMEOUT' ||
      err.code === 'UND_ERR_BODY_TIMEOUT';
    if (timedOut) {
      return new LedgerlinkError(
        {
          code: 'timeout',
          category: 'transient',
          message: `${this.opts.systemName} did not answer within ${this.opts.timeoutMs ?? 30_000} ms`,
        },
        { cause: e },
      );
    }
    if (err.name === 'AbortError') throw e;
    return new LedgerlinkError(
      {
        code: 'connection',
        category: 'transient',
        message: `cannot reach ${this.opts.systemName} at ${this.base.origin}: ${err.code ?? err.message ?? String(e)}`,
      },
      { cause: e },
    );
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

function truncate(body: unknown): unknown {
  if (typeof body === 'string')
    return body.length > MAX_LOGGED_BODY ? `${body.slice(0, MAX_LOGGED_BODY)}…` : body;
  const json = JSON.stringify(body);
  if (json !== undefined && json.length > MAX_LOGGED_BODY) return `${json.slice(0, MAX_LOGGED_BODY)}…`;
  return body;
}

/**
 * One exchange's bodies redacted and cut, worked out once: a bulk call's exchange is every one of its
 * records' (100 records of an Accurate bulk-save share one), and redacting its body for each record
 * was most of the engine's CPU on a busy day's sales.
 */
const shown = new WeakMap<HttpExchange, { request: unknown; response: unknown }>();
function bodiesOf(x: HttpExchange): { request: unknown; response: unknown } {
  let b = shown.get(x);
  if (!b) {
    b = { request: truncate(redact(x.requestBody)), response: truncate(redact(x.responseBody)) };
    shown.set(x, b);
  }
  return b;
}

/** One call of an attempt as the connector log keeps it: redacted and bounded like `forLog`. */
export function callForLog(x: HttpExchange): Record<string, unknown> {
  const b = bodiesOf(x);
  return {
    method: x.method,
    url: x.url,
    status: x.status ?? null,
    durationMs: x.durationMs,
    request: b.request,
    response: b.response,
  };
}

/** The exchange as the connector log stores it: secrets redacted, large bodies cut. */
export function forLog(x: HttpExchange): { request: string; response: string } {
  const b = bodiesOf(x);
  return {
    request: JSON.stringify({ method: x.method, url: x.url, body: b.request }),
    response: JSON.stringify({ status: x.status, body: b.response }),
  };
}
