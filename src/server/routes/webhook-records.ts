import type { FastifyInstance } from 'fastify';
import type { SyncRecord } from '../../store/index.js';
import type { ServerDeps } from '../app.js';

/** A delivery may name hundreds of records; a log row shows the first ones and how many more. */
const RECORDS_PER_DELIVERY = 20;

/** The number a person knows a record by: its document number or name, else its ids. */
export function recordLabel(r: Pick<SyncRecord, 'data' | 'target_number' | 'source_id'>): string {
  let data: unknown = null;
  try {
    data = r.data ? JSON.parse(r.data) : null;
  } catch {
    data = null;
  }
  const d = (data ?? {}) as { number?: unknown; name?: unknown };
  if (typeof d.number === 'string' && d.number) return d.number;
  if (typeof d.name === 'string' && d.name) return d.name;
  return r.target_number ?? r.source_id;
}

/**
 * The webhook log as the records it brought (seed 002's "Webhook Log"): each delivery from a
 * connection, and for each record it named the sync state of every flow that reads that record from
 * the connection — so a delivery the intake processed, whose record then failed, shows Failed and why.
 */
export function registerWebhookRecordRoutes(app: FastifyInstance, { ctx }: ServerDeps): void {
  app.get<{ Querystring: { connection: string; limit: number; offset: number } }>(
    '/api/webhooks/records',
    {
      schema: {
        tags: ['webhooks'],
        summary:
          "A connection's webhook deliveries, newest first, each with the records it named and their sync state per flow reading them",
        querystring: {
          type: 'object',
          required: ['connection'],
          properties: {
            connection: { type: 'string', minLength: 1, maxLength: 200 },
            // Each delivery costs a lookup per record it named: a page is kept small.
            limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
            offset: { type: 'integer', minimum: 0, maximum: 1_000_000_000, default: 0 },
          },
        },
      },
    },
    async (req) => {
      const { connection, limit, offset } = req.query;
      // A record synced keeps no data and, written to a system that numbers nothing back, no target
      // number: its source number is in the connector log.
      const labelOf = async (r: SyncRecord | undefined, flow: string, sourceId: string) => {
        const label = r ? recordLabel(r) : sourceId;
        if (label !== sourceId) return label;
        const [entry] = (await ctx.store.log.list({ flow, sourceId, limit: 1 })).rows;
        return entry?.source_number ?? sourceId;
      };
      const flows = ctx.engine
        .flowNames()
        .map((n) => ctx.engine.flow(n))
        .filter((f) => f.source === connection);
      const rows = await ctx.store.inbox.list({ connection, limit, offset, excerpt: 0 });
      const deliveries = [];
      for (const row of rows) {
        const events = (row.events ? JSON.parse(row.events) : []) as { entity: string; id: string }[];
        const records = [];
        for (const ev of events.slice(0, RECORDS_PER_DELIVERY)) {
          for (const f of flows.filter((x) => x.entity === ev.entity)) {
            const r = await ctx.store.records.get(f.name, ev.id);
            records.push({
              entity: ev.entity,
              sourceId: ev.id,
              flow: f.name,
              recordId: r?.id ?? null,
              label: await labelOf(r, f.name, ev.id),
              // No row yet: the intake has not drained it through the flow.
              state: r?.state ?? null,
              reason: r ? (r.reason ?? r.error_message) : null,
              targetId: r?.target_id ?? null,
              targetNumber: r?.target_number ?? null,
              updatedAt: r?.updated_at ?? null,
            });
          }
        }
        deliveries.push({
          id: row.id,
          receivedAt: row.received_at,
          status: row.status,
          error: row.error,
          records,
          more: Math.max(0, events.length - RECORDS_PER_DELIVERY),
        });
      }
      return { total: await ctx.store.inbox.count({ connection }), deliveries };
    },
  );
}
