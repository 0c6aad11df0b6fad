import type { FastifyInstance, FastifyReply } from 'fastify';
import type { MagentoOrder } from '../sales-types.js';
import { type InvoiceRequest, invoiceOrder } from './invoices.js';
import { cancelOrder as cancelRemainder } from './order-lifecycle.js';
import { Refusal } from './orders.js';
import { type PlaceOrderInput, placeOrder } from './place-order.js';
import { type ShipRequest, shipOrder } from './shipments.js';
import type { SandboxStore } from './store.js';

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
 * Cancels what is left of an order, as the admin's Cancel button does (order-lifecycle.ts, after
 * Order::canCancel and registerCancellation): what is neither invoiced nor shipped of each line is
 * canceled; an order with nothing invoiced becomes canceled. A complete, closed, held or already
 * canceled order, or one fully invoiced, cannot be canceled.
 */
export function cancelOrder(store: SandboxStore, id: number): MagentoOrder {
  const o = store.orders.get(id);
  if (!o) throw new Error(`the sandbox has no order ${id}`);
  const done = cancelRemainder(store, id);
  if (done instanceof Refusal) throw done;
  if (!done)
    throw new Error(
      `order ${o.increment_id} cannot be canceled in state ${o.state} (Magento: You can't cancel this order.)`,
    );
  return store.orders.get(id)!;
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
