import { createHash, timingSafeEqual } from 'node:crypto';
import type { EntityName } from '../../model/index.js';
import { toUtcIso } from '../../model/index.js';
import type { InboundDelivery, WebhookEvent, WebhookHandler } from '../sdk/contract.js';
import { LedgerlinkError } from '../sdk/errors.js';
import { INVOICE_TYPE_LABELS, invoiceTypeLabel } from './invoice-types.js';

/**
 * Acumatica push notifications. A person defines a generic inquiry per entity and a push
 * notification destination of type Webhook pointing at Ledgerlink, with one header (Header Name /
 * Header Value) that authenticates it. Each transaction that changes the inquiry's rows arrives as
 * { Inserted: [rows after], Deleted: [rows before], Query, CompanyId, Id, TimeStamp, AdditionalInfo }.
 *
 * Our documented assumption is that the inquiries are named as below; an inquiry with another name
 * is recognised by its key columns.
 */
export const QUERY_ENTITIES: Readonly<Record<string, EntityName>> = {
  'LL-SalesOrders': 'salesOrder',
  'LL-Shipments': 'shipment',
  'LL-SalesInvoices': 'invoice',
  'LL-Payments': 'payment',
  'LL-Customers': 'customer',
  'LL-StockItems': 'product',
};

export interface WebhookSettings {
  webhookHeaderName: string;
  webhookHeaderValue?: string;
  /** Order types read; rows of other types are not this connection's orders. */
  orderTypes: readonly string[];
}

type Row = Record<string, unknown>;

interface PushBody {
  Query: string;
  Id?: string;
  Inserted: Row[];
  Deleted: Row[];
}

const parseError = (message: string) => new LedgerlinkError({ code: 'parse', category: 'rejected', message });

/**
 * A column of a row, by name: generic inquiries may prefix a column with its table ("SOOrder_OrderNbr")
 * and do not care about case.
 */
function column(row: Row, name: string): string | undefined {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(row)) {
    const key = k.toLowerCase();
    if (key === want || key.endsWith(`_${want}`))
      return v === null || v === undefined ? undefined : String(v).trim();
  }
  return undefined;
}

function readBody(rawBody: string): PushBody {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    throw parseError('the push notification is not JSON');
  }
  const b = body as Partial<Record<keyof PushBody, unknown>>;
  const rows = (v: unknown) =>
    v === undefined || (Array.isArray(v) && v.every((r) => r && typeof r === 'object'));
  if (
    !body ||
    typeof body !== 'object' ||
    typeof b.Query !== 'string' ||
    !b.Query ||
    !rows(b.Inserted) ||
    !rows(b.Deleted)
  )
    throw parseError(
      'the body is not an Acumatica push notification: expected {"Query": name, "Inserted": [rows], "Deleted": [rows], …}',
    );
  if (b.Inserted === undefined && b.Deleted === undefined)
    throw parseError(`the push notification of ${b.Query} has neither Inserted nor Deleted rows`);
  return {
    Query: b.Query,
    ...(typeof b.Id === 'string' ? { Id: b.Id } : {}),
    Inserted: (b.Inserted as Row[] | undefined) ?? [],
    Deleted: (b.Deleted as Row[] | undefined) ?? [],
  };
}

/** A document type as an inquiry shows it: its label, or the code behind it. */
function docType(row: Row): string | undefined {
  const t = column(row, 'Type') ?? column(row, 'DocType');
  return t === 'PMT' ? 'Payment' : invoiceTypeLabel(t);
}

/** Every sales invoice document type is read by the invoice flows (credit memos, cash sales…). */
const isInvoiceType = (t: string | undefined): boolean => INVOICE_TYPE_LABELS.includes(t ?? '');

/** What a row of an inquiry Ledgerlink does not know by name lists, told by its key columns. */
function entityOfRow(row: Row): EntityName | undefined {
  if (column(row, 'OrderNbr') && !column(row, 'ShipmentNbr') && !column(row, 'ReferenceNbr'))
    return 'salesOrder';
  if (column(row, 'ShipmentNbr')) return 'shipment';
  if (column(row, 'ReferenceNbr')) {
    const type = docType(row);
    if (isInvoiceType(type)) return 'invoice';
    if (type === 'Payment') return 'payment';
    return undefined;
  }
  if (column(row, 'InventoryID')) return 'product';
  if (column(row, 'CustomerID')) return 'customer';
  return undefined;
}

