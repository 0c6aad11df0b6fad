import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

export const AUTHORIZE_PATH = '/oauth/authorize';
export const TOKEN_PATH = '/oauth/token';

/**
 * iSeller's OAuth host in the sandbox: /oauth/authorize redirects at once with a code (the person
 * always agrees); /oauth/token takes authorization_code, refresh_token (rotated: FACTS.md ⚠) and
 * client_credentials, the client's credentials in the form, and names the store's URL (resource_url).
 */
export class SandboxOAuth {
  readonly accessTokens = new Map<string, number>();
  readonly refreshTokens = new Map<string, { retired: boolean }>();
  private readonly codes = new Map<string, string>();
  readonly grants = { authorization_code: 0, refresh_token: 0, client_credentials: 0 };

  constructor(
    readonly o: { clientId: string; clientSecret: string; ttlSec: number; initialRefreshToken: string },
    private readonly resourceUrl: () => string,
  ) {
    this.refreshTokens.set(o.initialRefreshToken, { retired: false });
  }

  valid(authorization: string | undefined): boolean {
    const token = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
    const until = token ? this.accessTokens.get(token) : undefined;
    return until !== undefined && until > Date.now();
  }

  expireAccessTokens(): void {
    for (const k of this.accessTokens.keys()) this.accessTokens.set(k, 0);
  }

  private issue(refresh: boolean): Record<string, unknown> {
    const access = `isl-at-${randomBytes(12).toString('hex')}`;
    this.accessTokens.set(access, Date.now() + this.o.ttlSec * 1000);
    const out: Record<string, unknown> = {
      access_token: access,
      token_type: 'bearer',
      expires_in: this.o.ttlSec,
      resource_url: this.resourceUrl(),
    };
    if (refresh) {
      const rt = `isl-rt-${randomBytes(12).toString('hex')}`;
      this.refreshTokens.set(rt, { retired: false });
      out.refresh_token = rt;
    }
    return out;
  }

  routes(app: FastifyInstance): void {
    app.get<{ Querystring: Record<string, string> }>(AUTHORIZE_PATH, async (req, reply) => {
      const q = req.query;
      if (!q.redirect_uri) return reply.code(400).send({ error: 'invalid_request' });
      const back = new URL(q.redirect_uri);
      if (q.client_id !== this.o.clientId) back.searchParams.set('error', 'unauthorized_client');
      else {
        const code = `isl-code-${randomBytes(8).toString('hex')}`;
        this.codes.set(code, q.redirect_uri);
        back.searchParams.set('code', code);
      }
      if (q.state) back.searchParams.set('state', q.state);
      return reply.redirect(back.toString(), 302);
    });
    app.post<{ Body: Record<string, string> }>(TOKEN_PATH, async (req, reply) => {
      const b = req.body ?? {};
      if (b.client_id !== this.o.clientId || b.client_secret !== this.o.clientSecret)
        return reply
          .code(401)
          .send({ error: 'invalid_client', error_description: 'Client authentication failed' });
      if (b.grant_type === 'client_credentials') {
        this.grants.client_credentials++;
        return this.issue(false);
      }
      if (b.grant_type === 'authorization_code') {
        if (!b.code || this.codes.get(b.code) !== b.redirect_uri)
          return reply
            .code(400)
            .send({ error: 'invalid_grant', error_description: 'Invalid authorization code' });
        this.codes.delete(b.code);
        this.grants.authorization_code++;
        return this.issue(true);
      }
      if (b.grant_type === 'refresh_token') {
        const state = b.refresh_token ? this.refreshTokens.get(b.refresh_token) : undefined;
        if (!state || state.retired)
          return reply.code(400).send({ error: 'invalid_grant', error_description: 'Invalid refresh token' });
        if (b.refresh_token !== this.o.initialRefreshToken) state.retired = true;
        this.grants.refresh_token++;
        return this.issue(true);
      }
      return reply.code(400).send({ error: 'unsupported_grant_type' });
    });
  }
}
