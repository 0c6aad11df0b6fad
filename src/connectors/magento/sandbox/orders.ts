import { Decimal } from 'decimal.js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type {
  MagentoOrder,
  MagentoOrderAddress,
  MagentoOrderItem,
  MagentoStatusHistory,
} from '../sales-types.js';
import { authorised, type SandboxAuth } from './auth.js';
import { type ErrorBody, NO_SUCH_ENTITY, NO_SUCH_PRODUCT, noSuch, required } from './errors.js';
import { num } from './order-state.js';
import { searchRoute } from './search.js';
import { SandboxStore } from './store.js';

const VIEW = 'Magento_Sales::actions_view';
const CREATE = 'Magento_Sales::create';
const COMMENT = 'Magento_Sales::comment';

/** A refusal: the status and Magento's error body. */
export class Refusal {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {}
}

const refuse = (status: number, body: ErrorBody): Refusal => new Refusal(status, body);

/** An order as the API answers it: Magento's loader lists the order's items in its shipping assignment. */
export function orderView(o: MagentoOrder): MagentoOrder {
  const copy = structuredClone(o);
  for (const a of copy.extension_attributes?.shipping_assignments ?? []) a.items = structuredClone(o.items);
  return copy;
}

/** The amounts Magento keeps twice, in the order's currency and in the base currency. */
const MIRRORED_ORDER = [
  'subtotal',
  'subtotal_incl_tax',
  'discount_amount',
  'shipping_amount',
  'shipping_incl_tax',
  'shipping_tax_amount',
  'tax_amount',
  'grand_total',
  'total_paid',
  'total_due',
  'total_invoiced',
] as const;
const MIRRORED_ITEM = [
  'price',
  'original_price',
  'price_incl_tax',
  'row_total',
  'row_total_incl_tax',
  'discount_amount',
  'tax_amount',
] as const;

function mirror(o: Record<string, unknown>, fields: readonly string[]): void {
  for (const f of fields) if (o[`base_${f}`] === undefined && o[f] !== undefined) o[`base_${f}`] = o[f];
}

const truthy = (v: unknown) => v === true || v === 1 || v === '1';

function addressProblem(a: MagentoOrderAddress | undefined, what: string): ErrorBody | undefined {
  if (!a) return required(what);
  for (const f of ['firstname', 'lastname', 'city', 'postcode', 'country_id', 'telephone'] as const)
    if (!a[f]) return required(f);
  if (!a.street?.length || !a.street[0]) return required('street');
  return undefined;
}

/**
 * POST /V1/orders without an entity id: Magento saves the order as sent — totals are not recomputed —
 * and gives it an id, a number (increment_id), timestamps and ids for its items, addresses and
 * payment. The customer must exist unless the order is a guest's, and every SKU must be in the
 * catalog.
 */
