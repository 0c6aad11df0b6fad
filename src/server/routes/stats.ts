import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../app.js';

/** Open failures the home screen names: the newest few, each with its reason. */
const NAMED_FAILURES = 5;

/**
 * The home screen's figures: per flow and hour the records synced and the records that ended the
 * hour failed (a record retried ten times is one), with the failed attempts beside them; the open
 * failures — records that failed and wait for a person — with the newest few named and their
 * reasons; the inbox depth.
 */
export function registerStatsRoutes(app: FastifyInstance, { ctx }: ServerDeps): void {
  app.get<{ Querystring: { hours: number } }>(
    '/api/stats',
    {
      schema: {
        tags: ['home'],
        summary:
          'Records synced and failed per flow per hour (distinct records; failedAttempts counts every failed attempt), open failures with the newest named, webhook inbox depth',
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
        const failedAttempts = slots.map(() => 0);
        for (const c of counts) {
          if (c.flow !== name) continue;
          const i = slots.indexOf(c.hour);
          if (i < 0) continue;
          success[i]! += c.synced;
          failed[i]! += c.failed;
          failedAttempts[i]! += c.failedAttempts;
        }
        return { name, success, failed, failedAttempts };
      });
      const open = await ctx.store.records.countByState();
      const named = await ctx.store.records.list({ states: ['failed', 'aborted'], limit: NAMED_FAILURES });
      return {
        hours: slots,
        flows,
        openFailures: (open.failed ?? 0) + (open.aborted ?? 0),
        failures: named.rows.map((r) => ({
          id: r.id,
          flow: r.flow,
          sourceId: r.source_id,
          state: r.state,
          reason: r.error_message ?? r.reason ?? null,
          at: r.last_attempt_at ?? r.updated_at,
        })),
        waiting: open.waiting ?? 0,
        inboxDepth: await ctx.store.inbox.depth(),
      };
    },
  );
}
