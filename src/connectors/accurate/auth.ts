import type { Logger } from 'pino';
import type { CredentialStore } from '../sdk/contract.js';
import { HttpClient } from '../sdk/http.js';
import { RotatingTokenAuth } from '../sdk/rotating-token.js';
import { errorMessage } from './faults.js';
import type { AccurateSettings } from './settings.js';

/** What the credential store keeps for an Accurate connection (sealed at rest). */
export const STORED = {
  refreshToken: 'accurate_refresh_token',
  accessToken: 'accurate_access_token',
  accessExpiresAt: 'accurate_access_token_expires_at',
} as const;

export const AUTHORIZE_PATH = '/oauth/authorize';
export const TOKEN_PATH = '/oauth/token';

/**
 * Accurate's OAuth 2.0 authorization code grant on the account host (spec securitySchemes). Whether a
 * refresh rotates the refresh token is not documented (FACTS.md ⚠): RotatingTokenAuth keeps whatever
 * comes back before the access token is used, which is right either way. The client authenticates
 * with HTTP Basic (RFC 6749 §2.3.1; FACTS.md ⚠ — the sandbox also takes the form fields).
 */
export class AccurateOAuth extends RotatingTokenAuth {
  constructor(
    private readonly s: AccurateSettings,
    o: { connection: string; credentials?: CredentialStore; logger?: Logger },
  ) {
    super({
      connection: o.connection,
      credentials: o.credentials,
      logger: o.logger,
      system: 'Accurate Online',
      issuer: 'Accurate OAuth',
      stored: STORED,
      earlyMs: 60_000,
      defaultLifeSeconds: 3600,
      configuredRefreshToken: s.refreshToken,
      http: new HttpClient({
        baseUrl: s.accountUrl,
        timeoutMs: s.timeoutMs,
        systemName: 'Accurate OAuth',
        connection: o.connection,
        errorMessage: (body) => errorMessage(body),
      }),
      tokenPath: TOKEN_PATH,
    });
  }

  protected tokenRequest(form: Record<string, string>) {
    const basic = Buffer.from(`${this.s.clientId ?? ''}:${this.s.clientSecret ?? ''}`).toString('base64');
    return { form, headers: { authorization: `Basic ${basic}` } };
  }

  authorizeUrl(redirectUri: string, state: string): string {
    const u = new URL(`${this.s.accountUrl}${AUTHORIZE_PATH}`);
    u.searchParams.set('client_id', this.s.clientId ?? '');
    u.searchParams.set('response_type', 'code');
    u.searchParams.set('redirect_uri', redirectUri);
    u.searchParams.set('scope', this.s.scope);
    u.searchParams.set('state', state);
    return u.toString();
  }

  async complete(code: string, redirectUri: string): Promise<void> {
    await this.exchange(code, redirectUri);
  }
}