export function createOrder(store: SandboxStore, sent: MagentoOrder): MagentoOrder | Refusal {
  if (!sent.customer_email) return refuse(400, required('customer_email'));
  if (!sent.items?.length) return refuse(400, required('items'));
  const guest = truthy(sent.customer_is_guest);
  if (!guest) {
    if (sent.customer_id === undefined || sent.customer_id === null)
      return refuse(400, required('customer_id'));
    if (!store.customers.has(Number(sent.customer_id)))
      return refuse(404, noSuch('customerId', String(sent.customer_id)));
  }
  for (const i of sent.items) if (!store.productBySku(i.sku)) return refuse(404, NO_SUCH_PRODUCT);
  const billingProblem = addressProblem(sent.billing_address, 'billing_address');
  if (billingProblem) return refuse(400, billingProblem);
  const assignments = sent.extension_attributes?.shipping_assignments ?? [];
  for (const a of assignments) {
    const problem = a.shipping.address && addressProblem(a.shipping.address, 'shipping_address');
    if (problem) return refuse(400, problem);
  }

  const id = store.nextId('order');
  const t = store.now();
  const currency = sent.order_currency_code ?? 'USD';
  const items = sent.items.map((i): MagentoOrderItem => {
    const p = store.productBySku(i.sku)!;
    const item: MagentoOrderItem = {
      product_type: 'simple',
      qty_ordered: 0,
      price: 0,
      row_total: 0,
      discount_amount: 0,
      tax_amount: 0,
      tax_percent: 0,
      is_virtual: 0,
      store_id: sent.store_id ?? 1,
      ...structuredClone(i),
      qty_shipped: 0,
      qty_invoiced: 0,
      qty_canceled: 0,
      qty_refunded: 0,
      row_invoiced: 0,
      discount_invoiced: 0,
      tax_invoiced: 0,
      sku: p.sku,
      name: i.name ?? p.name ?? p.sku,
      product_id: i.product_id ?? p.id!,
      item_id: store.nextId('orderItem'),
      order_id: id,
      created_at: t,
      updated_at: t,
    };
    item.original_price ??= item.price;
    mirror(item, MIRRORED_ITEM);
    return item;
  });
  const address = (a: MagentoOrderAddress, type: 'billing' | 'shipping'): MagentoOrderAddress => ({
    ...structuredClone(a),
    address_type: type,
    entity_id: store.nextId('orderAddress'),
    parent_id: id,
  });
  const paid = sent.total_paid ?? 0;
  const o: MagentoOrder = {
    state: 'new',
    status: 'pending',
    store_id: 1,
    base_currency_code: currency,
    global_currency_code: currency,
    store_currency_code: currency,
    base_to_order_rate: 1,
    subtotal: 0,
    discount_amount: 0,
    shipping_amount: 0,
    tax_amount: 0,
    total_invoiced: 0,
    ...structuredClone(sent),
    order_currency_code: currency,
    entity_id: id,
    increment_id: sent.increment_id ?? SandboxStore.incrementId(id),
    customer_is_guest: guest ? 1 : 0,
    created_at: t,
    updated_at: t,
    total_paid: paid,
    total_due: sent.total_due ?? num(new Decimal(sent.grand_total ?? 0).minus(paid)),
    total_qty_ordered: num(items.reduce((n, i) => n.plus(i.qty_ordered ?? 0), new Decimal(0))),
    total_item_count: items.length,
    items,
    billing_address: address(sent.billing_address!, 'billing'),
    payment: {
      account_status: '',
      additional_information: [],
      cc_last4: '',
      ...structuredClone(sent.payment),
      method: sent.payment?.method ?? 'checkmo',
      entity_id: store.nextId('payment'),
      parent_id: id,
      amount_ordered: sent.grand_total,
      base_amount_ordered: sent.base_grand_total,
      amount_paid: paid,
      base_amount_paid: sent.base_total_paid ?? paid,
    },
    status_histories: (sent.status_histories ?? []).map((h) => ({
      ...h,
      entity_id: store.nextId('history'),
      parent_id: id,
      status: h.status ?? sent.status ?? 'pending',
      created_at: t,
      entity_name: 'order',
    })),
    extension_attributes: {
      ...structuredClone(sent.extension_attributes),
      shipping_assignments: assignments.map((a) => ({
        ...structuredClone(a),
        shipping: {
          ...structuredClone(a.shipping),
          ...(a.shipping.address ? { address: address(a.shipping.address, 'shipping') } : {}),
        },
        items: [],
      })),
    },
  };
  if (guest) delete o.customer_id;
  mirror(o, MIRRORED_ORDER);
  return store.saveOrder(o);
}

/**
 * POST /V1/orders with an entity id: the fields sent are laid over the order as it is (ext_order_id,
 * status, …); items are matched by item_id. What is not sent stays as it was.
 */
