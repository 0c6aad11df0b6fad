import { seededRandom } from '../../sdk/sandbox-kit.js';
import { DEFAULT_STOCK_ITEM } from '../mappers/stock.js';
import type { MagentoCreditmemo, MagentoInvoice, MagentoOrder, MagentoShipment } from '../sales-types.js';
import type {
  CompanyRole,
  MagentoCompany,
  MagentoCustomer,
  MagentoProduct,
  MsiSourceItem,
  StockItem,
} from '../types.js';
import type { InputLimits } from './limits.js';

/** The per-product stock settings of the legacy stock item (everything but quantity and availability). */
type StockSettings = Omit<StockItem, 'qty' | 'is_in_stock' | 'item_id' | 'product_id' | 'stock_id'>;

/** Magento's default source: the one the legacy stock item mirrors when MSI is on. */
export const DEFAULT_SOURCE = 'default';

/** A record just saved, as Magento's save_after events name it. */
export type SavedRecord =
  | { kind: 'order'; record: MagentoOrder }
  | { kind: 'customer'; record: MagentoCustomer }
  | { kind: 'product'; record: MagentoProduct };

/** What a store holds, as JSON (`SandboxStore.snapshot`). */
export interface MagentoSnapshot {
  system: 'magento';
  version: 1;
  customers: MagentoCustomer[];
  products: MagentoProduct[];
  sourceItems: MsiSourceItem[];
  stockSettings: Array<[string, StockSettings]>;
  orders: MagentoOrder[];
  shipments: MagentoShipment[];
  invoices: MagentoInvoice[];
  /** Absent in snapshots taken before credit memos existed. */
  creditmemos?: MagentoCreditmemo[];
  /** Adobe Commerce B2B: companies, their roles, and each company user's role (absent in older snapshots). */
  companies?: MagentoCompany[];
  roles?: CompanyRole[];
  userRoles?: Array<[number, number]>;
  sequences: Array<[Sequence, number]>;
  next: { customer: number; product: number; address: number };
}

/** Magento's id sequences: one per table, and one increment_id sequence per document type. */
type Sequence =
  | 'order'
  | 'orderItem'
  | 'orderAddress'
  | 'payment'
  | 'history'
  | 'shipment'
  | 'shipmentItem'
  | 'track'
  | 'comment'
  | 'invoice'
  | 'invoiceItem'
  | 'creditmemo'
  | 'creditmemoItem'
  | 'company'
  | 'role'
  | 'permission';

const FIRST = ['Mia', 'Noah', 'Lea', 'Tom', 'Ava', 'Leo'];
const LAST = ['Berg', 'Stone', 'Hill', 'Park', 'Wood', 'Lake'];

/** The sandbox's data: what a Magento database holds for the entities the connector touches. */
export class SandboxStore {
  /** The store's Web API input limits; undefined while they are off (Magento's default). */
  inputLimits?: InputLimits;
  readonly customers = new Map<number, MagentoCustomer>();
  readonly products = new Map<string, MagentoProduct>();
  /** MSI stock per "sku|source". */
  readonly sourceItems = new Map<string, MsiSourceItem>();
  readonly orders = new Map<number, MagentoOrder>();
  readonly shipments = new Map<number, MagentoShipment>();
  readonly invoices = new Map<number, MagentoInvoice>();
  readonly creditmemos = new Map<number, MagentoCreditmemo>();
  /** Adobe Commerce B2B companies by id, their roles by id, and each company user's role id. */
  readonly companies = new Map<number, MagentoCompany>();
  readonly roles = new Map<number, CompanyRole>();
  readonly userRoles = new Map<number, number>();
  /** Told of every saved order, customer and product (the sandbox's webhooks listen here). */
  onSave?: (saved: SavedRecord) => void;
  private readonly sequences = new Map<Sequence, number>();
  private readonly stockSettings = new Map<string, StockSettings>();
  /** Magento's unique key on (website, e-mail) and its case-blind SKU lookup, kept as indexes. */
  private readonly byEmail = new Map<string, number>();
  private readonly bySkuLower = new Map<string, string>();
  private nextCustomerId = 1;
  private nextProductId = 1;
  private nextAddressId = 1;
  private clock = 0;

  /** "YYYY-MM-DD HH:MM:SS" in UTC like Magento's; never goes backwards. */
  now(): string {
    this.clock = Math.max(this.clock, Date.now());
    return new Date(this.clock).toISOString().slice(0, 19).replace('T', ' ');
  }

