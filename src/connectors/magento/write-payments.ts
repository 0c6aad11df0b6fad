import { Decimal } from 'decimal.js';
import type { Payment } from '../../model/index.js';
import type { References, TargetRecord, WriteItem, WriteResult } from '../sdk/contract.js';
import { LedgerlinkError, rejected, toErrorData } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import type { MagentoClient } from './client.js';
import { chunks, KEYS_PER_SEARCH, searchAll } from './paging.js';
import { ORDERS_PATH } from './read-orders.js';
import type { MagentoInvoice, MagentoOrder, MagentoStatusHistory } from './sales-types.js';
import { anyOf } from './search-criteria.js';
import type { SearchResult } from './types.js';
import { INVOICES_PATH } from './write-invoices.js';

/**
 * ERP payments are reflected on the Magento orders they pay as order comments ("Payment 000045
 * (CHECK) of 120.00 USD received"), for the people answering the shopper. Magento has no API that
 * records an offline payment on an order besides an invoice, and the ERP's invoices travel on their
 * own. The comment is found again by the payment's number.
 */
const LABEL: Record<Payment['type'], string> = {
  payment: 'Payment',
  prepayment: 'Prepayment',
  refund: 'Refund',
};
const PAYMENT = ':payment:';
const INVOICE = 'invoice-';

export function paymentComment(p: Payment, amount: Decimal.Value, currency: string): string {
  const method = p.paymentMethod ? ` (${p.paymentMethod})` : '';
  const verb = p.type === 'refund' ? 'paid out' : 'received';
  return `${LABEL[p.type]} ${p.number}${method} of ${new Decimal(amount).toFixed(2)} ${currency} ${verb}`;
}

/** Whether an order comment is the one a payment left. */
export function namesPayment(comment: string, number: string): boolean {
  return Object.values(LABEL).some(
    (l) => comment === `${l} ${number}` || comment.startsWith(`${l} ${number} `),
  );
}

/**
 * `<Magento order id>:payment:<number>` by the payment's first application; for an application to
 * an invoice the order is not known until the invoice is read, so the key names the invoice
 * (`invoice-<id>:payment:<number>`) and lookup resolves it.
 */
export function paymentKey(data: unknown, refs?: References): string | undefined {
  const p = (data ?? {}) as Partial<Payment>;
  const first = p.applications?.[0];
  if (!first || typeof p.number !== 'string' || !p.number) return undefined;
  if (first.documentType === 'order') {
    const id = refs?.salesOrder?.[first.documentNumber];
    return id === undefined ? undefined : `${id}${PAYMENT}${p.number}`;
  }
  const id = refs?.invoice?.[first.documentNumber];
  return id === undefined ? undefined : `${INVOICE}${id}${PAYMENT}${p.number}`;
}

/** The orders of Magento invoices, in one search per hundred invoices. */
async function ordersOfInvoices(
  client: MagentoClient,
  invoiceIds: readonly string[],
  record?: HttpExchange[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const chunk of chunks([...new Set(invoiceIds)], KEYS_PER_SEARCH)) {
    const rows = await searchAll<MagentoInvoice>(
      client,
      INVOICES_PATH,
      [anyOf('entity_id', chunk)],
      KEYS_PER_SEARCH,
      (i) => Number(i.entity_id),
      record,
    );
    for (const i of rows) out.set(String(i.entity_id), i.order_id);
  }
  return out;
}

/** Reads the comments of the orders the keys name and matches the payment numbers. */
export async function lookupPayments(
  client: MagentoClient,
  keys: readonly string[],
): Promise<Map<string, TargetRecord>> {
  const parsed = keys.map((key) => {
    const cut = key.indexOf(PAYMENT);
    return { key, head: key.slice(0, cut), number: key.slice(cut + PAYMENT.length) };
  });
  const invoices = await ordersOfInvoices(
    client,
    parsed.filter((p) => p.head.startsWith(INVOICE)).map((p) => p.head.slice(INVOICE.length)),
  );
  const orderOf = (head: string) =>
    head.startsWith(INVOICE) ? invoices.get(head.slice(INVOICE.length)) : Number(head);
  const comments = new Map<number, MagentoStatusHistory[]>();
  for (const id of new Set(parsed.map((p) => orderOf(p.head)))) {
    if (id === undefined || !Number.isInteger(id)) continue;
    const res = await client.request<SearchResult<MagentoStatusHistory>>({
      method: 'GET',
      path: `${ORDERS_PATH}/${id}/comments`,
      accept: [404],
    });
    comments.set(id, res.status === 404 ? [] : res.body.items);
  }
  const out = new Map<string, TargetRecord>();
  for (const p of parsed) {
    const orderId = orderOf(p.head);
    const found =
      orderId === undefined
        ? undefined
        : comments.get(orderId)?.find((h) => namesPayment(h.comment, p.number));
    if (found) out.set(p.key, { id: `${orderId}${PAYMENT}${p.number}`, snapshot: found });
  }
  return out;
}

