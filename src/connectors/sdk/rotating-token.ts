import type { Logger } from 'pino';
import type { CredentialStore } from './contract.js';
import { LedgerlinkError } from './errors.js';
import type { HttpClient } from './http.js';

/** What a token endpoint answers (RFC 6749 §5.1). */
export interface TokenAnswer {
  access_token: string;
  /** A new refresh token; without one, the one used stays good. */
  refresh_token?: string;
  expires_in?: number;
  token_type?: string;
}

interface Access {
  token: string;
  expiresAt: number;
}

/** Where a connection keeps its tokens in the credential store (sealed at rest). */
export interface StoredTokenKeys {
  refreshToken: string;
  /** The access token and its end, so a connection's processes share one instead of each rotating the refresh token. */
  accessToken: string;
  accessExpiresAt: string;
}

export interface RotatingTokenOptions {
  connection: string;
  credentials?: CredentialStore | undefined;
  logger?: Logger | undefined;
  /** The connection's system, for messages ("QuickBooks", "Sage 200"). */
  system: string;
  /** Who issues the tokens, as its answers are named ("Intuit OAuth", "Sage ID"). */
  issuer: string;
  stored: StoredTokenKeys;
  /** Renew this long before the access token ends, so no request leaves with one about to expire. */
  earlyMs: number;
  /** An access token's life when the answer does not say. */
  defaultLifeSeconds: number;
  /** A refresh token typed into the settings, used until the store holds one. */
  configuredRefreshToken?: string | undefined;
  /** The token endpoint's client (its own HttpClient, unauthenticated) and path. */
  http: HttpClient;
  tokenPath: string;
}

/**
 * OAuth 2.0 for one connection whose authorization server may hand out a new refresh token with every
 * refresh (Intuit, Sage ID), the one used then on its way out. The rules:
 * - The new refresh token is written to the credential store before the new access token is used: a
 *   crash after the refresh but before the write would otherwise lose the only token that still works.
 *   If the write fails, the access token is not used either (the refresh is reported as failed).
 * - Inside a process, one refresh at a time: every caller that needs a token while a refresh runs
 *   waits for that same promise.
 * - Across processes (several workers on one PostgreSQL store) there is no lock to take, so the store
 *   is the meeting point: before refreshing, a process reads the stored access token (another process
 *   may have one that is still good) and the stored refresh token (never its own older copy); and a
 *   refresh refused reads the stored refresh token again and, if another process has rotated it
 *   meanwhile, tries once more with that one.
 * A system's subclass says how the client authenticates at the token endpoint and what else an
 * answer carries; the rest is here, once.
 */
export abstract class RotatingTokenAuth {
  private access?: Access;
  private renewing?: Promise<Access>;
  /** Token requests sent (tests count them). */
  tokenRequests = 0;

  constructor(protected readonly o: RotatingTokenOptions) {}

  /** The form and headers of a token request: how the client authenticates at the endpoint. */
  protected abstract tokenRequest(form: Record<string, string>): {
    form: Record<string, string>;
    headers?: Record<string, string>;
  };

  /**
   * What else an answer carries (Intuit: when the refresh token ends), noted with or without a store
   * and kept after the refresh token; a failed write fails the refresh like the token's own.
   */
  protected async keepMore(_answer: TokenAnswer, _store: CredentialStore | undefined): Promise<void> {}

  /** Another process's stored access token is taken up: read what else it stored. */
  protected async sharedAccessTaken(_store: CredentialStore): Promise<void> {}

  /** Exchanges the code from the authorization redirect; the tokens are kept before anything uses them. */
  protected async exchange(code: string, redirectUri: string): Promise<void> {
    if (!this.o.credentials) throw new Error('this connection has nowhere to keep its refresh token');
    this.access = await this.keep(
      await this.grant({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }),
      undefined,
    );
  }

  /** A bearer token good for at least the next few minutes. */
  async accessToken(): Promise<string> {
    if (this.access && this.access.expiresAt - this.o.earlyMs > Date.now()) return this.access.token;
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
    const store = this.o.credentials;
    if (this.access && refused === this.access.token) {
      this.access = undefined;
      // Another process may have stored this very token: it is no good, so never pick it up again.
      if ((await store?.get(this.o.stored.accessToken)) === refused)
        await store?.set(this.o.stored.accessExpiresAt, new Date(0).toISOString());
    }
    await this.accessToken();
    return true;
  }

