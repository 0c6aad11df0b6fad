import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { loadSpec } from '../../sdk/conformance.js';
import { createSandboxKit, type SandboxKit, type SandboxOptions } from '../../sdk/sandbox-kit.js';
import { ENDPOINT_VERSIONS } from '../manifest.js';
import type {
  RawCustomer,
  RawEntity,
  RawPayment,
  RawSalesInvoice,
  RawSalesOrder,
  RawShipment,
  RawStockItem,
} from '../types.js';
import { actionRoutes } from './actions.js';
import { SandboxAuth, type SandboxAuthOptions } from './auth.js';
import { controlRoutes } from './control.js';
import { CUSTOMER_CLASSES, ITEM_CLASSES, seedData } from './data.js';
import { documentRoutes } from './documents.js';
import { type SalesHelpers, salesHelpers } from './helpers.js';
import { type EntityQuery, httpError as err, listAnswer, parseQuery } from './http.js';
import { type PushDelivery, type PushDestination, PushNotifier, type PushRow } from './push.js';
import { shape } from './shape.js';
import { type AcumaticaSnapshot, restoreFrom, snapshotOf } from './snapshot.js';
import { contractBasedValidator } from './spec.js';
import { SalesStore } from './store.js';

export type { PaymentInput, SalesOrderInput } from './helpers.js';
export type { PushBody, PushDelivery, PushDestination } from './push.js';
export { PUSH_QUERIES } from './push.js';
export type { ShipOptions } from './shipments.js';
export type { AcumaticaSnapshot } from './snapshot.js';

export interface AcumaticaSandboxOptions extends SandboxOptions, Partial<SandboxAuthOptions> {
  customers?: number;
  products?: number;
  /** A few records with problems a person must fix (no e-mail), for the demo. */
  defects?: boolean;
  /** Push notification destinations (type Webhook): every saved change is pushed to each. */
  pushNotifications?: PushDestination[];
  /** Start from what another sandbox held (its `snapshot()`) instead of seeded data. */
  restore?: AcumaticaSnapshot;
}

export interface AcumaticaSandbox extends SalesHelpers {
  url: string;
  kit: SandboxKit;
  auth: SandboxAuth;
  customers: Map<string, RawCustomer>;
  items: Map<string, RawStockItem>;
  /** Sales documents by number (OrderNbr, ShipmentNbr, invoice and payment ReferenceNbr). */
  orders: Map<string, RawSalesOrder>;
  shipments: Map<string, RawShipment>;
  invoices: Map<string, RawSalesInvoice>;
  payments: Map<string, RawPayment>;
  /** Every attempt to deliver a push notification, in order. */
  pushLog: PushDelivery[];
  addPushDestination(d: PushDestination): void;
  /** Resolves when every push notification raised so far has been delivered (or given up on). */
  pushIdle(): Promise<void>;
  /** Changes records as a person saving them in Acumatica would: the patch merges, the timestamps move. */
  touch(entity: 'customer' | 'product', ids: readonly string[], patch?: (r: RawEntity) => void): void;
  /** Everything the tenant holds, as JSON a sandbox can start from (`restore`). */
  snapshot(): AcumaticaSnapshot;
  close(): Promise<void>;
}

export const SANDBOX_CREDENTIALS = {
  username: 'admin',
  password: 'sandbox',
  company: 'Company',
  clientId: 'sandbox-client@Company',
  clientSecret: 'sandbox-secret',
};

const KEY: Record<string, string> = { Customer: 'CustomerID', StockItem: 'InventoryID' };
const CUSTOMER_STATUSES = ['Active', 'On Hold', 'Credit Hold', 'Inactive', 'One-Time'];

/** Rows of the LL-Customers and LL-StockItems generic inquiries. */
const pushRow = (resource: string, r: RawEntity): PushRow => ({
  [KEY[resource]!]: (r[KEY[resource]!] as { value?: string } | undefined)?.value ?? null,
});

function deepMerge(target: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(patch)) {
    const cur = target[k];
    if (
      v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      !('value' in v) &&
      cur &&
      typeof cur === 'object' &&
      !Array.isArray(cur)
    ) {
      deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>);
    } else target[k] = structuredClone(v);
  }
}

