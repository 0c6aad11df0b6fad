import { Decimal } from 'decimal.js';
import type { FastifyInstance } from 'fastify';
import { roundMoney } from '../../../model/index.js';
import type {
  MagentoCreditmemo,
  MagentoCreditmemoItemRequest,
  MagentoOrder,
  MagentoOrderItem,
} from '../sales-types.js';
import { authorised, type SandboxAuth } from './auth.js';
import { creationComments, documentReadRoutes, requestedLines } from './document-lines.js';
import { documentInvalid, fail, NO_SUCH_ENTITY } from './errors.js';
import { num, orderLines, qtyToInvoice, qtyToShip } from './order-state.js';
import { Refusal } from './orders.js';
import { SandboxStore } from './store.js';

/**
 * What an order goes through after it is placed, as Magento 2.4's Sales module does it (Order::hold,
 * unhold, cancel / registerCancellation, and RefundOrder with its credit memo): the states, the
 * amounts canceled and refunded, and what each refuses. Every change saves the order, so it is
 * announced (sales_order_save_after) like any other save.
 */

const dec = (v: number | undefined) => new Decimal(v ?? 0);

/** Order::canHold: a canceled, completed, closed, held or payment-review order cannot be held. */
export const canHold = (o: MagentoOrder): boolean =>
  !['canceled', 'payment_review', 'complete', 'closed', 'holded'].includes(o.state ?? '');

/** Order::canUnhold. */
export const canUnhold = (o: MagentoOrder): boolean => o.state === 'holded';

/**
 * Order::canCancel: not while held or under payment review, not once canceled, complete or closed,
 * and not when everything is invoiced — the money of an invoiced order goes back by credit memo.
 */
export function canCancel(o: MagentoOrder): boolean {
  if (canUnhold(o) || o.state === 'payment_review') return false;
  if (['canceled', 'complete', 'closed'].includes(o.state ?? '')) return false;
  return orderLines(o).some((i) => qtyToInvoice(i).gt(0));
}

/** Order::canCreditmemo: money paid and not yet given back, on an order that is neither held nor closed. */
export function canCreditmemo(o: MagentoOrder): boolean {
  if (canUnhold(o) || o.state === 'payment_review') return false;
  if (o.state === 'canceled' || o.state === 'closed') return false;
  return dec(o.total_paid).minus(dec(o.total_refunded)).gt(0);
}

/** A state's default status, as a fresh store's order status configuration has it. */
const DEFAULT_STATUS: Record<string, string> = {
  new: 'pending',
  processing: 'processing',
  complete: 'complete',
  closed: 'closed',
  canceled: 'canceled',
  holded: 'holded',
};

function setState(o: MagentoOrder, state: string): void {
  o.state = state;
  o.status = DEFAULT_STATUS[state] ?? state;
}

function add(o: Record<string, unknown>, field: string, amount: Decimal.Value): void {
  o[field] = num(new Decimal(amount).plus((o[field] as number | undefined) ?? 0));
  o[`base_${field}`] = num(new Decimal(amount).plus((o[`base_${field}`] as number | undefined) ?? 0));
}

function orderOf(store: SandboxStore, id: number): MagentoOrder | Refusal {
  const o = store.orders.get(id);
  return o ? structuredClone(o) : new Refusal(404, NO_SUCH_ENTITY);
}

/** POST /V1/orders/{id}/hold: the state it had is kept to go back to. */
export function holdOrder(store: SandboxStore, id: number): MagentoOrder | Refusal {
  const o = orderOf(store, id);
  if (o instanceof Refusal) return o;
  if (!canHold(o)) return new Refusal(400, fail('A hold action is not available.'));
  o.hold_before_state = o.state ?? 'new';
  o.hold_before_status = o.status ?? 'pending';
  setState(o, 'holded');
  return store.saveOrder(o);
}

/** POST /V1/orders/{id}/unhold: back to the state and status it had before the hold. */
export function unholdOrder(store: SandboxStore, id: number): MagentoOrder | Refusal {
  const o = orderOf(store, id);
  if (o instanceof Refusal) return o;
  if (!canUnhold(o)) return new Refusal(400, fail('You cannot remove the hold.'));
  o.state = o.hold_before_state ?? 'new';
  o.status = o.hold_before_status ?? DEFAULT_STATUS[o.state] ?? 'pending';
  delete o.hold_before_state;
  delete o.hold_before_status;
  return store.saveOrder(o);
}

/**
 * POST /V1/orders/{id}/cancel (OrderManagement::cancel): false when the order cannot be canceled.
 * registerCancellation cancels what is neither invoiced nor shipped on each line and books the
 * amounts canceled; an order with nothing invoiced ends canceled, one with invoiced lines stays in
 * processing (or complete, when nothing is left to ship).
 */
