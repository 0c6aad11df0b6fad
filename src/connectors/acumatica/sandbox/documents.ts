import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { type RawEntity, type RawShipVia, type RawTax, str } from '../types.js';
import type { SandboxAuth } from './auth.js';
import { CUSTOMER_CLASS_SETUP, ITEM_CLASS_SETUP } from './data.js';
import { type EntityQuery, httpError, listAnswer, parseQuery, refusal } from './http.js';
import { saveInvoice } from './invoices.js';
import { findOrder, saveOrder } from './orders.js';
import { savePayment } from './payments.js';
import { SaveRefused } from './problems.js';
import type { PushNotifier } from './push.js';
import { PAYMENT_METHODS, SHIP_VIAS, TAX_START_DATE, TAXES } from './reference.js';
import { shape } from './shape.js';
import { saveShipment } from './shipments.js';
import type { SalesStore } from './store.js';

/** One resource of the endpoint: its key fields in URL order, its rows, and how a PUT saves. */
interface Resource {
  name: string;
  keys: readonly string[];
  rows(): RawEntity[];
  find(keys: readonly string[]): RawEntity | undefined;
  save?(body: RawEntity): RawEntity;
  /** A key a new record may leave out (or send as "<NEW>"): the numbering sequence assigns it. */
  numbered?: string;
}

const key = (r: RawEntity, fields: readonly string[]) =>
  fields.map((f) => str(r[f] as { value?: string }) ?? '').join('/');

/** Rows in key order, as Acumatica lists them. */
const sorted = (rows: Iterable<RawEntity>, fields: readonly string[]): RawEntity[] =>
  [...rows].sort((a, b) => {
    const ka = key(a, fields);
    const kb = key(b, fields);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });

const v = <T>(value: T) => ({ value });

/**
 * The Taxes, Ship Via, Payment Methods and class screens, read-only: what a connector may look up or
 * offer in a pick list.
 */
function referenceRows() {
  const taxes: RawTax[] = Object.entries(TAXES).map(([id, t]) => ({
    id: randomUUID(),
    TaxID: v(id),
    Description: v(t.description),
    TaxType: v(t.type),
    TaxSchedule: [
      { id: randomUUID(), TaxID: v(id), StartDate: v(TAX_START_DATE), TaxRate: v(Number(t.rate)) },
    ],
    LastModifiedDateTime: v(TAX_START_DATE),
  }));
  const shipVias: RawShipVia[] = Object.entries(SHIP_VIAS).map(([id, s]) => ({
    id: randomUUID(),
    CarrierID: v(id),
    Description: v(s.description),
    CalculationMethod: v('Net'),
    CommonCarrier: v(s.commonCarrier),
  }));
  const paymentMethods: RawEntity[] = Object.entries(PAYMENT_METHODS).map(([id, description]) => ({
    id: randomUUID(),
    PaymentMethodID: v(id),
    Description: v(description),
    Active: v(true),
    UseInAR: v(true),
    LastModifiedDateTime: v(TAX_START_DATE),
  }));
  const classes = (setup: Readonly<Record<string, string>>): RawEntity[] =>
    Object.entries(setup).map(([id, description]) => ({
      id: randomUUID(),
      ClassID: v(id),
      Description: v(description),
      LastModifiedDateTime: v(TAX_START_DATE),
    }));
  return {
    taxes,
    shipVias,
    paymentMethods,
    customerClasses: classes(CUSTOMER_CLASS_SETUP),
    itemClasses: classes(ITEM_CLASS_SETUP),
  };
}

/**
 * The sales documents on the contract-based endpoints: list with $filter/$top/$skip/$expand/
 * $select, get by key fields, and PUT to create (numbered by the document's sequence) or update,
 * with Acumatica's 412 for If-None-Match / If-Match and 422 with the errors on the fields.
 */
