import { createHash, timingSafeEqual } from 'node:crypto';
import type { InboundDelivery, WebhookEvent, WebhookHandler } from '../sdk/contract.js';
import { LedgerlinkError } from '../sdk/errors.js';
import { fromLocal } from './mappers/time.js';
import type { IsellerSettings } from './settings.js';

/**
 * iSeller's Webhook Notification (set up per store under Apps → Webhook, one URL per notification
 * type; retried on failure). The integrator's adapter guide gives the signature: header `Timestamp`,
 * header `Signature` = SHA-256 of (the store's API key + the raw JSON body + the timestamp), hex,
 * upper case; and an order notification's body is the order itself (order_id, order_reference,
 * status, payment_status, …). The partner document itself was not found (FACTS.md ⚠): an
 * `{"event", "data"}` envelope is read too, and a shared-secret header can replace the signature.
 */
export const SIGNATURE_HEADER = 'signature';
export const TIMESTAMP_HEADER = 'timestamp';

export function signIsellerBody(apiKey: string, rawBody: string, timestamp: string): string {
  return createHash('sha256').update(`${apiKey}${rawBody}${timestamp}`, 'utf8').digest('hex').toUpperCase();
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
/** Equal in constant time, whatever the lengths (both hashed first). */
const same = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

const parseError = (message: string) => new LedgerlinkError({ code: 'parse', category: 'rejected', message });

const header = (d: InboundDelivery, name: string): string | undefined =>
  Object.entries(d.headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];

interface Notification {
  event?: string;
  event_id?: string;
  data?: Record<string, unknown>;
  [field: string]: unknown;
}

/** The notified record: the envelope's data, or the body itself (the adapter guide's order body). */
function read(raw: string): {
  event: string | undefined;
  eventId: string | undefined;
  record: Record<string, unknown>;
} {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw parseError('the iSeller notification body is not JSON');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw parseError('the iSeller notification body is not a JSON object');
  const n = body as Notification;
  const record = n.data && typeof n.data === 'object' ? n.data : (n as Record<string, unknown>);
  return {
    event: typeof n.event === 'string' ? n.event : undefined,
    eventId: typeof n.event_id === 'string' ? n.event_id : undefined,
    record,
  };
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

export function isellerWebhook(
  s: Pick<IsellerSettings, 'webhookSecret' | 'webhookVerification' | 'webhookHeaderName' | 'timeZone'>,
): WebhookHandler {
  const at = (v: unknown): string | undefined => {
    const t = text(v);
    if (!t) return undefined;
    try {
      return new Date(fromLocal(t, s.timeZone)).toISOString();
    } catch {
      return undefined;
    }
  };
  return {
    // An order with its lines and transactions; iSeller states no limit.
    maxBodyBytes: 1024 * 1024,
    verify(d: InboundDelivery): string | undefined {
      if (!s.webhookSecret)
        return 'the iSeller connection has no webhookSecret (the store’s API key): deliveries cannot be verified and are refused';
      if (s.webhookVerification === 'header') {
        const sent = header(d, s.webhookHeaderName);
        if (sent === undefined) return `the delivery has no ${s.webhookHeaderName} header`;
        return same(sent, s.webhookSecret)
          ? undefined
          : `the ${s.webhookHeaderName} header does not carry the connection's webhookSecret`;
      }
      const signature = header(d, SIGNATURE_HEADER);
      const timestamp = header(d, TIMESTAMP_HEADER);
      if (!signature || !timestamp) return 'the delivery lacks iSeller’s Signature and Timestamp headers';
      const want = signIsellerBody(s.webhookSecret, d.rawBody, timestamp);
      return same(signature.trim().toUpperCase(), want)
        ? undefined
        : 'the Signature header does not match the body and Timestamp signed with the store’s API key';
    },
    deliveryId(d: InboundDelivery): string | undefined {
      try {
        const { event, eventId, record } = read(d.rawBody);
        if (eventId) return eventId;
        const id = text(record.order_id) ?? text(record.register_shift_id) ?? text(record.product_id);
        const stamp = text(record.modified_date) ?? text(record.closed_date);
        return id && stamp ? `${event ?? 'notification'}:${id}:${stamp}` : undefined;
      } catch {
        return undefined;
      }
    },
    /**
     * An order notification (created, paid, refunded) names its order: the engine reads back its
     * invoice, credit notes and payments by the order id. A shift notification with a closed_date
     * names no record and carries the shift; a product one names the product by SKU.
     */
    parse(d: InboundDelivery): WebhookEvent[] {
      const { event, record } = read(d.rawBody);
      const occurredAt = at(record.modified_date);
      const when = occurredAt ? { occurredAt } : {};
      const shiftId = text(record.register_shift_id);
      if (shiftId || /shift/i.test(event ?? '')) {
        const closed = at(record.closed_date);
        const register = text(record.register_id);
        if (!shiftId || !register)
          throw parseError('the shift notification names no register_shift_id or register_id');
        if (!closed) return []; // a shift opened: nothing to run yet
        const opened = at(record.open_date);
        const outletCode = text(record.outlet_code);
        return [
          {
            entity: 'invoice',
            id: shiftId,
            occurredAt: closed,
            shift: {
              id: shiftId,
              register,
              closedAt: closed,
              ...(opened ? { openedAt: opened } : {}),
              ...(outletCode ? { outlet: outletCode } : {}),
            },
          },
        ];
      }
      const orderId = text(record.order_id);
      if (orderId)
        return [
          { entity: 'invoice', id: orderId, kind: 'upsert', ...when },
          { entity: 'payment', id: orderId, kind: 'upsert', ...when },
        ];
      const product = text(record.sku) ?? text(record.product_id);
      if (product || /product/i.test(event ?? '')) {
        if (!product) throw parseError('the product notification names no sku or product_id');
        return [
          {
            entity: 'product',
            id: product,
            kind: /delete/i.test(event ?? '') ? 'delete' : 'upsert',
            ...when,
          },
        ];
      }
      // Other notification types (payout, member, fulfillment without an order) are not synced.
      return [];
    },
  };
}
