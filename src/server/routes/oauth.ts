import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Connector } from '../../connectors/sdk/contract.js';
import { toErrorData } from '../../connectors/sdk/errors.js';
import type { ServerDeps } from '../app.js';
import { identify } from '../auth/credentials.js';
import { OAuthStates } from '../oauth-states.js';
import { errorSchema } from './schemas.js';

export const CALLBACK_PATH = '/oauth/callback';
/** The longest reason carried back to the dashboard in its address. */
const MAX_REASON = 500;

/**
 * Where people reach the dashboard: the configured `server.publicUrl`, else the origin the request
 * names (its Host, and X-Forwarded-Proto / -Host only when trustProxy believes the proxy). A forged
 * Host only makes a redirect URI the system refuses, since it must be registered there.
 */
export function publicOrigin(deps: ServerDeps, req: FastifyRequest): string {
  return deps.ctx.config.server?.publicUrl ?? `${req.protocol}://${req.host}`;
}

/** A connection's OAuth authorization-code grant, when its connector has one (and can be made). */
export function authorizationOf(deps: ServerDeps, name: string): Connector['authorization'] {
  try {
    return deps.ctx.connectors.get(name).authorization;
  } catch {
    return undefined; // a connection that cannot be made (a secret not set) cannot be authorized either
  }
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A refusal a person reads in the browser tab the system sent back: what happened, and where to start again. */
function refusalPage(reply: FastifyReply, status: number, title: string, text: string) {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Ledgerlink · ${escapeHtml(title)}</title>
<style>body{font:15px system-ui,sans-serif;margin:3rem auto;max-width:40rem;color:#1d2733}</style></head>
<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>
<p><a href="/connections">Back to Connections</a>, and choose Authorize again.</p></body></html>`,
    );
}

const WHY: Record<'unknown' | 'expired' | 'used', string> = {
  unknown:
    'This answer does not belong to an authorization Ledgerlink started (or Ledgerlink restarted since).',
  expired: 'This authorization was started more than 10 minutes ago and has expired.',
  used: 'This authorization has already been completed (the page was reloaded or the answer sent twice).',
};

/**
 * The OAuth 2.0 authorization-code grant from the dashboard: POST …/authorize hands the browser the
 * system's consent address with a fresh `state`; the system sends the browser back to
 * GET /oauth/callback with the code, which is exchanged (the connector keeps the refresh token sealed
 * in the credential store), and the browser lands on the Connections screen with the outcome.
 */
export function registerOAuthRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const { ctx } = deps;
  const states = new OAuthStates();

  app.post<{ Params: { name: string } }>(
    '/api/connections/:name/authorize',
    {
      // Granting access chooses which company a connection reads and writes: as much a change of the
      // connection as its settings are.
      config: { access: 'admin' },
      schema: {
        tags: ['connections'],
        summary:
          "Start a connection's OAuth authorization-code grant: the address of the system's consent page, to open in the browser; the system sends it back to /oauth/callback within 10 minutes",
        params: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
        response: {
          200: {
            type: 'object',
            properties: {
              authorizeUrl: { type: 'string' },
              redirectUri: { type: 'string' },
              expiresAt: { type: 'string' },
            },
            required: ['authorizeUrl', 'redirectUri', 'expiresAt'],
          },
          404: errorSchema,
          409: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const name = req.params.name;
      if (!ctx.config.connections.has(name))
        return reply
          .code(404)
          .send({ error: { code: 'not_found', message: `no connection named "${name}"` } });
      const auth = authorizationOf(deps, name);
      if (!auth)
        return reply.code(409).send({
          error: {
            code: 'not_authorizable',
            message: `connection "${name}" is not granted access through an OAuth authorization (QuickBooks Online is; Acumatica is with authMode oauth2 and oauthFlow authorization_code), or its settings are incomplete`,
          },
        });
      const redirectUri = `${publicOrigin(deps, req)}${CALLBACK_PATH}`;
      const { state, expiresAt } = states.start({
        connection: name,
        username: req.user?.username ?? '',
        redirectUri,
      });
      return {
        authorizeUrl: auth.authorizeUrl(redirectUri, state),
        redirectUri,
        expiresAt: new Date(expiresAt).toISOString(),
      };
    },
  );

  const text = { type: 'string', maxLength: 4096 } as const;
  app.get<{ Querystring: Record<string, string | undefined> }>(
    CALLBACK_PATH,
    {
      // The browser arrives from the system's consent page. The session cookie is SameSite=Strict, so a
      // browser does not send it on a redirect from another site: the single-use state, handed only to
      // the admin who started the grant, is what proves this answer is theirs.
      config: { access: 'public' },
      schema: {
        tags: ['connections'],
        summary:
          'Where the system sends the browser back after its consent page (code, state, realmId…): completes the authorization and redirects to the Connections screen with the outcome',
        querystring: {
          type: 'object',
          properties: {
            code: text,
            state: text,
            realmId: text,
            error: text,
            error_description: text,
          },
        },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const taken = states.take(q.state);
      if (!taken.ok) {
        ctx.logger.info(
          { why: taken.why },
          'OAuth callback refused: its state is not a pending authorization',
        );
        return refusalPage(reply, 400, 'Start the authorization again', WHY[taken.why]);
      }
      const { connection, username, redirectUri } = taken.pending;
      const who = await identify(ctx.store, req);
      if (who.caller && who.caller.username !== username)
        return refusalPage(
          reply,
          400,
          'Start the authorization again',
          `This authorization was started by ${username}, and this browser is logged in as ${who.caller.username}.`,
        );
      const back = (outcome: { ok: true } | { ok: false; reason: string }) => {
        const to = new URLSearchParams({ connection, authorization: outcome.ok ? 'ok' : 'failed' });
        if (!outcome.ok) to.set('reason', outcome.reason.slice(0, MAX_REASON));
        return reply.header('cache-control', 'no-store').redirect(`/connections?${to.toString()}`, 303);
      };
      if (q.error || !q.code) {
        const reason = q.error
          ? `access was not granted: ${q.error_description ?? q.error}`
          : 'the system sent no authorization code back';
        ctx.logger.warn({ connection, username }, `OAuth authorization not granted: ${reason}`);
        return back({ ok: false, reason });
      }
      const auth = authorizationOf(deps, connection);
      if (!auth)
        return back({
          ok: false,
          reason: `connection "${connection}" no longer uses an OAuth authorization`,
        });
      const params = Object.fromEntries(
        Object.entries(q).filter((e): e is [string, string] => typeof e[1] === 'string'),
      );
      try {
        await auth.complete(q.code, redirectUri, params);
      } catch (e) {
        // The system refused the code (expired, used, another company): the person's to retry, not a 500.
        const reason = toErrorData(e).message;
        ctx.logger.warn({ connection, username }, `OAuth authorization failed: ${reason}`);
        return back({ ok: false, reason });
      }
      ctx.logger.info({ connection, username }, 'connection authorized through the dashboard');
      return back({ ok: true });
    },
  );
}
