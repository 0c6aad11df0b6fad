import { isLedgerlinkError, LedgerlinkError } from '../sdk/errors.js';
import { type HttpBinding, HttpClient, type HttpRequest, type HttpResponse } from '../sdk/http.js';
import { magentoMessage } from './error-message.js';
import { magentoManifest } from './manifest.js';
import type { MagentoSettings } from './settings.js';

export { magentoMessage } from './error-message.js';

type ClientSettings = Pick<
  MagentoSettings,
  'baseUrl' | 'storeCode' | 'authMode' | 'accessToken' | 'username' | 'password' | 'timeoutMs'
>;

const TWO_FACTOR = /2fa provider-specific endpoints/i;

/** Strips the HTTP client's "Magento answered 401: " prefix to quote Magento's own words. */
export const magentoWords = (message: string): string => message.replace(/^Magento answered \d+: /, '');

/**
 * REST below /rest/<store code>/ with a bearer token: an integration access token as given, or an
 * admin token obtained from POST /V1/integration/admin/token (valid 4 hours by default, Stores ›
 * Configuration › Services › OAuth) and obtained again once when Magento answers 401.
 *
 * When several requests meet an expired token at once, only the one refused with the token still
 * held logs in again; the others repeat with the new token instead of each logging in.
 */
export class MagentoClient {
  readonly http: HttpClient;
  private adminToken?: Promise<string>;

  constructor(
    private readonly s: ClientSettings,
    binding: HttpBinding = {},
  ) {
    this.http = new HttpClient({
      baseUrl: `${s.baseUrl.replace(/\/+$/, '')}/rest/${encodeURIComponent(s.storeCode)}/`,
      timeoutMs: s.timeoutMs,
      connection: binding.connection,
      limiter: binding.limiter,
      ...(magentoManifest.rateLimit ? { rateLimit: magentoManifest.rateLimit } : {}),
      systemName: 'Magento',
      errorMessage: (body) => magentoMessage(body),
      authHeaders: async () => ({ authorization: `Bearer ${await this.token()}` }),
      onUnauthorized: async (sent) => {
        if (this.s.authMode !== 'admin') return false;
        // The admin token expired or was revoked: log in again, once for everyone who used it.
        const current = this.adminToken ? await this.adminToken.catch(() => undefined) : undefined;
        if (sent.authorization === `Bearer ${current}`) this.adminToken = undefined;
        await this.token();
        return true;
      },
    });
  }

  request<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    return this.http.request<T>(req);
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private token(): Promise<string> {
    if (this.s.authMode === 'token') return Promise.resolve(this.s.accessToken ?? '');
    if (!this.adminToken) {
      const login = this.login();
      this.adminToken = login;
      // A failed login is not cached: the next request tries again.
      login.catch(() => {
        if (this.adminToken === login) this.adminToken = undefined;
      });
    }
    return this.adminToken;
  }

  private async login(): Promise<string> {
    try {
      const res = await this.http.request<unknown>({
        method: 'POST',
        path: 'V1/integration/admin/token',
        body: { username: this.s.username ?? '', password: this.s.password ?? '' },
        anonymous: true,
        // Asking for a token twice is harmless, and the request it serves does its own retrying.
        idempotent: true,
        retries: 0,
      });
      if (typeof res.body !== 'string' || !res.body)
        throw new LedgerlinkError({
          code: 'auth',
          category: 'config',
          message: `Magento answered the admin login without a token (is ${this.s.baseUrl} a Magento 2 store?)`,
        });
      return res.body;
    } catch (e) {
      // Refusals are a person's to fix; a 429, a 5xx or a network fault stays what it is.
      if (!isLedgerlinkError(e) || ![400, 401, 403, 404].includes(e.httpStatus ?? 0)) throw e;
      const said = magentoWords(e.message);
      const hint = TWO_FACTOR.test(said)
        ? ' — two-factor authentication is on for admin users: use an integration access token (authMode token) instead'
        : e.httpStatus === 404
          ? ` — is ${this.s.baseUrl} the store's base URL?`
          : '';
      throw new LedgerlinkError({
        code: 'auth',
        category: 'config',
        httpStatus: e.httpStatus,
        message: `Magento refused the admin login of "${this.s.username}": ${said}${hint}`,
      });
    }
  }
}
