import { createHmac, timingSafeEqual } from 'node:crypto';
import type { EntityName } from '../../model/index.js';
import type { InboundDelivery, WebhookEvent, WebhookHandler } from '../sdk/contract.js';
import { LedgerlinkError } from '../sdk/errors.js';

/** The header Intuit signs deliveries in: base64 of HMAC-SHA256 of the raw body, keyed with the app's verifier token. */
export const SIGNATURE_HEADER = 'intuit-signature';

/** QuickBooks entities we read, as the canonical entities they become. */
const ENTITIES: Readonly<Record<string, EntityName>> = {
  customer: 'customer',
  item: 'product',
  invoice: 'invoice',
};

export function signBody(body: string, verifierToken: string): string {
  return createHmac('sha256', verifierToken).update(body, 'utf8').digest('base64');
}

interface LegacyEntity {
  name?: string;
  id?: string;
  operation?: string;
  lastUpdated?: string;
}

interface CloudEvent {
  specversion?: string;
  id?: string;
  type?: string;
  time?: string;
  intuitentityid?: string;
  intuitaccountid?: string;
}

const parseError = (message: string) => new LedgerlinkError({ code: 'parse', category: 'rejected', message });

function event(
  name: string | undefined,
  id: string | undefined,
  op: string | undefined,
  at?: string,
): WebhookEvent | undefined {
  const entity = name ? ENTITIES[name.toLowerCase()] : undefined;
  if (!entity || !id) return undefined;
  return {
    entity,
    // An item is named by its Id here; reading products by id also finds an item by Id (connector.ts).
    id: String(id),
    ...(at ? { occurredAt: new Date(at).toISOString() } : {}),
    kind: /^delete/i.test(op ?? '') ? 'delete' : 'upsert',
  };
}

/**
 * Intuit webhooks, in both payload formats Intuit sends: the original
 * `{"eventNotifications":[{"realmId","dataChangeEvent":{"entities":[{name,id,operation,lastUpdated}]}}]}`
 * and the CloudEvents array that replaces it (`[{"specversion":"1.0","type":"qbo.customer.updated.v1",
 * "intuitentityid":"1","intuitaccountid":"<realm>",…}]`; FACTS.md). Every delivery is verified before
 * its body is read; events of other companies and of entities we do not read are dropped; the engine
 * reads each named record back, so the delivery's order and repeats do not matter.
 */
export function quickbooksWebhook(o: { verifierToken?: string; realmId?: string }): WebhookHandler {
  return {
    verify(d: InboundDelivery): string | undefined {
      if (!o.verifierToken) return 'the connection has no webhook verifier token (webhookVerifierToken)';
      const sent = d.headers[SIGNATURE_HEADER];
      if (!sent) return `the delivery carries no ${SIGNATURE_HEADER} header`;
      const want = Buffer.from(signBody(d.rawBody, o.verifierToken), 'base64');
      const got = Buffer.from(sent, 'base64');
      if (got.length !== want.length || !timingSafeEqual(got, want))
        return `the ${SIGNATURE_HEADER} does not match the body signed with the verifier token`;
      return undefined;
    },
    deliveryId: () => undefined,
    // Intuit counts only a 200 within 3 s as delivered and holds back later events until the first is
    // acknowledged (developer.intuit.com › webhooks › best practices; FACTS.md).
    acknowledgement: { status: 200, body: { received: true } },
    acknowledgeUnreadable: true,
    parse(d: InboundDelivery): WebhookEvent[] {
      let body: unknown;
      try {
        body = JSON.parse(d.rawBody);
      } catch {
        throw parseError('the QuickBooks webhook body is not JSON');
      }
      const out: WebhookEvent[] = [];
      const ours = (realm: string | undefined) => !o.realmId || !realm || realm === o.realmId;
      if (Array.isArray(body)) {
        for (const ce of body as CloudEvent[]) {
          // type: qbo.<entity>.<operation>.v<n>
          const [, name, op] = /^qbo\.([a-z]+)\.([a-z]+)\./i.exec(ce.type ?? '') ?? [];
          if (!ours(ce.intuitaccountid)) continue;
          const ev = event(name, ce.intuitentityid, op, ce.time);
          if (ev) out.push(ev);
        }
        return out;
      }
      const notes = (body as { eventNotifications?: unknown }).eventNotifications;
      if (!Array.isArray(notes)) throw parseError('the QuickBooks webhook body has no eventNotifications');
      for (const n of notes as Array<{ realmId?: string; dataChangeEvent?: { entities?: LegacyEntity[] } }>) {
        if (!ours(n.realmId)) continue;
        for (const e of n.dataChangeEvent?.entities ?? []) {
          const ev = event(e.name, e.id, e.operation, e.lastUpdated);
          if (ev) out.push(ev);
        }
      }
      return out;
    },
  };
}
