import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fromAccurateDateTime } from '../dates.js';
import { signTimestamp } from '../signature.js';

export const ACCURATE_SANDBOX = {
  clientId: 'accurate-sandbox-client',
  clientSecret: 'accurate-sandbox-secret',
  initialRefreshToken: 'accurate-sandbox-initial-refresh',
  apiToken: 'aat.sandbox.0f3c9a1b2d4e',
  signatureSecret: 'accurate-sandbox-signature-secret',
  applicationName: 'Ledgerlink Sandbox',
} as const;

/** The signed timestamp may be this far from the sandbox's clock (FACTS.md ⚠: window assumed). */
const SKEW_MS = 5 * 60_000;

type Req = FastifyRequest & { fault?: boolean };
const envelope = (s: boolean, d: unknown, extra: Record<string, unknown> = {}) => ({ s, d, ...extra });

/**
 * Accurate's account host in the sandbox: the OAuth grant (authorize redirects at once; the token
 * endpoint takes the client by HTTP Basic or in the form, and rotates the refresh token), API tokens
 * checked by their HMAC-SHA256 signature of X-Api-Timestamp, database sessions from open-db.do that a
 * test can end (`expireSessions`), and webhook renewal (7 days, FACTS.md ⚠).
 */
export class SandboxAccount {
  readonly accessTokens = new Map<string, number>();
  readonly refreshTokens = new Map<string, { retired: boolean }>();
  private readonly codes = new Map<string, string>();
  /** session → alive. */
  readonly sessions = new Map<string, boolean>();
  readonly grants = { authorization_code: 0, refresh_token: 0 };
  /** Signatures refused, for tests. */
  refusedSignatures = 0;
  webhookActiveUntil = Date.now() + 7 * 86_400_000;
  renewals = 0;

  constructor(
    readonly o: { databaseId: number; alias: string; host: () => string; accessTokenTtlSec: number },
  ) {
    this.refreshTokens.set(ACCURATE_SANDBOX.initialRefreshToken, { retired: false });
  }

  expireSessions(): void {
    for (const k of this.sessions.keys()) this.sessions.set(k, false);
  }

  expireAccessTokens(): void {
    for (const k of this.accessTokens.keys()) this.accessTokens.set(k, 0);
  }

  /** Who calls: 'oauth', 'apiToken', or why not. */
  caller(h: FastifyRequest['headers']): 'oauth' | 'apiToken' | { reason: string } {
    const token = /^Bearer (.+)$/i.exec(String(h.authorization ?? ''))?.[1];
    if (!token) return { reason: 'Header Authorization tidak ditemukan' };
    if (token.startsWith('aat.')) {
      if (token !== ACCURATE_SANDBOX.apiToken) return { reason: 'API Token tidak valid' };
      const ts = String(h['x-api-timestamp'] ?? '');
      const sig = String(h['x-api-signature'] ?? '');
      if (!ts || !sig) return { reason: 'Header X-Api-Timestamp dan X-Api-Signature harus diisi' };
      let at: number;
      try {
        at = /^\d+$/.test(ts)
          ? Number(ts) * (ts.length > 11 ? 1 : 1000)
          : Date.parse(fromAccurateDateTime(ts));
      } catch {
        return { reason: 'Header X-Api-Timestamp tidak valid' };
      }
      if (!(Math.abs(Date.now() - at) <= SKEW_MS))
        return { reason: 'Header X-Api-Timestamp sudah kadaluarsa' };
      const want = Buffer.from(signTimestamp(ts, ACCURATE_SANDBOX.signatureSecret));
      const got = Buffer.from(sig);
      if (want.length !== got.length || !timingSafeEqual(want, got)) {
        this.refusedSignatures++;
        return {
          reason: `Header X-Api-Signature invalid: Require Application '${ACCURATE_SANDBOX.applicationName}' signature`,
        };
      }
      return 'apiToken';
    }
    const until = this.accessTokens.get(token);
    return until !== undefined && until > Date.now()
      ? 'oauth'
      : { reason: 'invalid_token: Access token expired' };
  }

  private issue() {
    const access = `acc-at-${randomBytes(12).toString('hex')}`;
    const refresh = `acc-rt-${randomBytes(12).toString('hex')}`;
    this.accessTokens.set(access, Date.now() + this.o.accessTokenTtlSec * 1000);
    this.refreshTokens.set(refresh, { retired: false });
    return {
      access_token: access,
      token_type: 'bearer',
      refresh_token: refresh,
      expires_in: this.o.accessTokenTtlSec,
      scope: 'customer_view customer_save item_view sales_invoice_save',
    };
  }