export function cancelOrder(store: SandboxStore, id: number): boolean | Refusal {
  const o = orderOf(store, id);
  if (o instanceof Refusal) return o;
  if (!canCancel(o)) return false;
  let state = 'canceled';
  for (const i of orderLines(o)) {
    const toCancel = Decimal.min(qtyToInvoice(i), qtyToShip(i));
    const toRefund = dec(i.qty_invoiced).minus(dec(i.qty_refunded));
    if (state !== 'processing' && toRefund.gt(0))
      state = qtyToShip(i).gt(toCancel) ? 'processing' : 'complete';
    i.qty_canceled = num(toCancel.plus(dec(i.qty_canceled)));
  }
  const r = o as Record<string, unknown>;
  add(r, 'subtotal_canceled', dec(o.subtotal).minus(dec(o.subtotal_invoiced)));
  add(r, 'tax_canceled', dec(o.tax_amount).minus(dec(o.tax_invoiced)));
  add(r, 'shipping_canceled', dec(o.shipping_amount).minus(dec(o.shipping_invoiced)));
  add(r, 'total_canceled', dec(o.grand_total).minus(dec(o.total_paid)));
  setState(o, state);
  store.saveOrder(o);
  return true;
}

/** The body of POST /V1/order/{orderId}/refund (RefundOrder). */
export interface RefundRequest {
  items?: MagentoCreditmemoItemRequest[];
  notify?: boolean;
  appendComment?: boolean;
  comment?: { comment: string; is_visible_on_front: number };
  arguments?: { shipping_amount?: number; adjustment_positive?: number; adjustment_negative?: number };
}

const qtyToRefund = (i: MagentoOrderItem) => Decimal.max(0, dec(i.qty_invoiced).minus(dec(i.qty_refunded)));

/** A row's share of the credit memo: the rest of what was invoiced, or a part in proportion, to the cent. */
function refundRow(i: MagentoOrderItem, qty: Decimal) {
  if (qty.equals(qtyToRefund(i)))
    return {
      row: dec(i.row_invoiced).minus(dec(i.amount_refunded)),
      discount: dec(i.discount_invoiced).minus(dec(i.discount_refunded)),
      tax: dec(i.tax_invoiced).minus(dec(i.tax_refunded)),
    };
  const share = qty.div(dec(i.qty_invoiced));
  return {
    row: new Decimal(roundMoney(dec(i.price).times(qty))),
    discount: new Decimal(roundMoney(dec(i.discount_invoiced).times(share))),
    tax: new Decimal(roundMoney(dec(i.tax_invoiced).times(share))),
  };
}

/**
 * RefundOrder, offline: a credit memo of the items asked (every refundable item when none are named),
 * the shipping still refundable unless `arguments.shipping_amount` says otherwise, and the
 * adjustments. It gives back at most what was paid and not yet refunded. The order's refunded
 * amounts move; once everything is invoiced and the money is all back, the order is closed.
 */