  private async renew(): Promise<Access> {
    const store = this.o.credentials;
    const shared = await this.storedAccess();
    if (shared) return shared;
    const stored = (await store?.get(this.o.stored.refreshToken)) ?? this.o.configuredRefreshToken;
    if (!stored) throw this.authError(this.notAuthorized('it has not been authorized yet'));
    try {
      return await this.keep(
        await this.grant({ grant_type: 'refresh_token', refresh_token: stored }),
        stored,
      );
    } catch (e) {
      if (!(e instanceof LedgerlinkError && e.code === 'auth')) throw e;
      // Another process may have rotated the token after we read it: try its token, once.
      const again = await this.storedAccess();
      if (again) return again;
      const latest = await store?.get(this.o.stored.refreshToken);
      if (!latest || latest === stored)
        throw this.authError(this.notAuthorized(`${this.o.issuer} refused its refresh token (${e.message})`));
      this.o.logger?.info(
        { connection: this.o.connection },
        `${this.o.system} refresh token was rotated by another process; using the stored one`,
      );
      try {
        return await this.keep(
          await this.grant({ grant_type: 'refresh_token', refresh_token: latest }),
          latest,
        );
      } catch (e2) {
        if (e2 instanceof LedgerlinkError && e2.code === 'auth')
          throw this.authError(
            this.notAuthorized(`${this.o.issuer} refused its refresh token (${e2.message})`),
          );
        throw e2;
      }
    }
  }

  /** The access token another process stored, when it is good for a while yet. */
  private async storedAccess(): Promise<Access | undefined> {
    const store = this.o.credentials;
    if (!store) return undefined;
    const token = await store.get(this.o.stored.accessToken);
    const until = await store.get(this.o.stored.accessExpiresAt);
    const expiresAt = until ? Date.parse(until) : 0;
    if (token && expiresAt - this.o.earlyMs > Date.now() && token !== this.access?.token) {
      await this.sharedAccessTaken(store);
      return { token, expiresAt };
    }
    return undefined;
  }

  /** Persists what a token answer gave — the refresh token first — and only then hands the access token out. */
  private async keep(a: TokenAnswer, used: string | undefined): Promise<Access> {
    const access: Access = {
      token: a.access_token,
      expiresAt: Date.now() + (a.expires_in ?? this.o.defaultLifeSeconds) * 1000,
    };
    const store = this.o.credentials;
    const refresh = a.refresh_token ?? used;
    if (store) {
      try {
        if (refresh) await store.set(this.o.stored.refreshToken, refresh);
        await this.keepMore(a, store);
      } catch (e) {
        throw new LedgerlinkError(
          {
            code: 'config',
            // Not retried here: each retry would rotate the token again and lose that one too.
            category: 'config',
            message: `the new ${this.o.system} refresh token could not be stored (${(e as Error).message}); the access token that came with it is not used`,
          },
          { cause: e },
        );
      }
      // Shared with the other processes; losing this write costs only an extra refresh.
      await store.set(this.o.stored.accessToken, access.token).catch(() => undefined);
      await store
        .set(this.o.stored.accessExpiresAt, new Date(access.expiresAt).toISOString())
        .catch(() => undefined);
    } else {
      await this.keepMore(a, undefined);
    }
    if (!store && a.refresh_token && a.refresh_token !== this.o.configuredRefreshToken) {
      this.o.logger?.warn(
        { connection: this.o.connection },
        `${this.o.system} rotated the refresh token and this connection has no credential store to keep it in`,
      );
    }
    return access;
  }

  private async grant(form: Record<string, string>): Promise<TokenAnswer> {
    this.tokenRequests++;
    try {
      const request = this.tokenRequest(form);
      const res = await this.o.http.request<TokenAnswer>({
        method: 'POST',
        path: this.o.tokenPath,
        form: request.form,
        ...(request.headers ? { headers: request.headers } : {}),
        anonymous: true,
        // A refresh that reached the server rotated the token: repeating it after a lost answer would
        // send a token already replaced. Only refusals before sending (and 429s) are repeated.
        idempotent: false,
      });
      if (!res.body?.access_token)
        throw new LedgerlinkError({
          code: 'server',
          category: 'transient',
          message: `${this.o.issuer} answered without an access token`,
        });
      return res.body;
    } catch (e) {
      if (
        e instanceof LedgerlinkError &&
        e.httpStatus !== undefined &&
        [400, 401, 403].includes(e.httpStatus)
      )
        throw this.authError(
          e.message.replace(new RegExp(`^${this.o.issuer} answered \\d+: `), ''),
          e.httpStatus,
        );
      throw e;
    }
  }

  protected notAuthorized(why: string): string {
    return `the ${this.o.system} connection "${this.o.connection}" ${why}: choose Authorize on the dashboard's Connections page, or run "ledgerlink authorize ${this.o.connection}"`;
  }

  protected authError(message: string, httpStatus?: number): LedgerlinkError {
    return new LedgerlinkError({
      code: 'auth',
      category: 'config',
      message,
      ...(httpStatus !== undefined ? { httpStatus } : {}),
    });
  }

  async close(): Promise<void> {
    await this.o.http.close();
  }
}
