import { type Product, toDecimalString } from '../../../model/index.js';
import { fromAccurateDateTime } from '../dates.js';
import { type AccItem, text } from '../types.js';

export const ITEM_FIELDS = 'id,no,name,itemType,unitPrice,unit1Name,suspended,lastUpdate';

/** An item with its stock per warehouse (list-stock.do), as a product; the SKU is the item's `no`. */
export function productFrom(
  i: AccItem,
  stock: ReadonlyMap<string, string> | undefined,
  currency: string,
): Product {
  const sku = text(i.no);
  if (!sku) throw new Error(`Accurate item ${i.id} has no item number (no), which is its SKU`);
  return {
    sku,
    name: text(i.name) ?? sku,
    status: i.suspended ? 'inactive' : 'active',
    listPrice: { amount: toDecimalString(i.unitPrice ?? 0), currency },
    unit: text(i.unit1Name) ?? text((i.unit1 as { name?: unknown } | undefined)?.name) ?? 'PCS',
    stock: [...(stock ?? new Map()).entries()].map(([warehouse, onHand]) => ({ warehouse, onHand })),
    updatedAt: i.lastUpdate ? fromAccurateDateTime(i.lastUpdate) : new Date(0).toISOString(),
  };
}
