import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { type RawEntity, str, val } from '../types.js';
import type { SandboxAuth } from './auth.js';
import { httpError } from './http.js';
import { releaseInvoice } from './invoices.js';
import { cancelOrder, findOrder, reopenOrder } from './orders.js';
import { releasePayment } from './payments.js';
import { prepareInvoice } from './prepare-invoice.js';
import { ActionFailed, notFound, SaveRefused } from './problems.js';
import type { PushNotifier } from './push.js';
import { shape } from './shape.js';
import { confirmShipment, shipOrder } from './shipments.js';
import type { SalesStore } from './store.js';

interface Invocation {
  entity?: RawEntity;
  parameters?: Record<string, { value?: unknown }>;
}

interface Action {
  /** The record the action applies to, by the key fields of the invocation's entity. */
  target(store: SalesStore, e: RawEntity): { found: boolean; keyField: string; label: string };
  /** Runs the action; answers the URL path (below the endpoint) of the record it produced or changed. */
  run(store: SalesStore, e: RawEntity, parameters: Invocation['parameters']): string;
}

const s = (e: RawEntity, f: string) => str(e[f] as { value?: string });

/** The sales order an invocation names, by OrderType (SO when left out) and OrderNbr. */
const salesOrder = (st: SalesStore, e: RawEntity) => ({
  found: findOrder(st, s(e, 'OrderType') ?? 'SO', s(e, 'OrderNbr') ?? '') !== undefined,
  keyField: 'OrderNbr',
  label: 'Order Nbr.',
});

const ACTIONS: Record<string, Record<string, Action>> = {
  SalesOrder: {
    CancelSalesOrder: {
      target: salesOrder,
      run: (st, e) => {
        const o = cancelOrder(st, s(e, 'OrderType') ?? 'SO', s(e, 'OrderNbr')!);
        return `SalesOrder/${str(o.OrderType)}/${str(o.OrderNbr)}`;
      },
    },
    ReopenSalesOrder: {
      target: salesOrder,
      run: (st, e) => {
        const o = reopenOrder(st, s(e, 'OrderType') ?? 'SO', s(e, 'OrderNbr')!);
        return `SalesOrder/${str(o.OrderType)}/${str(o.OrderNbr)}`;
      },
    },
    SalesOrderCreateShipment: {
      target: salesOrder,
      run: (st, e, params) => {
        const date = val(params?.ShipmentDate as { value?: string } | undefined);
        const shipment = shipOrder(st, s(e, 'OrderType') ?? 'SO', s(e, 'OrderNbr')!, {
          ...(typeof date === 'string' ? { shipmentDate: date } : {}),
        });
        return `Shipment/${str(shipment.ShipmentNbr)}`;
      },
    },
  },
  Shipment: {
    ConfirmShipment: {
      target: (st, e) => ({
        found: st.shipments.has(s(e, 'ShipmentNbr') ?? ''),
        keyField: 'ShipmentNbr',
        label: 'Shipment Nbr.',
      }),
      run: (st, e) => `Shipment/${str(confirmShipment(st, s(e, 'ShipmentNbr')!).ShipmentNbr)}`,
    },
    PrepareInvoice: {
      target: (st, e) => ({
        found: st.shipments.has(s(e, 'ShipmentNbr') ?? ''),
        keyField: 'ShipmentNbr',
        label: 'Shipment Nbr.',
      }),
      run: (st, e) => `SalesInvoice/Invoice/${str(prepareInvoice(st, s(e, 'ShipmentNbr')!).ReferenceNbr)}`,
    },
  },
  SalesInvoice: {
    ReleaseSalesInvoice: {
      target: (st, e) => ({
        found: (s(e, 'Type') ?? 'Invoice') === 'Invoice' && st.invoices.has(s(e, 'ReferenceNbr') ?? ''),
        keyField: 'ReferenceNbr',
        label: 'Reference Nbr.',
      }),
      run: (st, e) => `SalesInvoice/Invoice/${str(releaseInvoice(st, s(e, 'ReferenceNbr')!).ReferenceNbr)}`,
    },
  },
  Payment: {
    ReleasePayment: {
      // Payments, prepayments and refunds share the numbering sequence; the type must match the document's.
      target: (st, e) => ({
        found: str(st.payments.get(s(e, 'ReferenceNbr') ?? '')?.Type) === (s(e, 'Type') ?? 'Payment'),
        keyField: 'ReferenceNbr',
        label: 'Reference Nbr.',
      }),
      run: (st, e) => {
        const p = releasePayment(st, s(e, 'ReferenceNbr')!);
        return `Payment/${str(p.Type)}/${str(p.ReferenceNbr)}`;
      },
    },
  },
};

/** A long-running operation, as the status URL reports it. */
interface Operation {
  polls: number;
  error?: string;
  /** Path (below the endpoint) of the record the action produced or changed. */
  result?: string;
}

/**
 * Actions as Acumatica runs them: the POST starts a long-running operation and answers 202 with a
 * Location to poll; the status URL answers 202 while it runs (once, here) and then 204 with the
 * Location of the processed record, or 500 with the error the operation ended with. A record that
 * does not exist is refused at once (422, the message on its key field).
 */
export function actionRoutes(app: FastifyInstance, store: SalesStore, auth: SandboxAuth, push: PushNotifier) {
  const operations = new Map<string, Operation>();
  for (const [resource, actions] of Object.entries(ACTIONS)) {
    for (const [name, action] of Object.entries(actions)) {
      app.post<{ Params: { version: string }; Body: Invocation }>(
        `/entity/Default/:version/${resource}/${name}`,
        (req, reply) =>
          push.during(reply, async () => {
            if (!(await auth.guard(req, reply))) return reply;
            const entity = req.body?.entity;
            if (!entity || typeof entity !== 'object')
              return reply.code(400).send(httpError('The request must name the record in "entity".'));
            const t = action.target(store, entity);
            if (!t.found) {
              const echoed = shape(entity, resource, req.params.version, new Set());
              echoed[t.keyField] = { ...(echoed[t.keyField] as object), error: notFound(t.label) };
              echoed.error = notFound(t.label);
              return reply.code(422).send(echoed);
            }
            const op: Operation = { polls: 0 };
            try {
              op.result = action.run(store, entity, req.body?.parameters);
            } catch (e) {
              if (!(e instanceof ActionFailed || e instanceof SaveRefused)) throw e;
              op.error = e.message;
            }
            const id = randomUUID();
            operations.set(id, op);
            const base = `/entity/Default/${req.params.version}`;
            return reply.code(202).header('location', `${base}/${resource}/${name}/status/${id}`).send();
          }),
      );
    }
  }

  app.get<{ Params: { version: string; resource: string; action: string; id: string } }>(
    '/entity/Default/:version/:resource/:action/status/:id',
    async (req, reply) => {
      if (!(await auth.guard(req, reply))) return reply;
      const op = operations.get(req.params.id);
      if (!op)
        return reply.code(400).send(httpError('The operation cannot be found; it may have ended already.'));
      if (op.polls++ === 0) return reply.code(202).header('location', req.url).send();
      operations.delete(req.params.id);
      if (op.error) return reply.code(500).send(httpError('An error has occurred.', op.error));
      return reply.code(204).header('location', `/entity/Default/${req.params.version}/${op.result}`).send();
    },
  );
}
