import type { Logger } from 'pino';
import type { CredentialStore } from '../sdk/contract.js';
import { LedgerlinkError } from '../sdk/errors.js';
import { HttpClient } from '../sdk/http.js';
import { RotatingTokenAuth, type TokenAnswer } from '../sdk/rotating-token.js';
import { errorMessage } from './envelope.js';
import type { IsellerSettings } from './settings.js';

/** What the credential store keeps for an iSeller connection (sealed at rest). */
export const STORED = {
  refreshToken: 'iseller_refresh_token',
  accessToken: 'iseller_access_token',
  accessExpiresAt: 'iseller_access_token_expires_at',
  /** The store's own host, from the token answer: every API call goes there (PA v2 pp.4–12). */
  resourceUrl: 'iseller_resource_url',
} as const;

/** A token answer of iSeller's: RFC 6749's, plus the store's base URL. */
type IsellerTokenAnswer = TokenAnswer & { resource_url?: string };

/** What the client needs of either grant: a bearer token, a renewal on 401, and the store's host. */
export interface IsellerTokens {
  accessToken(): Promise<string>;
  onUnauthorized(sent: Readonly<Record<string, string>>): Promise<boolean>;
  /** The store's base URL the last token answer named, when it named one. */
  resourceUrl(): string | undefined;
  readonly tokenRequests: number;
  close(): Promise<void>;
}

const tokenHttp = (s: IsellerSettings, connection: string) =>
  new HttpClient({
    baseUrl: new URL(s.tokenUrl).origin,
    timeoutMs: s.timeoutMs,
    systemName: 'iSeller OAuth',
    connection,
    errorMessage: (body) => errorMessage(body),
  });

const trimmed = (u: string | undefined) => (u ? u.replace(/\/+$/, '') : undefined);

/**
 * The authorization-code grant with its refresh token. Tokens last about 14 days; whether iSeller
 * rotates the refresh token is not stated (FACTS.md ⚠), so RotatingTokenAuth keeps whichever one the
 * last answer carried before its access token is used. The client's credentials go in the form
 * ("send client credentials in body", PA v2).
 */
export class IsellerCodeAuth extends RotatingTokenAuth implements IsellerTokens {
  private resource?: string;

  constructor(
    private readonly s: IsellerSettings,
    o: { connection: string; credentials?: CredentialStore; logger?: Logger },
  ) {
    super({
      connection: o.connection,
      credentials: o.credentials,
      logger: o.logger,
      system: 'iSeller',
      issuer: 'iSeller OAuth',
      stored: STORED,
      earlyMs: 10 * 60_000,
      defaultLifeSeconds: 1_209_599,
      configuredRefreshToken: s.refreshToken,
      http: tokenHttp(s, o.connection),
      tokenPath: new URL(s.tokenUrl).pathname,
    });
  }

  protected tokenRequest(form: Record<string, string>) {
    return { form: { ...form, client_id: this.s.clientId, client_secret: this.s.clientSecret } };
  }

  protected override async keepMore(answer: TokenAnswer, store: CredentialStore | undefined): Promise<void> {
    const url = trimmed((answer as IsellerTokenAnswer).resource_url);
    if (!url) return;
    this.resource = url;
    await store?.set(STORED.resourceUrl, url);
  }

  protected override async sharedAccessTaken(store: CredentialStore): Promise<void> {
    this.resource = trimmed(await store.get(STORED.resourceUrl)) ?? this.resource;
  }

  resourceUrl(): string | undefined {
    return this.resource;
  }

  authorizeUrl(redirectUri: string, state: string): string {
    const u = new URL(this.s.authorizeUrl);
    u.searchParams.set('response_type', 'code');
    u.searchParams.set('client_id', this.s.clientId);
    u.searchParams.set('redirect_uri', redirectUri);
    u.searchParams.set('state', state);
    return u.toString();
  }

  async complete(code: string, redirectUri: string): Promise<void> {
    await this.exchange(code, redirectUri);
  }
}

/**
 * The client-credentials grant (PA v2 p.11): no refresh token and nothing to keep across processes,
 * a new access token asked for whenever the one held ends or is refused.
 */
export class IsellerClientAuth implements IsellerTokens {
  private access?: { token: string; expiresAt: number };
  private renewing?: Promise<{ token: string; expiresAt: number }>;
  private resource?: string;
  private readonly http: HttpClient;
  tokenRequests = 0;

  constructor(
    private readonly s: IsellerSettings,
    o: { connection: string },
  ) {
    this.http = tokenHttp(s, o.connection);
  }

  async accessToken(): Promise<string> {
    if (this.access && this.access.expiresAt - 60_000 > Date.now()) return this.access.token;
    this.renewing ??= this.grant().finally(() => {
      this.renewing = undefined;
    });
    this.access = await this.renewing;
    return this.access.token;
  }

  async onUnauthorized(sent: Readonly<Record<string, string>>): Promise<boolean> {
    if (this.access && sent.authorization === `Bearer ${this.access.token}`) this.access = undefined;
    await this.accessToken();
    return true;
  }

  resourceUrl(): string | undefined {
    return this.resource;
  }

  private async grant(): Promise<{ token: string; expiresAt: number }> {
    this.tokenRequests++;
    try {
      const res = await this.http.request<IsellerTokenAnswer>({
        method: 'POST',
        path: new URL(this.s.tokenUrl).pathname,
        form: {
          grant_type: 'client_credentials',
          client_id: this.s.clientId,
          client_secret: this.s.clientSecret,
        },
        anonymous: true,
      });
      if (!res.body?.access_token)
        throw new LedgerlinkError({
          code: 'server',
          category: 'transient',
          message: 'iSeller OAuth answered without an access token',
        });
      this.resource = trimmed(res.body.resource_url) ?? this.resource;
      return { token: res.body.access_token, expiresAt: Date.now() + (res.body.expires_in ?? 3600) * 1000 };
    } catch (e) {
      if (
        e instanceof LedgerlinkError &&
        e.httpStatus !== undefined &&
        [400, 401, 403].includes(e.httpStatus)
      )
        throw new LedgerlinkError({
          code: 'auth',
          category: 'config',
          message: `iSeller refused the client credentials of this connection (${e.message}): check clientId and clientSecret`,
          httpStatus: e.httpStatus,
        });
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}
