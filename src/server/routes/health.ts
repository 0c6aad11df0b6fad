import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../app.js';

export function registerHealthRoutes(app: FastifyInstance, { ctx }: ServerDeps): void {
  app.get('/health', { schema: { tags: ['health'], summary: 'The process is up' } }, async () => ({
    ok: true,
  }));
  app.get('/ready', { schema: { tags: ['health'], summary: 'The store answers' } }, async (_req, reply) => {
    try {
      await ctx.store.runs.list({ limit: 1 });
      return { ok: true };
    } catch (e) {
      return reply.code(503).send({ ok: false, message: (e as Error).message });
    }
  });
}
