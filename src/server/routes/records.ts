import type { FastifyInstance } from 'fastify';
import { RecordActions } from '../../engine/record-actions.js';
import type { SyncRecord, SyncState } from '../../store/index.js';
import type { ServerDeps } from '../app.js';
import { errorSchema, paging, recordAnswerSchema, rowId, syncRecordSchema } from './schemas.js';

export function registerRecordRoutes(app: FastifyInstance, { ctx }: ServerDeps): void {
  /** A record as the API shows it: its data parsed; the skip's source hash is the store's own business. */
  const shaped = ({ skipped_hash: _hash, ...r }: SyncRecord) => ({
    ...r,
    data: r.data ? JSON.parse(r.data) : null,
  });

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
        response: {
          200: {
            type: 'object',
            properties: { total: { type: 'integer' }, records: { type: 'array', items: syncRecordSchema } },
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
      return { total, records: rows.map(shaped) };
    },
  );

  app.post<{ Params: { id: number } }>(
    '/api/records/:id/retry',
    {
      schema: {
        tags: ['records'],
        summary: 'Retry one record now',
        params: { type: 'object', properties: { id: rowId } },
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
      ).map((r) => {
        if (r.status === 'queued') return r;
        const { outcomes: _o, ...ran } = r;
        return ran;
      }),
    }),
  );

  const actions = () => new RecordActions(ctx.store, (name) => ctx.engine.flow(name));
  const idParams = {
    type: 'object',
    properties: { id: rowId },
    required: ['id'],
  } as const;

  app.get<{ Params: { id: number } }>(
    '/api/records/:id',
    {
      schema: {
        tags: ['records'],
        summary: 'One sync record',
        params: idParams,
        response: { 200: syncRecordSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const r = await ctx.store.records.byId(req.params.id);
      if (!r)
        return reply
          .code(404)
          .send({ error: { code: 'not_found', message: `no sync record ${req.params.id}` } });
      return shaped(r);
    },
  );

  app.put<{ Params: { id: number }; Body: { data: Record<string, unknown> } }>(
    '/api/records/:id/data',
    {
      schema: {
        tags: ['records'],
        summary: "Edit a record's data before retrying it (validated against the canonical model)",
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['data'],
          properties: { data: { type: 'object' } },
        },
        response: { 200: recordAnswerSchema, 400: errorSchema, 404: errorSchema },
      },
    },
    async (req) => ({ record: shaped(await actions().editData(req.params.id, req.body.data, who(req))) }),
  );

  app.post<{ Params: { id: number }; Body: { reason?: string } }>(
    '/api/records/:id/skip',
    {
      schema: {
        tags: ['records'],
        summary:
          'Skip a record: no more automatic retries, and it stays skipped while the source sends it unchanged; the log says who and why',
        params: idParams,
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { reason: { type: 'string', maxLength: 500 } },
        },
        response: { 200: recordAnswerSchema, 404: errorSchema },
      },
    },
    async (req) => ({ record: shaped(await actions().skip(req.params.id, who(req), req.body?.reason)) }),
  );

  app.post<{ Params: { id: number } }>(
    '/api/records/:id/unskip',
    {
      schema: {
        tags: ['records'],
        summary: "Take back a person's skip: the record goes with the next delivery, run or retry",
        params: idParams,
        response: { 200: recordAnswerSchema, 400: errorSchema, 404: errorSchema },
      },
    },
    async (req) => ({ record: shaped(await actions().unskip(req.params.id, who(req))) }),
  );

  app.post<{ Params: { id: number } }>(
    '/api/records/:id/processed',
    {
      schema: {
        tags: ['records'],
        summary: 'Mark a record as processed (it is in place on the target)',
        params: idParams,
        response: { 200: recordAnswerSchema, 404: errorSchema },
      },
    },
    async (req) => ({ record: shaped(await actions().markProcessed(req.params.id, who(req))) }),
  );

  app.post<{ Body: { flow: string; sourceId: string; targetId: string } }>(
    '/api/records/link',
    {
      schema: {
        tags: ['records'],
        summary: 'Link a source record to a target record by hand',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['flow', 'sourceId', 'targetId'],
          properties: {
            flow: { type: 'string', minLength: 1 },
            sourceId: { type: 'string', minLength: 1 },
            targetId: { type: 'string', minLength: 1 },
          },
        },
        response: { 200: recordAnswerSchema, 400: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req) => ({
      record: shaped(await actions().link(req.body.flow, req.body.sourceId, req.body.targetId, who(req))),
    }),
  );

  app.post<{ Params: { id: number } }>(
    '/api/records/:id/unlink',
    {
      schema: {
        tags: ['records'],
        summary: 'Forget the link: the next run finds the target record by its key again, or creates it',
        params: idParams,
        response: { 200: recordAnswerSchema, 400: errorSchema, 404: errorSchema },
      },
    },
    async (req) => ({ record: shaped(await actions().unlink(req.params.id, who(req))) }),
  );
}

/** The person acting, for the log ("skipped by anna"). */
export const who = (req: unknown): string =>
  (req as { user?: { username?: string } }).user?.username ?? 'an operator';
