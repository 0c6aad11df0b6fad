import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

/** Where the sandbox serves Intuit's OAuth 2.0 endpoints. */
export const AUTHORIZE_PATH = '/connect/oauth2';
export const TOKEN_PATH = '/oauth2/v1/tokens/bearer';

export interface OAuthOptions {
  clientId: string;
  clientSecret: string;
  realmId: string;
  /** Access tokens live this long (Intuit: 3600 s). */
  accessTokenTtlSec: number;
  /** What x_refresh_token_expires_in says (Intuit: about 100 days, at most five years from the grant). */
  refreshTokenTtlSec: number;
  /**
   * How long a refresh token stays usable after it was rotated. 0 (default): replaced means gone, the
   * strictest reading; Intuit's own service may honour it a while longer (FACTS.md ⚠).
   */
  previousRefreshGraceMs: number;
  /** A refresh token valid from the start and never retired (a grant made before the sandbox ran). */
  initialRefreshToken?: string;
}

interface RefreshState {
  expiresAt: number;
  /** When a newer token replaced it. */
  replacedAt?: number;
}

/**
 * Intuit's OAuth 2.0 server, in the sandbox: the authorization endpoint (the person always agrees:
 * it redirects at once with a code, the state and the company's realmId), the token endpoint
 * (authorization_code and refresh_token grants, client authenticated with HTTP Basic), one-hour
 * access tokens, and refresh tokens that rotate on every refresh.
 */
export class SandboxOAuth {
  readonly accessTokens = new Map<string, number>();
  readonly refreshTokens = new Map<string, RefreshState>();
  private readonly codes = new Map<string, { redirectUri: string; used: boolean }>();
  /** Grants by kind, for tests. */
  readonly grants = { authorization_code: 0, refresh_token: 0 };

  constructor(readonly o: OAuthOptions) {
    if (o.initialRefreshToken)
      this.refreshTokens.set(o.initialRefreshToken, { expiresAt: Number.POSITIVE_INFINITY });
  }

  /** Whether a bearer token is one we issued and still valid. */
  check(authorization: string | undefined): 'ok' | 'missing' | 'expired' {
    const token = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
    if (!token) return 'missing';
    const until = this.accessTokens.get(token);
    return until !== undefined && until > Date.now() ? 'ok' : 'expired';
  }

  /** Ends every access token now (an hour passing). */
  expireAccessTokens(): void {
    for (const k of this.accessTokens.keys()) this.accessTokens.set(k, 0);
  }

  private issue(): Record<string, unknown> {
    const access = `sbx-at-${randomBytes(12).toString('hex')}`;
    const refresh = `sbx-rt-${randomBytes(12).toString('hex')}`;
    this.accessTokens.set(access, Date.now() + this.o.accessTokenTtlSec * 1000);
    this.refreshTokens.set(refresh, { expiresAt: Date.now() + this.o.refreshTokenTtlSec * 1000 });
    return {
      token_type: 'bearer',
      access_token: access,
      expires_in: this.o.accessTokenTtlSec,
      refresh_token: refresh,
      x_refresh_token_expires_in: this.o.refreshTokenTtlSec,
    };
  }

  routes(app: FastifyInstance): void {
    app.get<{ Querystring: Record<string, string> }>(AUTHORIZE_PATH, async (req, reply) => {
      const q = req.query;
      const back = q.redirect_uri ? new URL(q.redirect_uri) : undefined;
      if (!back)
        return reply
          .code(400)
          .send({ error: 'invalid_request', error_description: 'redirect_uri is required' });
      if (q.client_id !== this.o.clientId || q.response_type !== 'code') {
        back.searchParams.set(
          'error',
          q.client_id !== this.o.clientId ? 'unauthorized_client' : 'unsupported_response_type',
        );
      } else if (
        !String(q.scope ?? '')
          .split(' ')
          .includes('com.intuit.quickbooks.accounting')
      ) {
        back.searchParams.set('error', 'invalid_scope');
      } else {
        const code = `sbx-code-${randomBytes(10).toString('hex')}`;
        this.codes.set(code, { redirectUri: q.redirect_uri!, used: false });
        back.searchParams.set('code', code);
        back.searchParams.set('realmId', this.o.realmId);
      }
      if (q.state) back.searchParams.set('state', q.state);
      return reply.redirect(back.toString(), 302);
    });

    app.post<{ Body: Record<string, string> }>(TOKEN_PATH, async (req, reply) => {
      const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const [id, secret] = basic ? Buffer.from(basic, 'base64').toString().split(':') : [];
      if (id !== this.o.clientId || secret !== this.o.clientSecret)
        return reply.code(401).send({ error: 'invalid_client' });
      const body = req.body ?? {};
      if (body.grant_type === 'authorization_code') {
        const c = body.code ? this.codes.get(body.code) : undefined;
        if (!c || c.used || c.redirectUri !== body.redirect_uri)
          return reply.code(400).send({ error: 'invalid_grant' });
        c.used = true;
        this.grants.authorization_code++;
        return this.issue();
      }
      if (body.grant_type === 'refresh_token') {
        const state = body.refresh_token ? this.refreshTokens.get(body.refresh_token) : undefined;
        const now = Date.now();
        const retired =
          state?.replacedAt !== undefined && now - state.replacedAt > this.o.previousRefreshGraceMs;
        if (!state || state.expiresAt <= now || retired)
          return reply.code(400).send({ error: 'invalid_grant' });
        this.grants.refresh_token++;
        if (body.refresh_token !== this.o.initialRefreshToken) state.replacedAt ??= now;
        return this.issue();
      }
      return reply.code(400).send({ error: 'unsupported_grant_type' });
    });
  }
}
