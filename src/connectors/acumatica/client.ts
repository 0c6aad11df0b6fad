import { LedgerlinkError } from '../sdk/errors.js';
import { HttpClient, type HttpExchange, type HttpRequest, type HttpResponse } from '../sdk/http.js';
import type { RawHttpError } from './types.js';
import { fieldErrors } from './types.js';

export interface AcumaticaSettings {
  baseUrl: string;
  endpointVersion: string;
  authMode: 'cookie' | 'oauth2';
  username: string;
  password: string;
  company?: string;
  branch?: string;
  clientId?: string;
  clientSecret?: string;
  timeoutMs: number;
}

interface Token {
  access: string;
  refresh?: string;
  expiresAt: number;
}

/** The text Acumatica puts in a login refusal when the licence's concurrent sessions are used up. */
const LOGIN_LIMIT = /API Login Limit/i;

function errorText(body: unknown): string | undefined {
  if (!body || typeof body !== 'object')
    return typeof body === 'string' && body ? body.slice(0, 500) : undefined;
  const e = body as RawHttpError;
  const fields = fieldErrors(body);
  if (fields.length) return fields.join('; ');
  const state = e.modelState
    ? Object.entries(e.modelState)
        .map(([k, v]) => `${k}: ${v.join(', ')}`)
        .join('; ')
    : '';
  return [e.exceptionMessage || e.message, state].filter(Boolean).join(' — ') || undefined;
}

/**
 * Talks to one Acumatica tenant. Cookie mode logs in once (lazily), keeps the session cookies, logs
 * in again once when a session expires, and always logs out on close: sessions count against the
 * licence. OAuth mode uses a connected application's resource-owner grant and refreshes the token.
 */
export class AcumaticaClient {
  readonly http: HttpClient;
  private readonly cookies = new Map<string, string>();
  private session?: Promise<void>;
  private token?: Token;
  private tokenPromise?: Promise<Token>;

  constructor(private readonly s: AcumaticaSettings) {
    this.http = new HttpClient({
      baseUrl: s.baseUrl,
      timeoutMs: s.timeoutMs,
      rateLimit: { concurrency: 4 },
      systemName: 'Acumatica',
      authHeaders: () => this.authHeaders(),
      onUnauthorized: () => this.reauthenticate(),
      onResponse: (res) => this.keepCookies(res),
      errorMessage: (body) => errorText(body),
      classify: (status, body) => {
        if (LOGIN_LIMIT.test(errorText(body) ?? '')) return { code: 'rate_limit', category: 'rate_limited' };
        if (status === 422) return { code: 'invalid_data', category: 'rejected' };
        return undefined;
      },
    });
  }

  get entityBase(): string {
    return `entity/Default/${this.s.endpointVersion}`;
  }

  request<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    return this.http.request<T>(req);
  }

  /** Entity request: path below /entity/Default/<version>/. */
  entity<T>(
    req: Omit<HttpRequest, 'path'> & { path: string; record?: HttpExchange[] },
  ): Promise<HttpResponse<T>> {
    return this.http.request<T>({ ...req, path: `${this.entityBase}/${req.path}` });
  }

  private keepCookies(res: HttpResponse): void {
    const set = res.headers['set-cookie'];
    for (const c of Array.isArray(set) ? set : set ? [set] : []) {
      const [pair] = c.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (!pair || eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(c) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private async authHeaders(): Promise<Record<string, string>> {
    if (this.s.authMode === 'oauth2') return { authorization: `Bearer ${(await this.accessToken()).access}` };
    this.session ??= this.login();
    try {
      await this.session;
    } catch (e) {
      this.session = undefined;
      throw e;
    }
    return { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  }

  private async login(): Promise<void> {
    const body: Record<string, string> = { name: this.s.username, password: this.s.password };
    if (this.s.company) body.company = this.s.company;
    if (this.s.branch) body.branch = this.s.branch;
    try {
      // Not retried here: the request waiting for this login retries, with its own backoff.
      await this.http.request({
        method: 'POST',
        path: 'entity/auth/login',
        body,
        anonymous: true,
        idempotent: true,
        retries: 0,
      });
    } catch (e) {
      if (e instanceof LedgerlinkError && (e.httpStatus === 401 || e.httpStatus === 403)) {
        throw new LedgerlinkError({
          code: 'auth',
          category: 'config',
          httpStatus: e.httpStatus,
          message: `Acumatica refused the login of user "${this.s.username}": ${e.message.replace(/^Acumatica answered \d+: /, '')}; check username, password and company`,
        });
      }
      throw e;
    }
  }

  private async accessToken(): Promise<Token> {
    if (this.token && this.token.expiresAt - 30_000 > Date.now()) return this.token;
    this.tokenPromise ??= this.fetchToken(this.token?.refresh).finally(() => {
      this.tokenPromise = undefined;
    });
    this.token = await this.tokenPromise;
    return this.token;
  }

  private async fetchToken(refresh?: string): Promise<Token> {
    const base = { client_id: this.s.clientId ?? '', client_secret: this.s.clientSecret ?? '' };
    const form = refresh
      ? { ...base, grant_type: 'refresh_token', refresh_token: refresh }
      : {
          ...base,
          grant_type: 'password',
          username: this.s.username,
          password: this.s.password,
          scope: 'api offline_access',
        };
    try {
      const res = await this.http.request<{
        access_token: string;
        refresh_token?: string;
        expires_in?: number;
      }>({
        method: 'POST',
        path: 'identity/connect/token',
        form,
        anonymous: true,
        idempotent: true,
      });
      return {
        access: res.body.access_token,
        ...(res.body.refresh_token ? { refresh: res.body.refresh_token } : {}),
        expiresAt: Date.now() + (res.body.expires_in ?? 3600) * 1000,
      };
    } catch (e) {
      // An expired refresh token: start over with the password grant once.
      if (refresh) return this.fetchToken(undefined);
      if (e instanceof LedgerlinkError && e.httpStatus !== undefined && e.httpStatus < 500) {
        throw new LedgerlinkError({
          code: 'auth',
          category: 'config',
          httpStatus: e.httpStatus,
          message: `Acumatica refused the OAuth credentials of the connected application: ${e.message.replace(/^Acumatica answered \d+: /, '')}`,
        });
      }
      throw e;
    }
  }

  /** A 401 on a call: the session or token expired; authenticate again and repeat once. */
  private async reauthenticate(): Promise<boolean> {
    if (this.s.authMode === 'oauth2') {
      this.token = undefined;
      await this.accessToken();
      return true;
    }
    this.cookies.clear();
    this.session = this.login();
    await this.session;
    return true;
  }

  get loggedIn(): boolean {
    return this.cookies.size > 0;
  }

  /** Ends the session; never throws (closing must not hide the error that made us close). */
  async logout(): Promise<void> {
    if (this.s.authMode === 'cookie' && this.session && this.cookies.size > 0) {
      const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      await this.http
        .request({
          method: 'POST',
          path: 'entity/auth/logout',
          headers: { cookie },
          anonymous: true,
          idempotent: true,
          accept: [401],
        })
        .catch(() => undefined);
    }
    this.cookies.clear();
    this.session = undefined;
    this.token = undefined;
  }

  async close(): Promise<void> {
    await this.logout();
    await this.http.close();
  }
}
