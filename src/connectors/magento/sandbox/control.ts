import { Decimal } from 'decimal.js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { MagentoOrder } from '../sales-types.js';
import { type InvoiceRequest, invoiceOrder } from './invoices.js';
import { num, orderLines, qtyToInvoice, qtyToShip, settleState } from './order-state.js';
import { Refusal } from './orders.js';
import { type PlaceOrderInput, placeOrder } from './place-order.js';
import { type ShipRequest, shipOrder } from './shipments.js';
import type { SandboxStore } from './store.js';

/** States Magento cancels nothing in (Order::canCancel). */
const UNCANCELABLE = new Set(['canceled', 'complete', 'closed', 'holded', 'payment_review']);

/** What POST /_sandbox/orders takes: PlaceOrderInput, where every field may be left out. */
export type PlaceOrderBody = Partial<Omit<PlaceOrderInput, 'lines'>> & {
  lines?: Array<{ sku: string; qty?: number; taxPercent?: number }>;
};

/** An order as the sandbox's verbs answer it: what a person looks at in the admin's order view. */
export function orderSummary(o: MagentoOrder) {
  return {
    entityId: o.entity_id ?? null,
    incrementId: o.increment_id ?? null,
    state: o.state ?? null,
    status: o.status ?? null,
    grandTotal: o.grand_total,
    totalPaid: o.total_paid ?? 0,
    totalDue: o.total_due ?? null,
  };
}

/**
 * Cancels what is left of an order, as the admin's Cancel button does (Order::registerCancellation):
 * each line's quantity neither shipped nor invoiced is canceled; an order with nothing invoiced or
 * shipped becomes canceled, one with part of it done goes on with the rest canceled. A complete,
 * closed, held or already canceled order, or one fully invoiced, cannot be canceled.
 */
export function cancelOrder(store: SandboxStore, id: number): MagentoOrder {
  const current = store.orders.get(id);
  if (!current) throw new Error(`the sandbox has no order ${id}`);
  const o = structuredClone(current);
  const lines = orderLines(o);
  if (UNCANCELABLE.has(o.state ?? '') || !lines.some((i) => qtyToInvoice(i).gt(0)))
    throw new Error(
      `order ${o.increment_id} cannot be canceled in state ${o.state} (Magento: You can't cancel this order.)`,
    );
  for (const i of lines) {
    const cancel = Decimal.min(qtyToShip(i), qtyToInvoice(i));
    i.qty_canceled = num(cancel.plus(i.qty_canceled ?? 0));
  }
  const done = lines.some((i) => (i.qty_invoiced ?? 0) > 0 || (i.qty_shipped ?? 0) > 0);
  const canceled = new Decimal(o.grand_total).minus(o.total_invoiced ?? 0);
  Object.assign(o as Record<string, unknown>, {
    total_canceled: num(canceled),
    base_total_canceled: num(canceled),
    subtotal_canceled: num(new Decimal(o.subtotal ?? 0).minus(o.subtotal_invoiced ?? 0)),
    base_subtotal_canceled: num(new Decimal(o.subtotal ?? 0).minus(o.subtotal_invoiced ?? 0)),
  });
  if (done) settleState(o);
  else {
    o.state = 'canceled';
    o.status = 'canceled';
  }
  return store.saveOrder(o);
}

/**
 * People at work in the store, over HTTP, for `ledgerlink sandbox magento <verb>` and anyone with curl:
 * a shopper places an order; the admin ships, invoices or cancels it; the payment is captured. An
 * order is named by its entity id or its number (increment id). Each saves through the same code as
 * the REST API, so it is announced to the webhooks like any save; a refusal answers 400 with
 * Magento's words.
 */
export function controlRoutes(app: FastifyInstance, store: SandboxStore): void {
  const refuse = (reply: FastifyReply, e: unknown) =>
    reply.code(400).send({
      message: e instanceof Refusal ? e.body.message : e instanceof Error ? e.message : String(e),
    });
  const idOf = (ref: string): number => {
    const byNumber = [...store.orders.values()].find((o) => o.increment_id === ref);
    const id = byNumber?.entity_id ?? (/^\d+$/.test(ref) ? Number(ref) : Number.NaN);
    if (!store.orders.has(id)) throw new Error(`the sandbox has no order ${ref}`);
    return id;
  };
  const summary = (id: number) => orderSummary(store.orders.get(id)!);
  const invoice = (id: number, req: InvoiceRequest) => {
    const r = invoiceOrder(store, id, req);
    if (r instanceof Refusal) throw r;
    return { entityId: r.entity_id, incrementId: r.increment_id, grandTotal: r.grand_total };
  };

  app.post<{ Body: PlaceOrderBody | undefined }>('/_sandbox/orders', async (req, reply) => {
    const b = req.body ?? {};
    try {
      const firstCustomer = store.customers.keys().next().value;
      const firstSku = store.products.keys().next().value;
      const lines = b.lines?.length
        ? b.lines.map((l) => ({ sku: l.sku, qty: l.qty ?? 1, taxPercent: l.taxPercent ?? 8.875 }))
        : firstSku
          ? [{ sku: firstSku, qty: 1, taxPercent: 8.875 }]
          : [];
      if (!lines.length)
        throw new Error('the store has no products; sync some from the ERP, or start it with --products');
      const who =
        b.customerId !== undefined || b.guest
          ? {}
          : firstCustomer !== undefined
            ? { customerId: firstCustomer }
            : { guest: { email: 'guest@example.com', firstname: 'Guest', lastname: 'Shopper' } };
      const order = placeOrder(store, { ...b, ...who, lines } as PlaceOrderInput);
      return reply.code(201).send({ order: orderSummary(order) });
    } catch (e) {
      return refuse(reply, e);
    }
  });

  app.post<{ Params: { ref: string }; Body: ShipRequest | undefined }>(
    '/_sandbox/orders/:ref/ship',
    async (req, reply) => {
      try {
        const id = idOf(req.params.ref);
        const r = shipOrder(store, id, {
          tracks: [
            {
              track_number: `1Z${String(Date.now()).slice(-10)}`,
              title: 'Flat Rate',
              carrier_code: 'custom',
            },
          ],
          ...req.body,
        });
        if (r instanceof Refusal) throw r;
        return { shipment: { entityId: r.entity_id, incrementId: r.increment_id }, order: summary(id) };
      } catch (e) {
        return refuse(reply, e);
      }
    },
  );

  // Magento records a payment as a paid invoice: "invoice" invoices offline (what an ERP's invoice
  // means), "pay" captures the payment online — both leave a paid invoice and move total_paid.
  app.post<{ Params: { ref: string }; Body: InvoiceRequest | undefined }>(
    '/_sandbox/orders/:ref/invoice',
    async (req, reply) => {
      try {
        const id = idOf(req.params.ref);
        return { invoice: invoice(id, { capture: false, ...req.body }), order: summary(id) };
      } catch (e) {
        return refuse(reply, e);
      }
    },
  );
  app.post<{ Params: { ref: string } }>('/_sandbox/orders/:ref/pay', async (req, reply) => {
    try {
      const id = idOf(req.params.ref);
      return { invoice: invoice(id, { capture: true }), order: summary(id) };
    } catch (e) {
      return refuse(reply, e);
    }
  });

  app.post<{ Params: { ref: string } }>('/_sandbox/orders/:ref/cancel', async (req, reply) => {
    try {
      const id = idOf(req.params.ref);
      cancelOrder(store, id);
      return { order: summary(id) };
    } catch (e) {
      return refuse(reply, e);
    }
  });
}
