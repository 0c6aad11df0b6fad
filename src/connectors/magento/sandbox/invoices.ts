import { Decimal } from 'decimal.js';
import type { FastifyInstance } from 'fastify';
import { roundMoney } from '../../../model/index.js';
import type {
  MagentoDocumentItemRequest,
  MagentoInvoice,
  MagentoOrder,
  MagentoOrderItem,
} from '../sales-types.js';
import { authorised, type SandboxAuth } from './auth.js';
import { creationComments, documentReadRoutes, requestedLines } from './document-lines.js';
import { documentInvalid, NO_SUCH_ENTITY } from './errors.js';
import { canInvoice, num, orderLines, qtyToInvoice, settleState } from './order-state.js';
import { Refusal } from './orders.js';
import { SandboxStore } from './store.js';

const INVOICE = 'Magento_Sales::invoice';
const READ = 'Magento_Sales::sales_invoice';

/** The body of POST /V1/order/{orderId}/invoice. */
export interface InvoiceRequest {
  capture?: boolean;
  items?: MagentoDocumentItemRequest[];
  notify?: boolean;
  appendComment?: boolean;
  comment?: { comment: string; is_visible_on_front: number };
}

const dec = (v: number | undefined) => new Decimal(v ?? 0);

/**
 * A row's share of the invoice. A part of the row gets its share of the discount and the tax,
 * rounded to the cent; the last part gets what is left, so the invoices of an order add up to the
 * order to the cent.
 */
function invoiceRow(item: MagentoOrderItem, qty: Decimal) {
  if (qty.equals(qtyToInvoice(item))) {
    return {
      row: dec(item.row_total).minus(dec(item.row_invoiced)),
      discount: dec(item.discount_amount).minus(dec(item.discount_invoiced)),
      tax: dec(item.tax_amount).minus(dec(item.tax_invoiced)),
    };
  }
  const share = qty.div(dec(item.qty_ordered));
  return {
    row: new Decimal(roundMoney(dec(item.price).times(qty))),
    discount: new Decimal(roundMoney(dec(item.discount_amount).times(share))),
    tax: new Decimal(roundMoney(dec(item.tax_amount).times(share))),
  };
}

/** Adds an amount to an order's (or item's) running total and its base mirror. */
function add(o: Record<string, unknown>, field: string, amount: Decimal): void {
  o[field] = num(amount.plus((o[field] as number | undefined) ?? 0));
  o[`base_${field}`] = num(amount.plus((o[`base_${field}`] as number | undefined) ?? 0));
}

/**
 * InvoiceOrder: one invoice of the items asked (everything left to invoice when none are named);
 * the first invoice also carries the shipping. The money is recorded as paid — online capture for
 * a gateway, or paid offline (capture false, or an offline method such as checkmo), which is what
 * an ERP invoice means. The order's invoiced and paid amounts and its state move, and it is saved.
 */
