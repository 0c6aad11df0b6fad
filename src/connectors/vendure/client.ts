import { isLedgerlinkError, LedgerlinkError } from '../sdk/errors.js';
import { type HttpBinding, HttpClient, type HttpExchange } from '../sdk/http.js';
import { LOGIN, SHOP_FACTS } from './documents.js';
import {
  type GraphQLError,
  graphqlError,
  graphqlWords,
  isErrorResult,
  isForbidden,
  vendureMessage,
} from './errors.js';
import { vendureManifest } from './manifest.js';
import type { VendureSettings } from './settings.js';
import type { ShopFacts } from './types.js';

type ClientSettings = Pick<VendureSettings, 'url' | 'username' | 'password' | 'channelToken' | 'timeoutMs'>;

/** The response header Vendure hands a session token back in (authOptions.authTokenHeaderKey's default). */
export const AUTH_TOKEN_HEADER = 'vendure-auth-token';
/** The request header that picks the channel (apiOptions.channelTokenKey's default). */
export const CHANNEL_TOKEN_HEADER = 'vendure-token';

interface GraphQLBody<T> {
  data?: T | null;
  errors?: GraphQLError[];
}

export interface GraphQLRequest {
  /** What the request does, for messages: "read customers", "order AB12: add the fulfillment". */
  what: string;
  /** Exchanges are appended here, for the connector log. */
  record?: HttpExchange[];
  /** Whether the request may be repeated after a fault; queries may, and so may mutations that set a value. */
  idempotent?: boolean;
}

/**
 * The Admin API over GraphQL: one POST per document, a session token from the `login` mutation sent
 * as a bearer token, and the channel token when the connection names a channel.
 *
 * Vendure answers a request whose session expired as it answers any stranger: HTTP 200 with a
 * FORBIDDEN error. Either that or a 401 (a proxy in front) logs in again, once for every request
 * that carried the expired token, and the request is repeated once.
 */
export class VendureClient {
  readonly http: HttpClient;
  private readonly path: string;
  private session?: Promise<string>;
  private shopFacts?: Promise<ShopFacts>;

  constructor(
    private readonly s: ClientSettings,
    binding: HttpBinding = {},
  ) {
    // The endpoint's last path segment is the request path; what comes before it is the base.
    const u = new URL(s.url);
    const cut = u.pathname.lastIndexOf('/');
    this.path = `${u.pathname.slice(cut + 1)}${u.search}`;
    this.http = new HttpClient({
      baseUrl: `${u.origin}${u.pathname.slice(0, cut + 1)}`,
      timeoutMs: s.timeoutMs,
      connection: binding.connection,
      limiter: binding.limiter,
      ...(vendureManifest.rateLimit ? { rateLimit: vendureManifest.rateLimit } : {}),
      systemName: 'Vendure',
      errorMessage: (body) => vendureMessage(body),
      classify: (status, body) => {
        const errors = (body as GraphQLBody<unknown> | undefined)?.errors;
        const code = Array.isArray(errors) ? errors[0]?.extensions?.code : undefined;
        if (status !== 400 || !code) return undefined;
        // A document this server's schema does not take is a setup problem; bad values are the record's.
        return code === 'BAD_USER_INPUT'
          ? { code: 'invalid_data', category: 'rejected' }
          : { code: 'config', category: 'config' };
      },
      authHeaders: async () => this.headers(await this.token()),
      onUnauthorized: (sent) => this.renew(sent),
    });
  }

  private headers(token?: string): Record<string, string> {
    return {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(this.s.channelToken ? { [CHANNEL_TOKEN_HEADER]: this.s.channelToken } : {}),
    };
  }

