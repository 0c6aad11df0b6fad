import type { FastifyInstance } from 'fastify';
import { takeDelivery, WEBHOOK_TASK } from '../../runtime/webhooks.js';
import type { ServerDeps } from '../app.js';
import { errorSchema } from './schemas.js';

/**
 * POST /hooks/<connection>: where Acumatica's push notifications and Magento's webhooks arrive. The
 * body is kept exactly as sent (signatures are over the raw bytes), stored in the inbox, and only then
 * acknowledged; a job does the work.
 */
export function registerHookRoutes(app: FastifyInstance, { ctx, wake }: ServerDeps): void {
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 10 * 1024 * 1024 }, (_req, body, done) =>
      done(null, body),
    );
    scope.post<{ Params: { connection: string } }>(
      '/hooks/:connection',
      {
        schema: {
          tags: ['webhooks'],
          summary: 'Webhook intake: stored in the inbox before the answer, then processed by a job',
          params: {
            type: 'object',
            properties: { connection: { type: 'string' } },
            required: ['connection'],
          },
          response: { 400: errorSchema, 401: errorSchema, 404: errorSchema },
        },
      },
      async (req, reply) => {
        const name = req.params.connection;
        if (!ctx.config.connections.has(name))
          return reply
            .code(404)
            .send({ error: { code: 'not_found', message: `no connection named "${name}" is configured` } });
        const connector = ctx.connectors.get(name);
        if (!connector.webhook)
          return reply.code(404).send({
            error: { code: 'not_found', message: `${connector.manifest.title} connections take no webhooks` },
          });
        const headers: Record<string, string | undefined> = {};
        for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
        const rawBody = typeof req.body === 'string' ? req.body : '';
        const r = await takeDelivery(ctx.store, name, connector, { headers, rawBody });
        switch (r.outcome) {
          case 'rejected':
            ctx.logger.warn({ connection: name, reason: r.reason }, 'webhook refused');
            return reply.code(401).send({ error: { code: 'unverified', message: r.reason } });
          case 'unreadable':
            return reply.code(400).send({ error: { code: 'parse', message: r.reason } });
          case 'duplicate':
            return reply.code(200).send({ received: true, duplicate: true });
          default:
            await ctx.queue.add({
              task: WEBHOOK_TASK,
              payload: { connection: name },
              jobKey: `webhook:${name}`,
            });
            wake?.();
            return reply.code(202).send({ received: true, id: r.id });
        }
      },
    );
  });
}