/** Validation Acumatica applies on save, reported on the fields themselves (422). */
function validate(resource: string, rec: RawEntity, creating: boolean): Record<string, string> {
  const problems: Record<string, string> = {};
  const val = (k: string) => (rec[k] as { value?: unknown } | undefined)?.value;
  if (resource === 'Customer') {
    if (creating && !val('CustomerName')) problems.CustomerName = "'Customer Name' cannot be empty.";
    const cls = val('CustomerClass');
    if (cls !== undefined && !CUSTOMER_CLASSES.includes(String(cls)))
      problems.CustomerClass = `'${cls}' cannot be found in the system.`;
    const st = val('Status');
    if (st !== undefined && !CUSTOMER_STATUSES.includes(String(st)))
      problems.Status = `'${st}' is not a valid status.`;
    const cl = val('CreditLimit');
    if (typeof cl === 'number' && cl < 0) problems.CreditLimit = "'Credit Limit' may not be negative.";
  } else {
    if (creating && !val('Description')) problems.Description = "'Description' cannot be empty.";
    const cls = val('ItemClass');
    if (cls !== undefined && !ITEM_CLASSES.includes(String(cls)))
      problems.ItemClass = `'${cls}' cannot be found in the system.`;
    const price = val('DefaultPrice');
    if (typeof price === 'number' && price < 0)
      problems.DefaultPrice = "'Default Price' may not be negative.";
  }
  return problems;
}

/**
 * An Acumatica tenant in one process: the contract-based REST endpoints Default/23.200.001 and
 * 24.200.001 for Customer, StockItem, SalesOrder, Shipment, SalesInvoice, Payment (with their
 * long-running actions) and the Tax and ShipVia setup, cookie and OAuth authentication with a
 * session cap, and push notifications of every saved change.
 */
