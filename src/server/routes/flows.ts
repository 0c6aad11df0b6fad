import type { FastifyInstance } from 'fastify';
import type { ReadQuery } from '../../connectors/sdk/contract.js';
import { parseFilterDate } from '../../engine/ids-file.js';
import { RUN_TASK } from '../../runtime/worker.js';
import { runCounts } from '../../store/index.js';
import type { ServerDeps } from '../app.js';
import { errorSchema, paging, readQuerySchema } from './schemas.js';

interface QueryBody {
  since?: string;
  until?: string;
  ids?: string[];
  filters?: Record<string, string[]>;
  incremental?: boolean;
}

function toReadQuery(b: QueryBody = {}): ReadQuery {
  const q: ReadQuery = {};
  if (b.since) q.since = parseFilterDate(b.since, 'since');
  if (b.until) q.until = parseFilterDate(b.until, 'until', true);
  if (b.ids?.length) q.ids = b.ids;
  if (b.filters) q.filters = b.filters;
  return q;
}

export function registerFlowRoutes(app: FastifyInstance, { ctx, wake }: ServerDeps): void {
  const params = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } as const;

  app.get(
    '/api/flows',
    { schema: { tags: ['flows'], summary: 'Configured flows with their record states and last run' } },
    async () => {
      const out = [];
      for (const name of ctx.engine.flowNames()) {
        const f = ctx.engine.flow(name);
        const [last] = await ctx.store.runs.list({ flow: name, limit: 1 });
        out.push({
          name,
          entity: f.entity,
          source: f.source,
          target: f.target,
          enabled: f.enabled,
          schedule: f.schedule ?? null,
          ownedFields: f.ownedFields,
          states: await ctx.store.records.countByState(name),
          lastRun: last
            ? {
                id: last.id,
                status: last.status,
                startedAt: last.started_at,
                finishedAt: last.finished_at,
                counts: runCounts(last),
              }
            : null,
        });
      }
      return { flows: out };
    },
  );

  app.post<{ Params: { name: string }; Body: QueryBody }>(
    '/api/flows/:name/load',
    {
      schema: {
        tags: ['flows'],
        summary: 'Load: preview what processing would do to each selected record',
        params,
        body: readQuerySchema,
        response: { 404: errorSchema, 400: errorSchema },
      },
    },
    async (req) => {
      const rows = await ctx.engine.preview(req.params.name, toReadQuery(req.body));
      return { count: rows.length, rows };
    },
  );

  app.post<{ Params: { name: string }; Body: QueryBody }>(
    '/api/flows/:name/runs',
    {
      schema: {
        tags: ['flows'],
        summary: 'Process: queue a run of the flow over the selected records',
        params,
        body: readQuerySchema,
        response: { 404: errorSchema, 400: errorSchema },
      },
    },
    async (req, reply) => {
      const flow = ctx.engine.flow(req.params.name);
      const query = toReadQuery(req.body);
      await ctx.store.jobs.add({
        task: RUN_TASK,
        payload: { flow: flow.name, trigger: 'manual', query, incremental: req.body?.incremental === true },
        jobKey: `run:${flow.name}:${Date.now()}`,
      });
      wake?.();
      return reply.code(202).send({ queued: true, flow: flow.name });
    },
  );

  app.get<{ Querystring: { flow?: string; limit: number; offset: number } }>(
    '/api/runs',
    {
      schema: {
        tags: ['runs'],
        summary: 'Runs, newest first',
        querystring: { type: 'object', properties: { flow: { type: 'string' }, ...paging } },
      },
    },
    async (req) => ({
      runs: (await ctx.store.runs.list(req.query)).map((r) => ({ ...r, filter: JSON.parse(r.filter) })),
    }),
  );

  app.get<{ Params: { id: number } }>(
    '/api/runs/:id',
    {
      schema: {
        tags: ['runs'],
        params: { type: 'object', properties: { id: { type: 'integer' } } },
        response: { 404: errorSchema },
      },
    },
    async (req, reply) => {
      const run = await ctx.store.runs.get(req.params.id);
      if (!run)
        return reply.code(404).send({ error: { code: 'not_found', message: `no run ${req.params.id}` } });
      return { ...run, filter: JSON.parse(run.filter) };
    },
  );
}
