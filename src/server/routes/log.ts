import type { FastifyInstance } from 'fastify';
import { parseFilterDate } from '../../engine/ids-file.js';
import type { LogStatus } from '../../store/index.js';
import type { ServerDeps } from '../app.js';
import { errorSchema, paging, rowId } from './schemas.js';

export function registerLogRoutes(app: FastifyInstance, { ctx }: ServerDeps): void {
  app.get<{
    Querystring: {
      flow?: string;
      entity?: string;
      status?: string;
      record?: string;
      run?: number;
      since?: string;
      until?: string;
      text?: string;
      limit: number;
      offset: number;
    };
  }>(
    '/api/log',
    {
      schema: {
        tags: ['log'],
        summary: 'The connector log, newest first',
        querystring: {
          type: 'object',
          properties: {
            flow: { type: 'string' },
            entity: { type: 'string' },
            status: {
              type: 'string',
              pattern:
                '^(success|failed|skipped|waiting|aborted|manual)(,(success|failed|skipped|waiting|aborted|manual))*$',
              description: 'comma-separated: success, failed, skipped, waiting, aborted, manual',
            },
            record: {
              type: 'string',
              description:
                'the whole story of one record: any id or number either system knows it by; "<entity>:<id>" (e.g. shipment:000000022) when the number also names records of other entities',
            },
            run: rowId,
            since: { type: 'string' },
            until: { type: 'string' },
            text: { type: 'string' },
            ...paging,
          },
        },
      },
    },
    async (req) => {
      const q = req.query;
      const { rows, total, about } = await ctx.store.log.list({
        ...(q.flow ? { flow: q.flow } : {}),
        ...(q.entity ? { entity: q.entity } : {}),
        ...(q.status ? { status: q.status.split(',') as LogStatus[] } : {}),
        ...(q.record ? { record: q.record } : {}),
        ...(q.run !== undefined ? { runId: q.run } : {}),
        // A date that is not one is a 400, never an empty page.
        ...(q.since ? { since: parseFilterDate(q.since, 'since') } : {}),
        ...(q.until ? { until: parseFilterDate(q.until, 'until', true) } : {}),
        ...(q.text ? { text: q.text } : {}),
        limit: q.limit,
        offset: q.offset,
      });
      return {
        total,
        // The record a story follows, and the other entities the id names (ask for "<entity>:<id>").
        ...(about ? { about } : {}),
        // Every call of an attempt is in the entry's details, not in the list.
        entries: rows.map(({ calls: _calls, ...r }) => ({
          ...r,
          request: r.request ? JSON.parse(r.request) : null,
          response: r.response ? JSON.parse(r.response) : null,
        })),
      };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/log/:id',
    {
      schema: {
        tags: ['log'],
        summary: "One entry with its request and response (secrets redacted) and the record's sync state",
        params: { type: 'object', properties: { id: rowId }, required: ['id'] },
        response: { 404: errorSchema },
      },
    },
    async (req, reply) => {
      const e = await ctx.store.log.get(req.params.id);
      if (!e)
        return reply
          .code(404)
          .send({ error: { code: 'not_found', message: `no log entry ${req.params.id}` } });
      const record = await ctx.store.records.get(e.flow, e.source_id);
      return {
        ...e,
        request: e.request ? JSON.parse(e.request) : null,
        response: e.response ? JSON.parse(e.response) : null,
        calls: e.calls ? JSON.parse(e.calls) : null,
        record: record ? { ...record, data: record.data ? JSON.parse(record.data) : null } : null,
      };
    },
  );
}
