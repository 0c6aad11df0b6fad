import { Decimal } from 'decimal.js';
import type { Product, WarehouseStock } from '../../../model/index.js';
import type { MagentoSettings } from '../settings.js';
import type { MsiSourceItem, StockItem } from '../types.js';
import { apiNumber, decimalFrom } from './values.js';

export type StockMapSettings = Pick<MagentoSettings, 'stockSource' | 'stockWarehouses'>;

/** The warehouse code canonical stock read from the legacy stock item carries (Magento's default stock). */
export const LEGACY_WAREHOUSE = 'default';

/** The quantity Magento sells from: the chosen warehouses added up, exactly. */
export function stockQuantity(p: Product, s: Pick<StockMapSettings, 'stockWarehouses'>): string {
  const counted = p.stock.filter(
    (w) => s.stockWarehouses.length === 0 || s.stockWarehouses.includes(w.warehouse),
  );
  return counted.reduce((sum, w) => sum.plus(w.onHand), new Decimal(0)).toFixed();
}

/** MSI: the product's quantity at the connection's source; in stock while there is any. */
export function sourceItemOf(p: Product, s: StockMapSettings): MsiSourceItem {
  const qty = stockQuantity(p, s);
  return {
    sku: p.sku,
    source_code: s.stockSource,
    quantity: apiNumber(qty, `product ${p.sku}: stock`),
    status: new Decimal(qty).gt(0) ? 1 : 0,
  };
}

/**
 * A new product's stock item: Magento's own defaults (every use_config_* on, so the store's
 * configuration applies), with the quantity. Magento recomputes low_stock_date on save.
 */
export const DEFAULT_STOCK_ITEM: Readonly<StockItem> = {
  qty: 0,
  is_in_stock: false,
  is_qty_decimal: false,
  show_default_notification_message: false,
  use_config_min_qty: true,
  min_qty: 0,
  use_config_min_sale_qty: 1,
  min_sale_qty: 1,
  use_config_max_sale_qty: true,
  max_sale_qty: 10000,
  use_config_backorders: true,
  backorders: 0,
  use_config_notify_stock_qty: true,
  notify_stock_qty: 1,
  use_config_qty_increments: true,
  qty_increments: 0,
  use_config_enable_qty_inc: true,
  enable_qty_increments: false,
  use_config_manage_stock: true,
  manage_stock: true,
  low_stock_date: '',
  is_decimal_divided: false,
  stock_status_changed_auto: 0,
};

/**
 * Legacy stock: the whole stock item (the spec requires every field) — the one Magento has, or the
 * defaults for a new product — with the quantity and availability changed and nothing else.
 */
export function stockItemOf(p: Product, s: StockMapSettings, current?: StockItem): StockItem {
  const qty = stockQuantity(p, s);
  const base = current ?? DEFAULT_STOCK_ITEM;
  const fractional = !new Decimal(qty).isInteger();
  return {
    ...base,
    qty: apiNumber(qty, `product ${p.sku}: stock`),
    // Zero stock stays sellable only where the product takes backorders.
    is_in_stock: new Decimal(qty).gt(0) || (base.backorders > 0 && !base.use_config_backorders),
    is_qty_decimal: base.is_qty_decimal || fractional,
    // Magento answers null here, which the published schema (a string) does not allow; it is
    // recomputed on every save, so what we send back does not matter.
    low_stock_date: base.low_stock_date ?? '',
  };
}

/** Canonical stock from MSI source items: one warehouse per source. */
export function stockFromSourceItems(sku: string, items: readonly MsiSourceItem[]): WarehouseStock[] {
  return items.map((x) => ({
    warehouse: x.source_code,
    onHand: decimalFrom(x.quantity, `product ${sku}: quantity at ${x.source_code}`) ?? '0',
  }));
}

/** Canonical stock from the legacy stock item: Magento's one default stock. */
export function stockFromStockItem(sku: string, item: StockItem | undefined): WarehouseStock[] {
  if (!item) return [];
  return [{ warehouse: LEGACY_WAREHOUSE, onHand: decimalFrom(item.qty, `product ${sku}: qty`) ?? '0' }];
}
