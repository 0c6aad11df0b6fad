import type { ScCustomer, ScNote, ScOrder, ScProduct, ScWarehouseQty } from '../types.js';

export interface SeedOptions {
  /** Customers, products and orders seeded (each). */
  count?: number;
}

/** The sandbox's warehouses: products have stock in both. */
export const WAREHOUSES = [
  { ID: 1, Name: 'Main Warehouse' },
  { ID: 2, Name: 'East Coast' },
] as const;

export interface ReceivedPayment {
  OrderID: number;
  Amount: number;
  PaymentMethod: number;
  ReferenceNumber?: string;
  Notes?: string;
}

/** What a SellerCloud team's server holds in the sandbox. */
export class ScData {
  readonly customers = new Map<number, ScCustomer>();
  readonly products = new Map<string, ScProduct>();
  readonly stock = new Map<string, ScWarehouseQty[]>();
  readonly orders = new Map<number, ScOrder>();
  readonly payments: ReceivedPayment[] = [];
  /** Order notes by order id, oldest first. */
  readonly notes = new Map<number, ScNote[]>();
  nextNote = 1;
  nextCustomer = 1000;
  nextOrder = 5000;
  nextPackage = 90_000;
}

const BASE = Date.parse('2025-03-01T08:00:13.250Z');
/** Two records share each stamp, seconds into the minute: the minute-wide filters must be cut exactly. */
const stampOf = (i: number) => new Date(BASE + Math.floor(i / 2) * 7 * 60_000).toISOString();

export function seed(data: ScData, o: SeedOptions = {}): void {
  const count = o.count ?? 6;
  for (let i = 0; i < count; i++) {
    const id = data.nextCustomer++;
    data.customers.set(id, {
      UserID: id,
      FirstName: `Pat${i}`,
      LastName: `Buyer${i}`,
      Email: `buyer${i}@example.com`,
      BusinessName: i % 3 === 0 ? `Buyer ${i} LLC` : null,
      IsWholesale: i % 3 === 0,
      CreatedOn: stampOf(i),
      LastModifiedOn: stampOf(i),
    });
    const sku = `SKU-${String(i).padStart(3, '0')}`;
    data.products.set(sku, {
      ID: sku,
      ProductName: `Widget ${i}`,
      SitePrice: 10 + i + 0.99,
      SiteCost: 4.1 + i,
      IsActive: true,
      LastUpdated: stampOf(i),
    });
    data.stock.set(
      sku,
      WAREHOUSES.map((w, n) => ({
        ProductID: sku,
        WarehouseID: w.ID,
        AvailableQty: 5 + i + n,
        PhysicalQty: 7 + i + n,
      })),
    );
  }
  const customers = [...data.customers.values()];
  const skus = [...data.products.keys()];
  for (let i = 0; i < count; i++) {
    const c = customers[i % customers.length]!;
    const lines = [skus[i % skus.length]!, ...(i % 2 ? [skus[(i + 1) % skus.length]!] : [])];
    const items = lines.map((sku, n) => {
      const p = data.products.get(sku)!;
      return {
        ID: i * 10 + n + 1,
        ProductID: sku,
        ProductName: p.ProductName!,
        Qty: n + 1,
        SitePrice: p.SitePrice!,
      };
    });
    addOrder(data, {
      customer: c,
      items,
      at: stampOf(i),
      packages: i % 4 === 1 ? 2 : 1,
      country: 'US',
      // Marketplace orders beside the shop's own: the channel and its order number travel.
      channel: i % 3 === 0 ? 6 : 21,
      ...(i % 3 === 0 ? { sourceOrderId: `WEB-${7000 + i}` } : {}),
    });
  }
}

/** Adds an order as SellerCloud keeps one: totals in cents, packages numbered, in process. */
export function addOrder(
  data: ScData,
  o: {
    customer: ScCustomer;
    items: ScOrder['Items'];
    at: string;
    packages?: number;
    sourceOrderId?: string;
    country?: string;
    channel?: number;
  },
): ScOrder {
  const id = data.nextOrder++;
  const cents = o.items.reduce((s, i) => s + Math.round((i.SitePrice ?? 0) * 100) * i.Qty, 0);
  const tax = Math.round(cents * 0.08);
  const order: ScOrder = {
    ID: id,
    CustomerID: o.customer.UserID,
    Email: o.customer.Email ?? null,
    FirstName: o.customer.FirstName ?? null,
    LastName: o.customer.LastName ?? null,
    OrderSourceOrderID: o.sourceOrderId ?? null,
    Channel: o.channel ?? 0,
    TimeOfOrder: o.at,
    CreatedOn: o.at,
    LastUpdated: o.at,
    StatusCode: 1,
    ShippingStatus: 1,
    Currency: 'USD',
    SubTotal: cents / 100,
    TaxTotal: tax / 100,
    ShippingTotal: 0,
    GrandTotal: (cents + tax) / 100,
    ShippingAddress: {
      FirstName: o.customer.FirstName ?? null,
      LastName: o.customer.LastName ?? null,
      StreetLine1: `${id} Main St`,
      City: 'Brooklyn',
      StateName: 'NY',
      PostalCode: '11201',
      CountryCode: o.country ?? 'US',
    },
    Items: o.items,
    Packages: Array.from({ length: o.packages ?? 1 }, () => ({
      ID: data.nextPackage++,
      TrackingNumber: null,
    })),
  };
  data.orders.set(id, order);
  return order;
}
