import type { Logger } from 'pino';
import type { CredentialStore } from '../sdk/contract.js';
import { configError, isLedgerlinkError, LedgerlinkError } from '../sdk/errors.js';
import { type HttpBinding, HttpClient, type HttpExchange } from '../sdk/http.js';
import { ConnectionLimiter, type RequestLimiter } from '../sdk/rate-limit.js';
import { IsellerClientAuth, IsellerCodeAuth, type IsellerTokens } from './auth.js';
import { envelopeError, errorMessage } from './envelope.js';
import { isellerManifest } from './manifest.js';
import { type IsellerSettings, MAX_PAGE } from './settings.js';
import type { Envelope } from './types.js';

/**
 * The two APIs of a store: the Public API v2 (`/api/v2/<Call>`, a form-encoded POST: PA v2 samples)
 * and the ERP API (`/api/v3/<Call>`, JSON: the adapter guide's GetOutlets; the rest ⚠ FACTS.md).
 */
export type Api = 'public' | 'erp';

export interface CallOptions {
  record?: HttpExchange[];
  signal?: AbortSignal;
}

export type Params = Record<string, string | number | boolean | undefined | unknown[] | object>;

/**
 * Talks to one iSeller store: the token from the iSeller host, every call to the store's own URL (the
 * token answer's resource_url, or the storeUrl setting), and every answer's envelope checked, so that
 * an HTTP 200 with `status: false` is the failure it is, in iSeller's words.
 */
export class IsellerClient {
  readonly tokens: IsellerTokens;
  private http?: HttpClient;
  private readonly limiter: RequestLimiter;
  /** Calls made, by name (tests count paging and batching). */
  readonly calls: Record<string, number> = {};

  constructor(
    readonly s: IsellerSettings,
    private readonly o: { connection: string; credentials?: CredentialStore; logger?: Logger } & HttpBinding,
  ) {
    this.tokens =
      s.authMode === 'client_credentials' ? new IsellerClientAuth(s, o) : new IsellerCodeAuth(s, o);
    this.limiter = o.limiter ?? new ConnectionLimiter(isellerManifest.rateLimit!);
  }

  /** The store's HTTP client, made once the store's URL is known (after the first token). */
  private async api(): Promise<HttpClient> {
    if (this.http) return this.http;
    await this.tokens.accessToken();
    const base = this.tokens.resourceUrl() ?? this.s.storeUrl;
    if (!base)
      throw configError(
        'iSeller did not name the store’s URL (resource_url) in its token answer: set storeUrl to https://<store>.isellershop.com',
      );
    this.http ??= new HttpClient({
      baseUrl: base,
      timeoutMs: this.s.timeoutMs,
      connection: this.o.connection,
      limiter: this.limiter,
      systemName: 'iSeller',
      authHeaders: async () => ({ authorization: `Bearer ${await this.tokens.accessToken()}` }),
      onUnauthorized: (sent) => this.tokens.onUnauthorized(sent),
      errorMessage: (body) => errorMessage(body),
    });
    return this.http;
  }

  /** The store's base URL once known. */
  baseUrl(): string | undefined {
    return this.tokens.resourceUrl() ?? this.s.storeUrl;
  }

  /**
   * One call. `status: false` throws its error; one that names the token is answered like a 401 (the
   * token renewed, the call repeated once), since iSeller may refuse an ended token either way (⚠).
   */
  async call<T extends Envelope>(api: Api, name: string, params: Params, o: CallOptions = {}): Promise<T> {
    const http = await this.api();
    this.calls[name] = (this.calls[name] ?? 0) + 1;
    for (let attempt = 0; ; attempt++) {
      const sent = `Bearer ${await this.tokens.accessToken()}`;
      const res = await http.request<T>({
        method: 'POST',
        path: api === 'public' ? `api/v2/${name}` : `api/v3/${name}`,
        ...(api === 'public' ? { form: formOf(params) } : { body: params }),
        // Reads repeat safely; a write that timed out is looked up by its key before it is sent again.
        idempotent: name.startsWith('Get'),
        ...(o.record ? { record: o.record } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
      });
      const body = res.body;
      if (!body || typeof body !== 'object')
        throw new LedgerlinkError({
          code: 'server',
          category: 'transient',
          message: `iSeller ${name} answered ${res.status} with a body that is not a JSON envelope`,
          httpStatus: res.status,
        });
      if (body.status !== false) return body;
      const error = envelopeError(name, body);
      if (error.code === 'auth' && attempt === 0) {
        await this.tokens.onUnauthorized({ authorization: sent });
        continue;
      }
      throw error;
    }
  }

  /**
   * Every row of a list call, page by page: `page` from 1 and `page_size`; a page with
   * `has_next_item: false` is the last, and where an answer does not say (only GetOrders documents
   * it, FACTS.md ⚠) a short or empty page is.
   */
  async *pages<T>(
    api: Api,
    name: string,
    params: Params,
    listKey: string,
    pageSize: number,
    o: CallOptions = {},
  ): AsyncIterable<T[]> {
    const size = Math.min(MAX_PAGE, Math.max(1, pageSize));
    for (let page = 1; ; page++) {
      const body = await this.call(api, name, { ...params, page, page_size: size }, o);
      const rows = listOf<T>(body, listKey);
      if (rows.length) yield rows;
      if (body.has_next_item === false || rows.length === 0) return;
      if (body.has_next_item === undefined && rows.length < size) return;
    }
  }

  async close(): Promise<void> {
    await this.http?.close();
    await this.tokens.close();
  }
}

/** A list under its key, also PascalCased (GetOutlets answers `Outlets`, the adapter guide). */
export function listOf<T>(body: Envelope, key: string): T[] {
  const v = body[key] ?? body[key.charAt(0).toUpperCase() + key.slice(1)];
  return Array.isArray(v) ? (v as T[]) : [];
}

/** PA v2 takes form fields: lists joined by commas, everything else as text. */
function formOf(params: Params): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.join(',') : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}

export const isAuthError = (e: unknown): boolean => isLedgerlinkError(e) && e.code === 'auth';