export function updateOrder(store: SandboxStore, sent: MagentoOrder): MagentoOrder | Refusal {
  const current = store.orders.get(Number(sent.entity_id));
  if (!current) return refuse(404, NO_SUCH_ENTITY);
  const {
    entity_id: _id,
    increment_id: _number,
    created_at: _created,
    updated_at: _updated,
    status_histories: _histories,
    items,
    billing_address,
    payment,
    extension_attributes,
    ...fields
  } = structuredClone(sent);
  const next = structuredClone(current);
  Object.assign(next, fields);
  if (billing_address)
    Object.assign(next.billing_address ?? {}, billing_address, { address_type: 'billing' });
  if (payment) next.payment = { ...next.payment!, ...payment };
  for (const i of items ?? []) {
    const target = next.items.find((x) => x.item_id !== undefined && x.item_id === i.item_id);
    if (target) Object.assign(target, i, { item_id: target.item_id, order_id: target.order_id });
  }
  if (extension_attributes) {
    const { shipping_assignments: _assignments, ...rest } = extension_attributes;
    next.extension_attributes = { ...next.extension_attributes, ...rest };
  }
  return store.saveOrder(next);
}

/** POST /V1/orders/{id}/comments: a comment in the order's history; a status in it becomes the order's. */
export function addComment(
  store: SandboxStore,
  orderId: number,
  h: Partial<MagentoStatusHistory> | undefined,
): MagentoOrder | Refusal {
  if (!h) return refuse(400, required('statusHistory'));
  if (!h.comment) return refuse(400, required('comment'));
  const current = store.orders.get(orderId);
  if (!current) return refuse(404, NO_SUCH_ENTITY);
  const next = structuredClone(current);
  if (h.status) next.status = h.status;
  next.status_histories = [
    ...(next.status_histories ?? []),
    {
      entity_id: store.nextId('history'),
      parent_id: orderId,
      comment: h.comment,
      is_customer_notified: h.is_customer_notified ? 1 : 0,
      is_visible_on_front: h.is_visible_on_front ? 1 : 0,
      ...(next.status ? { status: next.status } : {}),
      created_at: store.now(),
      entity_name: 'order',
    },
  ];
  return store.saveOrder(next);
}

const answer = (reply: FastifyReply, r: MagentoOrder | Refusal) =>
  r instanceof Refusal ? reply.code(r.status).send(r.body) : orderView(r);

/** Orders: search, read, save (create or update) and comments. */
export function orderRoutes(
  app: FastifyInstance,
  prefix: string,
  store: SandboxStore,
  auth: SandboxAuth,
): void {
  app.get(`${prefix}/V1/orders`, async (req, reply) => {
    if (!(await authorised(auth, req, reply, VIEW))) return reply;
    return searchRoute(req, reply, [...store.orders.values()], (o, f) => o[f], store.inputLimits, orderView);
  });

  app.get<{ Params: { id: string } }>(`${prefix}/V1/orders/:id`, async (req, reply) => {
    if (!(await authorised(auth, req, reply, VIEW))) return reply;
    const o = store.orders.get(Number(req.params.id));
    return o ? orderView(o) : reply.code(404).send(NO_SUCH_ENTITY);
  });

  app.post(`${prefix}/V1/orders`, async (req, reply) => {
    if (!(await authorised(auth, req, reply, CREATE))) return reply;
    const entity = (req.body as { entity?: MagentoOrder } | undefined)?.entity;
    if (!entity) return reply.code(400).send(required('entity'));
    const saved =
      entity.entity_id === undefined || entity.entity_id === null
        ? createOrder(store, entity)
        : updateOrder(store, entity);
    return answer(reply, saved);
  });

  app.get<{ Params: { id: string } }>(`${prefix}/V1/orders/:id/comments`, async (req, reply) => {
    if (!(await authorised(auth, req, reply, COMMENT))) return reply;
    const o = store.orders.get(Number(req.params.id));
    if (!o) return reply.code(404).send(NO_SUCH_ENTITY);
    const items = o.status_histories ?? [];
    return { items, search_criteria: { filter_groups: [] }, total_count: items.length };
  });

  app.post<{ Params: { id: string } }>(`${prefix}/V1/orders/:id/comments`, async (req, reply) => {
    if (!(await authorised(auth, req, reply, COMMENT))) return reply;
    const h = (req.body as { statusHistory?: Partial<MagentoStatusHistory> } | undefined)?.statusHistory;
    const saved = addComment(store, Number(req.params.id), h);
    if (saved instanceof Refusal) return reply.code(saved.status).send(saved.body);
    // Magento answers whether the comment was saved.
    return reply.type('application/json').send('true');
  });
}
