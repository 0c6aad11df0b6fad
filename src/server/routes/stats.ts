import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../app.js';

/** The home screen's figures: synced and failed per flow per hour, open failures, inbox depth. */
export function registerStatsRoutes(app: FastifyInstance, { ctx }: ServerDeps): void {
  app.get<{ Querystring: { hours: number } }>(
    '/api/stats',
    {
      schema: {
        tags: ['home'],
        summary: 'Records synced and failed per flow per hour, open failures, webhook inbox depth',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { hours: { type: 'integer', minimum: 1, maximum: 24 * 31, default: 24 } },
        },
      },
    },
    async (req) => {
      const hours = req.query.hours;
      const end = new Date();
      end.setUTCMinutes(0, 0, 0);
      const start = new Date(end.getTime() - (hours - 1) * 3_600_000);
      const slots = Array.from({ length: hours }, (_, i) =>
        new Date(start.getTime() + i * 3_600_000).toISOString(),
      );
      const counts = await ctx.store.log.hourly(start.toISOString());
      const flows = ctx.engine.flowNames().map((name) => {
        const success = slots.map(() => 0);
        const failed = slots.map(() => 0);
        for (const c of counts) {
          if (c.flow !== name) continue;
          const i = slots.indexOf(c.hour);
          if (i < 0) continue;
          if (c.status === 'success') success[i]! += c.n;
          else if (c.status === 'failed' || c.status === 'aborted') failed[i]! += c.n;
        }
        return { name, success, failed };
      });
      const open = await ctx.store.records.countByState();
      return {
        hours: slots,
        flows,
        openFailures: (open.failed ?? 0) + (open.aborted ?? 0),
        waiting: open.waiting ?? 0,
        inboxDepth: await ctx.store.inbox.depth(),
      };
    },
  );
}
