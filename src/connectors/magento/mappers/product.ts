import { Decimal } from 'decimal.js';
import type { Product } from '../../../model/index.js';
import { decimalToApiNumber, toDecimalString } from '../../../model/index.js';
import { fromMagentoTime } from '../search-criteria.js';
import { attr, type CustomAttribute, type MagentoProduct, type SourceItem } from '../types.js';

export interface ProductMapSettings {
  attributeSetId: number;
  baseCurrency: string;
  stockSource: string;
  /** Canonical warehouses whose stock adds up to Magento's quantity; empty = all. */
  stockWarehouses: readonly string[];
}

const VISIBLE_IN_CATALOG_AND_SEARCH = 4;
const ENABLED = 1;
const DISABLED = 2;

/** The Magento product attributes each canonical field changes (stock travels as a source item). */
export function productParts(p: Product, fields: readonly string[] | undefined): Partial<MagentoProduct> {
  const want = (f: string) => !fields || fields.includes(f);
  const out: Partial<MagentoProduct> = {};
  if (want('name')) out.name = p.name;
  if (want('status')) out.status = p.status === 'active' ? ENABLED : DISABLED;
  if (want('listPrice')) out.price = decimalToApiNumber(p.listPrice.amount);
  if (want('weight') && p.weight) out.weight = decimalToApiNumber(p.weight.value);
  const attrs: CustomAttribute[] = [];
  if (want('standardCost') && p.standardCost)
    attrs.push({ attribute_code: 'cost', value: p.standardCost.amount });
  if (want('description') && p.description)
    attrs.push({ attribute_code: 'description', value: p.description });
  if (attrs.length) out.custom_attributes = attrs;
  return out;
}

export function productToMagento(p: Product, s: ProductMapSettings): MagentoProduct {
  return {
    sku: p.sku,
    type_id: 'simple',
    attribute_set_id: s.attributeSetId,
    visibility: VISIBLE_IN_CATALOG_AND_SEARCH,
    ...productParts(p, undefined),
  };
}

/** The quantity Magento sells from: the chosen warehouses added up, exactly. */
export function stockQuantity(p: Product, s: ProductMapSettings): string {
  const counted = p.stock.filter(
    (w) => s.stockWarehouses.length === 0 || s.stockWarehouses.includes(w.warehouse),
  );
  return counted.reduce((sum, w) => sum.plus(w.onHand), new Decimal(0)).toFixed();
}

export function sourceItemOf(p: Product, s: ProductMapSettings): SourceItem {
  const qty = stockQuantity(p, s);
  return {
    sku: p.sku,
    source_code: s.stockSource,
    quantity: decimalToApiNumber(qty),
    status: new Decimal(qty).gt(0) ? 1 : 0,
  };
}

/** Magento product → canonical (Magento as a source); stock comes from its source items. */
export function productFromMagento(
  m: MagentoProduct,
  stock: SourceItem[],
  s: ProductMapSettings,
): Record<string, unknown> {
  const cost = attr(m.custom_attributes, 'cost');
  const description = attr(m.custom_attributes, 'description');
  const out: Record<string, unknown> = {
    sku: m.sku,
    name: m.name ?? m.sku,
    status: m.status === DISABLED ? 'inactive' : 'active',
    unit: 'EA',
    stock: stock.map((x) => ({ warehouse: x.source_code, onHand: toDecimalString(x.quantity) })),
    updatedAt: m.updated_at ? fromMagentoTime(m.updated_at) : new Date(0).toISOString(),
  };
  if (typeof m.price === 'number')
    out.listPrice = { amount: toDecimalString(m.price), currency: s.baseCurrency };
  if (cost !== undefined && cost !== null && cost !== '')
    out.standardCost = { amount: toDecimalString(String(cost)), currency: s.baseCurrency };
  if (typeof description === 'string' && description) out.description = description;
  if (typeof m.weight === 'number' && m.weight > 0)
    out.weight = { value: toDecimalString(m.weight), unit: 'KG' };
  return out;
}
