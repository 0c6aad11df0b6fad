import type { FastifyInstance } from 'fastify';
import { processMetrics } from '../../runtime/metrics.js';
import type { ServerDeps } from '../app.js';
import { answerMetrics, answerReadiness } from '../probes.js';

export function registerHealthRoutes(app: FastifyInstance, { ctx }: ServerDeps): void {
  app.get('/health', { schema: { tags: ['health'], summary: 'The process is up' } }, async () => ({
    ok: true,
  }));
  app.get(
    '/ready',
    {
      schema: {
        tags: ['health'],
        summary:
          'The store answers and its migrations are current (the connected systems are not asked: one that is down must not take the API and the webhook intake out of rotation)',
      },
    },
    async (_req, reply) => answerReadiness(ctx.store, reply),
  );
  app.get(
    '/metrics',
    {
      // Counts by flow and connection tell a stranger what runs here: a viewer's API token scrapes it.
      config: { access: 'viewer' },
      schema: {
        tags: ['health'],
        summary:
          "This process's metrics in Prometheus' text format: records by flow and outcome, calls to each connection, latencies, jobs pending, the webhook inbox, runs in progress",
      },
    },
    async (_req, reply) => answerMetrics(processMetrics(), reply),
  );
}