export async function startAcumaticaSandbox(opts: AcumaticaSandboxOptions = {}): Promise<AcumaticaSandbox> {
  const specs = ENDPOINT_VERSIONS.map((v) => ({
    prefix: `/entity/Default/${v}`,
    validator: contractBasedValidator(loadSpec(`acumatica/Default_${v}.swagger.json`)),
  }));
  const kit = createSandboxKit({
    name: 'acumatica',
    specs,
    conformance: opts.conformance === true,
    ...(opts.latencyMs ? { latencyMs: opts.latencyMs } : {}),
    ...(opts.requestsPerSecond ? { requestsPerSecond: opts.requestsPerSecond } : {}),
    authPaths: ['/entity/auth/login', '/entity/auth/logout', '/identity/connect/token'],
    faultBody: (status) =>
      err(
        status === 429 ? 'Too many requests.' : 'An error has occurred.',
        `The sandbox was told to answer ${status}.`,
      ),
  });
  const auth = new SandboxAuth({
    users: opts.users ?? { [SANDBOX_CREDENTIALS.username]: SANDBOX_CREDENTIALS.password },
    companies: opts.companies ?? [SANDBOX_CREDENTIALS.company],
    maxSessions: opts.maxSessions ?? 10,
    oauthClients: opts.oauthClients ?? { [SANDBOX_CREDENTIALS.clientId]: SANDBOX_CREDENTIALS.clientSecret },
    tokenLifetimeSeconds: opts.tokenLifetimeSeconds ?? 3600,
    ...(opts.sessionIdleMs !== undefined ? { sessionIdleMs: opts.sessionIdleMs } : {}),
  });
  const { app } = kit;
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  auth.register(app);
  const push = new PushNotifier(
    opts.pushNotifications ?? [],
    (opts.companies ?? [SANDBOX_CREDENTIALS.company])[0] ?? SANDBOX_CREDENTIALS.company,
  );

  const data = opts.restore
    ? { customers: [], items: [] }
    : seedData({
        seed: opts.seed ?? 1,
        customers: opts.customers ?? 0,
        products: opts.products ?? 0,
        defects: opts.defects === true,
      });
  const customers = new Map(data.customers.map((c) => [String(c.CustomerID?.value), c]));
  const items = new Map(data.items.map((c) => [String(c.InventoryID?.value), c]));
  const tables: Record<string, Map<string, RawEntity>> = {
    Customer: customers as Map<string, RawEntity>,
    StockItem: items as Map<string, RawEntity>,
  };
  let clock = 0;
  /** Strictly increasing "now", so two saves never share a stamp by accident. */
  const now = () => {
    clock = Math.max(clock + 1, Date.now());
    return new Date(clock).toISOString();
  };
  const bump = (resource: string, r: RawEntity) => {
    const t = now();
    r.LastModifiedDateTime = { value: t };
    if (resource === 'StockItem') r.LastModified = { value: t };
  };
  const store = new SalesStore({ customers, items, now, push });
  if (opts.restore) restoreFrom(opts.restore, customers, items, store);

  app.get('/entity', async () => ({
    version: { acumaticaBuildVersion: '24.200.0081', databaseVersion: '24.200.0081' },
    endpoints: ENDPOINT_VERSIONS.map((v) => ({ name: 'Default', version: v, href: `/entity/Default/${v}/` })),
  }));

  /** Rows in key order, as Acumatica lists them; re-sorted only after an insert. */
  const order = new Map<string, RawEntity[]>();
  const sorted = (resource: string): RawEntity[] => {
    let rows = order.get(resource);
    if (!rows) {
      const key = KEY[resource]!;
      const k = (r: RawEntity) => String((r[key] as { value?: string }).value);
      rows = [...tables[resource]!.values()].sort((a, b) => (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0));
      order.set(resource, rows);
    }
    return rows;
  };

  for (const resource of Object.keys(tables)) {
    const table = tables[resource]!;
    const key = KEY[resource]!;
    const list = async (
      req: FastifyRequest<{ Params: { version: string }; Querystring: EntityQuery }>,
      reply: FastifyReply,
    ) => {
      if (!(await auth.guard(req, reply))) return reply;
      return listAnswer(reply, sorted(resource), resource, req.params.version, req.query);
    };
    app.get(`/entity/Default/:version/${resource}`, list);

    app.get<{ Params: { version: string; ids: string }; Querystring: EntityQuery }>(
      `/entity/Default/:version/${resource}/:ids`,
      async (req, reply) => {
        if (!(await auth.guard(req, reply))) return reply;
        const rec = table.get(decodeURIComponent(req.params.ids));
        if (!rec) return reply.code(404).send(err(`No entity satisfies the condition.`));
        const p = parseQuery(req.query);
        return shape(rec, resource, req.params.version, p.expand, p.select, 1, p.custom);
      },
    );

    app.put<{ Params: { version: string }; Querystring: EntityQuery; Body: RawEntity }>(
      `/entity/Default/:version/${resource}`,
      (req, reply) =>
        push.during(reply, async () => {
          if (!(await auth.guard(req, reply))) return reply;
          const body = req.body ?? {};
          const id = (body[key] as { value?: string } | undefined)?.value;
          if (!id) return reply.code(400).send(err(`The ${key} field is required to identify the record.`));
          const existing = table.get(id);
          if (req.headers['if-none-match'] === '*' && existing) {
            return reply
              .code(412)
              .send(err('An error has occurred.', `A record with ${key} '${id}' already exists.`));
          }
          if (req.headers['if-match'] === '*' && !existing) {
            return reply
              .code(412)
              .send(err('An error has occurred.', `No record with ${key} '${id}' exists.`));
          }
          const next: RawEntity = existing ? structuredClone(existing) : { id: randomUUID() };
          deepMerge(next, body as Record<string, unknown>);
          const problems = validate(resource, next, !existing);
          if (Object.keys(problems).length) {
            const echoed = shape(next, resource, req.params.version, new Set(), undefined);
            for (const [f, m] of Object.entries(problems)) echoed[f] = { ...(echoed[f] as object), error: m };
            echoed.error = Object.values(problems).join(' ');
            return reply.code(422).send(echoed);
          }
          bump(resource, next);
          table.set(id, next);
          // A saved record takes its old copy's place in the key order; only an insert re-sorts
          // (re-sorting every customer after each save was most of this sandbox's time under load).
          const rows = existing && order.get(resource);
          const at = rows ? rows.indexOf(existing) : -1;
          if (rows && at >= 0) rows[at] = next;
          else order.delete(resource);
          push.changed(
            resource as 'Customer' | 'StockItem',
            existing && pushRow(resource, existing),
            pushRow(resource, next),
          );
          const p = parseQuery(req.query);
          return shape(next, resource, req.params.version, p.expand, p.select);
        }),
    );
  }
  documentRoutes(app, store, auth, push);
  actionRoutes(app, store, auth, push);
  const helpers = salesHelpers(store);
  controlRoutes(app, store, helpers);

  const { url } = await kit.listen(opts);
  return {
    url,
    kit,
    auth,
    customers,
    items,
    orders: store.orders,
    shipments: store.shipments,
    invoices: store.invoices,
    payments: store.payments,
    ...helpers,
    pushLog: push.log,
    addPushDestination: (d) => {
      push.destinations.push({ ...d });
    },
    pushIdle: () => push.idle(),
    touch(entity, ids, patch) {
      const resource = entity === 'customer' ? 'Customer' : 'StockItem';
      for (const id of ids) {
        const r = tables[resource]!.get(id);
        if (!r) throw new Error(`the sandbox has no ${resource} ${id}`);
        const before = pushRow(resource, r);
        patch?.(r);
        bump(resource, r);
        push.changed(resource, before, pushRow(resource, r));
      }
      // A test may have put records straight into the map before touching them.
      order.delete(resource);
    },
    snapshot: () => snapshotOf(customers, items, store),
    close: async () => {
      await kit.close();
    },
  };
}
