import { randomUUID } from 'node:crypto';
import { offsetOf } from '../mappers/time.js';
import type {
  IsAdjustment,
  IsCustomer,
  IsOrder,
  IsProduct,
  IsRefund,
  IsShift,
  IsTransfer,
} from '../types.js';

/**
 * One iSeller store in memory. Every date is kept in UTC (ISO) under iSeller's field names and shown
 * in the zone each call asks for (`time_zone`), as iSeller does (PA v2). Orders keep their refunds
 * beside them; products their stock per outlet.
 */
export interface Outlet {
  outlet_id: string;
  outlet_code: string;
  outlet_name: string;
  is_warehouse: boolean;
}

export type StoredOrder = IsOrder & { refunds: IsRefund[] };
export type StoredProduct = Omit<IsProduct, 'inventories'> & { stock: Map<string, number> };

export class StoreData {
  readonly outlets: Outlet[] = [];
  readonly products = new Map<string, StoredProduct>();
  readonly customers = new Map<string, IsCustomer>();
  readonly orders = new Map<string, StoredOrder>();
  readonly transfers = new Map<string, IsTransfer>();
  readonly adjustments = new Map<string, IsAdjustment>();
  readonly shifts = new Map<string, IsShift>();

  outlet(code: string): Outlet {
    const o = this.outlets.find((x) => x.outlet_code === code);
    if (!o) throw new Error(`no outlet ${code}`);
    return o;
  }

  productBySku(sku: string): StoredProduct | undefined {
    for (const p of this.products.values()) if (p.sku === sku) return p;
    return undefined;
  }

  addStock(sku: string, outlet: string, delta: number): void {
    const p = this.productBySku(sku);
    if (p) p.stock.set(outlet, (p.stock.get(outlet) ?? 0) + delta);
  }
}

/** `2025-03-14 09:15:12` at WIB (UTC+7) as a UTC instant. */
export const wib = (local: string): string =>
  new Date(`${local.replace(' ', 'T')}${offsetOf(7)}`).toISOString();

const uuid = () => randomUUID();

export interface SeedOptions {
  /** The seed's shop: three outlets and a warehouse, its products, customers and a day of sales. Default true. */
  shop?: boolean;
  /** Generated records of each kind (orders, products, customers, transfers, stock takes), for volume. */
  count?: number;
}

export type Line = { sku: string; qty: number; price: number; discount?: number; tax: number; rate?: number };
export type Pay = { method: string; gateway: string; amount: number; at: string };

/**
 * A paid order made at an outlet's register, as the till records it: its lines (PPN per line), an
 * order discount and cash rounding, its payments; the goods leave the outlet's stock.
 */
export function addOrder(
  d: StoreData,
  ref: string,
  outlet: string,
  register: string,
  at: string,
  who: IsCustomer | undefined,
  lines: Line[],
  extra: { orderDiscount?: number; rounding?: number; pays: Pay[] },
): StoredOrder {
  const lineDiscounts = lines.reduce((s, l) => s + (l.discount ?? 0), 0);
  const subtotal = lines.reduce((s, l) => s + l.qty * l.price - (l.discount ?? 0), 0);
  const tax = lines.reduce((s, l) => s + l.tax, 0);
  const total = subtotal - (extra.orderDiscount ?? 0) + tax + (extra.rounding ?? 0);
  const out = d.outlet(outlet);
  const stored: StoredOrder = {
    order_id: uuid(),
    order_reference: ref,
    channel: 'pos',
    order_date: at,
    closed_date: at,
    modified_date: at,
    status: 'completed',
    payment_status: 'paid',
    outlet_id: out.outlet_id,
    outlet_name: out.outlet_name,
    outlet_code: out.outlet_code,
    register_id: register,
    customer_id: who?.customer_id ?? null,
    external_customer_id: who?.external_customer_id ?? null,
    customer_first_name: who?.first_name ?? null,
    customer_last_name: who?.last_name ?? null,
    currency: 'IDR',
    total_discount_amount: `${lineDiscounts + (extra.orderDiscount ?? 0)}.0000`,
    total_promotion_amount: '0.0000',
    subtotal: `${subtotal}.0000`,
    total_tax_amount: `${tax}.0000`,
    rounding_amount: `${extra.rounding ?? 0}.0000`,
    total_amount: `${total}.0000`,
    tax_inclusive: false,
    order_details: lines.map((l) => ({
      order_detail_id: uuid(),
      product_id: d.productBySku(l.sku)?.product_id ?? uuid(),
      product_name: d.productBySku(l.sku)?.name ?? l.sku,
      sku: l.sku,
      quantity: l.qty,
      base_price: `${l.price}.0000`,
      discount_amount: `${l.discount ?? 0}.0000`,
      tax_percentage: l.rate ?? 11,
      tax_amount: `${l.tax}.0000`,
    })),
    transactions: extra.pays.map((p) => ({
      transaction_id: uuid(),
      transaction_date: p.at,
      type: 'sale',
      status: 'success',
      gateway: p.gateway,
      payment_type_name: p.method,
      amount: `${p.amount}.0000`,
    })),
    refunds: [],
  };
  d.orders.set(stored.order_id, stored);
  for (const l of lines) d.addStock(l.sku, outlet, -l.qty);
  return stored;
}

