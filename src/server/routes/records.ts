import type { FastifyInstance } from 'fastify';
import type { SyncState } from '../../store/index.js';
import type { ServerDeps } from '../app.js';
import { errorSchema, paging } from './schemas.js';

export function registerRecordRoutes(app: FastifyInstance, { ctx }: ServerDeps): void {
  app.get<{ Querystring: { flow?: string; state?: string; search?: string; limit: number; offset: number } }>(
    '/api/records',
    {
      schema: {
        tags: ['records'],
        summary: "Sync status: the link between source and target ids, with each record's state",
        querystring: {
          type: 'object',
          properties: {
            flow: { type: 'string' },
            state: { type: 'string' },
            search: { type: 'string' },
            ...paging,
          },
        },
      },
    },
    async (req) => {
      const q = req.query;
      const { rows, total } = await ctx.store.records.list({
        ...(q.flow ? { flow: q.flow } : {}),
        ...(q.state ? { states: q.state.split(',') as SyncState[] } : {}),
        ...(q.search ? { search: q.search } : {}),
        limit: q.limit,
        offset: q.offset,
      });
      return { total, records: rows.map((r) => ({ ...r, data: r.data ? JSON.parse(r.data) : null })) };
    },
  );

  app.post<{ Params: { id: number } }>(
    '/api/records/:id/retry',
    {
      schema: {
        tags: ['records'],
        summary: 'Retry one record now',
        params: { type: 'object', properties: { id: { type: 'integer' } } },
        response: { 404: errorSchema },
      },
    },
    async (req) => ({ results: await ctx.engine.retry({ ids: [req.params.id] }) }),
  );

  app.post<{ Body: { flow?: string } }>(
    '/api/records/retry-failed',
    {
      schema: {
        tags: ['records'],
        summary: 'Retry every failed record (of one flow, or all)',
        body: { type: 'object', properties: { flow: { type: 'string' } }, additionalProperties: false },
      },
    },
    async (req) => ({
      results: (
        await ctx.engine.retry({ allFailed: true, ...(req.body?.flow ? { flow: req.body.flow } : {}) })
      ).map(({ outcomes: _o, ...r }) => r),
    }),
  );
}
