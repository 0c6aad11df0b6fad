import './route-access.js';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { isConfigError } from '../config/load.js';
import { isLedgerlinkError } from '../connectors/sdk/errors.js';
import { EngineError, isEngineError } from '../engine/errors.js';
import { isIdsFileError } from '../engine/ids-file.js';
import type { Alerter } from '../runtime/alerts/alerter.js';
import type { Context } from '../runtime/context.js';
import type { LiveConfig } from '../runtime/live-config.js';
import { registerAccess } from './auth/plugin.js';
import { drainRefused } from './body-limits.js';
import type { ServerLimits } from './limits.js';
import { bytesText, isLimitError } from './request-limits.js';
import { registerAlertRoutes } from './routes/alerts.js';
import { registerBatchRoutes } from './routes/batches.js';
import { registerConnectionRoutes } from './routes/connections.js';
import { registerFlowRoutes } from './routes/flows.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerHookRoutes } from './routes/hooks.js';
import { registerListingRoutes } from './routes/listings.js';
import { registerLogRoutes } from './routes/log.js';
import { registerOAuthRoutes } from './routes/oauth.js';
import { registerQbwcRoutes } from './routes/qbwc.js';
import { registerReconcileRoutes } from './routes/reconcile.js';
import { registerRecordRoutes } from './routes/records.js';
import { registerStatsRoutes } from './routes/stats.js';
import { registerSyncSettingsRoutes } from './routes/sync-settings.js';
import { registerValueMapRoutes } from './routes/value-maps.js';
import { registerWebhookRecordRoutes } from './routes/webhook-records.js';
import { registerWebhookLogRoutes } from './routes/webhooks.js';
import { registerDashboard } from './static.js';

export interface ServerDeps {
  ctx: Context;
  /** Wakes the embedded worker when a job was queued from the API. */
  wake?: () => void;
  version: string;
  /** The configuration file, for the dashboard's edits; absent, the configuration is read-only. */
  config?: LiveConfig;
  /** Open event streams, ended when the server closes (they would hold it open). */
  streams?: Set<() => void>;
  /** Over the configuration's `server.limits` (tests); the routes see the result, defaults filled in. */
  limits?: Partial<ServerLimits>;
  /** The serving process's alerter (absent: the alert routes make one over the context). */
  alerter?: Alerter;
}

/** Fastify's own refusals of a request, by the status it gives them: our code for each. */
const CODE_OF_STATUS: Record<number, string> = {
  400: 'invalid_request',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  411: 'length_required',
  413: 'too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  431: 'headers_too_large',
};

const STATUS_OF: Record<string, number> = {
  unknown_flow: 404,
  unknown_record: 404,
  flow_busy: 409,
  flow_disabled: 409,
  invalid_request: 400,
  config_read_only: 409,
  not_found: 404,
  conflict: 409,
};

/**
 * What Node's HTTP parser refuses before Fastify sees a request — headers (with the address) over its
 * 16 KB, a request that is not HTTP — answered in the API's shape on the socket, which then closes.
 */
function refuseClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [
          431,
          'headers_too_large',
          'the request’s address and headers are larger than this server takes (16 KB)',
        ]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'timeout', 'the request did not arrive in time']
        : [400, 'invalid_request', `the request is not valid HTTP (${err.code ?? err.message})`];
  const body = JSON.stringify({ error: { code, message } });
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy(err);
}

/**
 * Where in a request's parsed input a value is that no store can keep, and why (`body/rows/3/x must
 * be a finite number`): a non-finite number, or text holding NUL, which PostgreSQL's text refuses.
 */
function unfit(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'number')
    return Number.isFinite(value) ? undefined : `${path} must be a finite number`;
  if (typeof value === 'string')
    return value.includes('\u0000') ? `${path} must not contain NUL (U+0000)` : undefined;
  if (value === null || typeof value !== 'object' || depth > 32 || Buffer.isBuffer(value)) return undefined;
  for (const [k, v] of Object.entries(value)) {
    const why = unfit(k, `${path}/${k}`, depth + 1) ?? unfit(v, `${path}/${k}`, depth + 1);
    if (why) return why;
  }
  return undefined;
}

