import './route-access.js';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { isConfigError } from '../config/load.js';
import { isEngineError } from '../engine/errors.js';
import { isIdsFileError } from '../engine/ids-file.js';
import type { Context } from '../runtime/context.js';
import type { LiveConfig } from '../runtime/live-config.js';
import { registerAccess } from './auth/plugin.js';
import { registerBatchRoutes } from './routes/batches.js';
import { registerConnectionRoutes } from './routes/connections.js';
import { registerFlowRoutes } from './routes/flows.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerHookRoutes } from './routes/hooks.js';
import { registerLogRoutes } from './routes/log.js';
import { registerRecordRoutes } from './routes/records.js';
import { registerStatsRoutes } from './routes/stats.js';
import { registerValueMapRoutes } from './routes/value-maps.js';
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
}

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

/** The REST API (OpenAPI at /openapi.json, browsable at /docs): thin handlers over the engine and store. */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true } },
  });
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

  app.setErrorHandler((error, _req, reply) => {
    const e = error as Error & { validation?: unknown; statusCode?: number; code?: string };
    if (e.validation) return reply.code(400).send({ error: { code: 'invalid_request', message: e.message } });
    if (isEngineError(e))
      return reply.code(STATUS_OF[e.code] ?? 400).send({ error: { code: e.code, message: e.message } });
    if (isConfigError(e))
      return reply
        .code(400)
        .send({ error: { code: 'invalid_config', message: e.message, problems: e.issues } });
    if (isIdsFileError(e))
      return reply.code(400).send({ error: { code: 'invalid_request', message: e.message } });
    deps.ctx.logger.error({ err: e }, 'request failed');
    return reply
      .code(e.statusCode && e.statusCode >= 400 ? e.statusCode : 500)
      .send({ error: { code: 'internal', message: e.message } });
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
  registerConnectionRoutes(app, deps);
  registerHookRoutes(app, deps);
  registerWebhookLogRoutes(app, deps);
  registerBatchRoutes(app, deps);
  registerValueMapRoutes(app, deps);
  registerStatsRoutes(app, deps);
  await registerDashboard(app);
  return app;
}
