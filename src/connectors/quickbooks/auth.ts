import type { Logger } from 'pino';
import type { CredentialStore } from '../sdk/contract.js';
import { LedgerlinkError } from '../sdk/errors.js';
import { type HttpBinding, HttpClient } from '../sdk/http.js';
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

/** Renew this long before the access token ends, so no request leaves with one about to expire. */
const EARLY_MS = 5 * 60_000;

interface TokenAnswer {
  access_token: string;
  refresh_token: string;
  expires_in?: number;
  x_refresh_token_expires_in?: number;
  token_type?: string;
}

interface Access {
  token: string;
  expiresAt: number;
}

/**
 * Intuit OAuth 2.0 for one connection: the authorization-code grant a person makes once
 * (`ledgerlink authorize`), then access tokens (one hour) from the refresh token.
 *
 * Intuit may hand out a new refresh token with every refresh, and the one used is then on its way
 * out, so the rules are:
 * - The new refresh token is written to the credential store before the new access token is used: a
 *   crash after the refresh but before the write would otherwise lose the only token that still works.
 *   If the write fails, the access token is not used either (the refresh is reported as failed).
 * - Inside a process, one refresh at a time: every caller that needs a token while a refresh runs
 *   waits for that same promise.
 * - Across processes (several workers on one PostgreSQL store) there is no lock to take, so the store
 *   is the meeting point: before refreshing, a process reads the stored access token (another process
 *   may have one that is still good) and the stored refresh token (never its own older copy); and a
 *   refresh refused with invalid_grant reads the stored refresh token again and, if another process
 *   has rotated it meanwhile, tries once more with that one. Two processes refreshing at the same
 *   instant both succeed as long as Intuit still honours the older token briefly (FACTS.md ⚠); the one
 *   that writes last wins, and the other's token is still valid for its hour.
 */
export class QuickBooksAuth {
  private access?: Access;
  private renewing?: Promise<Access>;
  private readonly http: HttpClient;
  /** When the refresh token expires, as Intuit last said (for check()). */
  refreshExpiresAt?: string;
  /** Token requests sent (tests count them). */
  tokenRequests = 0;

