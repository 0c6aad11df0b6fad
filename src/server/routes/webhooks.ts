import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../app.js';
import { paging } from './schemas.js';

/** The webhook log: every delivery the intake stored, with its verification, status and the records it named. */
export function registerWebhookLogRoutes(app: FastifyInstance, { ctx }: ServerDeps): void {
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
        deliveries: rows.map((r) => ({
          ...r,
          verified: r.verified === 1,
          headers: JSON.parse(r.headers),
          events: r.events ? JSON.parse(r.events) : null,
        })),
      };
    },
  );
}
