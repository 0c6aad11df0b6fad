import type { Logger } from 'pino';
import type { CredentialStore } from '../sdk/contract.js';
import { LedgerlinkError } from '../sdk/errors.js';
import { HttpClient } from '../sdk/http.js';
import { errorMessage } from './faults.js';
import type { Sage200Settings } from './settings.js';

/** What the credential store keeps for a Sage 200 connection (sealed at rest). */
export const STORED = {
  refreshToken: 'sage200_refresh_token',
  accessToken: 'sage200_access_token',
  accessExpiresAt: 'sage200_access_token_expires_at',
} as const;

/** Renew this long before the access token ends. */
const EARLY_MS = 60_000;

interface TokenAnswer {
  access_token: string;
  refresh_token?: string;
  expires_in?: number;
  token_type?: string;
}

interface Access {
  token: string;
  expiresAt: number;
}

/**
 * Sage ID OAuth 2.0 for one connection: the authorization-code grant a person makes once, then
 * access tokens from the refresh token. Sage ID may hand out a new refresh token with each refresh
 * (FACTS.md ⚠), so it is written to the credential store before the access token that came with it
 * is used; a failed write fails the refresh. One refresh at a time per process; the stored access
 * token is shared by the connection's processes, and a refresh refused with invalid_grant tries the
 * stored refresh token once when another process rotated it meanwhile.
 */
export class Sage200Auth {
  private access?: Access;
  private renewing?: Promise<Access>;
  private readonly http: HttpClient;
  tokenRequests = 0;

  constructor(
    private readonly s: Sage200Settings,
    private readonly o: { connection: string; credentials?: CredentialStore; logger?: Logger },
  ) {
    this.http = new HttpClient({
      baseUrl: new URL(s.tokenUrl).origin,
      timeoutMs: s.timeoutMs,
      systemName: 'Sage ID',
      connection: o.connection,
      errorMessage: (body) => errorMessage(body),
    });
  }

  authorizeUrl(redirectUri: string, state: string): string {
    const u = new URL(this.s.authorizeUrl);
    u.searchParams.set('audience', this.s.audience);
    u.searchParams.set('client_id', this.s.clientId);
    u.searchParams.set('response_type', 'code');
    u.searchParams.set('redirect_uri', redirectUri);
    u.searchParams.set('scope', this.s.scope);
    u.searchParams.set('state', state);
    return u.toString();
  }

  async complete(code: string, redirectUri: string): Promise<void> {
    if (!this.o.credentials) throw new Error('this connection has nowhere to keep its refresh token');
    this.access = await this.keep(
      await this.grant({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }),
      undefined,
    );
  }

  async accessToken(): Promise<string> {
    if (this.access && this.access.expiresAt - EARLY_MS > Date.now()) return this.access.token;
    this.renewing ??= this.renew().finally(() => {
      this.renewing = undefined;
    });
    this.access = await this.renewing;
    return this.access.token;
  }

  /** A 401 with the token we hold drops it (once for many); the request is then repeated once. */
  async onUnauthorized(sent: Readonly<Record<string, string>>): Promise<boolean> {
    const refused = sent.authorization?.replace(/^Bearer /, '');
    if (this.access && refused === this.access.token) {
      this.access = undefined;
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
      return await this.keep(
        await this.grant({ grant_type: 'refresh_token', refresh_token: stored }),
        stored,
      );
    } catch (e) {
      if (!(e instanceof LedgerlinkError && e.code === 'auth')) throw e;
      const again = await this.storedAccess();
      if (again) return again;
      const latest = await store?.get(STORED.refreshToken);
      if (!latest || latest === stored)
        throw this.authError(this.notAuthorized(`Sage ID refused its refresh token (${e.message})`));
      return await this.keep(
        await this.grant({ grant_type: 'refresh_token', refresh_token: latest }),
        latest,
      );
    }
  }

  private async storedAccess(): Promise<Access | undefined> {
    const store = this.o.credentials;
    if (!store) return undefined;
    const token = await store.get(STORED.accessToken);
    const until = await store.get(STORED.accessExpiresAt);
    const expiresAt = until ? Date.parse(until) : 0;
    if (token && expiresAt - EARLY_MS > Date.now() && token !== this.access?.token)
      return { token, expiresAt };
    return undefined;
  }

  /** Persists the refresh token first, then hands the access token out. */
  private async keep(a: TokenAnswer, used: string | undefined): Promise<Access> {
    const access: Access = { token: a.access_token, expiresAt: Date.now() + (a.expires_in ?? 480) * 1000 };
    const store = this.o.credentials;
    // Sage ID may answer a refresh without a new refresh token: the one used stays good.
    const refresh = a.refresh_token ?? used;
    if (store) {
      try {
        if (refresh) await store.set(STORED.refreshToken, refresh);
      } catch (e) {
        throw new LedgerlinkError(
          {
            code: 'config',
            category: 'config',
            message: `the new Sage 200 refresh token could not be stored (${(e as Error).message}); the access token that came with it is not used`,
          },
          { cause: e },
        );
      }
      await store.set(STORED.accessToken, access.token).catch(() => undefined);
      await store
        .set(STORED.accessExpiresAt, new Date(access.expiresAt).toISOString())
        .catch(() => undefined);
    } else if (a.refresh_token && a.refresh_token !== this.s.refreshToken) {
      this.o.logger?.warn(
        { connection: this.o.connection },
        'Sage ID rotated the refresh token and this connection has no credential store to keep it in',
      );
    }
    return access;
  }

  private async grant(form: Record<string, string>): Promise<TokenAnswer> {
    this.tokenRequests++;
    try {
      const res = await this.http.request<TokenAnswer>({
        method: 'POST',
        path: new URL(this.s.tokenUrl).pathname,
        // Sage ID takes the client's credentials in the form (FACTS.md).
        form: { ...form, client_id: this.s.clientId, client_secret: this.s.clientSecret },
        anonymous: true,
        idempotent: false,
      });
      if (!res.body?.access_token)
        throw new LedgerlinkError({
          code: 'server',
          category: 'transient',
          message: 'Sage ID answered without an access token',
        });
      return res.body;
    } catch (e) {
      if (
        e instanceof LedgerlinkError &&
        e.httpStatus !== undefined &&
        [400, 401, 403].includes(e.httpStatus)
      )
        throw this.authError(e.message.replace(/^Sage ID answered \d+: /, ''), e.httpStatus);
      throw e;
    }
  }

  private notAuthorized(why: string): string {
    return `the Sage 200 connection "${this.o.connection}" ${why}: choose Authorize on the dashboard's Connections page, or run "ledgerlink authorize ${this.o.connection}"`;
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
