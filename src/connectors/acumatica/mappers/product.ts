import type { Product } from '../../../model/index.js';
import { decimalToApiNumber, toDecimalString, toUtcIso } from '../../../model/index.js';
import { rejected } from '../../sdk/errors.js';
import { type RawStockItem, str, val, wrap } from '../types.js';

export const PRODUCT_EXPAND = 'WarehouseDetails';

/**
 * The cost an item is valued at: standard-cost items carry CurrentStdCost; average, FIFO and
 * specific items carry AverageCost (LastCost when there is no receipt yet). That is the figure the
 * ERP books cost of goods at, so it is the one a shop's margin reports should see.
 */
function valuationCost(raw: RawStockItem): number | undefined {
  const method = str(raw.ValuationMethod) ?? 'Standard';
  const pick = method === 'Standard' ? val(raw.CurrentStdCost) : (val(raw.AverageCost) ?? val(raw.LastCost));
  return typeof pick === 'number' ? pick : undefined;
}

/** Acumatica StockItem → canonical product (not yet validated). */
export function productFromAcumatica(raw: RawStockItem, baseCurrency: string): Record<string, unknown> {
  const sku = str(raw.InventoryID);
  if (!sku) throw rejected('missing_field', 'an Acumatica stock item without an InventoryID was returned');
  const out: Record<string, unknown> = {
    sku,
    name: str(raw.Description) ?? sku,
    status: (str(raw.ItemStatus) ?? 'Active') === 'Active' ? 'active' : 'inactive',
    stock: (raw.WarehouseDetails ?? [])
      .filter((w) => str(w.WarehouseID))
      .map((w) => ({ warehouse: str(w.WarehouseID)!, onHand: toDecimalString(val(w.QtyOnHand) ?? 0) })),
    updatedAt: toUtcIso(val(raw.LastModified) ?? val(raw.LastModifiedDateTime) ?? new Date(0).toISOString()),
  };
  const price = val(raw.DefaultPrice);
  if (typeof price === 'number') out.listPrice = { amount: toDecimalString(price), currency: baseCurrency };
  const cost = valuationCost(raw);
  if (cost !== undefined) out.standardCost = { amount: toDecimalString(cost), currency: baseCurrency };
  const unit = str(raw.BaseUOM);
  if (unit) out.unit = unit;
  const weight = val(raw.DimensionWeight);
  const weightUnit = str(raw.WeightUOM);
  if (typeof weight === 'number' && weight > 0 && weightUnit)
    out.weight = { value: toDecimalString(weight), unit: weightUnit };
  return out;
}

/**
 * Canonical product → StockItem fields. A new standard cost goes to PendingStdCost: Acumatica makes
 * it current only through its "Update Standard Cost" process, which an accountant runs. Stock on hand
 * is not written here: Acumatica changes quantities only through inventory documents.
 */
export function productToAcumatica(
  p: Product,
  fields?: readonly string[],
  defaultItemClass?: string,
): RawStockItem {
  const want = (f: string) => !fields || fields.includes(f);
  const out: RawStockItem = { InventoryID: wrap(p.sku) };
  if (want('name')) out.Description = wrap(p.name);
  if (want('status')) out.ItemStatus = wrap(p.status === 'active' ? 'Active' : 'Inactive');
  if (want('listPrice')) out.DefaultPrice = wrap(decimalToApiNumber(p.listPrice.amount));
  if (want('standardCost') && p.standardCost)
    out.PendingStdCost = wrap(decimalToApiNumber(p.standardCost.amount));
  if (want('unit')) out.BaseUOM = wrap(p.unit);
  if (want('weight') && p.weight) {
    out.DimensionWeight = wrap(decimalToApiNumber(p.weight.value));
    out.WeightUOM = wrap(p.weight.unit);
  }
  if (!fields && defaultItemClass) out.ItemClass = wrap(defaultItemClass);
  return out;
}
