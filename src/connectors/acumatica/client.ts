import { setTimeout as sleep } from 'node:timers/promises';
import type { CredentialStore } from '../sdk/contract.js';
import { LedgerlinkError } from '../sdk/errors.js';
import {
  type HttpBinding,
  HttpClient,
  type HttpExchange,
  type HttpRequest,
  type HttpResponse,
} from '../sdk/http.js';
import { acumaticaManifest } from './manifest.js';
import type { RawHttpError } from './types.js';
import { fieldErrors } from './types.js';

export interface AcumaticaSettings {
  baseUrl: string;
  endpointVersion: string;
  authMode: 'cookie' | 'oauth2';
  oauthFlow?: 'password' | 'authorization_code';
  username?: string;
  password?: string;
  refreshToken?: string;
  company?: string;
  branch?: string;
  clientId?: string;
  clientSecret?: string;
  timeoutMs: number;
}

/** What a finished action answered: where the record it processed can be read, when Acumatica says. */
export interface ActionResult {
  location?: string;
}

export interface ActionOptions {
  /** How long the long-running operation may take before we stop waiting (default two minutes). */
  deadlineMs?: number;
  record?: HttpExchange[];
  signal?: AbortSignal;
}

const POLL_FIRST_MS = 100;
const POLL_MAX_MS = 2_000;

const header = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

interface Token {
  access: string;
  refresh?: string;
  expiresAt: number;
}

const REFRESH = 'oauth_refresh_token';
/** "offline_access" asks for a refresh token, so access outlives the one-hour access token. */
const SCOPE = 'api offline_access';

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
 * out and in again once when a call is refused 401, and always logs out on close: sessions count
 * against the licence ("API Login Limit" when none is left; the call then waits and tries again). OAuth mode uses a connected application's resource-owner grant and refreshes the token.
 */
export class AcumaticaClient {
  readonly http: HttpClient;
  private readonly cookies = new Map<string, string>();
  private session?: Promise<void>;
  private token?: Token;
  private tokenPromise?: Promise<Token>;
  /** The cookies of the session a 401 refused, until it is signed out. */
  private stale?: string;

  constructor(
    private readonly s: AcumaticaSettings,
    private readonly o: { connection: string; credentials?: CredentialStore } & HttpBinding = {
      connection: 'acumatica',
    },
  ) {
    this.http = new HttpClient({
      baseUrl: s.baseUrl,
      timeoutMs: s.timeoutMs,
      connection: o.connection,
      limiter: o.limiter,
      rateLimit: acumaticaManifest.rateLimit,
      systemName: 'Acumatica',
      authHeaders: () => this.authHeaders(),
      onUnauthorized: (sent) => this.reauthenticate(sent),
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

  /**
   * Runs an action (POST /<resource>/<action> with the record's keys and the action's parameters)
   * and waits for the long-running operation it starts: Acumatica answers 204 when it is done at
   * once, else 202 with a Location to poll until that answers 204. A failed operation (the status
   * answers an error) throws with Acumatica's message, as does one that outlasts the deadline.
   */
  async invokeAction(
    resource: string,
    action: string,
    entityKeys: Readonly<Record<string, string>>,
    parameters: Readonly<Record<string, unknown>> = {},
    o: ActionOptions = {},
  ): Promise<ActionResult> {
    const wrapAll = (r: Readonly<Record<string, unknown>>) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, { value: v }]));
    const common = { ...(o.record ? { record: o.record } : {}), ...(o.signal ? { signal: o.signal } : {}) };
    const started = await this.entity({
      method: 'POST',
      path: `${resource}/${action}`,
      body: { entity: wrapAll(entityKeys), parameters: wrapAll(parameters) },
      accept: [202, 204],
      ...common,
    });
    const what = `${action} of ${resource} ${Object.values(entityKeys).join(' ')}`;
    const deadline = Date.now() + (o.deadlineMs ?? 120_000);
    let res = started;
    for (let wait = POLL_FIRST_MS; res.status === 202; wait = Math.min(POLL_MAX_MS, wait * 2)) {
      const location = header(res.headers.location);
      if (!location)
        throw new LedgerlinkError({
          code: 'server',
          category: 'transient',
          message: `Acumatica accepted the ${what} but gave no Location to follow it`,
        });
      if (Date.now() + wait > deadline)
        throw new LedgerlinkError({
          code: 'timeout',
          category: 'transient',
          message: `the ${what} was still running after ${Math.round((o.deadlineMs ?? 120_000) / 1000)} s`,
        });
      await sleep(wait, undefined, o.signal ? { signal: o.signal } : undefined);
      // A failed operation is reported once; polling again would only find it gone.
      res = await this.request({ method: 'GET', path: this.below(location), accept: [500], ...common });
      if (res.status === 500)
        throw new LedgerlinkError({
          code: 'conflict',
          category: 'rejected',
          httpStatus: 500,
          message: `Acumatica could not complete the ${what}: ${errorText(res.body) ?? 'no reason given'}`,
        });
    }
    const location = header(res.headers.location);
    return location ? { location } : {};
  }

