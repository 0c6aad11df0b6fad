import { randomUUID } from 'node:crypto';
import { fromLocal, toLocal } from '../mappers/time.js';
import type { IsCustomer, IsTransfer } from '../types.js';
import { type StoreData, type StoredProduct, transfer } from './store.js';

/** The largest page the sandbox answers (⚠ FACTS.md: none documented; larger is cut to it). */
export const SANDBOX_MAX_PAGE = 500;

export type Body = Record<string, unknown>;
/** An answer's list and paging, or a refusal as iSeller words it (HTTP 200, status false). */
export type Answer = Body | { refuse: string };

const DATE_KEYS = new Set([
  'order_date',
  'closed_date',
  'modified_date',
  'transaction_date',
  'refund_date',
  'transfer_date',
  'adjustment_date',
  'open_date',
]);

/** A record as iSeller shows it in the asked zone: dates without zone, in store time (PA v2). */
export function shown<T>(v: T, tz: number): T {
  if (Array.isArray(v)) return v.map((x) => shown(x, tz)) as T;
  if (v instanceof Map) return v;
  if (!v || typeof v !== 'object') return v;
  const out: Body = {};
  for (const [k, x] of Object.entries(v as Body))
    out[k] = DATE_KEYS.has(k) && typeof x === 'string' ? toLocal(x, tz) : shown(x, tz);
  return out as T;
}

const list = (v: unknown): string[] =>
  v === undefined || v === null || v === ''
    ? []
    : Array.isArray(v)
      ? v.map(String)
      : String(v)
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);

/** The store-time filter as an instant, or undefined; a bad one is refused like iSeller would. */
const instant = (v: unknown, tz: number): number | undefined =>
  v === undefined || v === '' ? undefined : Date.parse(fromLocal(String(v), tz));

function page<T>(rows: T[], b: Body): { rows: T[]; has_next_item: boolean; count: number } {
  const size = Math.min(SANDBOX_MAX_PAGE, Number(b.page_size ?? 50));
  const n = Math.max(1, Number(b.page ?? 1));
  const slice = rows.slice((n - 1) * size, n * size);
  return { rows: slice, has_next_item: n * size < rows.length, count: rows.length };
}

const inWindow = (at: string | null | undefined, from?: number, to?: number) => {
  if (!at) return from === undefined && to === undefined;
  const t = Date.parse(at);
  return (from === undefined || t >= from) && (to === undefined || t <= to);
};

const productOut = (p: StoredProduct, d: StoreData) => {
  const { stock, ...rest } = p;
  return {
    ...rest,
    inventories: [...stock.entries()].map(([code, q]) => ({
      outlet_id: d.outlet(code).outlet_id,
      outlet_code: code,
      outlet_name: d.outlet(code).outlet_name,
      unit_in_stock: q,
    })),
  };
};