/** The record's source id, or undefined when the row is not one this connection reads. */
function idOf(entity: EntityName, row: Row, s: WebhookSettings): string | undefined {
  switch (entity) {
    case 'salesOrder': {
      const type = column(row, 'OrderType');
      return type && !s.orderTypes.includes(type) ? undefined : column(row, 'OrderNbr');
    }
    case 'shipment':
      return column(row, 'ShipmentNbr');
    case 'invoice': {
      const type = docType(row);
      return type && !isInvoiceType(type) ? undefined : column(row, 'ReferenceNbr');
    }
    case 'payment': {
      const type = docType(row);
      return type && type !== 'Payment' ? undefined : column(row, 'ReferenceNbr');
    }
    case 'customer':
      return column(row, 'CustomerID');
    case 'product':
      return column(row, 'InventoryID');
    default:
      return undefined;
  }
}

function occurredAt(row: Row): string | undefined {
  const at = column(row, 'LastModifiedDateTime') ?? column(row, 'LastModified');
  if (!at) return undefined;
  try {
    return toUtcIso(at);
  } catch {
    return undefined;
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export function acumaticaWebhook(s: WebhookSettings): WebhookHandler {
  const headerName = s.webhookHeaderName.toLowerCase();
  return {
    // One notification carries every row a commit changed in the inquiry (Inserted and Deleted), so a
    // mass update can be large; Acumatica documents no ceiling. 1 MB holds some thousands of rows of
    // key columns; 8 MB leaves room for an inquiry with wide rows.
    maxBodyBytes: 8 * 1024 * 1024,
    verify(d: InboundDelivery): string | undefined {
      if (!s.webhookHeaderValue)
        return `the Acumatica connection has no webhookHeaderValue: set one, and give the push notification destination the header ${s.webhookHeaderName} with the same value (unauthenticated pushes are refused)`;
      const sent = Object.entries(d.headers).find(([k]) => k.toLowerCase() === headerName)?.[1];
      if (sent === undefined) return `the push notification has no ${s.webhookHeaderName} header`;
      // Compared in constant time (digests have equal length whatever was sent).
      if (!timingSafeEqual(digest(sent), digest(s.webhookHeaderValue)))
        return `the ${s.webhookHeaderName} header does not carry the connection's webhookHeaderValue`;
      return undefined;
    },

    deliveryId(d: InboundDelivery): string | undefined {
      try {
        const b = JSON.parse(d.rawBody) as { Query?: unknown; Id?: unknown };
        return typeof b.Query === 'string' && typeof b.Id === 'string' && b.Id
          ? `${b.Query}:${b.Id}`
          : undefined;
      } catch {
        return undefined;
      }
    },

    parse(d: InboundDelivery): WebhookEvent[] {
      const body = readBody(d.rawBody);
      const named = QUERY_ENTITIES[body.Query];
      const events: WebhookEvent[] = [];
      const seen = new Set<string>();
      const add = (row: Row, kind: WebhookEvent['kind']) => {
        const entity = named ?? entityOfRow(row);
        if (!entity)
          throw parseError(
            `the rows of the generic inquiry ${body.Query} name no record Ledgerlink reads: name it ${Object.keys(QUERY_ENTITIES).join(', ')} or include the key columns (OrderNbr, ShipmentNbr, Type and ReferenceNbr, CustomerID, InventoryID)`,
          );
        const id = idOf(entity, row, s);
        if (!id) return;
        const key = `${entity}:${id}`;
        if (seen.has(key)) return;
        seen.add(key);
        const at = occurredAt(row);
        events.push({ entity, id, kind, ...(at ? { occurredAt: at } : {}) });
      };
      for (const row of body.Inserted) add(row, 'upsert');
      // A row only among the Deleted is a record that left the inquiry (deleted, or filtered out).
      for (const row of body.Deleted) add(row, 'delete');
      return events;
    },
  };
}
