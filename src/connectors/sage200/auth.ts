import type { Logger } from 'pino';
import type { CredentialStore } from '../sdk/contract.js';
import { HttpClient } from '../sdk/http.js';
import { RotatingTokenAuth } from '../sdk/rotating-token.js';
import { errorMessage } from './faults.js';
import type { Sage200Settings } from './settings.js';

/** What the credential store keeps for a Sage 200 connection (sealed at rest). */
export const STORED = {
  refreshToken: 'sage200_refresh_token',
  accessToken: 'sage200_access_token',
  accessExpiresAt: 'sage200_access_token_expires_at',
} as const;

/**
 * Sage ID OAuth 2.0 for one connection: the authorization-code grant a person makes once, then
 * access tokens from the refresh token. Sage ID may hand out a new refresh token with each refresh
 * (FACTS.md ⚠): RotatingTokenAuth keeps it before the access token that came with it is used, one
 * refresh at a time per process, the stored access token shared by the connection's processes. The
 * client's credentials go in the form (FACTS.md).
 */
export class Sage200Auth extends RotatingTokenAuth {
  constructor(
    private readonly s: Sage200Settings,
    o: { connection: string; credentials?: CredentialStore; logger?: Logger },
  ) {
    super({
      connection: o.connection,
      credentials: o.credentials,
      logger: o.logger,
      system: 'Sage 200',
      issuer: 'Sage ID',
      stored: STORED,
      earlyMs: 60_000,
      defaultLifeSeconds: 480,
      configuredRefreshToken: s.refreshToken,
      http: new HttpClient({
        baseUrl: new URL(s.tokenUrl).origin,
        timeoutMs: s.timeoutMs,
        systemName: 'Sage ID',
        connection: o.connection,
        errorMessage: (body) => errorMessage(body),
      }),
      tokenPath: new URL(s.tokenUrl).pathname,
    });
  }

  protected tokenRequest(form: Record<string, string>) {
    return { form: { ...form, client_id: this.s.clientId, client_secret: this.s.clientSecret } };
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
    await this.exchange(code, redirectUri);
  }
}
