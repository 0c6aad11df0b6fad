import type { SalesOrder } from '../../model/index.js';
import type { TargetRecord, WriteItem, WriteResult } from '../sdk/contract.js';
import { type ErrorData, LedgerlinkError, rejected, toErrorData } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import type { MagentoClient } from './client.js';
import { createdComment, salesOrderToMagento } from './mappers/order-to-magento.js';
import { chunks, KEYS_PER_SEARCH, searchAll } from './paging.js';
import { ORDERS_PATH } from './read-orders.js';
import type { MagentoOrder } from './sales-types.js';
import { anyOf } from './search-criteria.js';
import type { MagentoSettings } from './settings.js';
import type { MagentoCustomer, MagentoProduct } from './types.js';

const INCREMENT = 'increment_id:';
const EXTERNAL = 'ext_order_id:';

/** The comment the write-back of an ERP number leaves on a web order. */
export const erpNumberComment = (number: string) => `ERP order ${number}`;

/**
 * What identifies a canonical order on Magento: an order that came from Magento carries its
 * increment_id as externalNumber; an ERP order is known by its own number, kept in ext_order_id.
 */
export function orderKey(data: unknown): string | undefined {
  const d = (data ?? {}) as Partial<SalesOrder>;
  if (typeof d.externalNumber === 'string' && d.externalNumber) return `${INCREMENT}${d.externalNumber}`;
  return typeof d.number === 'string' && d.number ? `${EXTERNAL}${d.number}` : undefined;
}

/**
 * Both kinds of key in one search per hundred keys (increment_id in (…) OR ext_order_id in (…)).
 * Should two orders carry the same ext_order_id, the older one (lower entity id) is the match.
 */
export async function lookupOrders(
  client: MagentoClient,
  keys: readonly string[],
): Promise<Map<string, TargetRecord>> {
  const out = new Map<string, TargetRecord>();
  for (const chunk of chunks(keys, KEYS_PER_SEARCH)) {
    const numbers = chunk.filter((k) => k.startsWith(INCREMENT)).map((k) => k.slice(INCREMENT.length));
    const external = chunk.filter((k) => k.startsWith(EXTERNAL)).map((k) => k.slice(EXTERNAL.length));
    const group = [
      ...(numbers.length ? anyOf('increment_id', numbers) : []),
      ...(external.length ? anyOf('ext_order_id', external) : []),
    ];
    if (!group.length) continue;
    const rows = await searchAll<MagentoOrder>(client, ORDERS_PATH, [group], KEYS_PER_SEARCH, (o) =>
      Number(o.entity_id),
    );
    // Magento compares without regard to case; the keys are the values we were asked about.
    const byNumber = new Map(numbers.map((v) => [v.toLowerCase(), v]));
    const byExternal = new Map(external.map((v) => [v.toLowerCase(), v]));
    for (const o of rows) {
      const record = { id: String(o.entity_id), snapshot: o };
      const number = o.increment_id && byNumber.get(o.increment_id.toLowerCase());
      if (number && !out.has(`${INCREMENT}${number}`)) out.set(`${INCREMENT}${number}`, record);
      const ext = o.ext_order_id && byExternal.get(o.ext_order_id.toLowerCase());
      if (ext && !out.has(`${EXTERNAL}${ext}`)) out.set(`${EXTERNAL}${ext}`, record);
    }
  }
  return out;
}

/** Magento product ids of the SKUs the batch orders, in one search per hundred SKUs. */
async function productIds(client: MagentoClient, items: readonly WriteItem[]): Promise<Map<string, number>> {
  const skus = [
    ...new Set(
      items
        .filter((i) => i.action === 'create')
        .flatMap((i) => (i.data as SalesOrder).lines.map((l) => l.sku)),
    ),
  ];
  const out = new Map<string, number>();
  for (const chunk of chunks(skus, KEYS_PER_SEARCH)) {
    const rows = await searchAll<MagentoProduct>(
      client,
      'V1/products',
      [anyOf('sku', chunk)],
      KEYS_PER_SEARCH,
      (p) => Number(p.id),
    );
    for (const p of rows) if (p.id !== undefined) out.set(p.sku.toLowerCase(), p.id);
  }
  return out;
}

/** A status-history comment for the people working the order in the admin; never shown to the shopper. */
async function comment(
  client: MagentoClient,
  orderId: number,
  text: string,
  status: string | undefined,
  record: HttpExchange[],
): Promise<void> {
  await client.request({
    method: 'POST',
    path: `${ORDERS_PATH}/${orderId}/comments`,
    body: {
      statusHistory: {
        comment: text,
        is_customer_notified: 0,
        is_visible_on_front: 0,
        parent_id: orderId,
        // Sent explicitly: Magento sets the order's status to the status of a new comment.
        ...(status ? { status } : {}),
      },
    },
    record,
  });
}

/**
 * ERP orders into Magento. A create is one POST /V1/orders with the whole order, then a comment
 * naming the ERP number; a lost answer is not repeated blindly (the engine looks the order up by
 * ext_order_id first). An update writes the ERP's number of a web order into ext_order_id and
 * notes it in the order's history, each only when not there yet, so a repeated update adds nothing.
 */
