import type { FastifyInstance, FastifyReply } from 'fastify';
import { type RawSalesOrder, str, val } from '../types.js';
import type { SalesHelpers, SalesOrderInput } from './helpers.js';
import type { SalesStore } from './store.js';

/** What POST /_sandbox/orders takes: every field may be left out (the first customer, one of the first item). */
export interface EnterOrderBody {
  customerId?: string;
  lines?: Array<{ inventoryId: string; qty?: number }>;
  shipVia?: string;
  paymentMethod?: string;
  taxIds?: string[];
  orderType?: string;
}

const money = (o: RawSalesOrder | undefined, field: 'OrderTotal') => val(o?.[field]) ?? 0;

/** An order as the sandbox's verbs answer it: what a person looks at on the Sales Orders screen. */
export function orderSummary(o: RawSalesOrder) {
  return {
    orderType: str(o.OrderType) ?? null,
    orderNbr: str(o.OrderNbr) ?? null,
    customerId: str(o.CustomerID) ?? null,
    status: str(o.Status) ?? null,
    orderTotal: money(o, 'OrderTotal'),
    unpaidBalance: val(o.Totals?.UnpaidBalance) ?? null,
  };
}

/**
 * People at work in the sandbox, over HTTP, for `ledgerlink sandbox acumatica <verb>` and anyone with
 * curl: enter an order, pay it, ship it, invoice it. Each is what a person does on Acumatica's
 * screens (the same helpers the tests and the demo use), so it is numbered, validated and pushed to
 * the push destinations like any save; a refusal answers 400 with Acumatica's words.
 */
export function controlRoutes(app: FastifyInstance, store: SalesStore, helpers: SalesHelpers): void {
  const refuse = (reply: FastifyReply, e: unknown) =>
    reply.code(400).send({ message: e instanceof Error ? e.message : String(e) });
  const orderOf = (nbr: string): RawSalesOrder => {
    const o = store.orders.get(nbr);
    if (!o) throw new Error(`the sandbox has no sales order ${nbr}`);
    return o;
  };
  /** Shipments of an order, in number order. */
  const shipmentsOf = (nbr: string) =>
    [...store.shipments.values()]
      .filter((s) => (s.Details ?? []).some((d) => str(d.OrderNbr) === nbr))
      .sort((a, b) => String(str(a.ShipmentNbr)).localeCompare(String(str(b.ShipmentNbr))));

  app.post<{ Body: EnterOrderBody | undefined }>('/_sandbox/orders', async (req, reply) => {
    const b = req.body ?? {};
    try {
      const customerId = b.customerId ?? store.ctx.customers.keys().next().value;
      const first = store.ctx.items.keys().next().value;
      if (!customerId) throw new Error('the sandbox has no customers; start it with --customers');
      const lines = b.lines?.length
        ? b.lines.map((l) => ({ inventoryId: l.inventoryId, qty: l.qty ?? 1 }))
        : first
          ? [{ inventoryId: first, qty: 1 }]
          : [];
      if (!lines.length) throw new Error('the sandbox has no stock items; start it with --products');
      const input: SalesOrderInput = {
        customerId,
        lines,
        shipVia: b.shipVia ?? 'FLATRATE',
        paymentMethod: b.paymentMethod ?? 'CHECK',
        taxIds: b.taxIds ?? ['NYSTATE'],
        ...(b.orderType ? { orderType: b.orderType } : {}),
      };
      const nbr = helpers.createSalesOrder(input);
      return reply.code(201).send({ order: orderSummary(orderOf(nbr)) });
    } catch (e) {
      return refuse(reply, e);
    }
  });

  app.post<{ Params: { nbr: string }; Body: { amount?: number; method?: string } | undefined }>(
    '/_sandbox/orders/:nbr/pay',
    async (req, reply) => {
      try {
        const o = orderOf(req.params.nbr);
        const amount = req.body?.amount ?? val(o.Totals?.UnpaidBalance) ?? money(o, 'OrderTotal');
        if (!(Number(amount) > 0)) throw new Error(`sales order ${req.params.nbr} has nothing left to pay`);
        const ref = helpers.createPayment({
          customerId: str(o.CustomerID)!,
          amount,
          orderNbr: req.params.nbr,
          ...(req.body?.method ? { method: req.body.method } : {}),
        });
        helpers.releasePayment(ref);
        return { payment: { referenceNbr: ref, amount }, order: orderSummary(orderOf(req.params.nbr)) };
      } catch (e) {
        return refuse(reply, e);
      }
    },
  );

  app.post<{ Params: { nbr: string }; Body: { trackingNumbers?: string[] } | undefined }>(
    '/_sandbox/orders/:nbr/ship',
    async (req, reply) => {
      try {
        orderOf(req.params.nbr);
        const tracking = req.body?.trackingNumbers ?? [`1Z${String(Date.now()).slice(-10)}`];
        const shipment = helpers.createShipment(req.params.nbr, { trackingNumbers: tracking });
        helpers.confirmShipment(shipment);
        return {
          shipment: { shipmentNbr: shipment, status: str(store.shipments.get(shipment)?.Status) ?? null },
          order: orderSummary(orderOf(req.params.nbr)),
        };
      } catch (e) {
        return refuse(reply, e);
      }
    },
  );

  app.post<{ Params: { nbr: string } }>('/_sandbox/orders/:nbr/invoice', async (req, reply) => {
    try {
      orderOf(req.params.nbr);
      const open = shipmentsOf(req.params.nbr).filter((s) => str(s.Status) === 'Confirmed');
      if (!open.length)
        throw new Error(
          `sales order ${req.params.nbr} has no confirmed shipment left to invoice; ship it first (Acumatica invoices what was shipped)`,
        );
      const invoices = open.map((s) => {
        const ref = helpers.prepareInvoice(str(s.ShipmentNbr)!);
        helpers.releaseInvoice(ref);
        return { referenceNbr: ref, shipmentNbr: str(s.ShipmentNbr) ?? null };
      });
      return { invoices, order: orderSummary(orderOf(req.params.nbr)) };
    } catch (e) {
      return refuse(reply, e);
    }
  });
}
