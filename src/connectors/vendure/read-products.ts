import type { ReadQuery, SourceItem } from '../sdk/contract.js';
import { configError, toErrorData } from '../sdk/errors.js';
import { PRODUCT_VARIANTS } from './documents.js';
import { productFromVendure } from './mappers/product.js';
import { allOf, type ListFilter, type ListQuery } from './paging.js';
import type { VendureVariant } from './types.js';
import { dateRange, hasWindow, inWindow, isoFrom } from './window.js';

export const VARIANT_LIST: ListQuery = {
  document: PRODUCT_VARIANTS,
  field: 'productVariants',
  what: 'read product variants',
};

/**
 * The filter of a product read: the window on the variant's updatedAt and the SKUs. Vendure touches
 * a variant's updatedAt when its price or stock changes, but not when only its product changes (the
 * description, or the product disabled): a full read, or a batch by SKU, picks those up.
 */
export function productFilter(q: ReadQuery, skus?: readonly string[]): ListFilter | undefined | null {
  if (q.filters && Object.keys(q.filters).length)
    throw configError(
      `Vendure products have no batch filters besides dates and ids (asked for ${Object.keys(q.filters).join(', ')})`,
    );
  const all: ListFilter[] = [];
  if (hasWindow(q)) all.push({ updatedAt: dateRange(q) });
  if (skus) {
    // Ids that can name no product need no request at all.
    if (!skus.length) return null;
    all.push({ sku: { in: [...skus] } });
  }
  return allOf(all);
}

/** Variants as source items; the source id is the SKU, which order lines name their products by. */
export function productItems(q: ReadQuery, rows: readonly VendureVariant[], precision: number): SourceItem[] {
  return rows
    .filter((v) => inWindow(q, v.updatedAt))
    .map((v): SourceItem => {
      const updatedAt = isoFrom(v.updatedAt);
      try {
        return { id: v.sku, updatedAt, data: productFromVendure(v, precision) };
      } catch (e) {
        return { id: v.sku, updatedAt, error: toErrorData(e) };
      }
    });
}