  private client(req: FastifyRequest, body: Record<string, string>): boolean {
    const basic = /^Basic (.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
    const [id, secret] = basic
      ? Buffer.from(basic, 'base64').toString('utf8').split(':')
      : [body.client_id, body.client_secret];
    return id === ACCURATE_SANDBOX.clientId && secret === ACCURATE_SANDBOX.clientSecret;
  }

  routes(app: FastifyInstance, prefix: string): void {
    const refuse = (req: FastifyRequest, reply: FastifyReply, status: number, message: string) => {
      (req as Req).fault = true;
      return reply.code(status).send(envelope(false, [message]));
    };
    const authed = (req: FastifyRequest, reply: FastifyReply) => {
      const who = this.caller(req.headers);
      if (typeof who === 'object') {
        void refuse(req, reply, 401, who.reason);
        return undefined;
      }
      return who;
    };

    app.get<{ Querystring: Record<string, string> }>(`${prefix}/oauth/authorize`, async (req, reply) => {
      const q = req.query;
      if (!q.redirect_uri) return reply.code(400).send({ error: 'invalid_request' });
      const back = new URL(q.redirect_uri);
      if (q.client_id !== ACCURATE_SANDBOX.clientId) back.searchParams.set('error', 'unauthorized_client');
      else {
        const code = `acc-code-${randomBytes(8).toString('hex')}`;
        this.codes.set(code, q.redirect_uri);
        back.searchParams.set('code', code);
      }
      if (q.state) back.searchParams.set('state', q.state);
      return reply.redirect(back.toString(), 302);
    });

    app.post<{ Body: Record<string, string> }>(`${prefix}/oauth/token`, async (req, reply) => {
      const body = req.body ?? {};
      if (!this.client(req, body))
        return reply.code(401).send({ error: 'invalid_client', error_description: 'Bad client credentials' });
      if (body.grant_type === 'authorization_code') {
        const uri = body.code ? this.codes.get(body.code) : undefined;
        if (!uri || uri !== body.redirect_uri)
          return reply
            .code(400)
            .send({ error: 'invalid_grant', error_description: 'Invalid authorization code' });
        this.codes.delete(body.code!);
        this.grants.authorization_code++;
        return this.issue();
      }
      if (body.grant_type === 'refresh_token') {
        const st = body.refresh_token ? this.refreshTokens.get(body.refresh_token) : undefined;
        if (!st || st.retired)
          return reply.code(400).send({ error: 'invalid_grant', error_description: 'Invalid refresh token' });
        this.grants.refresh_token++;
        if (body.refresh_token !== ACCURATE_SANDBOX.initialRefreshToken) st.retired = true;
        return this.issue();
      }
      return reply.code(400).send({ error: 'unsupported_grant_type' });
    });

    app.get(`${prefix}/api/db-list.do`, async (req, reply) => {
      if (!authed(req, reply)) return reply;
      return envelope(true, [{ id: this.o.databaseId, alias: this.o.alias }]);
    });

    app.get<{ Querystring: { id?: string } }>(`${prefix}/api/open-db.do`, async (req, reply) => {
      if (!authed(req, reply)) return reply;
      if (Number(req.query.id) !== this.o.databaseId)
        return envelope(false, [`Data usaha dengan id ${String(req.query.id)} tidak ditemukan`]);
      const session = randomUUID();
      this.sessions.set(session, true);
      return envelope(true, ['Proses membuka data usaha berhasil'], {
        host: this.o.host(),
        session,
        admin: true,
      });
    });

    app.post(`${prefix}/api/api-token.do`, async (req, reply) => {
      if (authed(req, reply) !== 'apiToken') {
        if (reply.sent) return reply;
        return refuse(req, reply, 401, 'API Token tidak valid');
      }
      return envelope(true, {
        database: { id: this.o.databaseId, alias: this.o.alias, host: this.o.host() },
        application: { name: ACCURATE_SANDBOX.applicationName },
      });
    });

    app.get(`${prefix}/api/webhook-renew.do`, async (req, reply) => {
      if (!authed(req, reply)) return reply;
      this.renewals++;
      this.webhookActiveUntil = Date.now() + 7 * 86_400_000;
      const d = new Date(this.webhookActiveUntil + 7 * 3600_000);
      const pad = (n: number) => String(n).padStart(2, '0');
      return envelope(true, `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`);
    });

    app.get(`${prefix}/api/approved-scope.do`, async (req, reply) => {
      if (!authed(req, reply)) return reply;
      return envelope(true, ['customer_view', 'customer_save', 'item_view', 'sales_invoice_save']);
    });
  }
}