const waiting = (message: string) =>
  new LedgerlinkError({ code: 'waiting_dependency', category: 'transient', message });

/**
 * One comment per order the payment is applied to (directly, or through an invoice of it), with the
 * amount applied to that order. An order that already has the payment's comment is left alone, so
 * a repeated write adds nothing. Created once: an update has nothing to change.
 */
export async function writePayments(
  client: MagentoClient,
  items: readonly WriteItem[],
): Promise<WriteResult[]> {
  const invoiceIds = items.flatMap((i) =>
    ((i.data as Payment).applications ?? []).flatMap((a) => {
      const id = a.documentType === 'invoice' ? i.refs?.invoice?.[a.documentNumber] : undefined;
      return id === undefined ? [] : [id];
    }),
  );
  const invoices = invoiceIds.length ? await ordersOfInvoices(client, invoiceIds) : new Map<string, number>();
  return Promise.all(
    items.map(async (item): Promise<WriteResult> => {
      const exchanges: HttpExchange[] = [];
      try {
        return await writeOne(client, invoices, item, exchanges);
      } catch (e) {
        const error = toErrorData(e);
        if (error.category === 'config') throw e;
        return { ref: item.ref, ok: false, error, exchanges };
      }
    }),
  );
}

async function writeOne(
  client: MagentoClient,
  invoices: ReadonlyMap<string, number>,
  item: WriteItem,
  exchanges: HttpExchange[],
): Promise<WriteResult> {
  const p = item.data as Payment;
  const what = `payment ${p.number}`;
  if (item.action === 'update') {
    const id = item.targetId ?? item.existing?.id;
    if (!id) throw rejected('invalid_data', `${what}: an update needs its Magento id`);
    return { ref: item.ref, ok: true, targetId: id, action: 'updated', exchanges };
  }
  if (!p.applications.length)
    throw rejected(
      'invalid_data',
      `${what} is applied to no order or invoice; Magento keeps payments on orders`,
    );
  const perOrder = new Map<number, { amount: Decimal; currency: string }>();
  for (const a of p.applications) {
    let orderId: number | undefined;
    if (a.documentType === 'order') {
      const ref = item.refs?.salesOrder?.[a.documentNumber];
      if (ref === undefined)
        throw waiting(`${what}: order ${a.documentNumber} is not in Magento yet; sync the order first`);
      orderId = Number(ref);
    } else {
      const ref = item.refs?.invoice?.[a.documentNumber];
      if (ref === undefined)
        throw waiting(`${what}: invoice ${a.documentNumber} is not in Magento yet; sync the invoice first`);
      orderId = invoices.get(ref);
      if (orderId === undefined)
        throw rejected('not_found', `${what}: Magento has no invoice ${ref} (invoice ${a.documentNumber})`);
    }
    const sum = perOrder.get(orderId);
    perOrder.set(orderId, {
      amount: (sum?.amount ?? new Decimal(0)).plus(a.amount.amount),
      currency: sum?.currency ?? a.amount.currency,
    });
  }
  for (const [orderId, { amount, currency }] of perOrder) {
    const order = (
      await client.request<MagentoOrder>({
        method: 'GET',
        path: `${ORDERS_PATH}/${orderId}`,
        record: exchanges,
      })
    ).body;
    if ((order.status_histories ?? []).some((h) => namesPayment(h.comment, p.number))) continue;
    await client.request({
      method: 'POST',
      path: `${ORDERS_PATH}/${orderId}/comments`,
      body: {
        statusHistory: {
          comment: paymentComment(p, amount, currency),
          is_customer_notified: 0,
          is_visible_on_front: 0,
          parent_id: orderId,
          // Sent explicitly: Magento sets the order's status to the status of a new comment.
          ...(order.status ? { status: order.status } : {}),
        },
      },
      record: exchanges,
    });
  }
  const first = [...perOrder.keys()][0]!;
  return { ref: item.ref, ok: true, targetId: `${first}${PAYMENT}${p.number}`, action: 'created', exchanges };
}
