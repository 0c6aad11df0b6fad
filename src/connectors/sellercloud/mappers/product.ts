import { money, type Product, toDecimalString } from '../../../model/index.js';
import type { ScProduct, ScWarehouseQty } from '../types.js';
import { scInstant } from './time.js';

/** A SellerCloud product as canonical, its stock the physical quantity in each warehouse (by id). */
export function productFromSc(p: ScProduct, stock: readonly ScWarehouseQty[], currency: string): Product {
  return {
    sku: p.ID,
    name: p.ProductName?.trim() || p.ID,
    status: p.IsActive === false ? 'inactive' : 'active',
    listPrice: money(p.SitePrice ?? 0, currency),
    ...(p.SiteCost !== undefined && p.SiteCost !== null ? { standardCost: money(p.SiteCost, currency) } : {}),
    unit: 'EA',
    stock: stock.map((w) => ({ warehouse: String(w.WarehouseID), onHand: toDecimalString(w.PhysicalQty) })),
    updatedAt: scInstant(p.LastUpdated) ?? new Date(0).toISOString(),
  };
}