export async function writeOrders(
  client: MagentoClient,
  s: MagentoSettings,
  items: readonly WriteItem[],
): Promise<WriteResult[]> {
  // Undefined when the catalog could not be read: the orders are still written, without product ids.
  let products: Map<string, number> | undefined;
  try {
    products = await productIds(client, items);
  } catch (e) {
    if (toErrorData(e).category === 'config') throw e;
  }
  return Promise.all(
    items.map(async (item): Promise<WriteResult> => {
      const exchanges: HttpExchange[] = [];
      try {
        return item.action === 'create'
          ? await createOne(client, s, products ?? new Map(), item, exchanges)
          : await updateOne(client, item, exchanges);
      } catch (e) {
        const error = toErrorData(e);
        if (error.category === 'config') throw e;
        return { ref: item.ref, ok: false, error: explain(error, item, products), exchanges };
      }
    }),
  );
}

/** Magento's refusal of an unknown product does not say which: the batch's product search does. */
function explain(
  error: ErrorData,
  item: WriteItem,
  products: ReadonlyMap<string, number> | undefined,
): ErrorData {
  if (error.httpStatus !== 404 || item.action !== 'create' || !products) return error;
  const unknown = (item.data as SalesOrder).lines
    .map((l) => l.sku)
    .filter((sku) => !products.has(sku.toLowerCase()));
  if (!unknown.length) return error;
  return {
    ...error,
    message: `${error.message} (order ${(item.data as SalesOrder).number}: Magento's catalog has no product ${unknown.join(', ')})`,
  };
}

async function createOne(
  client: MagentoClient,
  s: MagentoSettings,
  products: ReadonlyMap<string, number>,
  item: WriteItem,
  exchanges: HttpExchange[],
): Promise<WriteResult> {
  const so = item.data as SalesOrder;
  let customerId: number | undefined;
  if (!so.guest) {
    const ref = item.refs?.customer?.[so.customerNumber];
    if (ref === undefined)
      throw new LedgerlinkError({
        code: 'waiting_dependency',
        category: 'transient',
        message: `order ${so.number}: customer ${so.customerNumber} has no Magento customer yet; sync the customer first, or send the order as a guest order`,
      });
    customerId = Number(ref);
  }
  // An order entered before its customer had an e-mail address takes the one the customer has now.
  const lacksEmail =
    !so.customerEmail && !so.billingAddress?.email && !so.shippingAddress?.email && customerId !== undefined;
  const customer = lacksEmail
    ? (
        await client.request<MagentoCustomer>({
          method: 'GET',
          path: `V1/customers/${customerId}`,
          record: exchanges,
        })
      ).body
    : undefined;
  const entity = salesOrderToMagento(so, {
    storeId: s.storeId,
    productIds: products,
    ...(customerId !== undefined ? { customerId } : {}),
    ...(customer ? { customer } : {}),
  });
  const res = await client.request<MagentoOrder>({
    method: 'POST',
    path: ORDERS_PATH,
    body: { entity },
    record: exchanges,
  });
  const saved = res.body;
  const id = Number(saved.entity_id);
  try {
    await comment(client, id, createdComment(so.number), saved.status, exchanges);
  } catch (e) {
    // The order exists: failing the record now would only make a retry find it and stop. The
    // missing comment shows in the exchanges of this write's log entry.
    if (toErrorData(e).category === 'config') throw e;
  }
  return {
    ref: item.ref,
    ok: true,
    targetId: String(id),
    ...(saved.increment_id ? { targetNumber: saved.increment_id } : {}),
    action: 'created',
    exchanges,
  };
}

async function updateOne(
  client: MagentoClient,
  item: WriteItem,
  exchanges: HttpExchange[],
): Promise<WriteResult> {
  const so = item.data as SalesOrder;
  const id = item.targetId ?? item.existing?.id;
  if (!id) throw rejected('invalid_data', `order ${so.number}: an update needs the Magento order id`);
  const done: WriteResult = { ref: item.ref, ok: true, targetId: id, action: 'updated', exchanges };
  if (!(item.fields ?? []).includes('externalNumber')) return done;
  const erp = so.externalNumber;
  if (!erp) throw rejected('missing_field', `order ${so.number}: there is no ERP order number to write back`);
  const current =
    (item.existing?.snapshot as MagentoOrder | undefined) ??
    (await client.request<MagentoOrder>({ method: 'GET', path: `${ORDERS_PATH}/${id}`, record: exchanges }))
      .body;
  if (current.ext_order_id !== erp) {
    // Magento's order save wants the required fields of an order; they go back as they are.
    await client.request({
      method: 'POST',
      path: ORDERS_PATH,
      body: {
        entity: {
          entity_id: Number(id),
          ext_order_id: erp,
          customer_email: current.customer_email,
          grand_total: current.grand_total,
          base_grand_total: current.base_grand_total,
          items: current.items,
        },
      },
      // Setting the same value again changes nothing: safe to repeat.
      idempotent: true,
      record: exchanges,
    });
  }
  const text = erpNumberComment(erp);
  if (!(current.status_histories ?? []).some((h) => h.comment === text))
    await comment(client, Number(id), text, current.status, exchanges);
  return done;
}
