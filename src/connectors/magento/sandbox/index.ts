import { loadSpec } from '../../sdk/conformance.js';
import { createSandboxKit, type SandboxKit, type SandboxOptions } from '../../sdk/sandbox-kit.js';
import type { MagentoCreditmemo, MagentoInvoice, MagentoOrder, MagentoShipment } from '../sales-types.js';
import type {
  CompanyRole,
  MagentoCompany,
  MagentoCustomer,
  MagentoProduct,
  MsiSourceItem,
  StockItem,
} from '../types.js';
import { adminTokenRoute, type SandboxAuth } from './auth.js';
import { companyRoutes } from './companies.js';
import { controlRoutes } from './control.js';
import { type CustomerPut, customerRoutes } from './customers.js';
import { COUNTRIES } from './directory.js';
import { fail, noSuch } from './errors.js';
import { type InvoiceRequest, invoiceOrder, invoiceRoutes } from './invoices.js';
import type { InputLimits } from './limits.js';
import {
  cancelOrder,
  holdOrder,
  lifecycleRoutes,
  type RefundRequest,
  refundOrder,
  unholdOrder,
} from './order-lifecycle.js';
import { orderRoutes, orderView, Refusal } from './orders.js';
import { type PlaceOrderInput, placeOrder, seedOrders } from './place-order.js';
import { productRoutes } from './products.js';
import { shipmentRoutes } from './shipments.js';
import { type MagentoSnapshot, SandboxStore, type SavedRecord } from './store.js';
import { taxRateRoutes } from './tax-rates.js';
import { type WebhookDelivery, WebhookSender, type WebhookTarget } from './webhooks.js';

export type { InvoiceRequest } from './invoices.js';
export type { InputLimits } from './limits.js';
export type { RefundRequest } from './order-lifecycle.js';
export type { PlaceOrderInput } from './place-order.js';
export type { MagentoSnapshot } from './store.js';
export { SIGNATURE_HEADER, type WebhookDelivery, type WebhookTarget } from './webhooks.js';

export interface MagentoSandboxOptions extends SandboxOptions {
  /** Customers to pre-seed (default 0). */
  customers?: number;
  /** Products to pre-seed (default 0). */
  products?: number;
  accessToken?: string;
  admin?: { username: string; password: string };
  /** Turns Magento's Web API input limits on (off by default, like Magento); omitted values take Magento's defaults. */
  inputLimits?: InputLimits;
  /** Sample orders to pre-seed (default 0); they use the seeded products, and customers when there are any. */
  orders?: number;
  /** Adobe Commerce webhooks: where every order, customer and product save is sent. */
  webhooks?: WebhookTarget[];
  /** Start from what another sandbox held (its `snapshot()`) instead of seeded data. */
  restore?: MagentoSnapshot;
  /** How a customer PUT takes its body: 'merge' as Magento 2.4 does (the default), 'replace' as before 2.4. */
  customerPut?: CustomerPut;
}