/** The calls the sandbox answers, by name with its first letter lower-cased; v2 bodies are form fields (text), v3 bodies JSON. */
export function calls(d: StoreData, now: () => string): Record<string, (b: Body) => Answer> {
  const tzOf = (b: Body) => Number(b.time_zone ?? 0);
  const byModified = <T extends { modified_date?: string }>(rows: T[], b: Body) => {
    const tz = tzOf(b);
    const from = instant(b.modified_after, tz);
    const to = instant(b.modified_before, tz);
    return rows
      .filter((r) => inWindow(r.modified_date, from, to))
      .sort((x, y) => (x.modified_date ?? '').localeCompare(y.modified_date ?? ''));
  };
  return {
    getStoreInfo: () => ({
      store_info: {
        store_name: 'Toko Ledgerlink',
        currency: 'IDR',
        active_outlets: d.outlets.map((o) => ({ outlet_id: o.outlet_id, outlet_name: o.outlet_name })),
        active_payments: ['Cash', 'QRIS', 'Debit BCA', 'Kartu Kredit', 'GoPay'],
      },
    }),
    getOutlets: (b) => {
      const p = page(
        d.outlets.map((o) => ({
          id: o.outlet_id,
          outlet_code: o.outlet_code,
          name: o.outlet_name,
          is_active: true,
        })),
        b,
      );
      // The live API wraps outlets as `Outlets` (adapter guide).
      return { Outlets: p.rows, has_next_item: p.has_next_item, count: p.count };
    },
    getOrders: (b) => {
      const tz = tzOf(b);
      if (b.time_zone === undefined || b.time_zone === '') return { refuse: 'time_zone is required' };
      if (!b.created_after) return { refuse: 'created_after is required' };
      const cFrom = instant(b.created_after, tz);
      const cTo = instant(b.created_before, tz);
      const mFrom = instant(b.modified_after, tz);
      const mTo = instant(b.modified_before, tz);
      const key = b.sort === 'CreatedDate' ? 'order_date' : 'modified_date';
      const rows = [...d.orders.values()]
        .filter((o) => inWindow(o.order_date, cFrom, cTo) && inWindow(o.modified_date, mFrom, mTo))
        .filter((o) => !b.order_id || o.order_id === b.order_id)
        .filter((o) => !b.outlet_id || o.outlet_id === b.outlet_id)
        .sort((x, y) => String(x[key]).localeCompare(String(y[key])) || x.order_id.localeCompare(y.order_id));
      const p = page(rows, b);
      const includes = String(b.includes ?? '');
      return {
        orders: shown(
          p.rows.map(({ refunds: _r, ...o }) => ({
            ...o,
            ...(includes.includes('OrderDetails') ? {} : { order_details: undefined }),
            ...(includes.includes('Transactions') ? {} : { transactions: undefined }),
          })),
          tz,
        ),
        ...(includes.includes('TrackInventory')
          ? {
              refunded_orders: shown(
                p.rows.flatMap((o) => o.refunds),
                tz,
              ),
            }
          : {}),
        count: p.count,
        has_next_item: p.has_next_item,
      };
    },
    getRegisterShifts: (b) => {
      const tz = tzOf(b);
      const from = instant(b.modified_date, tz);
      const rows = [...d.shifts.values()]
        .filter((s) => inWindow(s.modified_date, from))
        .sort((x, y) => (x.modified_date ?? '').localeCompare(y.modified_date ?? ''));
      const p = page(rows, b);
      return { register_shifts: shown(p.rows, tz), count: p.count, has_next_item: p.has_next_item };
    },
    getProducts: (b) => {
      if (!b.page_size) return { refuse: 'page_size is required' };
      const skus = new Set(list(b.skus));
      const rows = byModified([...d.products.values()], b).filter((p) => !skus.size || skus.has(p.sku ?? ''));
      const p = page(rows, b);
      return {
        products: shown(
          p.rows.map((x) => productOut(x, d)),
          tzOf(b),
        ),
        count: p.count,
        has_next_item: p.has_next_item,
      };
    },
    getCustomers: (b) => {
      const ids = new Set(list(b.customer_ids));
      const ext = new Set(list(b.external_customer_ids));
      const rows = byModified([...d.customers.values()], b)
        .filter((c) => !ids.size || ids.has(c.customer_id))
        .filter((c) => !ext.size || ext.has(c.external_customer_id ?? ''));
      const p = page(rows, b);
      return { customers: shown(p.rows, tzOf(b)), count: p.count, has_next_item: p.has_next_item };
    },
    getTransfer: (b) => {
      const ids = new Set(list(b.transfer_ids));
      const refs = new Set(list(b.references));
      const rows = byModified([...d.transfers.values()], b)
        .filter((t) => !ids.size || ids.has(t.transfer_id))
        .filter((t) => !refs.size || refs.has(t.reference));
      const p = page(rows, b);
      return { transfers: shown(p.rows, tzOf(b)), count: p.count, has_next_item: p.has_next_item };
    },
    getInventoryAdjustments: (b) => {
      const ids = new Set(list(b.adjustment_ids));
      const rows = byModified([...d.adjustments.values()], b).filter(
        (a) => !ids.size || ids.has(a.adjustment_id),
      );
      const p = page(rows, b);
      return {
        inventory_adjustments: shown(p.rows, tzOf(b)),
        count: p.count,
        has_next_item: p.has_next_item,
      };
    },
    // Each product's stock at one outlet (0 where it has none), products without an SKU left out.
    getOutletInventories: (b) => {
      const code = String(b.outlet_code ?? '');
      if (!code) return { refuse: 'outlet_code is required' };
      if (!d.outlets.some((o) => o.outlet_code === code)) return { refuse: `Outlet ${code} not found` };
      const rows = [...d.products.values()]
        .filter((p) => p.sku)
        .map((p) => ({ sku: p.sku, stock: p.stock.get(code) ?? 0 }));
      const p = page(rows, b);
      return { inventories: p.rows, count: p.count, has_next_item: p.has_next_item };
    },
    createProducts: (b) => {
      const rows = Array.isArray(b.products) ? (b.products as Body[]) : [];
      for (const r of rows) {
        if (!r.sku) return { refuse: 'sku is required' };
        if (d.productBySku(String(r.sku)))
          return { refuse: `Product with SKU ${String(r.sku)} already exists` };
        if (!r.name) return { refuse: `name is required for SKU ${String(r.sku)}` };
      }
      const made = rows.map((r) => {
        const p: StoredProduct = {
          product_id: randomUUID(),
          sku: String(r.sku),
          name: String(r.name),
          ...(r.description ? { description: String(r.description) } : {}),
          price: String(r.price ?? '0'),
          unit_of_measurement: String(r.unit_of_measurement ?? 'PCS'),
          is_active: r.is_active !== false,
          modified_date: now(),
          stock: new Map(),
        };
        d.products.set(p.product_id, p);
        return { product_id: p.product_id, sku: p.sku };
      });
      return { products: made };
    },
    updateProducts: (b) => {
      const rows = Array.isArray(b.products) ? (b.products as Body[]) : [];
      for (const r of rows)
        if (!d.products.get(String(r.product_id)))
          return { refuse: `Product ${String(r.product_id)} not found` };
      return {
        products: rows.map((r) => {
          const p = d.products.get(String(r.product_id))!;
          if (r.name !== undefined) p.name = String(r.name);
          if (r.description !== undefined) p.description = String(r.description);
          if (r.price !== undefined) p.price = String(r.price);
          if (r.is_active !== undefined) p.is_active = r.is_active === true;
          p.modified_date = now();
          return { product_id: p.product_id, sku: p.sku };
        }),
      };
    },
    setFinalStock: (b) => {
      const code = String(b.outlet_code ?? '');
      if (!d.outlets.some((o) => o.outlet_code === code)) return { refuse: `Outlet ${code} not found` };
      const rows = Array.isArray(b.products) ? (b.products as Body[]) : [];
      for (const r of rows)
        if (!d.productBySku(String(r.sku))) return { refuse: `Product with SKU ${String(r.sku)} not found` };
      for (const r of rows) {
        const p = d.productBySku(String(r.sku))!;
        p.stock.set(code, Number(r.final_stock));
        p.modified_date = now();
      }
      return { products: rows };
    },
    createTransfer: (b) => {
      const code = String(b.outlet_code ?? b.to_outlet_code ?? '');
      if (!d.outlets.some((o) => o.outlet_code === code)) return { refuse: `Outlet ${code} not found` };
      const ref = String(b.reference ?? '');
      if ([...d.transfers.values()].some((t) => t.reference === ref && t.type === b.type))
        return { refuse: `Transfer with reference ${ref} already exists` };
      const rows = Array.isArray(b.products) ? (b.products as Body[]) : [];
      for (const r of rows)
        if (!d.productBySku(String(r.sku))) return { refuse: `Product with SKU ${String(r.sku)} not found` };
      const type = b.type === 'out' ? 'out' : 'in';
      const t: IsTransfer = transfer(
        d,
        ref,
        type,
        type === 'out' ? code : String(b.from ?? 'supplier'),
        type === 'out' ? String(b.to_outlet_code ?? '') : code,
        now(),
        rows.map((r) => [String(r.sku), Number(r.quantity)]),
      );
      return { transfer: { transfer_id: t.transfer_id, reference: t.reference } };
    },
    createCustomer: (b) => {
      const ext = b.external_customer_id ? String(b.external_customer_id) : null;
      if (ext && [...d.customers.values()].some((c) => c.external_customer_id === ext))
        return { refuse: `Customer ID ${ext} already exists` };
      const c: IsCustomer = {
        customer_id: randomUUID(),
        external_customer_id: ext,
        first_name: (b.first_name as string) ?? null,
        last_name: (b.last_name as string) ?? null,
        email: (b.email as string) ?? null,
        phone: (b.phone as string) ?? null,
        customer_group: (b.customer_group as string) ?? null,
        modified_date: now(),
      };
      d.customers.set(c.customer_id, c);
      return { customer: { customer_id: c.customer_id } };
    },
    updateCustomer: (b) => {
      const c = d.customers.get(String(b.customer_id));
      if (!c) return { refuse: `Customer ${String(b.customer_id)} not found` };
      for (const k of ['first_name', 'last_name', 'email', 'phone', 'customer_group'] as const)
        if (b[k] !== undefined) c[k] = String(b[k]);
      c.modified_date = now();
      return { customer: { customer_id: c.customer_id } };
    },
    cancelOrder: (b) => {
      const o = d.orders.get(String(b.order_id));
      if (!o) return { refuse: `Order ${String(b.order_id)} not found` };
      o.status = 'void';
      o.payment_status = 'voided';
      o.cancel_date = now();
      o.modified_date = now();
      return { order_id: o.order_id };
    },
  };
}