export function seed(d: StoreData, o: SeedOptions): void {
  for (const [code, name, wh] of [
    ['KMG', 'Outlet Kemang', false],
    ['SNY', 'Outlet Senayan', false],
    ['BSD', 'Outlet BSD', false],
    ['GDG', 'Gudang Utama', true],
  ] as const)
    d.outlets.push({ outlet_id: uuid(), outlet_code: code, outlet_name: name, is_warehouse: wh });

  const product = (sku: string, name: string, price: number, stock: Record<string, number>, at: string) => {
    const p: StoredProduct = {
      product_id: uuid(),
      sku,
      name,
      price,
      unit_of_measurement: 'PCS',
      is_active: true,
      modified_date: at,
      stock: new Map(Object.entries(stock)),
    };
    d.products.set(p.product_id, p);
    return p;
  };
  const customer = (ext: string | null, first: string, last: string, email: string, at: string) => {
    const c: IsCustomer = {
      customer_id: uuid(),
      external_customer_id: ext,
      first_name: first,
      last_name: last,
      email,
      phone: '+62 811 0000 000',
      modified_date: at,
    };
    d.customers.set(c.customer_id, c);
    return c;
  };
  const order = addOrder.bind(null, d);

  if (o.shop !== false) {
    const t0 = wib('2025-03-13 18:00:00');
    product('KOPI-250', 'Kopi Arabika 250g', 85000, { KMG: 40, SNY: 25, BSD: 30, GDG: 200 }, t0);
    product('TEH-100', 'Teh Melati 100g', 32500, { KMG: 50, SNY: 40, BSD: 35, GDG: 300 }, t0);
    product('GULA-1KG', 'Gula Aren 1kg', 18000, { KMG: 60, SNY: 45, BSD: 20, GDG: 500 }, t0);
    product('MUG-01', 'Mug Keramik', 45000, { KMG: 12, SNY: 10, BSD: 8, GDG: 80 }, t0);
    // The seed's webhook log example: a product without an SKU.
    product('', 'Tas Kanvas', 60000, { KMG: 5 }, t0);
    // The seed's customers: Elon and Steve without an ID in iSeller, Mark with one.
    const elon = customer(null, 'Elon', 'Mask', 'elon@example.com', t0);
    const steve = customer(null, 'Steve', 'Jobs', 'steve@example.com', t0);
    const mark = customer('MZ-001', 'Mark', 'Zuckeberg', 'mark@example.com', t0);

    const kmgShift: IsShift = {
      register_shift_id: uuid(),
      register_id: 'REG-KMG-1',
      register_name: 'Kasir Kemang 1',
      outlet_id: d.outlet('KMG').outlet_id,
      outlet_code: 'KMG',
      open_date: wib('2025-03-14 08:00:00'),
      closed_date: null,
      modified_date: wib('2025-03-14 08:00:00'),
    };
    d.shifts.set(kmgShift.register_shift_id, kmgShift);
    const snyShift: IsShift = {
      register_shift_id: uuid(),
      register_id: 'REG-SNY-1',
      register_name: 'Kasir Senayan 1',
      outlet_id: d.outlet('SNY').outlet_id,
      outlet_code: 'SNY',
      open_date: wib('2025-03-14 08:30:00'),
      closed_date: null,
      modified_date: wib('2025-03-14 08:30:00'),
    };
    d.shifts.set(snyShift.register_shift_id, snyShift);

    // 2 × 85,000 − 10,000 and 32,500; PPN 11 % per line; rounded down 175 to 213,500; cash and QRIS.
    order(
      'KMG-1001',
      'KMG',
      'REG-KMG-1',
      wib('2025-03-14 09:15:12'),
      mark,
      [
        { sku: 'KOPI-250', qty: 2, price: 85000, discount: 10000, tax: 17600 },
        { sku: 'TEH-100', qty: 1, price: 32500, tax: 3575 },
      ],
      {
        rounding: -175,
        pays: [
          { method: 'Cash', gateway: 'cash', amount: 100000, at: wib('2025-03-14 09:15:40') },
          { method: 'QRIS', gateway: 'custom', amount: 113500, at: wib('2025-03-14 09:15:55') },
        ],
      },
    );
    // A walk-in: 3 × 18,000 with 4,000 off the order; PPN on what is left (5,500); a debit card.
    order(
      'KMG-1002',
      'KMG',
      'REG-KMG-1',
      wib('2025-03-14 11:02:45'),
      undefined,
      [{ sku: 'GULA-1KG', qty: 3, price: 18000, tax: 5500 }],
      {
        orderDiscount: 4000,
        pays: [
          { method: 'Debit BCA', gateway: 'external_debit', amount: 55500, at: wib('2025-03-14 11:03:10') },
        ],
      },
    );
    // Elon's mug, rounded up 50, refunded in the afternoon.
    const mug = order(
      'KMG-1003',
      'KMG',
      'REG-KMG-1',
      wib('2025-03-14 13:30:05'),
      elon,
      [{ sku: 'MUG-01', qty: 1, price: 45000, tax: 4950 }],
      {
        rounding: 50,
        pays: [{ method: 'Cash', gateway: 'cash', amount: 50000, at: wib('2025-03-14 13:30:20') }],
      },
    );
    refund(
      d,
      mug,
      wib('2025-03-14 15:10:00'),
      [{ sku: 'MUG-01', qty: 1, price: 45000, tax: 4950 }],
      50,
      'Cash',
    );
    order(
      'SNY-2001',
      'SNY',
      'REG-SNY-1',
      wib('2025-03-14 10:05:30'),
      steve,
      [
        { sku: 'KOPI-250', qty: 1, price: 85000, tax: 9350 },
        { sku: 'TEH-100', qty: 2, price: 32500, tax: 7150 },
      ],
      {
        pays: [
          {
            method: 'Kartu Kredit',
            gateway: 'external_credit',
            amount: 166500,
            at: wib('2025-03-14 10:06:00'),
          },
        ],
      },
    );
    order(
      'BSD-3001',
      'BSD',
      'REG-BSD-1',
      wib('2025-03-14 16:45:00'),
      undefined,
      [{ sku: 'MUG-01', qty: 2, price: 45000, tax: 9900 }],
      {
        rounding: 100,
        pays: [
          { method: 'Cash', gateway: 'cash', amount: 50000, at: wib('2025-03-14 16:45:30') },
          { method: 'GoPay', gateway: 'custom', amount: 50000, at: wib('2025-03-14 16:45:50') },
        ],
      },
    );
    // Kemang sends five bags of coffee to Senayan, which receives them; BSD returns two mugs to the warehouse.
    transfer(d, 'TO-KMG-0001', 'out', 'KMG', 'SNY', wib('2025-03-14 12:00:00'), [['KOPI-250', 5]]);
    transfer(
      d,
      'TI-SNY-0001',
      'in',
      'KMG',
      'SNY',
      wib('2025-03-14 14:00:00'),
      [['KOPI-250', 5]],
      'TO-KMG-0001',
    );
    transfer(d, 'TO-BSD-0001', 'out', 'BSD', 'GDG', wib('2025-03-14 17:00:00'), [['MUG-01', 2]]);
    // BSD counts its sugar: 18 on the shelf where the book says 20.
    const at = wib('2025-03-14 18:00:00');
    const opname: IsAdjustment = {
      adjustment_id: uuid(),
      reference: 'SO-BSD-0001',
      outlet_code: 'BSD',
      action: 'opname',
      status: 'completed',
      adjustment_date: at,
      modified_date: at,
      items: [{ sku: 'GULA-1KG', system_stock: 20, actual_stock: 18 }],
    };
    d.adjustments.set(opname.adjustment_id, opname);
    d.productBySku('GULA-1KG')!.stock.set('BSD', 18);
  }

  const n = o.count ?? 0;
  const base = Date.parse('2025-02-01T02:00:00Z');
  const stamp = (i: number) => new Date(base + Math.floor(i / 3) * 60_000).toISOString();
  for (let i = 1; i <= n; i++) {
    const k = String(i).padStart(5, '0');
    product(`P${k}`, `Produk ${k}`, 10000 + i * 500, { KMG: 10 + i, GDG: 100 }, stamp(i));
    customer(i % 2 ? `C${k}` : null, 'Pelanggan', k, `pelanggan${k}@example.com`, stamp(i));
  }
  for (let i = 1; i <= n; i++) {
    const k = String(i).padStart(5, '0');
    const price = 10000 + i * 500;
    const tax = (price * 11) / 100;
    const at = stamp(i);
    order(`GEN-${k}`, 'KMG', 'REG-KMG-2', at, undefined, [{ sku: `P${k}`, qty: 1, price, tax }], {
      pays: [{ method: 'Cash', gateway: 'cash', amount: price + tax, at }],
    });
    transfer(d, `TO-GEN-${k}`, 'out', 'KMG', 'GDG', at, [[`P${k}`, 1]]);
    const adj: IsAdjustment = {
      adjustment_id: uuid(),
      reference: `SO-GEN-${k}`,
      outlet_code: 'KMG',
      action: 'opname',
      status: 'completed',
      adjustment_date: at,
      modified_date: at,
      items: [{ sku: `P${k}`, system_stock: 10 + i, actual_stock: 10 + i }],
    };
    d.adjustments.set(adj.adjustment_id, adj);
  }
}

