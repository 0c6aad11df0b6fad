import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface SandboxAuthOptions {
  users: Record<string, string>;
  companies: readonly string[];
  /** The licence's concurrent API sessions. */
  maxSessions: number;
  /** Connected applications: client id → secret. */
  oauthClients: Record<string, string>;
  tokenLifetimeSeconds: number;
  /** The site's session timeout: a session idle this long ends (default SESSION_TIMEOUT_MS). */
  sessionIdleMs?: number;
}

/**
 * Acumatica's web.config ends an idle session after 60 minutes (`<sessionState … timeout="60">` and
 * `<formsAuth … timeout="60">`), and a session that ended no longer counts against the licence.
 */
export const SESSION_TIMEOUT_MS = 60 * 60_000;

const token = () => randomBytes(18).toString('base64url');

const httpError = (message: string, exceptionMessage?: string) =>
  exceptionMessage ? { message, exceptionMessage, exceptionType: 'PX.Data.PXException' } : { message };

/** Cookie sessions and OAuth tokens as Acumatica issues them, with a licence cap on sessions. */
export class SandboxAuth {
  readonly sessions = new Map<string, { user: string; at: number }>();
  readonly tokens = new Map<string, string>();
  readonly refreshTokens = new Map<string, string>();
  logins = 0;
  logouts = 0;
  refreshes = 0;
  /** Authorization codes issued and not yet exchanged: code → client and redirect URI. */
  readonly codes = new Map<string, { client: string; redirect: string; user: string }>();
  /**
   * Acumatica ends a session left idle for the site's session timeout, and it stops counting
   * against the licence then — which is how the sessions of a client that never logged out (a
   * process killed) come back. 60 minutes, as a fresh site's web.config says, unless told.
   */
  sessionIdleMs: number;
  /** Sessions ended by the idle timeout. */
  expired = 0;

  constructor(private readonly o: SandboxAuthOptions) {
    this.sessionIdleMs = o.sessionIdleMs ?? SESSION_TIMEOUT_MS;
  }

  register(app: FastifyInstance): void {
    app.post('/entity/auth/login', async (req, reply) => {
      const b = (req.body ?? {}) as { name?: string; password?: string; company?: string };
      if (!b.name || this.o.users[b.name] === undefined || this.o.users[b.name] !== b.password) {
        return reply
          .code(401)
          .send(httpError('An error has occurred.', 'Invalid credentials. Please try again.'));
      }
      if (b.company && !this.o.companies.includes(b.company)) {
        return reply
          .code(401)
          .send(httpError('An error has occurred.', `Company "${b.company}" does not exist.`));
      }
      this.expireIdle();
      if (this.sessions.size >= this.o.maxSessions) {
        return reply.code(500).send(httpError('An error has occurred.', 'API Login Limit'));
      }
      const auth = token();
      this.sessions.set(auth, { user: b.name, at: Date.now() });
      this.logins++;
      reply.header('set-cookie', [
        `.ASPXAUTH=${auth}; path=/; HttpOnly`,
        `ASP.NET_SessionId=${token()}; path=/; HttpOnly; SameSite=Lax`,
        `UserBranch=1; path=/`,
        `Locale=Culture=en-US&TimeZone=GMTM0800A; path=/`,
      ]);
      return reply.code(204).send();
    });

    app.post('/entity/auth/logout', async (req, reply) => {
      const auth = this.cookieOf(req);
      if (auth && this.sessions.delete(auth)) this.logouts++;
      reply.header('set-cookie', ['.ASPXAUTH=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/']);
      return reply.code(204).send();
    });

    // Acumatica shows its login and consent page here; the sandbox acts as if the first user approved.
    app.get<{ Querystring: Record<string, string> }>('/identity/connect/authorize', async (req, reply) => {
      const q = req.query;
      if (q.response_type !== 'code') return reply.code(400).send({ error: 'unsupported_response_type' });
      if (!q.client_id || this.o.oauthClients[q.client_id] === undefined)
        return reply.code(400).send({ error: 'invalid_client' });
      if (!q.redirect_uri || !/^https?:\/\//.test(q.redirect_uri))
        return reply.code(400).send({ error: 'invalid_request', error_description: 'redirect_uri' });
      const code = token();
      this.codes.set(code, {
        client: q.client_id,
        redirect: q.redirect_uri,
        user: Object.keys(this.o.users)[0]!,
      });
      const back = new URL(q.redirect_uri);
      back.searchParams.set('code', code);
      if (q.state) back.searchParams.set('state', q.state);
      return reply.redirect(back.toString(), 302);
    });

    app.post('/identity/connect/token', async (req, reply) => {
      const f = (req.body ?? {}) as Record<string, string>;
      if (!f.client_id || this.o.oauthClients[f.client_id] !== f.client_secret)
        return reply.code(400).send({ error: 'invalid_client' });
      let user: string | undefined;
      if (f.grant_type === 'password') {
        if (!f.username || this.o.users[f.username] !== f.password)
          return reply
            .code(400)
            .send({ error: 'invalid_grant', error_description: 'invalid_username_or_password' });
        user = f.username;
      } else if (f.grant_type === 'authorization_code') {
        const issued = this.codes.get(f.code ?? '');
        this.codes.delete(f.code ?? '');
        if (!issued || issued.client !== f.client_id || issued.redirect !== f.redirect_uri)
          return reply.code(400).send({ error: 'invalid_grant' });
        user = issued.user;
      } else if (f.grant_type === 'refresh_token') {
        user = this.refreshTokens.get(f.refresh_token ?? '');
        if (!user) return reply.code(400).send({ error: 'invalid_grant' });
        this.refreshTokens.delete(f.refresh_token!);
        this.refreshes++;
      } else return reply.code(400).send({ error: 'unsupported_grant_type' });
      const access = token();
      const refresh = token();
      this.tokens.set(access, user);
      this.refreshTokens.set(refresh, user);
      return {
        access_token: access,
        expires_in: this.o.tokenLifetimeSeconds,
        token_type: 'Bearer',
        refresh_token: refresh,
        scope: 'api offline_access',
      };
    });
  }

  private cookieOf(req: FastifyRequest): string | undefined {
    const m = /(?:^|;\s*)\.ASPXAUTH=([^;]+)/.exec(req.headers.cookie ?? '');
    return m?.[1];
  }

  /** Guards entity routes: a live session cookie or bearer token, else Acumatica's 401. */
  async guard(req: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer && this.tokens.has(bearer)) return true;
    const auth = this.cookieOf(req);
    this.expireIdle();
    const session = auth ? this.sessions.get(auth) : undefined;
    if (session) {
      session.at = Date.now();
      return true;
    }
    await reply.code(401).send(httpError('You are not logged in.'));
    return false;
  }

  private expireIdle(): void {
    const before = Date.now() - this.sessionIdleMs;
    for (const [k, v] of this.sessions) {
      if (v.at < before) {
        this.sessions.delete(k);
        this.expired++;
      }
    }
  }

  /** Ends every session and token, as a server restart or timeout would. */
  expireAll(): void {
    this.sessions.clear();
    this.tokens.clear();
  }
}