  seed(opts: { seed?: number; customers?: number; products?: number }): void {
    const rnd = seededRandom(opts.seed ?? 1);
    for (let i = 1; i <= (opts.customers ?? 0); i++) {
      const t = this.now();
      this.addCustomer({
        group_id: 1,
        email: `shopper${i}@example.com`,
        firstname: FIRST[i % FIRST.length]!,
        lastname: LAST[Math.floor(rnd() * LAST.length)]!,
        website_id: 1,
        store_id: 1,
        created_at: t,
        updated_at: t,
        created_in: 'Default Store View',
        addresses: [],
        custom_attributes: [],
      });
    }
    for (let i = 1; i <= (opts.products ?? 0); i++) {
      const t = this.now();
      const sku = `MAG${String(i).padStart(5, '0')}`;
      this.putProduct({
        id: this.nextProductId++,
        sku,
        name: `Shop product ${i}`,
        price: Math.round(rnd() * 10_000) / 100,
        status: 1,
        visibility: 4,
        type_id: 'simple',
        attribute_set_id: 4,
        created_at: t,
        updated_at: t,
        custom_attributes: [],
      });
      this.setStock(sku, Math.floor(rnd() * 50), undefined);
    }
  }

  addCustomer(c: MagentoCustomer): MagentoCustomer {
    const saved = { ...c, id: this.nextCustomerId++ };
    this.saveAddresses(saved);
    this.putCustomer(saved);
    return saved;
  }

  private static emailKey(c: Pick<MagentoCustomer, 'email' | 'website_id'>): string {
    return `${c.website_id ?? 1}|${c.email.toLowerCase()}`;
  }

  /** Saves a customer and keeps the e-mail index in step. */
  putCustomer(c: MagentoCustomer): void {
    const previous = this.customers.get(c.id!);
    if (previous) this.byEmail.delete(SandboxStore.emailKey(previous));
    this.customers.set(c.id!, c);
    this.byEmail.set(SandboxStore.emailKey(c), c.id!);
    this.onSave?.({ kind: 'customer', record: c });
  }

  /** Removes a customer (DELETE /V1/customers/{id}): the e-mail is free again, a company role goes too. */
  deleteCustomer(id: number): boolean {
    const c = this.customers.get(id);
    if (!c) return false;
    this.byEmail.delete(SandboxStore.emailKey(c));
    this.customers.delete(id);
    this.userRoles.delete(id);
    return true;
  }

  /** Saves a product and keeps the SKU index in step. */
  putProduct(p: MagentoProduct): void {
    this.products.set(p.sku, p);
    this.bySkuLower.set(p.sku.toLowerCase(), p.sku);
    this.onSave?.({ kind: 'product', record: p });
  }

  /** The next id of a table (1, 2, …). */
  nextId(sequence: Sequence): number {
    const n = (this.sequences.get(sequence) ?? 0) + 1;
    this.sequences.set(sequence, n);
    return n;
  }

  /** A document's number as Magento's default sequence makes it: nine digits, zero-padded. */
  static incrementId(id: number): string {
    return String(id).padStart(9, '0');
  }

  /** Saves an order: every save moves updated_at, and is announced (sales_order_save_after). */
  saveOrder(o: MagentoOrder): MagentoOrder {
    o.updated_at = this.now();
    this.orders.set(o.entity_id!, o);
    this.onSave?.({ kind: 'order', record: o });
    return o;
  }

  /** Gives new addresses ids and points the customer's defaults at them, as Magento does on save. */
  saveAddresses(c: MagentoCustomer): void {
    for (const a of c.addresses ?? []) {
      a.id ??= this.nextAddressId++;
      a.customer_id = c.id!;
      if (a.default_billing) c.default_billing = String(a.id);
      if (a.default_shipping) c.default_shipping = String(a.id);
    }
  }

  emailTaken(email: string, websiteId: number, except?: number): boolean {
    const owner = this.byEmail.get(SandboxStore.emailKey({ email, website_id: websiteId }));
    return owner !== undefined && owner !== except && this.customers.has(owner);
  }

  newProductId(): number {
    return this.nextProductId++;
  }