export function transfer(
  d: StoreData,
  reference: string,
  type: 'out' | 'in',
  from: string,
  to: string,
  at: string,
  items: Array<[string, number]>,
  outReference?: string,
): IsTransfer {
  const t: IsTransfer = {
    transfer_id: randomUUID(),
    reference,
    type,
    out_type: 'to_outlet',
    from_outlet_code: from,
    to_outlet_code: to,
    ...(outReference ? { out_reference: outReference } : {}),
    status: 'completed',
    transfer_date: at,
    modified_date: at,
    items: items.map(([sku, quantity]) => ({ sku, quantity })),
  };
  d.transfers.set(t.transfer_id, t);
  for (const [sku, q] of items) d.addStock(sku, type === 'out' ? from : to, type === 'out' ? -q : q);
  return t;
}

/** Refunds lines of an order: the order turns `refunded`, its refund and the money given back are kept. */
export function refund(
  d: StoreData,
  o: StoredOrder,
  at: string,
  lines: Line[],
  rounding: number,
  method: string,
): void {
  const net = lines.reduce((s, l) => s + l.qty * l.price - (l.discount ?? 0), 0);
  const tax = lines.reduce((s, l) => s + l.tax, 0);
  const amount = net + tax + rounding;
  o.refunds.push({
    order_id: o.order_id,
    refund_id: randomUUID(),
    refund_date: at,
    refund_amount: `${amount}.0000`,
    rounding_amount: `${rounding}.0000`,
    refund_details: lines.map((l) => ({
      sku: l.sku,
      product_name: d.productBySku(l.sku)?.name ?? l.sku,
      quantity: l.qty,
      base_price: l.price,
      discount_amount: l.discount ?? 0,
      tax_percentage: l.rate ?? 11,
      tax_amount: l.tax,
    })),
  });
  o.transactions?.push({
    transaction_id: randomUUID(),
    transaction_date: at,
    type: 'refund',
    status: 'success',
    payment_type_name: method,
    amount: `-${amount}.0000`,
  });
  o.payment_status = 'refunded';
  o.modified_date = at;
  for (const l of lines) d.addStock(l.sku, o.outlet_code ?? '', l.qty);
}