  /**
   * A Location header as a path below the instance URL. Only locations on the instance itself are
   * followed: the session cookie or token must never go to another host.
   */
  private below(location: string): string {
    const base = new URL(this.http.url(''));
    const target = new URL(location, base);
    if (target.origin !== base.origin || !target.pathname.startsWith(base.pathname))
      throw new LedgerlinkError({
        code: 'config',
        category: 'config',
        message: `Acumatica pointed to ${target.origin}${target.pathname}, outside the instance at ${base.href}; check the instance URL`,
      });
    return `${target.pathname.slice(base.pathname.length)}${target.search}`;
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
    return { cookie: this.cookieHeader() };
  }

  private async login(): Promise<void> {
    try {
      await this.signIn();
    } catch (e) {
      // Every seat of the licence is taken. A session this client still holds a cookie for may be
      // one of them (a refusal that did not end it): signing it out gives the seat back. The request
      // waiting for this login then tries again after a pause — the records wait, they do not fail —
      // and the site's idle timeout frees the seats of clients that never signed out.
      if (e instanceof LedgerlinkError && e.category === 'rate_limited') await this.signOut(this.stale);
      throw e;
    }
  }

  private async signIn(): Promise<void> {
    const body: Record<string, string> = { name: this.s.username ?? '', password: this.s.password ?? '' };
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
    this.tokenPromise ??= this.renew().finally(() => {
      this.tokenPromise = undefined;
    });
    this.token = await this.tokenPromise;
    return this.token;
  }

  private get codeFlow(): boolean {
    return this.s.oauthFlow === 'authorization_code';
  }

  /**
   * A fresh access token: by refresh token when there is one (the code flow keeps its latest one in
   * the credential store, since Acumatica may hand out a new one each time), else by password grant.
   */
  private async renew(): Promise<Token> {
    const refresh =
      this.token?.refresh ??
      (this.codeFlow ? ((await this.o.credentials?.get(REFRESH)) ?? this.s.refreshToken) : undefined);
    if (refresh) {
      try {
        return await this.grant({ grant_type: 'refresh_token', refresh_token: refresh });
      } catch (e) {
        if (!(e instanceof LedgerlinkError && e.category === 'config')) throw e;
        if (this.codeFlow) throw this.notAuthorized('its authorization has expired or was revoked');
        // A refused refresh token: start over with the password grant.
      }
    }
    if (this.codeFlow) throw this.notAuthorized('it has not been authorized yet');
    return this.grant({
      grant_type: 'password',
      username: this.s.username ?? '',
      password: this.s.password ?? '',
      scope: SCOPE,
    });
  }

  private notAuthorized(why: string): LedgerlinkError {
    return new LedgerlinkError({
      code: 'auth',
      category: 'config',
      message: `the Acumatica connection "${this.o.connection}" uses the authorization-code flow and ${why}: run "ledgerlink authorize ${this.o.connection}"`,
    });
  }