/** The REST API (OpenAPI at /openapi.json, browsable at /docs): thin handlers over the engine and store. */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allowUnionTypes: true } },
    trustProxy: deps.ctx.config.server?.trustProxy ?? false,
    // The router's own refusals (a path parameter over 100 characters, a malformed %-escape) are
    // refusals like any other: {error: {code, message}}, not Fastify's shape.
    frameworkErrors: (error, _req, reply) => {
      const status = (error as { statusCode?: number }).statusCode ?? 400;
      return (reply as FastifyReply)
        .code(status)
        .send({ error: { code: CODE_OF_STATUS[status] ?? 'invalid_request', message: error.message } });
    },
    clientErrorHandler: refuseClientError,
  });
  // Security headers on every answer. The dashboard and the API documentation load only their own
  // scripts; styles may be inline (React and Swagger UI set them); no page may be framed (clickjacking);
  // no referrer leaves the product. No upgrade-insecure-requests: the default is plain HTTP on loopback.
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'frame-ancestors': ["'none'"],
        'form-action': ["'self'"],
        'upgrade-insecure-requests': null,
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // Plain HTTP is the embedded default; HSTS belongs to the proxy that terminates TLS.
    strictTransportSecurity: false,
  });
  // Limits are declared per route (login, webhook intake), never for everyone.
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Ledgerlink API',
        version: deps.version,
        description: 'Flows, runs, records, the connector log and connections.',
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.setErrorHandler((error, req, reply) => {
    const e = error as Error & { validation?: unknown; statusCode?: number; code?: string };
    const refuse = (status: number, code: string, message: string, extra: Record<string, unknown> = {}) => {
      // A refusal is the caller's to mend: one line in the log, no stack.
      deps.ctx.logger.info({ method: req.method, url: req.url, status, code }, message);
      return reply.code(status).send({ error: { code, message, ...extra } });
    };
    if (e.validation) return refuse(400, 'invalid_request', e.message);
    if (isEngineError(e)) return refuse(STATUS_OF[e.code] ?? 400, e.code, e.message);
    if (isConfigError(e))
      return refuse(e.code === 'config_file_invalid' ? 409 : 400, e.code, e.message, { problems: e.issues });
    if (isIdsFileError(e)) return refuse(e.status, e.code, e.message);
    if (isLedgerlinkError(e)) {
      // A connected system failed while serving the request (a Load reads the source): not our bug.
      const busy = e.category === 'rate_limited';
      if (busy && e.retryAfterMs) reply.header('retry-after', String(Math.ceil(e.retryAfterMs / 1000)));
      deps.ctx.logger.warn({ method: req.method, url: req.url, code: e.code }, e.message);
      return reply.code(busy ? 503 : 502).send({ error: { code: e.code, message: e.message } });
    }
    if (isLimitError(e)) {
      if (e.retryAfter !== undefined) reply.header('retry-after', String(e.retryAfter));
      return refuse(e.statusCode, e.code, e.message);
    }
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const max = req.routeOptions.bodyLimit ?? 1_048_576;
      // The sender may still be writing: the rest is read first, so it reads this answer, not a reset.
      return drainRefused(req.raw, max).then(() =>
        refuse(413, 'too_large', `the body is larger than this endpoint takes (at most ${bytesText(max)})`),
      );
    }
    const status = e.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // Fastify's own refusals (a media type no route takes, bad JSON).
      return refuse(status, CODE_OF_STATUS[status] ?? 'invalid_request', e.message);
    }
    deps.ctx.logger.error({ err: e, method: req.method, url: req.url }, 'request failed');
    return reply.code(500).send({ error: { code: 'internal', message: e.message } });
  });

  // Ajv's type coercion turns "Infinity" or "1e999" into a number that then passes `integer`,
  // `minimum` and `maximum` (ajv#2212, fastify#6718), and JSON.parse reads 1e400 as Infinity: an id
  // of Infinity reached PostgreSQL as a bigint (500). Text holding NUL did too, as a token's name
  // (500 "invalid byte sequence"). No input of this API is either. A raw body (a webhook's, kept as
  // sent: NUL is stored as U+FFFD there) and an upload's bytes are not looked into.
  app.addHook('preHandler', async (req) => {
    for (const [part, value] of [
      ['params', req.params],
      ['querystring', req.query],
      ['body', typeof req.body === 'object' ? req.body : undefined],
    ] as const) {
      const why = unfit(value, part);
      if (why) throw new EngineError('invalid_request', why);
    }
  });

  const streams = deps.streams ?? new Set<() => void>();
  deps = { ...deps, streams };
  app.addHook('onClose', async () => {
    for (const stop of streams) stop();
  });
  await registerAccess(app, deps);
  registerHealthRoutes(app, deps);
  registerFlowRoutes(app, deps);
  registerLogRoutes(app, deps);
  registerRecordRoutes(app, deps);
  registerReconcileRoutes(app, deps);
  registerConnectionRoutes(app, deps);
  registerListingRoutes(app, deps);
  registerOAuthRoutes(app, deps);
  registerHookRoutes(app, deps);
  registerQbwcRoutes(app, deps);
  registerWebhookLogRoutes(app, deps);
  registerBatchRoutes(app, deps);
  registerValueMapRoutes(app, deps);
  registerStatsRoutes(app, deps);
  registerSyncSettingsRoutes(app, deps);
  registerWebhookRecordRoutes(app, deps);
  registerAlertRoutes(app, deps);
  await registerDashboard(app);
  return app;
}