  /**
   * Runs one document and returns its data. GraphQL errors become a LedgerlinkError with Vendure's
   * words; an ErrorResult inside the data is the caller's to read (it concerns one record).
   */
  async request<T>(document: string, variables: Record<string, unknown>, req: GraphQLRequest): Promise<T> {
    let renewed = false;
    for (;;) {
      const sent = this.headers(await this.token());
      const res = await this.http.request<GraphQLBody<T>>({
        method: 'POST',
        path: this.path,
        body: { query: document, variables },
        headers: sent,
        idempotent: req.idempotent ?? document.trimStart().startsWith('query'),
        ...(req.record ? { record: req.record } : {}),
      });
      const errors = res.body?.errors ?? [];
      if (errors.length && isForbidden(errors) && !renewed) {
        renewed = true;
        if (await this.renew(sent)) continue;
      }
      if (errors.length) {
        const err = graphqlError(errors, req.what);
        throw isForbidden(errors)
          ? new LedgerlinkError({
              code: 'auth',
              category: 'config',
              message: `${err.message} — the administrator "${this.s.username}" lacks a permission this needs, or cannot log in`,
            })
          : err;
      }
      if (!res.body?.data)
        throw new LedgerlinkError({
          code: 'server',
          category: 'transient',
          message: `${req.what}: Vendure answered without data (is ${this.s.url} the Admin API endpoint?)`,
        });
      return res.body.data;
    }
  }

  /** The shop's channel and server configuration, read once per connector (again after a failure). */
  facts(): Promise<ShopFacts> {
    if (!this.shopFacts) {
      const read = this.request<{
        activeChannel: ShopFacts['channel'];
        globalSettings: ShopFacts['globalSettings'];
      }>(SHOP_FACTS, {}, { what: 'read the channel and server settings' }).then((d) => ({
        channel: d.activeChannel,
        globalSettings: d.globalSettings,
      }));
      this.shopFacts = read;
      read.catch(() => {
        if (this.shopFacts === read) this.shopFacts = undefined;
      });
    }
    return this.shopFacts;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private token(): Promise<string> {
    if (!this.session) {
      const login = this.login();
      this.session = login;
      // A failed login is not cached: the next request tries again.
      login.catch(() => {
        if (this.session === login) this.session = undefined;
      });
    }
    return this.session;
  }

  /** Logs in again unless another request already did since `sent` was sent; true: repeat the request. */
  private async renew(sent: Readonly<Record<string, string>>): Promise<boolean> {
    const held = this.session;
    const current = held ? await held.catch(() => undefined) : undefined;
    // Only the first of the requests refused together drops the session they all carried.
    if (this.session === held && sent.authorization === `Bearer ${current}`) this.session = undefined;
    await this.token();
    return true;
  }

  private async login(): Promise<string> {
    const refused = (words: string, httpStatus?: number) =>
      new LedgerlinkError({
        code: 'auth',
        category: 'config',
        message: `Vendure refused the login of "${this.s.username}": ${words}`,
        ...(httpStatus !== undefined ? { httpStatus } : {}),
      });
    let res: Awaited<ReturnType<HttpClient['request']>>;
    try {
      res = await this.http.request<GraphQLBody<{ login: unknown }>>({
        method: 'POST',
        path: this.path,
        body: { query: LOGIN, variables: { username: this.s.username, password: this.s.password } },
        headers: this.headers(),
        anonymous: true,
        // Logging in twice is harmless, and the request it serves does its own retrying.
        idempotent: true,
        retries: 0,
      });
    } catch (e) {
      // A 404 or 405 means the URL is not a GraphQL endpoint; a 429, a 5xx or a network fault stays what it is.
      if (!isLedgerlinkError(e) || ![400, 404, 405].includes(e.httpStatus ?? 0)) throw e;
      throw refused(`${e.message} — is ${this.s.url} the Admin API endpoint?`, e.httpStatus);
    }
    const body = res.body as GraphQLBody<{ login: unknown }> | undefined;
    if (body?.errors?.length) throw refused(graphqlWords(body.errors));
    const result = body?.data?.login;
    if (isErrorResult(result)) throw refused(result.message);
    const header = res.headers[AUTH_TOKEN_HEADER];
    const token = Array.isArray(header) ? header[0] : header;
    if (!token)
      throw new LedgerlinkError({
        code: 'config',
        category: 'config',
        message: `Vendure accepted the login of "${this.s.username}" but sent no ${AUTH_TOKEN_HEADER} header: the server's authOptions.tokenMethod must include 'bearer'`,
      });
    return token;
  }
}
