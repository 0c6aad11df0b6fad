import { LedgerlinkError } from '../sdk/errors.js';
import { HttpClient } from '../sdk/http.js';
import { errorMessage } from './errors.js';
import type { SellerCloudSettings } from './settings.js';

/** The token answer ("Authentication"): an ASP.NET OWIN bearer token. */
export interface TokenAnswer {
  access_token: string;
  token_type?: string;
  username?: string;
  expires_in?: number;
  '.issued'?: string;
  '.expires'?: string;
}

/**
 * Renew this long before the token ends (a fifth of a shorter life), so no request leaves with one
 * about to expire.
 */
export const EARLY_MS = 5 * 60_000;

interface Access {
  token: string;
  expiresAt: number;
  /** Renewed from this instant on. */
  renewAt: number;
}
/** A token's life when the answer does not say (the example's expires_in). */
const DEFAULT_LIFE_S = 1800;

/**
 * A bearer token from the username and password, asked for again before it ends and once when a
 * call is refused 401. One request at a time: every caller needing a token while one is asked for
 * waits for that same answer; of several calls refused at once only the first asks anew.
 */
export class SellerCloudAuth {
  private access?: Access;
  private renewing?: Promise<Access>;
  private readonly http: HttpClient;
  /** Token requests sent (tests count them). */
  tokenRequests = 0;

  constructor(
    private readonly s: SellerCloudSettings,
    o: { connection: string; now?: () => number },
  ) {
    this.now = o.now ?? Date.now;
    this.http = new HttpClient({
      baseUrl: s.baseUrl,
      timeoutMs: s.timeoutMs,
      systemName: 'SellerCloud',
      connection: o.connection,
      errorMessage: (body) => errorMessage(body),
    });
  }

  private readonly now: () => number;

  async accessToken(): Promise<string> {
    if (this.access && this.access.renewAt > this.now()) return this.access.token;
    this.renewing ??= this.login().finally(() => {
      this.renewing = undefined;
    });
    this.access = await this.renewing;
    return this.access.token;
  }

  /** A call was refused 401 with `sent`: forget that token (unless another call already did) and ask anew. */
  async onUnauthorized(sent: Readonly<Record<string, string>>): Promise<boolean> {
    if (this.access && sent.authorization === `Bearer ${this.access.token}`) this.access = undefined;
    await this.accessToken();
    return true;
  }

  private async login(): Promise<Access> {
    this.tokenRequests++;
    try {
      const res = await this.http.request<TokenAnswer>({
        method: 'POST',
        path: 'token',
        body: { Username: this.s.username, Password: this.s.password },
        anonymous: true,
        // Asking for a token creates nothing: repeating it after a lost answer is safe.
        idempotent: true,
      });
      if (!res.body?.access_token)
        throw new LedgerlinkError({
          code: 'server',
          category: 'transient',
          message: 'SellerCloud answered the token request without an access_token',
        });
      const life = Number(res.body.expires_in) > 0 ? Number(res.body.expires_in) : DEFAULT_LIFE_S;
      const now = this.now();
      const expiresAt = now + life * 1000;
      return {
        token: res.body.access_token,
        expiresAt,
        renewAt: expiresAt - Math.min(EARLY_MS, (life * 1000) / 5),
      };
    } catch (e) {
      if (
        e instanceof LedgerlinkError &&
        e.httpStatus !== undefined &&
        [400, 401, 403].includes(e.httpStatus)
      )
        throw new LedgerlinkError({
          code: 'auth',
          category: 'config',
          message: `SellerCloud refused the username and password of this connection (${e.message}): check username and password`,
          httpStatus: e.httpStatus,
        });
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}