  /** A product found the way Magento finds one by SKU: regardless of case. */
  productBySku(sku: string): MagentoProduct | undefined {
    const exact = this.products.get(sku);
    if (exact) return exact;
    const key = this.bySkuLower.get(sku.toLowerCase());
    return key === undefined ? undefined : this.products.get(key);
  }

  /** The legacy stock item: the default source's quantity plus the product's stock settings. */
  stockItem(sku: string): StockItem | undefined {
    const p = this.productBySku(sku);
    if (!p) return undefined;
    const source = this.sourceItems.get(`${p.sku}|${DEFAULT_SOURCE}`);
    const qty = source?.quantity ?? 0;
    const settings = this.stockSettings.get(p.sku) ?? DEFAULT_STOCK_ITEM;
    return {
      item_id: p.id!,
      product_id: p.id!,
      stock_id: 1,
      ...settings,
      qty,
      is_in_stock: source?.status === 1,
      // Magento answers null when the stock is not low; the published spec demands a string.
      low_stock_date: qty < settings.notify_stock_qty ? this.now() : '',
    };
  }

  /**
   * What the store holds, as JSON a store can be filled from (`restore`): its records, documents,
   * stock settings and id sequences. The indexes are rebuilt from the records.
   */
  snapshot(): MagentoSnapshot {
    return {
      system: 'magento',
      version: 1,
      customers: [...this.customers.values()],
      products: [...this.products.values()],
      sourceItems: [...this.sourceItems.values()],
      stockSettings: [...this.stockSettings],
      orders: [...this.orders.values()],
      shipments: [...this.shipments.values()],
      invoices: [...this.invoices.values()],
      creditmemos: [...this.creditmemos.values()],
      companies: [...this.companies.values()],
      roles: [...this.roles.values()],
      userRoles: [...this.userRoles],
      sequences: [...this.sequences],
      next: { customer: this.nextCustomerId, product: this.nextProductId, address: this.nextAddressId },
    };
  }

  /** Fills an empty store from a snapshot, announcing nothing (what was saved was announced then). */
  restore(snap: MagentoSnapshot): void {
    if (snap.system !== 'magento' || snap.version !== 1)
      throw new Error('not a snapshot of a Magento sandbox (version 1)');
    for (const c of snap.customers) {
      this.customers.set(c.id!, c);
      this.byEmail.set(SandboxStore.emailKey(c), c.id!);
    }
    for (const p of snap.products) {
      this.products.set(p.sku, p);
      this.bySkuLower.set(p.sku.toLowerCase(), p.sku);
    }
    for (const i of snap.sourceItems) this.sourceItems.set(`${i.sku}|${i.source_code}`, i);
    for (const [sku, settings] of snap.stockSettings) this.stockSettings.set(sku, settings);
    for (const o of snap.orders) this.orders.set(o.entity_id!, o);
    for (const x of snap.shipments) this.shipments.set(x.entity_id!, x);
    for (const x of snap.invoices) this.invoices.set(x.entity_id!, x);
    for (const x of snap.creditmemos ?? []) this.creditmemos.set(x.entity_id!, x);
    for (const x of snap.companies ?? []) this.companies.set(x.id!, x);
    for (const x of snap.roles ?? []) this.roles.set(x.id!, x);
    for (const [user, role] of snap.userRoles ?? []) this.userRoles.set(user, role);
    for (const [k, v] of snap.sequences) this.sequences.set(k, v);
    this.nextCustomerId = snap.next.customer;
    this.nextProductId = snap.next.product;
    this.nextAddressId = snap.next.address;
  }

  /** Saves stock the way Magento does: availability follows the quantity unless backorders are on. */
  setStock(sku: string, qty: number, item: Partial<StockItem> | undefined): void {
    const current = this.stockSettings.get(sku) ?? { ...DEFAULT_STOCK_ITEM };
    const { qty: _q, is_in_stock, item_id: _i, product_id: _p, stock_id: _s, ...settings } = item ?? {};
    const next = { ...current, ...settings };
    this.stockSettings.set(sku, next);
    const backorders = next.backorders > 0 && !next.use_config_backorders;
    const inStock = (is_in_stock ?? qty > 0) && (qty > next.min_qty || backorders);
    this.sourceItems.set(`${sku}|${DEFAULT_SOURCE}`, {
      sku,
      source_code: DEFAULT_SOURCE,
      quantity: qty,
      status: inStock ? 1 : 0,
    });
  }
}
