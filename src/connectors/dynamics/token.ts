import { ConfidentialClientApplication, type INetworkModule, LogLevel } from '@azure/msal-node';
import { request } from 'undici';
import { LedgerlinkError } from '../sdk/errors.js';
import { isLoopback } from './settings.js';

export interface TokenSettings {
  url: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  authority?: string;
  timeoutMs: number;
}

/**
 * msal's HTTP: undici with our timeout. msal only accepts https authorities; a sandbox on the
 * loopback interface serves plain http, so for an http authority on 127.0.0.1 (settings refuse http
 * anywhere else) msal is told https and this module sends the request to the same host over http.
 */
function networkModule(plainOrigin: string | undefined, timeoutMs: number): INetworkModule {
  const target = (url: string) =>
    plainOrigin && url.startsWith(plainOrigin.replace(/^http:/, 'https:'))
      ? url.replace(/^https:/, 'http:')
      : url;
  const send = async <T>(
    method: 'GET' | 'POST',
    url: string,
    headers?: Record<string, string>,
    body?: string,
  ) => {
    const res = await request(target(url), {
      method,
      headers: headers ?? {},
      ...(body !== undefined ? { body } : {}),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const text = await res.body.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON: msal reports it */
    }
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = String(v);
    return { status: res.statusCode, headers: out, body: parsed as T };
  };
  return {
    sendGetRequestAsync: (url, options) => send('GET', url, options?.headers),
    sendPostRequestAsync: (url, options) => send('POST', url, options?.headers, options?.body),
  };
}

/**
 * Client-credential tokens for one Dataverse environment from Microsoft Entra ID, by msal: it keeps
 * the token in its cache and asks for a new one once the cached one is within five minutes of expiry
 * (its tokenRenewalOffsetSeconds), so a long run never meets an expired token on schedule.
 */
export class TokenProvider {
  private readonly app: ConfidentialClientApplication;
  private readonly scope: string;
  /** The last token handed out, to tell whether a 401 was for it. */
  private current?: string;
  private renewing?: Promise<string>;
  /** Tokens obtained from Entra ID (not from msal's cache): tests and logs read it. */
  acquired = 0;

  constructor(s: TokenSettings) {
    const configured = s.authority ?? `https://login.microsoftonline.com/${s.tenantId}`;
    const a = new URL(configured);
    const plain = a.protocol === 'http:' && isLoopback(a.hostname) ? a.origin : undefined;
    const authority = plain ? configured.replace(/^http:/, 'https:') : configured;
    const microsoft = /(^|\.)login\.microsoftonline\.(com|us)$|login\.partner\.microsoftonline\.cn$/i.test(
      a.hostname,
    );
    this.scope = `${new URL(s.url).origin}/.default`;
    this.app = new ConfidentialClientApplication({
      auth: {
        clientId: s.clientId,
        clientSecret: s.clientSecret,
        authority,
        // Any other authority (a sandbox, an AD FS) is trusted by name, skipping Microsoft's instance discovery.
        ...(microsoft ? {} : { knownAuthorities: [a.host] }),
      },
      system: {
        networkClient: networkModule(plain, s.timeoutMs),
        loggerOptions: {
          logLevel: LogLevel.Error,
          piiLoggingEnabled: false,
          loggerCallback: () => undefined,
        },
      },
    });
  }

  /** A valid access token, from msal's cache when it has one far enough from expiry. */
  async token(): Promise<string> {
    return this.acquire(false);
  }

  /**
   * Called on a 401: the token that was refused is dropped and a new one fetched, once for however
   * many requests were refused with it.
   */
  async renew(refused: string | undefined): Promise<string> {
    if (refused && this.current && refused !== this.current) return this.current;
    return this.acquire(true);
  }

  private acquire(force: boolean): Promise<string> {
    if (force || !this.renewing) {
      const p = this.fetch(force).finally(() => {
        if (this.renewing === p) this.renewing = undefined;
      });
      this.renewing = p;
    }
    return this.renewing;
  }

  private async fetch(force: boolean): Promise<string> {
    try {
      const r = await this.app.acquireTokenByClientCredential({ scopes: [this.scope], skipCache: force });
      if (!r?.accessToken) throw new Error('Entra ID answered without an access token');
      if (!r.fromCache) this.acquired++;
      this.current = r.accessToken;
      return r.accessToken;
    } catch (e) {
      throw tokenError(e);
    }
  }
}

/** msal's errors in our words: a refused client is a configuration problem; the rest are transient. */
function tokenError(e: unknown): LedgerlinkError {
  const err = e as { errorCode?: string; errorMessage?: string; message?: string; subError?: string };
  const code = err.errorCode ?? '';
  const text = (err.errorMessage ?? err.message ?? String(e)).split(/\r?\n/)[0] ?? '';
  if (
    /invalid_client|unauthorized_client|invalid_request|invalid_scope|invalid_grant|AADSTS|untrusted_authority|invalid_authority|endpoints_resolution_error/i.test(
      `${code} ${text}`,
    )
  )
    return new LedgerlinkError({
      code: 'auth',
      category: 'config',
      message: `Microsoft Entra ID refused the client credentials (${code || 'error'}): ${text}; check tenantId, clientId and clientSecret`,
    });
  return new LedgerlinkError({
    code: 'connection',
    category: 'transient',
    message: `could not get a token from Microsoft Entra ID: ${code ? `${code}: ` : ''}${text}`,
  });
}
