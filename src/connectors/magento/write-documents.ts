import type { WriteItem, WriteResult } from '../sdk/contract.js';
import { rejected, toErrorData } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import type { MagentoClient } from './client.js';
import {
  allocate,
  carrying,
  type DocumentKind,
  type DocumentLine,
  documentsOf,
  leftTo,
  requireOrders,
} from './order-documents.js';
import { ORDERS_PATH } from './read-orders.js';
import type { MagentoDocumentComment, MagentoDocumentItemRequest, MagentoOrder } from './sales-types.js';

/** A Magento shipment or invoice as far as writing one needs to know. */
interface Written {
  entity_id?: number;
  increment_id?: string;
  order_id: number;
  comments?: MagentoDocumentComment[];
}

/** How one kind of ERP document becomes Magento documents. */
export interface DocumentSpec<D> {
  kind: DocumentKind;
  /** Search path of the kind (GET), e.g. V1/shipments. */
  listPath: string;
  /** Path of one document by id (GET). */
  onePath(id: number): string;
  /** Path that creates one on an order (POST), e.g. V1/order/{id}/ship. */
  createPath(orderId: number): string;
  /** The document in messages: "shipment 000123". */
  what(d: D): string;
  number(d: D): string;
  /** The source numbers of the orders it is recorded on: those it has lines for. */
  orderNumbers(d: D): string[];
  /** Its lines on one of those orders. */
  linesFor(d: D, orderNumber: string): DocumentLine[];
  /** The request body for one order. */
  body(d: D, order: MagentoOrder, items: MagentoDocumentItemRequest[]): unknown;
  /** Why Magento cannot take this document at all, if so. */
  refusal?(d: D): string | undefined;
}

/**
 * Writes ERP documents onto Magento orders, one Magento document per order covered. Every order is
 * read and its lines matched before anything is written, so a document Magento cannot take whole is
 * refused whole with the reason. A document covering several orders first lists what it already
 * left on them, so a retry after a partial failure completes it without doubling any. Created once:
 * an update has nothing to change.
 */
export async function writeDocuments<D>(
  client: MagentoClient,
  spec: DocumentSpec<D>,
  items: readonly WriteItem[],
): Promise<WriteResult[]> {
  return Promise.all(
    items.map(async (item): Promise<WriteResult> => {
      const exchanges: HttpExchange[] = [];
      try {
        return await writeOne(client, spec, item, exchanges);
      } catch (e) {
        const error = toErrorData(e);
        if (error.category === 'config') throw e;
        return { ref: item.ref, ok: false, error, exchanges };
      }
    }),
  );
}

async function writeOne<D>(
  client: MagentoClient,
  spec: DocumentSpec<D>,
  item: WriteItem,
  exchanges: HttpExchange[],
): Promise<WriteResult> {
  const d = item.data as D;
  const what = spec.what(d);
  if (item.action === 'update') {
    const id = item.targetId ?? item.existing?.id;
    if (!id) throw rejected('invalid_data', `${what}: an update needs the Magento ${spec.kind} id`);
    return { ref: item.ref, ok: true, targetId: id, action: 'updated', exchanges };
  }
  const refusal = spec.refusal?.(d);
  if (refusal) throw rejected('invalid_data', refusal);
  const orders = requireOrders(what, spec.orderNumbers(d), item.refs);
  const done =
    orders.length > 1
      ? carrying(
          await documentsOf<Written>(
            client,
            spec.listPath,
            orders.map((o) => o.id),
            exchanges,
          ),
          spec.kind,
          spec.number(d),
        )
      : new Map<number, Written>();

  const plans: Array<{ orderId: number; body: unknown }> = [];
  for (const o of orders) {
    if (done.has(o.id)) continue;
    const order = (
      await client.request<MagentoOrder>({ method: 'GET', path: `${ORDERS_PATH}/${o.id}`, record: exchanges })
    ).body;
    const lines = allocate(spec.linesFor(d, o.number), order, leftTo(spec.kind), {
      what,
      verb: spec.kind === 'shipment' ? 'ship' : 'invoice',
    });
    plans.push({ orderId: o.id, body: spec.body(d, order, lines) });
  }

  const created = new Map<number, Written>();
  for (const p of plans) {
    // Not repeated after a lost answer: the engine looks the document up by its comment first.
    const res = await client.request<number>({
      method: 'POST',
      path: spec.createPath(p.orderId),
      body: p.body,
      record: exchanges,
    });
    const doc = await client.request<Written>({
      method: 'GET',
      path: spec.onePath(Number(res.body)),
      record: exchanges,
    });
    created.set(p.orderId, doc.body);
  }
  const all = orders.map((o) => created.get(o.id) ?? done.get(o.id)!);
  const first = all[0]!;
  const numbers = all.map((x) => x.increment_id).filter(Boolean);
  return {
    ref: item.ref,
    ok: true,
    targetId: String(first.entity_id),
    ...(numbers.length ? { targetNumber: numbers.join(', ') } : {}),
    action: 'created',
    exchanges,
  };
}
