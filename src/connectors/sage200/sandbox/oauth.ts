import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

/** Where the sandbox serves Sage ID's endpoints (the paths of id.sage.com). */
export const AUTHORIZE_PATH = '/authorize';
export const TOKEN_PATH = '/oauth/token';

export interface OAuthOptions {
  clientId: string;
  clientSecret: string;
  audience: string;
  /** Access tokens live this long (Sage ID: 480 s, FACTS.md ⚠). */
  accessTokenTtlSec: number;
  /** A refresh token valid from the start and never retired. */
  initialRefreshToken?: string;
}

/**
 * Sage ID in the sandbox: /authorize redirects at once with a code and the state (the person always
 * agrees), /oauth/token takes the authorization_code and refresh_token grants with the client's id and
 * secret in the form; every refresh rotates the refresh token and retires the one used.
 */
export class SandboxSageId {
  readonly accessTokens = new Map<string, number>();
  readonly refreshTokens = new Map<string, { retired: boolean }>();
  private readonly codes = new Map<string, { redirectUri: string; used: boolean }>();
  readonly grants = { authorization_code: 0, refresh_token: 0 };

  constructor(readonly o: OAuthOptions) {
    if (o.initialRefreshToken) this.refreshTokens.set(o.initialRefreshToken, { retired: false });
  }

  check(authorization: string | undefined): 'ok' | 'missing' | 'expired' {
    const token = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
    if (!token) return 'missing';
    const until = this.accessTokens.get(token);
    return until !== undefined && until > Date.now() ? 'ok' : 'expired';
  }

  expireAccessTokens(): void {
    for (const k of this.accessTokens.keys()) this.accessTokens.set(k, 0);
  }

  private issue(): Record<string, unknown> {
    const access = `s200-at-${randomBytes(12).toString('hex')}`;
    const refresh = `s200-rt-${randomBytes(12).toString('hex')}`;
    this.accessTokens.set(access, Date.now() + this.o.accessTokenTtlSec * 1000);
    this.refreshTokens.set(refresh, { retired: false });
    return {
      access_token: access,
      refresh_token: refresh,
      scope: 'openid profile email offline_access',
      expires_in: this.o.accessTokenTtlSec,
      token_type: 'Bearer',
    };
  }

  routes(app: FastifyInstance): void {
    app.get<{ Querystring: Record<string, string> }>(AUTHORIZE_PATH, async (req, reply) => {
      const q = req.query;
      if (!q.redirect_uri)
        return reply
          .code(400)
          .send({ error: 'invalid_request', error_description: 'redirect_uri is required' });
      const back = new URL(q.redirect_uri);
      if (q.client_id !== this.o.clientId) back.searchParams.set('error', 'unauthorized_client');
      else if (q.audience !== this.o.audience) back.searchParams.set('error', 'invalid_request');
      else {
        const code = `s200-code-${randomBytes(10).toString('hex')}`;
        this.codes.set(code, { redirectUri: q.redirect_uri, used: false });
        back.searchParams.set('code', code);
      }
      if (q.state) back.searchParams.set('state', q.state);
      return reply.redirect(back.toString(), 302);
    });

    app.post<{ Body: Record<string, string> }>(TOKEN_PATH, async (req, reply) => {
      const body = req.body ?? {};
      if (body.client_id !== this.o.clientId || body.client_secret !== this.o.clientSecret)
        return reply.code(401).send({ error: 'access_denied', error_description: 'Unauthorized' });
      if (body.grant_type === 'authorization_code') {
        const c = body.code ? this.codes.get(body.code) : undefined;
        if (!c || c.used || c.redirectUri !== body.redirect_uri)
          return reply
            .code(403)
            .send({ error: 'invalid_grant', error_description: 'Invalid authorization code' });
        c.used = true;
        this.grants.authorization_code++;
        return this.issue();
      }
      if (body.grant_type === 'refresh_token') {
        const state = body.refresh_token ? this.refreshTokens.get(body.refresh_token) : undefined;
        if (!state || state.retired)
          return reply
            .code(403)
            .send({ error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' });
        this.grants.refresh_token++;
        if (body.refresh_token !== this.o.initialRefreshToken) state.retired = true;
        return this.issue();
      }
      return reply.code(403).send({ error: 'unsupported_grant_type' });
    });
  }
}