export interface MagentoSandbox {
  url: string;
  kit: SandboxKit;
  /** The stored records, by entity id and by SKU. */
  customers: Map<number, MagentoCustomer>;
  products: Map<string, MagentoProduct>;
  /** Adobe Commerce B2B: companies and company roles by id, and each company user's role id. */
  companies: Map<number, MagentoCompany>;
  companyRoles: Map<number, CompanyRole>;
  userRoles: Map<number, number>;
  /** MSI stock per "sku|source"; the "default" source is also what the legacy stock item shows. */
  sourceItems: Map<string, MsiSourceItem>;
  /** The legacy stock item of a product, as GET /V1/stockItems/{sku} answers it. */
  stockItem(sku: string): StockItem | undefined;
  /** Admin tokens handed out; clear it to make them expire. */
  adminTokens: Set<string>;
  /** Turns Magento's Web API input limits on (omitted values take Magento's defaults), or off with undefined. */
  setInputLimits(limits: InputLimits | undefined): void;
  /** A person editing a customer in the Magento admin (updated_at moves on). */
  editCustomer(id: number, patch: Partial<MagentoCustomer>): void;
  editProduct(sku: string, patch: Partial<MagentoProduct>): void;
  /** Orders, shipments and invoices by entity id, as stored. */
  orders: Map<number, MagentoOrder>;
  shipments: Map<number, MagentoShipment>;
  invoices: Map<number, MagentoInvoice>;
  creditmemos: Map<number, MagentoCreditmemo>;
  /** A shopper checking out: the order as Magento saves it, totals computed as Magento does. */
  placeOrder(input: PlaceOrderInput): MagentoOrder;
  /**
   * What a person does to an order in the admin, through the same functions as the REST routes
   * (a refusal throws with Magento's message): Invoice (capture), Cancel (false when Magento would
   * not), Hold, Unhold, and Credit Memo (offline refund; the items and shipping left when none named).
   */
  invoiceOrder(id: number, req?: InvoiceRequest): MagentoOrder;
  cancelOrder(id: number): boolean;
  holdOrder(id: number): MagentoOrder;
  unholdOrder(id: number): MagentoOrder;
  refundOrder(id: number, req?: RefundRequest): MagentoCreditmemo;
  /** A person changing an order in the admin (status, ext_order_id, …): saved, updated_at moves, announced. */
  editOrder(id: number, patch: Partial<MagentoOrder>): MagentoOrder;
  /** The PEM public key of the store's webhook signatures (what Adobe Services › Webhooks shows). */
  readonly webhookPublicKey: string;
  /** Every delivery attempt, in the order they were answered. */
  webhookLog: WebhookDelivery[];
  addWebhook(w: WebhookTarget): void;
  /** Resolves once every queued webhook delivery has been answered or has run out of retries. */
  webhooksSettled(): Promise<void>;
  /** Everything the store holds, as JSON a sandbox can start from (`restore`). */
  snapshot(): MagentoSnapshot;
  close(): Promise<void>;
}

export const MAGENTO_SANDBOX = {
  accessToken: 'sandbox-integration-token',
  admin: { username: 'admin', password: 'sandbox123' },
};

/** The spec's paths live under /rest/<store code>; /rest alone means the default store view. */
const PREFIXES = ['/rest/default', '/rest/all', '/rest'];

/**
 * A Magento 2.4 store in one process, serving the admin REST API the connector uses with Magento's
 * shapes, validation and messages: customers, products, legacy stock items, MSI source items, the
 * country directory, admin tokens, and sales — orders with their comments, shipments and invoices.
 * Saves are announced as Adobe Commerce webhooks to the URLs configured. Data is deterministic for
 * a seed.
 */
