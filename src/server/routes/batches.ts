import type { FastifyInstance } from 'fastify';
import { BATCH_SORTS, type BatchSort } from '../../store/index.js';
import type { ServerDeps } from '../app.js';
import { errorSchema, paging, rowId } from './schemas.js';

/** A Load's grid: paged and sorted on the server, so a Load of 50,000 records costs the browser one page. */
export function registerBatchRoutes(app: FastifyInstance, { ctx }: ServerDeps): void {
  app.get<{
    Params: { id: number };
    Querystring: {
      limit: number;
      offset: number;
      sort?: BatchSort;
      dir?: 'asc' | 'desc';
      plan?: string;
      search?: string;
    };
  }>(
    '/api/batches/:id/rows',
    {
      schema: {
        tags: ['flows'],
        summary: "A Load's rows: each record, its current sync state and what processing would do",
        params: { type: 'object', properties: { id: rowId }, required: ['id'] },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...paging,
            sort: { type: 'string', enum: [...BATCH_SORTS] },
            dir: { type: 'string', enum: ['asc', 'desc'] },
            plan: { type: 'string', enum: ['create', 'update', 'unchanged', 'skip', 'fail', 'wait'] },
            search: { type: 'string' },
          },
        },
        response: { 404: errorSchema, 400: errorSchema },
      },
    },
    async (req, reply) => {
      const batch = await ctx.store.batches.get(req.params.id);
      if (!batch)
        return reply.code(404).send({
          error: { code: 'not_found', message: `no Load ${req.params.id} (Loads are kept for a day)` },
        });
      const { rows, total } = await ctx.store.batches.rows(batch.id, req.query);
      return {
        batch: { id: batch.id, flow: batch.flow, count: batch.row_count, createdAt: batch.created_at },
        total,
        rows: rows.map((r) => ({ ...r, fields: r.fields ? (JSON.parse(r.fields) as string[]) : null })),
      };
    },
  );
}
