import type { FastifyInstance } from 'fastify';
import { EngineError } from '../../engine/errors.js';
import { ReplayRequestError, replayWindow, requeueWindow, webhookConnections } from '../../runtime/replay.js';
import { WEBHOOK_TASK } from '../../runtime/webhooks.js';
import type { ServerDeps } from '../app.js';
import { errorSchema, paging, rowId } from './schemas.js';

/** The webhook log: every delivery the intake stored, with its verification, status and the records it named. */
export function registerWebhookLogRoutes(app: FastifyInstance, { ctx, wake }: ServerDeps): void {
  const delivery = async (id: number) => {
    const row = await ctx.store.inbox.get(id);
    if (!row) throw new EngineError('not_found', `no delivery ${id}`);
    return row;
  };

  app.get<{ Querystring: { connection?: string; status?: string; limit: number; offset: number } }>(
    '/api/webhooks',
    {
      schema: {
        tags: ['webhooks'],
        summary:
          'The webhook log, newest first: received, processed, ignored, rejected or failed deliveries, each with the first 1,024 characters of its body, its size and SHA-256, and where to read a verified body whole',
        querystring: {
          type: 'object',
          properties: {
            connection: { type: 'string' },
            status: { type: 'string', enum: ['received', 'processed', 'ignored', 'rejected', 'failed'] },
            ...paging,
          },
        },
      },
    },
    async (req) => {
      const q = req.query;
      const rows = await ctx.store.inbox.list({
        ...(q.connection ? { connection: q.connection } : {}),
        ...(q.status ? { status: q.status } : {}),
        limit: q.limit,
        offset: q.offset,
      });
      return {
        depth: await ctx.store.inbox.depth(),
        total: await ctx.store.inbox.count({
          ...(q.connection ? { connection: q.connection } : {}),
          ...(q.status ? { status: q.status } : {}),
        }),
        deliveries: rows.map(
          ({ body_excerpt, body_length, body_bytes, body_sha256, body_truncated, ...r }) => ({
            ...r,
            verified: r.verified === 1,
            headers: JSON.parse(r.headers),
            events: r.events ? JSON.parse(r.events) : null,
            body: {
              excerpt: body_excerpt,
              // Rows stored before sizes were noted have their whole body: its length is its size.
              bytes: body_bytes ?? body_length,
              sha256: body_sha256,
              // The excerpt is all there is to see when it covers what was kept and nothing was cut.
              complete: body_truncated === 0 && body_excerpt.length === body_length,
              // A refused delivery kept only its excerpt; a verified one is whole, one request away.
              url: r.verified === 1 ? `/api/webhooks/${r.id}/body` : null,
            },
          }),
        ),
      };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/webhooks/:id/body',
    {
      schema: {
        tags: ['webhooks'],
        summary:
          'The whole body of a verified delivery, exactly as kept (a refused delivery keeps only the excerpt the log shows)',
        params: { type: 'object', properties: { id: rowId }, required: ['id'] },
        response: { 404: errorSchema },
      },
    },
    async (req, reply) => {
      const row = await delivery(req.params.id);
      if (row.verified !== 1)
        return reply.code(404).send({
          error: {
            code: 'not_found',
            message: `delivery ${row.id} was refused (${row.error ?? 'not verified'}); only its first ${row.body.length} characters were kept, shown in the webhook log`,
          },
        });
      return {
        id: row.id,
        bytes: row.body_bytes ?? Buffer.byteLength(row.body),
        sha256: row.body_sha256,
        body: row.body,
      };
    },
  );

  app.post<{ Params: { id: number } }>(
    '/api/webhooks/:id/replay',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Replay a delivery: its records are synced again (re-read from the source)',
        params: { type: 'object', properties: { id: rowId }, required: ['id'] },
        response: { 400: errorSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const row = await delivery(req.params.id);
      if (!row.verified || !row.events)
        return reply.code(400).send({
          error: {
            code: 'invalid_request',
            message: `delivery ${row.id} was ${row.status}${row.error ? ` (${row.error})` : ''}; only verified, readable deliveries can be replayed`,
          },
        });
      await ctx.store.inbox.requeue(row.id);
      await ctx.queue.add({
        task: WEBHOOK_TASK,
        payload: { connection: row.connection },
        jobKey: `webhook:${row.connection}`,
      });
      wake?.();
      return reply.code(202).send({ queued: true, id: row.id });
    },
  );

  app.post<{ Body: { connection: string; from: string; to: string } }>(
    '/api/webhooks/replay',
    {
      schema: {
        tags: ['webhooks'],
        summary:
          'Replay a period: every verified delivery the connection received in [from, to) is processed again; its records are re-read from the source by id, so unchanged ones write nothing and ones the target lost are written again',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['connection', 'from', 'to'],
          properties: {
            connection: { type: 'string', minLength: 1 },
            from: { type: 'string', minLength: 1, maxLength: 40 },
            to: { type: 'string', minLength: 1, maxLength: 40 },
          },
        },
        response: { 400: errorSchema },
      },
    },
    async (req, reply) => {
      let window: ReturnType<typeof replayWindow>;
      try {
        window = replayWindow(req.body, webhookConnections(ctx));
      } catch (e) {
        if (!(e instanceof ReplayRequestError)) throw e;
        return reply.code(400).send({
          error: { code: 'invalid_request', message: `body/${e.field} ${e.reason}` },
        });
      }
      const { deliveries, relinked } = await requeueWindow(ctx.engine, ctx.queue, window);
      if (deliveries > 0) wake?.();
      return reply.code(202).send({ queued: deliveries > 0, deliveries, relinked, ...window });
    },
  );
}