export async function startMagentoSandbox(opts: MagentoSandboxOptions = {}): Promise<MagentoSandbox> {
  const validator = loadSpec('magento2/admin-schema-2.4.8.yaml', {
    allowQuery: /^searchCriteria\[/,
    // 2.4's UpdateCustomer plugin lays a customer PUT over the stored customer (customers.ts).
    mergedBodies: [
      {
        method: 'PUT',
        template: '/V1/customers/{customerId}',
        ref: '#/definitions/customer-data-customer-interface',
      },
    ],
  });
  const kit = createSandboxKit({
    name: 'magento',
    specs: PREFIXES.map((prefix) => ({ prefix, validator })),
    conformance: opts.conformance === true,
    ...(opts.latencyMs ? { latencyMs: opts.latencyMs } : {}),
    ...(opts.requestsPerSecond ? { requestsPerSecond: opts.requestsPerSecond } : {}),
    authPaths: PREFIXES.map((p) => `${p}/V1/integration/admin/token`),
    faultBody: (status) =>
      fail(status === 429 ? 'Too many requests.' : `The sandbox was told to answer ${status}.`),
  });
  const auth: SandboxAuth = {
    integrationToken: opts.accessToken ?? MAGENTO_SANDBOX.accessToken,
    admin: opts.admin ?? MAGENTO_SANDBOX.admin,
    adminTokens: new Set(),
  };
  const store = new SandboxStore();
  if (opts.restore) store.restore(opts.restore);
  else {
    store.seed(opts);
    seedOrders(store, opts.orders ?? 0, opts.seed ?? 1);
  }
  if (opts.inputLimits) store.inputLimits = opts.inputLimits;
  // Seeded data is already there when the store starts: only saves from now on are announced.
  const webhooks = new WebhookSender([...(opts.webhooks ?? [])]);
  store.onSave = (saved) => announce(webhooks, saved);

  for (const prefix of PREFIXES) {
    adminTokenRoute(kit.app, prefix, auth);
    customerRoutes(kit.app, prefix, store, auth, opts.customerPut);
    companyRoutes(kit.app, prefix, store, auth);
    productRoutes(kit.app, prefix, store, auth);
    orderRoutes(kit.app, prefix, store, auth);
    shipmentRoutes(kit.app, prefix, store, auth);
    invoiceRoutes(kit.app, prefix, store, auth);
    lifecycleRoutes(kit.app, prefix, store, auth);
    taxRateRoutes(kit.app, prefix, store, auth);
    kit.app.get<{ Params: { country: string } }>(
      `${prefix}/V1/directory/countries/:country`,
      async (req, reply) =>
        COUNTRIES[req.params.country.toUpperCase()] ??
        reply.code(404).send(noSuch('countryId', req.params.country)),
    );
  }

  controlRoutes(kit.app, store);

  const { url } = await kit.listen(opts);
  return {
    url,
    kit,
    customers: store.customers,
    companies: store.companies,
    companyRoles: store.roles,
    userRoles: store.userRoles,
    products: store.products,
    sourceItems: store.sourceItems,
    stockItem: (sku) => store.stockItem(sku),
    adminTokens: auth.adminTokens,
    setInputLimits(limits) {
      if (limits) store.inputLimits = limits;
      else delete store.inputLimits;
    },
    editCustomer(id, patch) {
      const c = store.customers.get(id);
      if (!c) throw new Error(`the sandbox has no customer ${id}`);
      store.putCustomer({ ...c, ...structuredClone(patch), id, updated_at: store.now() });
    },
    editProduct(sku, patch) {
      const p = store.products.get(sku);
      if (!p) throw new Error(`the sandbox has no product ${sku}`);
      store.putProduct({ ...p, ...structuredClone(patch), sku, updated_at: store.now() });
    },
    orders: store.orders,
    shipments: store.shipments,
    invoices: store.invoices,
    creditmemos: store.creditmemos,
    placeOrder: (input) => orderView(placeOrder(store, input)),
    invoiceOrder(id, req = {}) {
      done(invoiceOrder(store, id, req));
      return orderView(store.orders.get(id)!);
    },
    cancelOrder: (id) => done(cancelOrder(store, id)),
    holdOrder: (id) => orderView(done(holdOrder(store, id))),
    unholdOrder: (id) => orderView(done(unholdOrder(store, id))),
    refundOrder: (id, req = {}) => done(refundOrder(store, id, req)),
    editOrder(id, patch) {
      const o = store.orders.get(id);
      if (!o) throw new Error(`the sandbox has no order ${id}`);
      return orderView(store.saveOrder({ ...o, ...structuredClone(patch), entity_id: id }));
    },
    get webhookPublicKey() {
      return webhooks.publicKey;
    },
    webhookLog: webhooks.log,
    addWebhook: (w) => webhooks.addTarget(w),
    webhooksSettled: () => webhooks.settled(),
    snapshot: () => store.snapshot(),
    async close() {
      await webhooks.close();
      await kit.close();
    },
  };
}

/** What an admin action returns, or Magento's refusal as an error. */
function done<T>(r: T | Refusal): T {
  if (r instanceof Refusal) throw new Error(r.body.message);
  return r;
}

/** Adobe Commerce's save_after events, with the record as the API shows it. */
function announce(webhooks: WebhookSender, saved: SavedRecord): void {
  if (saved.kind === 'order') webhooks.send('sales_order_save_after', { order: orderView(saved.record) });
  else if (saved.kind === 'customer') webhooks.send('customer_save_after', { customer: saved.record });
  else webhooks.send('catalog_product_save_after', { product: saved.record });
}
