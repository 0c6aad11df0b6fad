import type { Logger } from 'pino';
import type { CredentialStore } from '../sdk/contract.js';
import { type HttpBinding, HttpClient } from '../sdk/http.js';
import { RotatingTokenAuth, type TokenAnswer } from '../sdk/rotating-token.js';
import { errorMessage } from './faults.js';
import { type QuickBooksSettings, SCOPE } from './settings.js';

/** What the credential store keeps for a QuickBooks connection (sealed at rest). */
export const STORED = {
  refreshToken: 'qbo_refresh_token',
  /** When the refresh token stops working (Intuit's x_refresh_token_expires_in), ISO. */
  refreshExpiresAt: 'qbo_refresh_token_expires_at',
  /** The access token and its end, so the processes of one connection share one instead of each rotating the refresh token. */
  accessToken: 'qbo_access_token',
  accessExpiresAt: 'qbo_access_token_expires_at',
  /** The company the person chose when authorizing (the callback's realmId). */
  realmId: 'qbo_realm_id',
} as const;

interface IntuitTokenAnswer extends TokenAnswer {
  /** Seconds until the refresh token stops working. */
  x_refresh_token_expires_in?: number;
}

/**
 * Intuit OAuth 2.0 for one connection: the authorization-code grant a person makes once
 * (`ledgerlink authorize`), then access tokens (one hour) from the refresh token, which Intuit may
 * rotate on every refresh (RotatingTokenAuth keeps the rules). Two processes refreshing at the same
 * instant both succeed as long as Intuit still honours the older token briefly (FACTS.md ⚠); the one
 * that writes last wins, and the other's token is still valid for its hour. The client authenticates
 * with HTTP Basic; the company the person chose (`realmId`) is kept with the tokens.
 */
export class QuickBooksAuth extends RotatingTokenAuth {
  /** When the refresh token expires, as Intuit last said (for check()). */
  refreshExpiresAt?: string;

  constructor(
    private readonly s: QuickBooksSettings,
    o: { connection: string; credentials?: CredentialStore; logger?: Logger } & HttpBinding,
  ) {
    super({
      connection: o.connection,
      credentials: o.credentials,
      logger: o.logger,
      system: 'QuickBooks',
      issuer: 'Intuit OAuth',
      stored: STORED,
      earlyMs: 5 * 60_000,
      defaultLifeSeconds: 3600,
      configuredRefreshToken: s.refreshToken,
      http: new HttpClient({
        baseUrl: new URL(s.tokenUrl).origin,
        timeoutMs: s.timeoutMs,
        systemName: 'Intuit OAuth',
        connection: o.connection,
        errorMessage: (body) => errorMessage(body),
      }),
      tokenPath: new URL(s.tokenUrl).pathname,
    });
  }

  protected tokenRequest(form: Record<string, string>) {
    const basic = Buffer.from(`${this.s.clientId}:${this.s.clientSecret}`).toString('base64');
    return { form, headers: { authorization: `Basic ${basic}` } };
  }

  protected override async keepMore(a: IntuitTokenAnswer, store: CredentialStore | undefined): Promise<void> {
    if (a.x_refresh_token_expires_in !== undefined)
      this.refreshExpiresAt = new Date(Date.now() + a.x_refresh_token_expires_in * 1000).toISOString();
    if (store && this.refreshExpiresAt) await store.set(STORED.refreshExpiresAt, this.refreshExpiresAt);
  }

  protected override async sharedAccessTaken(store: CredentialStore): Promise<void> {
    this.refreshExpiresAt ??= await store.get(STORED.refreshExpiresAt);
  }

  authorizeUrl(redirectUri: string, state: string): string {
    const u = new URL(this.s.authorizeUrl);
    u.searchParams.set('client_id', this.s.clientId);
    u.searchParams.set('response_type', 'code');
    u.searchParams.set('scope', SCOPE);
    u.searchParams.set('redirect_uri', redirectUri);
    u.searchParams.set('state', state);
    return u.toString();
  }

  /**
   * Exchanges the code from the redirect. Intuit's redirect also names the company the person chose
   * (`realmId`): it is kept with the tokens, and must be the configured one when a realm is configured.
   */
  async complete(
    code: string,
    redirectUri: string,
    params?: Readonly<Record<string, string>>,
  ): Promise<void> {
    if (!this.o.credentials) throw new Error('this connection has nowhere to keep its refresh token');
    const realm = params?.realmId;
    if (realm && this.s.realmId && realm !== this.s.realmId)
      throw this.authError(
        `the company authorized (realm ${realm}) is not the connection's company (realm ${this.s.realmId}); choose that company when granting access`,
      );
    await this.exchange(code, redirectUri);
    if (realm) await this.o.credentials.set(STORED.realmId, realm);
  }

  /** The company id: the setting, else the one the authorization named. */
  async realmId(): Promise<string> {
    const realm = this.s.realmId ?? (await this.o.credentials?.get(STORED.realmId));
    if (!realm)
      throw this.authError(
        `the QuickBooks connection "${this.o.connection}" names no company: set realmId, or authorize it (Authorize on the Connections page, or "ledgerlink authorize ${this.o.connection}")`,
      );
    return realm;
  }
}