export function refundOrder(
  store: SandboxStore,
  orderId: number,
  req: RefundRequest,
): MagentoCreditmemo | Refusal {
  const o = orderOf(store, orderId);
  if (o instanceof Refusal) return o;
  if (!canCreditmemo(o))
    return new Refusal(
      400,
      documentInvalid('Creditmemo', ['The order does not allow a creditmemo to be created.']),
    );
  const { picked, problems } = requestedLines(orderLines(o), req.items, qtyToRefund, {
    unknown: () => 'The creditmemo contains one or more items that are not part of the original order.',
    tooMuch: (sku) =>
      `The quantity to refund must not be greater than the unrefunded quantity for product SKU "${sku}".`,
    empty: '',
  });
  const realProblems = problems.filter(Boolean);
  if (realProblems.length) return new Refusal(400, documentInvalid('Creditmemo', realProblems));
  const shippingLeft = dec(o.shipping_invoiced).minus(dec(o.shipping_refunded));
  const shipping =
    req.arguments?.shipping_amount === undefined ? shippingLeft : dec(req.arguments.shipping_amount);
  if (shipping.gt(shippingLeft))
    return new Refusal(
      400,
      documentInvalid('Creditmemo', [
        `Maximum shipping amount allowed to refund is: ${shippingLeft.toFixed(2)}`,
      ]),
    );
  const adjPositive = dec(req.arguments?.adjustment_positive);
  const adjNegative = dec(req.arguments?.adjustment_negative);

  const id = store.nextId('creditmemo');
  const t = store.now();
  let subtotal = new Decimal(0);
  let discount = new Decimal(0);
  let tax = new Decimal(0);
  const items = picked.map(({ item, qty }) => {
    const r = refundRow(item, qty);
    subtotal = subtotal.plus(r.row);
    discount = discount.plus(r.discount);
    tax = tax.plus(r.tax);
    const row = item as Record<string, unknown>;
    item.qty_refunded = num(qty.plus(dec(item.qty_refunded)));
    add(row, 'amount_refunded', r.row);
    add(row, 'tax_refunded', r.tax);
    add(row, 'discount_refunded', r.discount);
    return {
      entity_id: store.nextId('creditmemoItem'),
      parent_id: id,
      order_item_id: item.item_id!,
      sku: item.sku,
      ...(item.name ? { name: item.name } : {}),
      qty: num(qty),
      price: item.price ?? 0,
      base_price: item.base_price ?? item.price ?? 0,
      base_cost: 0,
      row_total: num(r.row),
      discount_amount: num(r.discount),
      tax_amount: num(r.tax),
      ...(item.product_id !== undefined ? { product_id: item.product_id } : {}),
    };
  });
  const grand = subtotal.minus(discount).plus(tax).plus(shipping).plus(adjPositive).minus(adjNegative);
  const available = dec(o.total_paid).minus(dec(o.total_refunded));
  if (grand.gt(available))
    return new Refusal(
      400,
      documentInvalid('Creditmemo', [`The most money available to refund is ${available.toFixed(2)}.`]),
    );
  if (grand.lte(0))
    return new Refusal(400, documentInvalid('Creditmemo', ["The credit memo's total must be positive."]));

  const r = o as Record<string, unknown>;
  add(r, 'subtotal_refunded', subtotal);
  add(r, 'discount_refunded', discount);
  add(r, 'tax_refunded', tax);
  add(r, 'shipping_refunded', shipping);
  add(r, 'total_refunded', grand);
  add(r, 'total_offline_refunded', grand);
  if (!adjPositive.isZero()) add(r, 'adjustment_positive', adjPositive);
  if (!adjNegative.isZero()) add(r, 'adjustment_negative', adjNegative);
  if (o.payment) add(o.payment, 'amount_refunded', grand);

  // OrderStateResolver: once nothing is left to invoice, an order whose money is all back is closed;
  // one with nothing left to ship is complete; the rest is in processing.
  const lines = orderLines(o);
  if (!lines.some((i) => qtyToInvoice(i).gt(0))) {
    if (!canCreditmemo(o)) setState(o, 'closed');
    else if (!lines.some((i) => qtyToShip(i).gt(0))) setState(o, 'complete');
    else setState(o, 'processing');
  } else if (o.state === 'new') setState(o, 'processing');

  const memo: MagentoCreditmemo = {
    entity_id: id,
    increment_id: SandboxStore.incrementId(id),
    order_id: orderId,
    store_id: o.store_id ?? 1,
    state: 2,
    ...(o.order_currency_code ? { order_currency_code: o.order_currency_code } : {}),
    ...(o.base_currency_code ? { base_currency_code: o.base_currency_code } : {}),
    subtotal: num(subtotal),
    base_subtotal: num(subtotal),
    discount_amount: num(discount.negated()),
    base_discount_amount: num(discount.negated()),
    shipping_amount: num(shipping),
    base_shipping_amount: num(shipping),
    tax_amount: num(tax),
    base_tax_amount: num(tax),
    adjustment_positive: num(adjPositive),
    adjustment_negative: num(adjNegative),
    grand_total: num(grand),
    base_grand_total: num(grand),
    created_at: t,
    updated_at: t,
    items,
    comments: creationComments(store, id, req, t),
  };
  store.creditmemos.set(id, memo);
  store.saveOrder(o);
  return memo;
}

const CANCEL = 'Magento_Sales::cancel';
const HOLD = 'Magento_Sales::hold';
const UNHOLD = 'Magento_Sales::unhold';
const CREDITMEMO = 'Magento_Sales::creditmemo';
const READ = 'Magento_Sales::sales_creditmemo';

/** Cancel, hold, unhold (each answers a boolean, as OrderManagementInterface does), refunds and credit memos. */
export function lifecycleRoutes(
  app: FastifyInstance,
  prefix: string,
  store: SandboxStore,
  auth: SandboxAuth,
): void {
  const json = (v: unknown) => JSON.stringify(v);
  app.post<{ Params: { id: string } }>(`${prefix}/V1/orders/:id/cancel`, async (req, reply) => {
    if (!(await authorised(auth, req, reply, CANCEL))) return reply;
    const r = cancelOrder(store, Number(req.params.id));
    if (r instanceof Refusal) return reply.code(r.status).send(r.body);
    return reply.type('application/json').send(json(r));
  });
  for (const [verb, resource, run] of [
    ['hold', HOLD, holdOrder],
    ['unhold', UNHOLD, unholdOrder],
  ] as const) {
    app.post<{ Params: { id: string } }>(`${prefix}/V1/orders/:id/${verb}`, async (req, reply) => {
      if (!(await authorised(auth, req, reply, resource))) return reply;
      const r = run(store, Number(req.params.id));
      if (r instanceof Refusal) return reply.code(r.status).send(r.body);
      return reply.type('application/json').send(json(true));
    });
  }
  app.post<{ Params: { orderId: string } }>(`${prefix}/V1/order/:orderId/refund`, async (req, reply) => {
    if (!(await authorised(auth, req, reply, CREDITMEMO))) return reply;
    const r = refundOrder(store, Number(req.params.orderId), (req.body ?? {}) as RefundRequest);
    if (r instanceof Refusal) return reply.code(r.status).send(r.body);
    return reply.type('application/json').send(json(r.entity_id));
  });
  documentReadRoutes(app, {
    prefix,
    store,
    auth,
    resource: READ,
    list: '/V1/creditmemos',
    one: '/V1/creditmemo',
    table: store.creditmemos,
  });
}
