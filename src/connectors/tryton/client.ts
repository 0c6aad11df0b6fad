import { isLedgerlinkError, LedgerlinkError } from '../sdk/errors.js';
import { type HttpBinding, HttpClient, type HttpExchange } from '../sdk/http.js';
import { decode } from './json.js';
import { trytonManifest } from './manifest.js';
import { type RpcError, rpcError } from './rpc-error.js';

export interface ClientSettings {
  url: string;
  database: string;
  username: string;
  password: string;
  timeoutMs: number;
}

export interface CallOptions {
  /** Exchanges are appended here, for the connector log. */
  record?: HttpExchange[];
  signal?: AbortSignal;
  /**
   * Whether the call may be repeated after a timeout or a 5xx: reads may, a create or a workflow
   * button may not (the engine looks the record up before it tries again).
   */
  idempotent?: boolean;
  /** Added to the session's context for this call (locations for stock quantities, active_test). */
  context?: Record<string, unknown>;
}

export type Context = Record<string, unknown>;

interface RpcAnswer {
  id?: number;
  result?: unknown;
  error?: RpcError | null;
}

interface Session {
  userId: number;
  header: string;
}

/** Werkzeug answers aborts with a small HTML page; its paragraph is the reason. */
function htmlReason(body: unknown): string | undefined {
  if (typeof body !== 'string' || !body) return undefined;
  const p = /<p>([\s\S]*?)<\/p>/i.exec(body)?.[1] ?? body;
  return p
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

/**
 * Tryton's JSON-RPC over HTTP: POST /<database>/ with {id, method, params}. `common.db.login` with
 * [login, {password}] answers [user id, session key]; every later call carries
 * `Authorization: Session base64(login:user id:key)`. Tryton answers an unknown or expired session
 * (five minutes idle by default) with 401, which logs in again once; a 403 means the method is not
 * exposed over RPC, which no login changes. Model calls end with the context (company, language),
 * as Tryton's own clients send it: the server keeps none between calls.
 */
export class TrytonClient {
  readonly http: HttpClient;
  private session?: Promise<Session>;
  private contextPromise?: Promise<Context>;
  private seq = 0;

  constructor(
    private readonly s: ClientSettings,
    private readonly o: {
      /** Completes the user's preferences into the context calls carry (company, warehouse). */
      resolveContext?: (client: TrytonClient, preferences: Context) => Promise<Context>;
    } & HttpBinding = {},
  ) {
    this.http = new HttpClient({
      baseUrl: s.url,
      timeoutMs: s.timeoutMs,
      connection: o.connection,
      limiter: o.limiter,
      rateLimit: trytonManifest.rateLimit,
      systemName: 'Tryton',
      authHeaders: async () => ({ authorization: (await this.login()).header }),
      onUnauthorized: (sent) => this.reauthenticate(sent),
      errorMessage: (body) => htmlReason(body),
    });
  }

  private get path(): string {
    return `${encodeURIComponent(this.s.database)}/`;
  }

  /** One JSON-RPC call; an error answer becomes a LedgerlinkError with Tryton's words. */
  async call<T>(method: string, params: readonly unknown[], o: CallOptions = {}): Promise<T> {
    const res = await this.http.request<RpcAnswer>({
      method: 'POST',
      path: this.path,
      body: { id: ++this.seq, method, params },
      idempotent: o.idempotent ?? false,
      ...(o.record ? { record: o.record } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    return this.result<T>(res.body, method);
  }

  private result<T>(body: RpcAnswer | undefined, method: string): T {
    if (!body || typeof body !== 'object')
      throw new LedgerlinkError({
        code: 'parse',
        category: 'transient',
        message: `Tryton answered ${method} without a JSON-RPC body (is ${this.s.url} a trytond server?)`,
      });
    if (body.error) throw rpcError(body.error, method);
    return decode(body.result) as T;
  }

  /** `model.<name>.<method>` with the arguments, then the session's context (and the call's own). */
  async model<T>(name: string, method: string, args: readonly unknown[], o: CallOptions = {}): Promise<T> {
    const context = { ...(await this.context()), ...o.context };
    return this.call<T>(`model.${name}.${method}`, [...args, context], o);
  }

  /** The context every model call carries: the user's preferences, completed by the connector. */
  context(): Promise<Context> {
    if (!this.contextPromise) {
      const loading = this.loadContext();
      this.contextPromise = loading;
      loading.catch(() => {
        if (this.contextPromise === loading) this.contextPromise = undefined;
      });
    }
    return this.contextPromise;
  }

  /** Reads the preferences again on the next call (after the user's company changed). */
  resetContext(): void {
    this.contextPromise = undefined;
  }

  private async loadContext(): Promise<Context> {
    const preferences = await this.call<Context>('model.res.user.get_preferences', [true, {}], {
      idempotent: true,
    });
    const extra = this.o.resolveContext ? await this.o.resolveContext(this, preferences) : {};
    return { ...preferences, ...extra };
  }

  /** The session, logging in the first time (and after an expiry); a failed login is not kept. */
  private login(): Promise<Session> {
    if (!this.session) {
      const attempt = this.openSession();
      this.session = attempt;
      attempt.catch(() => {
        if (this.session === attempt) this.session = undefined;
      });
    }
    return this.session;
  }

  private async openSession(): Promise<Session> {
    const who = `user "${this.s.username}" on database "${this.s.database}"`;
    let res: { status: number; body: RpcAnswer | undefined };
    try {
      res = await this.http.request<RpcAnswer>({
        method: 'POST',
        path: this.path,
        body: {
          id: ++this.seq,
          method: 'common.db.login',
          params: [this.s.username, { password: this.s.password }],
        },
        anonymous: true,
        // Logging in twice is harmless, and the request it serves does its own retrying.
        idempotent: true,
        retries: 0,
        accept: [401, 403, 404],
      });
    } catch (e) {
      if (isLedgerlinkError(e) && e.code === 'rate_limit')
        throw new LedgerlinkError({
          code: 'rate_limit',
          category: 'rate_limited',
          retryAfterMs: 60_000,
          message: `Tryton refused the login of ${who} for now: too many failed attempts`,
        });
      throw e;
    }
    if (res.status === 404)
      throw new LedgerlinkError({
        code: 'config',
        category: 'config',
        httpStatus: 404,
        message: `Tryton at ${this.s.url} has no database "${this.s.database}"`,
      });
    if (res.status === 401 || res.status === 403)
      throw new LedgerlinkError({
        code: 'auth',
        category: 'config',
        httpStatus: res.status,
        message: `Tryton refused the login of ${who}: wrong user name or password, or an inactive user`,
      });
    const result = this.result<unknown>(res.body, 'common.db.login');
    if (!Array.isArray(result) || typeof result[0] !== 'number' || typeof result[1] !== 'string')
      throw new LedgerlinkError({
        code: 'auth',
        category: 'config',
        message: `Tryton answered the login of ${who} without a session`,
      });
    const [userId, key] = result as [number, string];
    const token = Buffer.from(`${this.s.username}:${userId}:${key}`, 'latin1').toString('base64');
    return { userId, header: `Session ${token}` };
  }

  /**
   * A 401: the session expired. Only a call refused with the session still held logs in again; the
   * others wait for that login, so calls meeting the expiry together cost one login.
   */
  private async reauthenticate(sent: Readonly<Record<string, string>>): Promise<boolean> {
    const current = this.session ? await this.session.catch(() => undefined) : undefined;
    if (!current || sent.authorization === current.header) this.session = undefined;
    await this.login();
    return true;
  }

  /** The server's version, asked without a session (the reachability check). */
  async version(): Promise<string> {
    const res = await this.http.request<RpcAnswer>({
      method: 'POST',
      path: '',
      body: { id: ++this.seq, method: 'common.server.version', params: [] },
      anonymous: true,
      idempotent: true,
      retries: 0,
    });
    return String(this.result<unknown>(res.body, 'common.server.version'));
  }

  /** The user id of the open session (logging in when needed). */
  async userId(): Promise<number> {
    return (await this.login()).userId;
  }

  /** Ends the session on the server; never throws (closing must not hide the error that made us close). */
  async logout(): Promise<void> {
    const session = this.session ? await this.session.catch(() => undefined) : undefined;
    this.session = undefined;
    if (!session) return;
    await this.http
      .request({
        method: 'POST',
        path: this.path,
        body: { id: ++this.seq, method: 'common.db.logout', params: [] },
        headers: { authorization: session.header },
        anonymous: true,
        idempotent: true,
        retries: 0,
        accept: [401, 403],
      })
      .catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.logout();
    await this.http.close();
  }
}
