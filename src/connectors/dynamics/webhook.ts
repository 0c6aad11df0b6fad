import { createHash, timingSafeEqual } from 'node:crypto';
import type { EntityName } from '../../model/index.js';
import { toUtcIso } from '../../model/index.js';
import type { InboundDelivery, WebhookEvent, WebhookHandler } from '../sdk/contract.js';
import { LedgerlinkError } from '../sdk/errors.js';

/** The tables whose changes Ledgerlink reads, and the natural key each is read by. */
export const TABLES: Readonly<Record<string, { entity: EntityName; key: string }>> = {
  account: { entity: 'customer', key: 'accountnumber' },
  product: { entity: 'product', key: 'productnumber' },
  salesorder: { entity: 'salesOrder', key: 'ordernumber' },
};

interface KeyValue {
  key?: unknown;
  value?: unknown;
}

/** The parts of a RemoteExecutionContext we use (the webhook body a Dataverse service endpoint posts). */
interface ExecutionContext {
  MessageName?: string;
  PrimaryEntityName?: string;
  PrimaryEntityId?: string;
  RequestId?: string;
  CorrelationId?: string;
  OperationId?: string;
  OperationCreatedOn?: string;
  InputParameters?: KeyValue[];
  PostEntityImages?: KeyValue[];
  PreEntityImages?: KeyValue[];
}

const parseError = (message: string) => new LedgerlinkError({ code: 'parse', category: 'rejected', message });

function read(rawBody: string): ExecutionContext {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    throw parseError('the webhook body is not JSON');
  }
  const c = body as ExecutionContext;
  if (
    !body ||
    typeof body !== 'object' ||
    typeof c.PrimaryEntityName !== 'string' ||
    typeof c.MessageName !== 'string'
  )
    throw parseError(
      'the body is not a Dataverse RemoteExecutionContext: expected {"MessageName", "PrimaryEntityName", "PrimaryEntityId", "InputParameters", …}',
    );
  return c;
}

/** An attribute of an entity in the context (Target, or an image), which lists them as key/value pairs. */
function attribute(entity: unknown, name: string): string | undefined {
  const attrs = (entity as { Attributes?: KeyValue[] } | undefined)?.Attributes;
  const v = Array.isArray(attrs) ? attrs.find((a) => a.key === name)?.value : undefined;
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

/**
 * The record's natural key when the context carries it: in the Target of a Create (or of an Update
 * that changed it), or in an entity image registered with the step (best: a post image with the key
 * column). Without it the event names the row's id, which the connector also reads by.
 */
function naturalKey(c: ExecutionContext, column: string): string | undefined {
  const from = (list: KeyValue[] | undefined) =>
    (list ?? []).map((kv) => attribute(kv.value, column)).find((v) => v !== undefined);
  return (
    from(c.PostEntityImages) ??
    from(c.InputParameters?.filter((p) => p.key === 'Target')) ??
    from(c.PreEntityImages)
  );
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Dataverse webhooks (a service endpoint of type WebHook registered on Create/Update/Delete of account,
 * product and salesorder). Authentication "HttpHeader": the registration sends the configured header
 * with the configured value, which we compare in constant time.
 */
export function dynamicsWebhook(s: { headerName: string; key?: string }): WebhookHandler {
  const headerName = s.headerName.toLowerCase();
  return {
    // A context with images of wide rows stays well under this; Dataverse caps message size at 256 KB for queues.
    maxBodyBytes: 1024 * 1024,
    verify(d: InboundDelivery): string | undefined {
      if (!s.key)
        return `the Dynamics 365 connection has no webhookKey: set one, and register the webhook with authentication HttpHeader, key ${s.headerName} and the same value (unauthenticated deliveries are refused)`;
      const sent = Object.entries(d.headers).find(([k]) => k.toLowerCase() === headerName)?.[1];
      if (sent === undefined) return `the webhook delivery has no ${s.headerName} header`;
      if (!timingSafeEqual(digest(sent), digest(s.key)))
        return `the ${s.headerName} header does not carry the connection's webhookKey`;
      return undefined;
    },
    deliveryId(d: InboundDelivery): string | undefined {
      try {
        const c = read(d.rawBody);
        const request = c.RequestId ?? c.OperationId ?? c.CorrelationId;
        return request
          ? `${request}:${c.MessageName}:${c.PrimaryEntityName}:${c.PrimaryEntityId ?? ''}`
          : undefined;
      } catch {
        return undefined;
      }
    },
    parse(d: InboundDelivery): WebhookEvent[] {
      const c = read(d.rawBody);
      const table = TABLES[c.PrimaryEntityName ?? ''];
      if (!table) return [];
      const id = naturalKey(c, table.key) ?? c.PrimaryEntityId;
      if (!id)
        throw parseError(
          `the ${c.MessageName} of ${c.PrimaryEntityName} names no record (no PrimaryEntityId)`,
        );
      let occurredAt: string | undefined;
      try {
        // WCF JSON writes dates as /Date(milliseconds)/.
        const wcf = /\/Date\((-?\d+)\)\//.exec(c.OperationCreatedOn ?? '');
        occurredAt = wcf
          ? toUtcIso(new Date(Number(wcf[1])))
          : c.OperationCreatedOn
            ? toUtcIso(c.OperationCreatedOn)
            : undefined;
      } catch {
        occurredAt = undefined;
      }
      return [
        {
          entity: table.entity,
          id: id.toLowerCase() === (c.PrimaryEntityId ?? '').toLowerCase() ? id.toLowerCase() : id,
          kind: c.MessageName === 'Delete' ? 'delete' : 'upsert',
          ...(occurredAt ? { occurredAt } : {}),
        },
      ];
    },
  };
}