  private async grant(fields: Record<string, string>): Promise<Token> {
    const form = { client_id: this.s.clientId ?? '', client_secret: this.s.clientSecret ?? '', ...fields };
    let body: { access_token: string; refresh_token?: string; expires_in?: number };
    try {
      body = (
        await this.http.request<typeof body>({
          method: 'POST',
          path: 'identity/connect/token',
          form,
          anonymous: true,
          idempotent: true,
        })
      ).body;
    } catch (e) {
      if (
        e instanceof LedgerlinkError &&
        e.httpStatus !== undefined &&
        e.httpStatus < 500 &&
        e.httpStatus !== 429
      ) {
        throw new LedgerlinkError({
          code: 'auth',
          category: 'config',
          httpStatus: e.httpStatus,
          message: `Acumatica refused the OAuth credentials of the connected application: ${e.message.replace(/^Acumatica answered \d+: /, '')}`,
        });
      }
      throw e;
    }
    if (body.refresh_token && this.codeFlow) await this.o.credentials?.set(REFRESH, body.refresh_token);
    return {
      access: body.access_token,
      ...(body.refresh_token ? { refresh: body.refresh_token } : {}),
      expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000,
    };
  }

  /** Where a person grants access (Acumatica's authorization endpoint, asking for a refresh token). */
  authorizeUrl(redirectUri: string, state: string): string {
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: this.s.clientId ?? '',
      redirect_uri: redirectUri,
      scope: SCOPE,
      state,
    });
    return this.http.url(`identity/connect/authorize?${q.toString()}`);
  }

  /** Exchanges the code from the redirect; the refresh token lands in the credential store. */
  async exchangeCode(code: string, redirectUri: string): Promise<void> {
    if (!this.o.credentials) throw new Error('this connection has nowhere to keep its refresh token');
    this.token = await this.grant({ grant_type: 'authorization_code', code, redirect_uri: redirectUri });
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /**
   * A 401 on a call: the session or token expired. Only a request refused with the credentials we
   * still hold renews them; the others wait for that renewal, so concurrent 401s cost one login
   * (sessions are licensed) and one token.
   */
  private async reauthenticate(sent: Readonly<Record<string, string>>): Promise<boolean> {
    if (this.s.authMode === 'oauth2') {
      if (this.token && sent.authorization === `Bearer ${this.token.access}`) this.token = undefined;
      await this.accessToken();
      return true;
    }
    if (this.cookies.size > 0 && sent.cookie === this.cookieHeader()) {
      // The session may still hold a licensed seat although this call was refused: sign it out
      // before signing in again, or a licence with no seat to spare refuses the new login.
      this.stale = sent.cookie;
      this.cookies.clear();
      this.session = this.signOut(this.stale).then(() => this.login());
    }
    await this.session;
    return true;
  }

  /** Signs a session out by its cookies; never throws (a session already gone answers 401). */
  private async signOut(cookie: string | undefined): Promise<void> {
    if (!cookie) return;
    if (this.stale === cookie) this.stale = undefined;
    await this.http
      .request({
        method: 'POST',
        path: 'entity/auth/logout',
        headers: { cookie },
        anonymous: true,
        idempotent: true,
        retries: 0,
        accept: [401],
      })
      .catch(() => undefined);
  }

  get loggedIn(): boolean {
    return this.cookies.size > 0;
  }

  /** Ends the session; never throws (closing must not hide the error that made us close). */
  async logout(): Promise<void> {
    if (this.s.authMode === 'cookie' && this.session && this.cookies.size > 0)
      await this.signOut(this.cookieHeader());
    await this.signOut(this.stale);
    this.cookies.clear();
    this.session = undefined;
    this.token = undefined;
  }

  async close(): Promise<void> {
    await this.logout();
    await this.http.close();
  }
}
