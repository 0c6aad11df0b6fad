import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WEBHOOK_BODY_LIMIT } from '../../connectors/sdk/contract.js';
import { takeDelivery, WEBHOOK_TASK } from '../../runtime/webhooks.js';
import type { ServerDeps } from '../app.js';
import { countedBody, HARD_BODY_LIMIT, rawTextBodies, refusedByLength } from '../body-limits.js';
import { limitsOf } from '../limits.js';
import { limiter } from '../request-limits.js';
import { errorSchema } from './schemas.js';

type HookRequest = FastifyRequest<{ Params: { connection: string } }>;

/**
 * POST /hooks/<connection>: where Acumatica's push notifications and Magento's webhooks arrive.
 * Before the body is read: the connection must exist and take webhooks, the caller must be within
 * the connection's limits (per address and in all), and the body no larger than what that system
 * sends. The body is then kept exactly as sent (signatures are over the raw bytes), verified, stored
 * in the inbox, and only then acknowledged — with the answer the sender expects; a job does the work.
 */
export function registerHookRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const { ctx, wake } = deps;
  const limits = limitsOf(deps);
  const perAddress = limiter(app, {
    max: limits.webhooksPerMinutePerAddress,
    key: (req) => `${(req as HookRequest).params.connection}|${req.ip}`,
    what: (req) =>
      `more than ${limits.webhooksPerMinutePerAddress} webhook deliveries a minute from ${req.ip} to connection "${(req as HookRequest).params.connection}"`,
  });
  const perConnection = limiter(app, {
    max: limits.webhooksPerMinute,
    key: (req) => (req as HookRequest).params.connection,
    what: (req) =>
      `more than ${limits.webhooksPerMinute} webhook deliveries a minute to connection "${(req as HookRequest).params.connection}"`,
  });

  /** The connection's webhook handler, or the 404 that says why there is none. */
  const handlerOf = (name: string) => {
    if (!ctx.config.connections.has(name))
      return { refusal: `no connection named "${name}" is configured` } as const;
    const connector = ctx.connectors.get(name);
    const handler = connector.webhook;
    if (!handler) return { refusal: `${connector.manifest.title} connections take no webhooks` } as const;
    return { connector, handler } as const;
  };

  app.register(async (scope) => {
    rawTextBodies(scope);
    scope.post<{ Params: { connection: string } }>(
      '/hooks/:connection',
      {
        schema: {
          tags: ['webhooks'],
          summary:
            'Webhook intake: verified, then stored in the inbox before the answer, then processed by a job',
          params: {
            type: 'object',
            properties: { connection: { type: 'string' } },
            required: ['connection'],
          },
          response: {
            400: errorSchema,
            401: errorSchema,
            404: errorSchema,
            413: errorSchema,
            429: errorSchema,
          },
        },
        onRequest: async (req, reply) => {
          const known = handlerOf(req.params.connection);
          if ('refusal' in known)
            return reply.code(404).send({ error: { code: 'not_found', message: known.refusal } });
          if ((await perAddress(req, reply)) || (await perConnection(req, reply))) return reply;
          const max = Math.min(known.handler.maxBodyBytes ?? WEBHOOK_BODY_LIMIT, HARD_BODY_LIMIT);
          if (await refusedByLength(req, reply, max, `a ${known.connector.manifest.title} webhook`))
            return reply;
          return undefined;
        },
        // A body sent without its length (chunked) is counted as it streams.
        preParsing: async (req, _reply, payload) => {
          const known = handlerOf(req.params.connection);
          const max = 'refusal' in known ? 0 : (known.handler.maxBodyBytes ?? WEBHOOK_BODY_LIMIT);
          return countedBody(
            payload,
            Math.min(max, HARD_BODY_LIMIT),
            `a ${'refusal' in known ? 'connection’s' : known.connector.manifest.title} webhook`,
          );
        },
      },
      async (req, reply) => {
        const name = req.params.connection;
        const known = handlerOf(name);
        if ('refusal' in known)
          return reply.code(404).send({ error: { code: 'not_found', message: known.refusal } });
        const headers: Record<string, string | undefined> = {};
        for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
        const rawBody = typeof req.body === 'string' ? req.body : '';
        const r = await takeDelivery(
          ctx.store,
          name,
          known.connector,
          { headers, rawBody },
          { refusedRetentionDays: limits.refusedWebhookRetentionDays },
        );
        switch (r.outcome) {
          case 'rejected':
            ctx.logger.warn({ connection: name, reason: r.reason, from: req.ip }, 'webhook refused');
            return reply.code(401).send({ error: { code: 'unverified', message: r.reason } });
          case 'unreadable':
            if (known.handler.acknowledgeUnreadable) {
              ctx.logger.warn(
                { connection: name, reason: r.reason, id: r.id },
                'webhook unreadable, kept and acknowledged',
              );
              return acknowledge(reply, known.handler.acknowledgement, { received: false, id: r.id }, 200);
            }
            return reply.code(400).send({ error: { code: 'parse', message: r.reason } });
          case 'duplicate':
            return acknowledge(
              reply,
              known.handler.acknowledgement,
              { received: true, duplicate: true },
              200,
            );
          default:
            await ctx.queue.add({
              task: WEBHOOK_TASK,
              payload: { connection: name },
              jobKey: `webhook:${name}`,
            });
            wake?.();
            return acknowledge(reply, known.handler.acknowledgement, { received: true, id: r.id }, 202);
        }
      },
    );
  });
}

/** The answer the sender expects when it says which (Adobe Commerce waits for {"op": "success"}). */
function acknowledge(
  reply: FastifyReply,
  expected: { status: number; body: unknown } | undefined,
  ours: unknown,
  status: number,
): FastifyReply {
  return expected ? reply.code(expected.status).send(expected.body) : reply.code(status).send(ours);
}
