import type { SalesOrder } from '../../model/index.js';
import type { TargetRecord, WriteItem, WriteResult } from '../sdk/contract.js';
import { rejected, toErrorData } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import type { VendureClient } from './client.js';
import { ADD_NOTE_TO_ORDER, ORDER_NOTES, SET_ORDER_CUSTOM_FIELDS } from './documents.js';
import { chunks, KEYS_PER_REQUEST, listAll } from './paging.js';
import { ORDER_LIST } from './read-orders.js';
import type { VendureOrder } from './types.js';

const CODE = 'code:';
const ERP = 'erpNumber:';

/** The note the write-back of an ERP number leaves on a web order. */
export const erpNumberNote = (number: string) => `ERP order ${number}`;

/**
 * What identifies a canonical order on Vendure: an order that came from Vendure carries its code
 * as externalNumber; an ERP order is known by its own number, kept in the erpNumber custom field.
 */
export function orderKey(data: unknown): string | undefined {
  const d = (data ?? {}) as Partial<SalesOrder>;
  if (typeof d.externalNumber === 'string' && d.externalNumber) return `${CODE}${d.externalNumber}`;
  return typeof d.number === 'string' && d.number ? `${ERP}${d.number}` : undefined;
}

/** Both kinds of key in one request per hundred keys (code in (…) OR erpNumber in (…)); the oldest order wins. */
export async function lookupOrders(
  client: VendureClient,
  keys: readonly string[],
): Promise<Map<string, TargetRecord>> {
  const out = new Map<string, TargetRecord>();
  for (const chunk of chunks(keys, KEYS_PER_REQUEST)) {
    const codes = chunk.filter((k) => k.startsWith(CODE)).map((k) => k.slice(CODE.length));
    const erp = chunk.filter((k) => k.startsWith(ERP)).map((k) => k.slice(ERP.length));
    const any = [
      ...(codes.length ? [{ code: { in: codes } }] : []),
      ...(erp.length ? [{ erpNumber: { in: erp } }] : []),
    ];
    if (!any.length) continue;
    const rows = await listAll<VendureOrder>(client, ORDER_LIST, any.length === 1 ? any[0] : { _or: any });
    for (const o of rows) {
      const record = { id: o.id, snapshot: o };
      if (codes.includes(o.code) && !out.has(`${CODE}${o.code}`)) out.set(`${CODE}${o.code}`, record);
      const number = o.customFields?.erpNumber;
      if (number && erp.includes(number) && !out.has(`${ERP}${number}`)) out.set(`${ERP}${number}`, record);
    }
  }
  return out;
}

interface NotedOrder {
  id: string;
  state: string;
  customFields?: { erpNumber?: string | null } | null;
  history: { items: Array<{ data: { note?: unknown } }> };
}

/**
 * The write-back of the other direction: the ERP's number of a web order into the erpNumber custom
 * field (setOrderCustomFields, which any state allows) and a private note naming it, each only when
 * not there yet, so a repeated update adds nothing. Ledgerlink does not create orders in Vendure:
 * a web shop's orders start at its checkout.
 */
export async function writeOrders(
  client: VendureClient,
  items: readonly WriteItem[],
): Promise<WriteResult[]> {
  return Promise.all(
    items.map(async (item): Promise<WriteResult> => {
      const exchanges: HttpExchange[] = [];
      try {
        const so = item.data as SalesOrder;
        if (item.action === 'create')
          throw rejected(
            'invalid_data',
            `order ${so.number}: Ledgerlink does not create orders in Vendure; orders start at the shop's checkout`,
          );
        const id = item.targetId ?? item.existing?.id;
        if (!id) throw rejected('invalid_data', `order ${so.number}: an update needs the Vendure order id`);
        const done: WriteResult = { ref: item.ref, ok: true, targetId: id, action: 'updated', exchanges };
        if (!(item.fields ?? []).includes('externalNumber')) return done;
        const erp = so.externalNumber;
        if (!erp)
          throw rejected('missing_field', `order ${so.number}: there is no ERP order number to write back`);
        const what = `order ${so.number}`;
        const { order } = await client.request<{ order: NotedOrder | null }>(
          ORDER_NOTES,
          { id },
          { what: `${what}: read`, record: exchanges },
        );
        if (!order) throw rejected('not_found', `${what}: Vendure has no order ${id}`);
        if (order.customFields?.erpNumber !== erp)
          await client.request(
            SET_ORDER_CUSTOM_FIELDS,
            { input: { id, customFields: { erpNumber: erp } } },
            // Setting the same value again changes nothing: safe to repeat.
            { what: `${what}: set erpNumber`, record: exchanges, idempotent: true },
          );
        const note = erpNumberNote(erp);
        if (!order.history.items.some((h) => h.data.note === note))
          await client.request(
            ADD_NOTE_TO_ORDER,
            { input: { id, note, isPublic: false } },
            { what: `${what}: add a note`, record: exchanges },
          );
        return done;
      } catch (e) {
        const error = toErrorData(e);
        if (error.category === 'config') throw e;
        return { ref: item.ref, ok: false, error, exchanges };
      }
    }),
  );
}
