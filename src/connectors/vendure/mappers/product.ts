import { Decimal } from 'decimal.js';
import type { Product } from '../../../model/index.js';
import { fromMinor, toMinor } from '../money.js';
import type { VendureSettings } from '../settings.js';
import type { VendureVariant } from '../types.js';
import { isoFrom } from '../window.js';

/** The unit of every variant: Vendure sells in one unit per variant and does not name it. */
const UNIT = 'EA';

export type ProductMapSettings = Pick<VendureSettings, 'languageCode' | 'stockWarehouses'>;

/**
 * A Vendure product variant → canonical product (Vendure as a source): the variant is what has a SKU
 * and a price. Stock is one entry per stock location, named by the location; the description and
 * status come from the product, whose variants share them.
 */
export function productFromVendure(v: VendureVariant, precision: number): Record<string, unknown> {
  const description = v.product.description?.trim();
  return {
    sku: v.sku,
    name: v.name?.trim() || v.product.name || v.sku,
    ...(description ? { description } : {}),
    status: v.enabled && v.product.enabled ? 'active' : 'inactive',
    listPrice: { amount: fromMinor(v.price, precision), currency: v.currencyCode },
    unit: UNIT,
    stock: v.stockLevels.map((l) => ({ warehouse: l.stockLocation.name, onHand: String(l.stockOnHand) })),
    updatedAt: isoFrom(v.updatedAt),
  };
}

/**
 * What Vendure sells from: the chosen warehouses added up. Vendure counts whole units, so a
 * fraction on hand (which cannot be sold) is left out, and nothing below zero is written.
 */
export function stockOnHandOf(p: Product, s: Pick<ProductMapSettings, 'stockWarehouses'>): number {
  const counted = p.stock.filter(
    (w) => s.stockWarehouses.length === 0 || s.stockWarehouses.includes(w.warehouse),
  );
  const total = counted.reduce((sum, w) => sum.plus(w.onHand), new Decimal(0));
  return Decimal.max(0, total.floor()).toNumber();
}

/** A product's slug: unique enough by its SKU; Vendure normalises it and makes it unique. */
const slugOf = (p: Product) => `${p.name}-${p.sku}`;

/** CreateProductInput of the product that carries a new variant. */
export function productInput(p: Product, s: ProductMapSettings): Record<string, unknown> {
  return {
    enabled: p.status === 'active',
    translations: [
      { languageCode: s.languageCode, name: p.name, slug: slugOf(p), description: p.description ?? '' },
    ],
  };
}

/** CreateProductVariantInput: the SKU, the price without tax in minor units, the stock on hand. */
export function variantInput(
  p: Product,
  productId: string,
  precision: number,
  s: ProductMapSettings,
): Record<string, unknown> {
  return {
    productId,
    sku: p.sku,
    enabled: p.status === 'active',
    price: toMinor(p.listPrice.amount, precision, `product ${p.sku}: list price`),
    stockOnHand: stockOnHandOf(p, s),
    translations: [{ languageCode: s.languageCode, name: p.name }],
  };
}

/** UpdateProductVariantInput with the owned fields only (an empty input but the id changes nothing). */
export function variantUpdate(
  p: Product,
  id: string,
  fields: readonly string[],
  precision: number,
  s: ProductMapSettings,
): Record<string, unknown> {
  const out: Record<string, unknown> = { id };
  if (fields.includes('listPrice'))
    out.price = toMinor(p.listPrice.amount, precision, `product ${p.sku}: list price`);
  if (fields.includes('stock')) out.stockOnHand = stockOnHandOf(p, s);
  if (fields.includes('status')) out.enabled = p.status === 'active';
  if (fields.includes('name')) out.translations = [{ languageCode: s.languageCode, name: p.name }];
  return out;
}