  constructor(
    private readonly s: QuickBooksSettings,
    private readonly o: { connection: string; credentials?: CredentialStore; logger?: Logger } & HttpBinding,
  ) {
    const token = new URL(s.tokenUrl);
    this.http = new HttpClient({
      baseUrl: token.origin,
      timeoutMs: s.timeoutMs,
      systemName: 'Intuit OAuth',
      connection: o.connection,
      errorMessage: (body) => errorMessage(body),
    });
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
    const answer = await this.grant({ grant_type: 'authorization_code', code, redirect_uri: redirectUri });
    if (realm) await this.o.credentials.set(STORED.realmId, realm);
    this.access = await this.keep(answer);
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

  /** A bearer token good for at least the next few minutes. */
  async accessToken(): Promise<string> {
    if (this.access && this.access.expiresAt - EARLY_MS > Date.now()) return this.access.token;
    this.renewing ??= this.renew().finally(() => {
      this.renewing = undefined;
    });
    this.access = await this.renewing;
    return this.access.token;
  }

  /**
   * A request was refused 401 with the token it carried. Only a refusal of the token we still hold
   * drops it (several refused at once renew once); the request is then repeated once.
   */
  async onUnauthorized(sent: Readonly<Record<string, string>>): Promise<boolean> {
    const refused = sent.authorization?.replace(/^Bearer /, '');
    if (this.access && refused === this.access.token) {
      this.access = undefined;
      // Another process may have stored this very token: it is no good, so never pick it up again.
      if ((await this.o.credentials?.get(STORED.accessToken)) === refused)
        await this.o.credentials?.set(STORED.accessExpiresAt, new Date(0).toISOString());
    }
    await this.accessToken();
    return true;
  }

  private async renew(): Promise<Access> {
    const store = this.o.credentials;
    const shared = await this.storedAccess();
    if (shared) return shared;
    const stored = (await store?.get(STORED.refreshToken)) ?? this.s.refreshToken;
    if (!stored) throw this.authError(this.notAuthorized('it has not been authorized yet'));
    try {
      return await this.keep(await this.grant({ grant_type: 'refresh_token', refresh_token: stored }));
    } catch (e) {
      if (!(e instanceof LedgerlinkError && e.code === 'auth')) throw e;
      // Another process may have rotated the token after we read it: try its token, once.
      const again = await this.storedAccess();
      if (again) return again;
      const latest = await store?.get(STORED.refreshToken);
      if (!latest || latest === stored)
        throw this.authError(this.notAuthorized(`Intuit refused its refresh token (${e.message})`));
      this.o.logger?.info(
        { connection: this.o.connection },
        'QuickBooks refresh token was rotated by another process; using the stored one',
      );
      try {
        return await this.keep(await this.grant({ grant_type: 'refresh_token', refresh_token: latest }));
      } catch (e2) {
        if (e2 instanceof LedgerlinkError && e2.code === 'auth')
          throw this.authError(this.notAuthorized(`Intuit refused its refresh token (${e2.message})`));
        throw e2;
      }
    }
  }

  /** The access token another process stored, when it is good for a while yet. */
  private async storedAccess(): Promise<Access | undefined> {
    const store = this.o.credentials;
    if (!store) return undefined;
    const [token, until] = [await store.get(STORED.accessToken), await store.get(STORED.accessExpiresAt)];
    const expiresAt = until ? Date.parse(until) : 0;
    if (token && expiresAt - EARLY_MS > Date.now() && token !== this.access?.token) {
      this.refreshExpiresAt ??= await store.get(STORED.refreshExpiresAt);
      return { token, expiresAt };
    }
    return undefined;
  }

  /** Persists what a token answer gave — the refresh token first — and only then hands the access token out. */
  private async keep(a: TokenAnswer): Promise<Access> {
    const now = Date.now();
    const access: Access = { token: a.access_token, expiresAt: now + (a.expires_in ?? 3600) * 1000 };
    if (a.x_refresh_token_expires_in !== undefined)
      this.refreshExpiresAt = new Date(now + a.x_refresh_token_expires_in * 1000).toISOString();
    const store = this.o.credentials;
    if (store) {
      try {
        await store.set(STORED.refreshToken, a.refresh_token);
        if (this.refreshExpiresAt) await store.set(STORED.refreshExpiresAt, this.refreshExpiresAt);
      } catch (e) {
        throw new LedgerlinkError(
          {
            code: 'config',
            // Not retried here: each retry would rotate the token again and lose that one too.
            category: 'config',
            message: `the new QuickBooks refresh token could not be stored (${(e as Error).message}); the access token that came with it is not used`,
          },
          { cause: e },
        );
      }
      // Shared with the other processes; losing this write costs only an extra refresh.
      await store.set(STORED.accessToken, access.token).catch(() => undefined);
      await store
        .set(STORED.accessExpiresAt, new Date(access.expiresAt).toISOString())
        .catch(() => undefined);
    } else if (a.refresh_token !== this.s.refreshToken) {
      this.o.logger?.warn(
        { connection: this.o.connection },
        'QuickBooks rotated the refresh token and this connection has no credential store to keep it in',
      );
    }
    return access;
  }

  private async grant(form: Record<string, string>): Promise<TokenAnswer> {
    const basic = Buffer.from(`${this.s.clientId}:${this.s.clientSecret}`).toString('base64');
    this.tokenRequests++;
    try {
      const res = await this.http.request<TokenAnswer>({
        method: 'POST',
        path: new URL(this.s.tokenUrl).pathname,
        form,
        headers: { authorization: `Basic ${basic}` },
        anonymous: true,
        // A refresh that reached Intuit rotated the token: repeating it after a lost answer would
        // send a token already replaced. Only refusals before sending (and 429s) are repeated.
        idempotent: false,
      });
      if (!res.body?.access_token || !res.body.refresh_token)
        throw new LedgerlinkError({
          code: 'server',
          category: 'transient',
          message: 'Intuit OAuth answered without an access and refresh token',
        });
      return res.body;
    } catch (e) {
      if (
        e instanceof LedgerlinkError &&
        e.httpStatus !== undefined &&
        [400, 401, 403].includes(e.httpStatus)
      )
        throw this.authError(e.message.replace(/^Intuit OAuth answered \d+: /, ''), e.httpStatus);
      throw e;
    }
  }

  private notAuthorized(why: string): string {
    return `the QuickBooks connection "${this.o.connection}" ${why}: choose Authorize on the dashboard's Connections page, or run "ledgerlink authorize ${this.o.connection}"`;
  }

  private authError(message: string, httpStatus?: number): LedgerlinkError {
    return new LedgerlinkError({
      code: 'auth',
      category: 'config',
      message,
      ...(httpStatus !== undefined ? { httpStatus } : {}),
    });
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}
