import { createHash, timingSafeEqual } from 'node:crypto';
import type { EntityName } from '../../model/index.js';
import type { InboundDelivery, WebhookEvent, WebhookHandler } from '../sdk/contract.js';
import { LedgerlinkError } from '../sdk/errors.js';
import { fromAccurateDateTime } from './dates.js';
import { type StockDoc, sourceId } from './mappers/stock.js';

/**
 * Accurate's webhook types (spec, webhook-history.do) this connector reads, and the record each names.
 * A delivery is only a pointer: the engine reads the record back with detail.do.
 */
export const WEBHOOK_TYPES: Readonly<Record<string, { entity: EntityName; doc?: StockDoc }>> = {
  ITEM_TRANSFER: { entity: 'stockTransfer', doc: 'item-transfer' },
  RECEIVE_ITEM: { entity: 'stockTransfer', doc: 'receive-item' },
  PURCHASE_INVOICE: { entity: 'stockTransfer', doc: 'purchase-invoice' },
  ITEM: { entity: 'product' },
  ITEM_QUANTITY: { entity: 'product' },
  CUSTOMER: { entity: 'customer' },
};

export interface WebhookSettings {
  webhookHeaderName: string;
  webhookSecret?: string;
  databaseId: string;
}

interface Delivery {
  uuid?: string;
  type: string;
  databaseId?: number | string;
  timestamp?: string;
  data: Array<{ id?: number | string; itemId?: number | string; action?: string }>;
}

const parseError = (message: string) => new LedgerlinkError({ code: 'parse', category: 'rejected', message });
const digest = (s: string) => createHash('sha256').update(s).digest();

function readBody(raw: string): Delivery {
  let b: unknown;
  try {
    b = JSON.parse(raw);
  } catch {
    throw parseError('the Accurate webhook delivery is not JSON');
  }
  const d = b as Partial<Delivery>;
  if (!b || typeof b !== 'object' || typeof d.type !== 'string' || !Array.isArray(d.data))
    throw parseError(
      'the body is not an Accurate webhook delivery: expected {"type", "databaseId", "data": [{"id"}]}',
    );
  return d as Delivery;
}

/**
 * Accurate signs no webhook delivery (FACTS.md ⚠: no signature header is documented), so a delivery
 * is accepted only with the connection's shared secret in a header — registered in the Developer Area
 * as part of the webhook's target — and only for this connection's database. Even a forged one can
 * only make the engine read a record back from Accurate itself.
 */
export function accurateWebhook(s: WebhookSettings): WebhookHandler {
  const header = s.webhookHeaderName.toLowerCase();
  return {
    maxBodyBytes: 1024 * 1024,
    verify(d: InboundDelivery): string | undefined {
      if (!s.webhookSecret)
        return `the Accurate connection has no webhookSecret: set one and send it in the ${s.webhookHeaderName} header (unauthenticated deliveries are refused)`;
      const sent = Object.entries(d.headers).find(([k]) => k.toLowerCase() === header)?.[1];
      if (sent === undefined) return `the delivery has no ${s.webhookHeaderName} header`;
      if (!timingSafeEqual(digest(sent), digest(s.webhookSecret)))
        return `the ${s.webhookHeaderName} header does not carry the connection's webhookSecret`;
      try {
        const b = readBody(d.rawBody);
        if (b.databaseId !== undefined && s.databaseId && String(b.databaseId) !== s.databaseId)
          return `the delivery is for Accurate database ${b.databaseId}, not this connection's ${s.databaseId}`;
      } catch {
        // An unreadable body is parse's to report.
      }
      return undefined;
    },
    deliveryId(d: InboundDelivery): string | undefined {
      try {
        const b = JSON.parse(d.rawBody) as { uuid?: unknown };
        return typeof b.uuid === 'string' && b.uuid ? b.uuid : undefined;
      } catch {
        return undefined;
      }
    },
    parse(d: InboundDelivery): WebhookEvent[] {
      const b = readBody(d.rawBody);
      const kind = WEBHOOK_TYPES[b.type];
      // A type this connection does not read (a sales order changed) names nothing to read.
      if (!kind) return [];
      let occurredAt: string | undefined;
      try {
        occurredAt = b.timestamp ? fromAccurateDateTime(b.timestamp) : undefined;
      } catch {
        occurredAt = undefined;
      }
      const seen = new Set<string>();
      const events: WebhookEvent[] = [];
      for (const row of b.data) {
        const raw = row.id ?? row.itemId;
        if (raw === undefined || !/^\d+$/.test(String(raw))) continue;
        const id = kind.doc ? sourceId(kind.doc, raw) : String(raw);
        if (seen.has(id)) continue;
        seen.add(id);
        events.push({
          entity: kind.entity,
          id,
          kind: row.action === 'DELETE' ? 'delete' : 'upsert',
          ...(occurredAt ? { occurredAt } : {}),
        });
      }
      return events;
    },
  };
}