export function invoiceOrder(
  store: SandboxStore,
  orderId: number,
  req: InvoiceRequest,
): MagentoInvoice | Refusal {
  const current = store.orders.get(orderId);
  if (!current) return new Refusal(404, NO_SUCH_ENTITY);
  if (!canInvoice(current))
    return new Refusal(
      400,
      documentInvalid('Invoice', [
        `An invoice cannot be created when an order has a status of ${current.status}`,
      ]),
    );
  const order: MagentoOrder = structuredClone(current);
  const { picked, problems } = requestedLines(orderLines(order), req.items, qtyToInvoice, {
    unknown: () => 'The invoice contains one or more items that are not part of the original order.',
    tooMuch: (sku) =>
      `The quantity to invoice must not be greater than the uninvoiced quantity for product SKU "${sku}".`,
    empty: "The invoice can't be created without products. Add products and try again.",
  });
  if (problems.length) return new Refusal(400, documentInvalid('Invoice', [...new Set(problems)]));

  const id = store.nextId('invoice');
  const t = store.now();
  let subtotal = new Decimal(0);
  let discount = new Decimal(0);
  let tax = new Decimal(0);
  const items = picked.map(({ item, qty }) => {
    const r = invoiceRow(item, qty);
    subtotal = subtotal.plus(r.row);
    discount = discount.plus(r.discount);
    tax = tax.plus(r.tax);
    const row = item as Record<string, unknown>;
    item.qty_invoiced = num(qty.plus(item.qty_invoiced ?? 0));
    add(row, 'row_invoiced', r.row);
    add(row, 'discount_invoiced', r.discount);
    add(row, 'tax_invoiced', r.tax);
    return {
      entity_id: store.nextId('invoiceItem'),
      parent_id: id,
      order_item_id: item.item_id!,
      sku: item.sku,
      ...(item.name ? { name: item.name } : {}),
      qty: num(qty),
      price: item.price ?? 0,
      row_total: num(r.row),
      discount_amount: num(r.discount),
      tax_amount: num(r.tax),
      ...(item.product_id !== undefined ? { product_id: item.product_id } : {}),
    };
  });
  const shipping = dec(order.shipping_amount).minus(dec(order.shipping_invoiced));
  const grand = subtotal.minus(discount).plus(shipping).plus(tax);
  const o = order as Record<string, unknown>;
  add(o, 'subtotal_invoiced', subtotal);
  add(o, 'discount_invoiced', discount);
  add(o, 'tax_invoiced', tax);
  add(o, 'shipping_invoiced', shipping);
  add(o, 'total_invoiced', grand);
  add(o, 'total_paid', grand);
  // Magento adds every paid invoice to total_paid, even on an order saved as paid already; what is
  // due never goes below zero.
  order.total_due = num(Decimal.max(0, dec(order.grand_total).minus(dec(order.total_paid))));
  order.base_total_due = num(Decimal.max(0, dec(order.base_grand_total).minus(dec(order.base_total_paid))));
  if (order.payment) add(order.payment, 'amount_paid', grand);

  const invoice: MagentoInvoice = {
    entity_id: id,
    increment_id: SandboxStore.incrementId(id),
    order_id: orderId,
    store_id: order.store_id ?? 1,
    state: 2,
    total_qty: num(picked.reduce((s, p) => s.plus(p.qty), new Decimal(0))),
    ...(order.order_currency_code ? { order_currency_code: order.order_currency_code } : {}),
    ...(order.base_currency_code ? { base_currency_code: order.base_currency_code } : {}),
    subtotal: num(subtotal),
    base_subtotal: num(subtotal),
    // Like the order's, an invoice's discount is the amount taken off: negative.
    discount_amount: num(discount.negated()),
    base_discount_amount: num(discount.negated()),
    shipping_amount: num(shipping),
    base_shipping_amount: num(shipping),
    tax_amount: num(tax),
    base_tax_amount: num(tax),
    grand_total: num(grand),
    base_grand_total: num(grand),
    created_at: t,
    updated_at: t,
    items,
    comments: creationComments(store, id, req, t),
  };
  store.invoices.set(id, invoice);
  settleState(order);
  store.saveOrder(order);
  return invoice;
}

/** Invoicing an order, and reading invoices. */
export function invoiceRoutes(
  app: FastifyInstance,
  prefix: string,
  store: SandboxStore,
  auth: SandboxAuth,
): void {
  app.post<{ Params: { orderId: string } }>(`${prefix}/V1/order/:orderId/invoice`, async (req, reply) => {
    if (!(await authorised(auth, req, reply, INVOICE))) return reply;
    const r = invoiceOrder(store, Number(req.params.orderId), (req.body ?? {}) as InvoiceRequest);
    if (r instanceof Refusal) return reply.code(r.status).send(r.body);
    return reply.type('application/json').send(JSON.stringify(r.entity_id));
  });

  documentReadRoutes(app, {
    prefix,
    store,
    auth,
    resource: READ,
    list: '/V1/invoices',
    one: '/V1/invoices',
    table: store.invoices,
  });
}