export function documentRoutes(
  app: FastifyInstance,
  store: SalesStore,
  auth: SandboxAuth,
  push: PushNotifier,
) {
  const { taxes, shipVias, paymentMethods, customerClasses, itemClasses } = referenceRows();
  const resources: Resource[] = [
    {
      name: 'SalesOrder',
      keys: ['OrderType', 'OrderNbr'],
      numbered: 'OrderNbr',
      rows: () => sorted(store.orders.values(), ['OrderType', 'OrderNbr']),
      find: ([type, nbr]) => findOrder(store, type ?? '', nbr ?? ''),
      save: (b) => saveOrder(store, b),
    },
    {
      name: 'Shipment',
      keys: ['ShipmentNbr'],
      numbered: 'ShipmentNbr',
      rows: () => sorted(store.shipments.values(), ['ShipmentNbr']),
      find: ([nbr]) => store.shipments.get(nbr ?? ''),
      save: (b) => saveShipment(store, b),
    },
    {
      name: 'SalesInvoice',
      keys: ['Type', 'ReferenceNbr'],
      numbered: 'ReferenceNbr',
      rows: () => sorted(store.invoices.values(), ['Type', 'ReferenceNbr']),
      find: ([type, nbr]) => {
        const i = store.invoices.get(nbr ?? '');
        return i && str(i.Type) === type ? i : undefined;
      },
      save: (b) => saveInvoice(store, b),
    },
    {
      name: 'Payment',
      keys: ['Type', 'ReferenceNbr'],
      numbered: 'ReferenceNbr',
      rows: () => sorted(store.payments.values(), ['Type', 'ReferenceNbr']),
      find: ([type, nbr]) => {
        const p = store.payments.get(nbr ?? '');
        return p && str(p.Type) === type ? p : undefined;
      },
      save: (b) => savePayment(store, b),
    },
    {
      name: 'Tax',
      keys: ['TaxID'],
      rows: () => taxes,
      find: ([id]) => taxes.find((t) => str(t.TaxID) === id),
    },
    {
      name: 'ShipVia',
      keys: ['CarrierID'],
      rows: () => shipVias,
      find: ([id]) => shipVias.find((t) => str(t.CarrierID) === id),
    },
    {
      name: 'PaymentMethod',
      keys: ['PaymentMethodID'],
      rows: () => paymentMethods,
      find: ([id]) => paymentMethods.find((t) => str(t.PaymentMethodID as { value?: string }) === id),
    },
    {
      name: 'CustomerClass',
      keys: ['ClassID'],
      rows: () => customerClasses,
      find: ([id]) => customerClasses.find((c) => str(c.ClassID as { value?: string }) === id),
    },
    {
      name: 'ItemClass',
      keys: ['ClassID'],
      rows: () => itemClasses,
      find: ([id]) => itemClasses.find((c) => str(c.ClassID as { value?: string }) === id),
    },
  ];

  for (const r of resources) {
    const base = `/entity/Default/:version/${r.name}`;
    app.get<{ Params: { version: string }; Querystring: EntityQuery }>(base, async (req, reply) => {
      if (!(await auth.guard(req, reply))) return reply;
      return listAnswer(reply, r.rows(), r.name, req.params.version, req.query);
    });

    app.get<{ Params: Record<string, string> & { version: string }; Querystring: EntityQuery }>(
      `${base}/${r.keys.map((_, i) => `:k${i}`).join('/')}`,
      async (req, reply) => {
        if (!(await auth.guard(req, reply))) return reply;
        const rec = r.find(r.keys.map((_, i) => decodeURIComponent(req.params[`k${i}`] ?? '')));
        if (!rec) return reply.code(404).send(httpError('No entity satisfies the condition.'));
        const p = parseQuery(req.query);
        return shape(rec, r.name, req.params.version, p.expand, p.select);
      },
    );

    const save = r.save;
    if (!save) continue;
    app.put<{ Params: { version: string }; Querystring: EntityQuery; Body: RawEntity }>(base, (req, reply) =>
      push.during(reply, async () => {
        if (!(await auth.guard(req, reply))) return reply;
        const body = req.body ?? {};
        const keys = r.keys.map((k) => str(body[k] as { value?: string }));
        const numbered = r.numbered ? keys[r.keys.indexOf(r.numbered)] : undefined;
        const fresh = r.numbered !== undefined && (numbered === undefined || numbered === '<NEW>');
        const existing = fresh
          ? undefined
          : r.find(keys.map((k, i) => k ?? (i === 0 ? defaultType(r.name) : '')));
        if (req.headers['if-none-match'] === '*' && existing)
          return reply
            .code(412)
            .send(
              httpError(
                'An error has occurred.',
                `A record with the keys ${keys.join(', ')} already exists.`,
              ),
            );
        if (req.headers['if-match'] === '*' && !existing)
          return reply
            .code(412)
            .send(httpError('An error has occurred.', `No record with the keys ${keys.join(', ')} exists.`));
        try {
          const saved = save(body);
          const p = parseQuery(req.query);
          return shape(saved, r.name, req.params.version, p.expand, p.select);
        } catch (e) {
          if (e instanceof SaveRefused)
            return refusal(reply, r.name, req.params.version, e.record, e.problems);
          throw e;
        }
      }),
    );
  }
}

/** The first key's value when a PUT leaves it out: what the screen would default it to. */
function defaultType(resource: string): string {
  return resource === 'SalesOrder' ? 'SO' : resource === 'SalesInvoice' ? 'Invoice' : 'Payment';
}
