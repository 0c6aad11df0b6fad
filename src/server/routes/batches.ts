import type { FastifyInstance } from 'fastify';
import type { GridColumn } from '../../connectors/sdk/manifest.js';
import { EngineError } from '../../engine/errors.js';
import { BATCH_SORTS } from '../../store/index.js';
import type { ServerDeps } from '../app.js';
import { errorSchema, paging, rowId } from './schemas.js';

/** A Load's grid: paged and sorted on the server, so a Load of 50,000 records costs the browser one page. */
export function registerBatchRoutes(app: FastifyInstance, { ctx }: ServerDeps): void {
  app.get<{
    Params: { id: number };
    Querystring: {
      limit: number;
      offset: number;
      sort?: string;
      dir?: 'asc' | 'desc';
      plan?: string;
      search?: string;
    };
  }>(
    '/api/batches/:id/rows',
    {
      schema: {
        tags: ['flows'],
        summary:
          "A Load's rows: each record's values in the source's grid columns, its current sync state and what processing would do",
        params: { type: 'object', properties: { id: rowId }, required: ['id'] },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...paging,
            sort: {
              type: 'string',
              maxLength: 100,
              description: `one of ${BATCH_SORTS.join(', ')}, or the name of a column the Load declares (batch.columns)`,
            },
            dir: { type: 'string', enum: ['asc', 'desc'] },
            plan: { type: 'string', enum: ['create', 'update', 'unchanged', 'skip', 'fail', 'wait'] },
            search: { type: 'string', description: "text in the record's id or its text columns" },
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
      const columns = batch.columns ? (JSON.parse(batch.columns) as GridColumn[]) : [];
      const sort = req.query.sort;
      if (sort && !(BATCH_SORTS as readonly string[]).includes(sort) && !columns.some((c) => c.name === sort))
        throw new EngineError(
          'invalid_request',
          `sort: Load ${batch.id} has no column "${sort}"; it sorts by ${[...columns.map((c) => c.name), ...BATCH_SORTS].join(', ')}`,
        );
      const { rows, total } = await ctx.store.batches.rows(batch.id, req.query);
      return {
        batch: {
          id: batch.id,
          flow: batch.flow,
          count: batch.row_count,
          createdAt: batch.created_at,
          createdBy: batch.created_by,
          query: JSON.parse(batch.query) as unknown,
          columns,
        },
        total,
        rows: rows.map((r) => ({
          ...r,
          fields: r.fields ? (JSON.parse(r.fields) as string[]) : null,
          columns: r.columns ? (JSON.parse(r.columns) as Record<string, unknown>) : {},
        })),
      };
    },
  );
}
