import { LedgerlinkError } from '../sdk/errors.js';
import { HttpClient, type HttpRequest, type HttpResponse } from '../sdk/http.js';

export interface MagentoClientSettings {
  baseUrl: string;
  storeCode: string;
  authMode: 'token' | 'admin';
  accessToken?: string;
  username?: string;
  password?: string;
  timeoutMs: number;
}

type Parameters = Record<string, unknown> | unknown[] | undefined;

/**
 * Fills Magento's placeholders: "%fieldName" from named parameters and "%1" from positional ones.
 * Magento sends named parameters as an object, positional ones as an array of strings; the published
 * spec describes an array of {fieldName, fieldValue, resources} objects. All three forms are read.
 */
export function magentoMessage(body: unknown): string | undefined {
  if (!body || typeof body !== 'object')
    return typeof body === 'string' && body ? body.slice(0, 500) : undefined;
  const b = body as {
    message?: string;
    parameters?: Parameters;
    errors?: Array<{ message?: string; parameters?: Parameters }>;
  };
  const fill = (message: string, params: Parameters): string => {
    if (!params) return message;
    const named: Record<string, unknown> = {};
    const positional: unknown[] = [];
    if (Array.isArray(params)) {
      for (const p of params) {
        if (p && typeof p === 'object') Object.assign(named, p);
        else positional.push(p);
      }
    } else Object.assign(named, params);
    return message
      .replace(/%(\d+)/g, (m, n: string) =>
        positional[Number(n) - 1] !== undefined ? String(positional[Number(n) - 1]) : m,
      )
      .replace(/%([A-Za-z_]\w*)/g, (m, k: string) => (named[k] !== undefined ? String(named[k]) : m));
  };
  const main = b.message ? fill(b.message, b.parameters) : undefined;
  const more = (b.errors ?? []).map((e) => (e.message ? fill(e.message, e.parameters) : '')).filter(Boolean);
  return [main, ...more].filter(Boolean).join('; ') || undefined;
}

/** REST below /rest/<store code>/, with an integration token or an admin token it obtains and renews. */
export class MagentoClient {
  readonly http: HttpClient;
  private adminToken?: Promise<string>;

  constructor(private readonly s: MagentoClientSettings) {
    this.http = new HttpClient({
      baseUrl: `${s.baseUrl.replace(/\/$/, '')}/rest/${s.storeCode}/`,
      timeoutMs: s.timeoutMs,
      rateLimit: { concurrency: 8 },
      systemName: 'Magento',
      authHeaders: async () => ({ authorization: `Bearer ${await this.token()}` }),
      onUnauthorized: async () => {
        if (s.authMode !== 'admin') return false;
        this.adminToken = undefined;
        await this.token();
        return true;
      },
      errorMessage: (body) => magentoMessage(body),
    });
  }

  private token(): Promise<string> {
    if (this.s.authMode === 'token') return Promise.resolve(this.s.accessToken ?? '');
    this.adminToken ??= this.login().catch((e) => {
      this.adminToken = undefined;
      throw e;
    });
    return this.adminToken;
  }

  private async login(): Promise<string> {
    try {
      const res = await this.http.request<string>({
        method: 'POST',
        path: 'V1/integration/admin/token',
        body: { username: this.s.username, password: this.s.password },
        anonymous: true,
        idempotent: true,
        retries: 0,
      });
      return res.body;
    } catch (e) {
      if (e instanceof LedgerlinkError && e.httpStatus !== undefined && e.httpStatus < 500) {
        throw new LedgerlinkError({
          code: 'auth',
          category: 'config',
          httpStatus: e.httpStatus,
          message: `Magento refused the admin login of "${this.s.username}": ${e.message.replace(/^Magento answered \d+: /, '')}`,
        });
      }
      throw e;
    }
  }

  request<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    return this.http.request<T>(req);
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
