import type { FastifyInstance } from 'fastify';
import { WEBHOOK_TASK } from '../../runtime/webhooks.js';
import type { ServerDeps } from '../app.js';
import { errorSchema, paging } from './schemas.js';

/** The webhook log: every delivery the intake stored, with its verification, status and the records it named. */
export function registerWebhookLogRoutes(app: FastifyInstance, { ctx, wake }: ServerDeps): void {
  app.get<{ Querystring: { connection?: string; status?: string; limit: number; offset: number } }>(
    '/api/webhooks',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'The webhook log, newest first: received, processed, ignored, rejected or failed deliveries',
        querystring: {
          type: 'object',
          properties: {
            connection: { type: 'string' },
            status: { type: 'string', enum: ['received', 'processed', 'ignored', 'rejected', 'failed'] },
            ...paging,
          },
        },
      },
    },
    async (req) => {
      const q = req.query;
      const rows = await ctx.store.inbox.list({
        ...(q.connection ? { connection: q.connection } : {}),
        ...(q.status ? { status: q.status } : {}),
        limit: q.limit,
        offset: q.offset,
      });
      return {
        depth: await ctx.store.inbox.depth(),
        total: await ctx.store.inbox.count({
          ...(q.connection ? { connection: q.connection } : {}),
          ...(q.status ? { status: q.status } : {}),
        }),
        deliveries: rows.map((r) => ({
          ...r,
          verified: r.verified === 1,
          headers: JSON.parse(r.headers),
          events: r.events ? JSON.parse(r.events) : null,
        })),
      };
    },
  );

  app.post<{ Params: { id: number } }>(
    '/api/webhooks/:id/replay',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Replay a delivery: its records are synced again (re-read from the source)',
        params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] },
        response: { 400: errorSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const row = await ctx.store.inbox.get(req.params.id);
      if (!row)
        return reply
          .code(404)
          .send({ error: { code: 'not_found', message: `no delivery ${req.params.id}` } });
      if (!row.verified || !row.events)
        return reply.code(400).send({
          error: {
            code: 'invalid_request',
            message: `delivery ${row.id} was ${row.status}${row.error ? ` (${row.error})` : ''}; only verified, readable deliveries can be replayed`,
          },
        });
      await ctx.store.inbox.requeue(row.id);
      await ctx.queue.add({
        task: WEBHOOK_TASK,
        payload: { connection: row.connection },
        jobKey: `webhook:${row.connection}`,
      });
      wake?.();
      return reply.code(202).send({ queued: true, id: row.id });
    },
  );
}
