import { createHash, createPublicKey, type KeyObject, timingSafeEqual, verify } from 'node:crypto';
import type { EntityName } from '../../model/index.js';
import type { InboundDelivery, WebhookEvent, WebhookHandler } from '../sdk/contract.js';
import { LedgerlinkError } from '../sdk/errors.js';
import { fromMagentoTime } from './search-criteria.js';
import type { MagentoSettings } from './settings.js';

/** The header Adobe Commerce puts the base64 RSA-SHA256 signature of the raw body in. */
export const SIGNATURE_HEADER = 'x-adobe-commerce-webhook-signature';

type WebhookSettings = Pick<MagentoSettings, 'webhookPublicKey' | 'webhookSecret' | 'webhookSecretHeader'>;

/**
 * Which record an event is about: the entity, where the payload keeps the record, and its source id.
 * An order's shipment, invoice, credit memo or payment saved is a change of the order: the engine
 * reads the order again.
 */
const EVENTS: ReadonlyArray<{
  match: RegExp;
  entity: EntityName;
  key: string;
  id: (r: Record<string, unknown>) => unknown;
}> = [
  ...(['shipment', 'invoice', 'creditmemo'] as const).map((key) => ({
    match: new RegExp(`^sales_order_${key}_`),
    entity: 'salesOrder' as const,
    key,
    id: (r: Record<string, unknown>) => r.order_id,
  })),
  { match: /^sales_order_payment_/, entity: 'salesOrder', key: 'payment', id: (r) => r.parent_id },
  { match: /^sales_order_/, entity: 'salesOrder', key: 'order', id: (r) => r.entity_id ?? r.id },
  {
    match: /^customer_save_(after|commit_after)$/,
    entity: 'customer',
    key: 'customer',
    id: (r) => r.id ?? r.entity_id,
  },
  {
    match: /^catalog_product_save_(after|commit_after)$/,
    entity: 'product',
    key: 'product',
    id: (r) => r.sku,
  },
];

const parseError = (message: string) => new LedgerlinkError({ code: 'parse', category: 'rejected', message });

const header = (d: InboundDelivery, name: string): string | undefined => {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(d.headers)) if (k.toLowerCase() === want && v !== undefined) return v;
  return undefined;
};

/**
 * What Adobe Commerce signs: not the body's bytes but their base64 text (its verification example
 * updates the verifier with `Buffer.from(body).toString('base64')`).
 * https://developer.adobe.com/commerce/extensibility/webhooks/signature-verification
 */
export const signedContent = (rawBody: string): Buffer =>
  Buffer.from(Buffer.from(rawBody).toString('base64'));

/** Compares two secrets in time that does not depend on where they differ (nor on their lengths). */
function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * Adobe Commerce webhooks (the Webhooks module of Adobe Commerce, or the same shape sent by an
 * extension): `{"eventName": "sales_order_save_after", "data": {"order": {…}}}`, signed with the
 * store's private key when Digital Signature is on. The event only says which record changed; the
 * engine reads it again by id. Adobe's payload carries no delivery id, so the inbox recognises a
 * repeated delivery by the hash of its body.
 */
export class MagentoWebhook implements WebhookHandler {
  private key?: KeyObject;
  private keyProblem?: string;

  constructor(private readonly s: WebhookSettings) {
    if (s.webhookPublicKey) {
      try {
        // A PEM pasted into a one-line field arrives with its line breaks written as \n.
        this.key = createPublicKey(s.webhookPublicKey.replace(/\\n/g, '\n').trim());
      } catch (e) {
        this.keyProblem = `webhookPublicKey is not a PEM public key (${e instanceof Error ? e.message : String(e)}); copy it again from Stores › Settings › Configuration › Adobe Services › Webhooks`;
      }
    }
  }

  verify(d: InboundDelivery): string | undefined {
    if (this.keyProblem) return this.keyProblem;
    if (this.key) {
      const signature = header(d, SIGNATURE_HEADER);
      if (!signature)
        return `the delivery has no ${SIGNATURE_HEADER} header; turn on Digital Signature for webhooks in Adobe Commerce (Adobe Services › Webhooks)`;
      let ok = false;
      try {
        ok = verify('sha256', signedContent(d.rawBody), this.key, Buffer.from(signature, 'base64'));
      } catch {
        ok = false;
      }
      return ok
        ? undefined
        : `the ${SIGNATURE_HEADER} signature does not match the body: it was changed on the way, or signed by another store than webhookPublicKey belongs to`;
    }
    if (this.s.webhookSecret) {
      const sent = header(d, this.s.webhookSecretHeader);
      if (sent === undefined)
        return `the delivery has no ${this.s.webhookSecretHeader} header; add it with the webhook token to the webhook's headers in Adobe Commerce`;
      return sameSecret(sent, this.s.webhookSecret)
        ? undefined
        : `the ${this.s.webhookSecretHeader} header does not carry the connection's webhook token`;
    }
    return 'Magento webhooks cannot be verified: set webhookPublicKey (Stores › Settings › Configuration › Adobe Services › Webhooks › Digital Signature) or webhookSecret, sent by the webhook in the webhookSecretHeader header';
  }

  /**
   * Adobe Commerce webhooks are synchronous: the store waits for this answer, and anything else is
   * a failure it may act on. The delivery is already stored when it is sent.
   */
  readonly acknowledgement = { status: 200, body: { op: 'success' } };

  /**
   * An event's payload is the saved record (an order with its items and addresses); 2 MB holds an
   * order of several hundred lines. Adobe documents no ceiling.
   */
  readonly maxBodyBytes = 2 * 1024 * 1024;

  deliveryId(_d: InboundDelivery): string | undefined {
    return undefined;
  }

  parse(d: InboundDelivery): WebhookEvent[] {
    let body: unknown;
    try {
      body = JSON.parse(d.rawBody);
    } catch {
      throw parseError('the Magento webhook body is not JSON');
    }
    const b = body as { eventName?: unknown; data?: unknown };
    if (
      typeof body !== 'object' ||
      body === null ||
      typeof b.eventName !== 'string' ||
      !b.data ||
      typeof b.data !== 'object'
    )
      throw parseError(
        'the Magento webhook body is not an Adobe Commerce webhook ({"eventName": …, "data": {…}})',
      );
    // Webhook names are registered as observer.<event> or plugin.<…>; the event is the rest.
    const event = b.eventName.replace(/^(observer|plugin)\./, '');
    const kind = EVENTS.find((e) => e.match.test(event));
    if (!kind)
      throw parseError(
        `Ledgerlink does not handle the Magento event ${b.eventName}; subscribe webhooks to sales_order_save_after, customer_save_after or catalog_product_save_after`,
      );
    const record = (b.data as Record<string, unknown>)[kind.key];
    const id = record && typeof record === 'object' ? kind.id(record as Record<string, unknown>) : undefined;
    if ((typeof id !== 'string' && typeof id !== 'number') || id === '')
      throw parseError(
        `the Magento event ${b.eventName} does not say which record changed (no data.${kind.key} with its id)`,
      );
    const updated = (record as { updated_at?: unknown }).updated_at;
    let occurredAt: string | undefined;
    try {
      if (typeof updated === 'string' && updated) occurredAt = fromMagentoTime(updated);
    } catch {
      occurredAt = undefined;
    }
    return [
      {
        entity: kind.entity,
        id: String(id),
        // Deleting a shipment or an invoice changes its order; deleting the order removes it.
        kind: /^sales_order_delete_/.test(event) ? 'delete' : 'upsert',
        ...(occurredAt ? { occurredAt } : {}),
      },
    ];
  }
}
