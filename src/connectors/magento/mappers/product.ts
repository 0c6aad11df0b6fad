import type { Product, WarehouseStock } from '../../../model/index.js';
import { rejected } from '../../sdk/errors.js';
import type { MagentoSettings } from '../settings.js';
import { attr, type CustomAttribute, type MagentoProduct } from '../types.js';
import { apiNumber, decimalFrom, updatedAtFrom } from './values.js';

export type ProductMapSettings = Pick<MagentoSettings, 'attributeSetId' | 'baseCurrency' | 'websiteId'>;

const VISIBLE_IN_CATALOG_AND_SEARCH = 4;
const ENABLED = 1;
const DISABLED = 2;
/**
 * Magento's weight has no unit of its own: the store's "Weight Unit" (General › Locale Options,
 * kgs or lbs) applies. We assume kgs; a store in lbs needs a transform on the flow.
 */
const WEIGHT_UNIT = 'KG';

/**
 * The Magento product attributes each canonical field changes. With `fields` (an update) only the
 * owned fields; without, every mapped field. Stock is not here: it travels on its own (see stock.ts).
 */
export function productParts(p: Product, fields: readonly string[] | undefined): Partial<MagentoProduct> {
  const want = (f: string) => !fields || fields.includes(f);
  const out: Partial<MagentoProduct> = {};
  const what = (f: string) => `product ${p.sku}: ${f}`;
  if (want('name')) out.name = p.name;
  if (want('status')) out.status = p.status === 'active' ? ENABLED : DISABLED;
  if (want('listPrice')) out.price = apiNumber(p.listPrice.amount, what('list price'));
  if (want('weight') && p.weight) out.weight = apiNumber(p.weight.value, what('weight'));
  const attrs: CustomAttribute[] = [];
  // Custom attribute values are text: the cost goes exactly as the source wrote it.
  if (want('standardCost') && p.standardCost)
    attrs.push({ attribute_code: 'cost', value: p.standardCost.amount });
  if (want('description') && p.description)
    attrs.push({ attribute_code: 'description', value: p.description });
  if (attrs.length) out.custom_attributes = attrs;
  return out;
}

/**
 * A whole new simple product, visible in catalog and search, in the connection's website (created
 * in the "all" scope, Magento would otherwise put it in every website).
 */
export function productToMagento(p: Product, s: ProductMapSettings): MagentoProduct {
  return {
    sku: p.sku,
    type_id: 'simple',
    attribute_set_id: s.attributeSetId,
    visibility: VISIBLE_IN_CATALOG_AND_SEARCH,
    ...productParts(p, undefined),
    extension_attributes: { website_ids: [s.websiteId] },
  };
}

/**
 * Magento product → canonical (Magento as a source); `stock` comes from the stock API in use. A
 * product the model cannot hold throws a rejected error saying what to fix.
 */
export function productFromMagento(
  m: MagentoProduct,
  stock: readonly WarehouseStock[],
  s: ProductMapSettings,
): Record<string, unknown> {
  const who = `Magento product ${m.sku}`;
  const price = decimalFrom(m.price, `${who}: price`);
  if (price === undefined)
    throw rejected('missing_field', `${who} has no price; set one in Magento (a price of 0 is fine)`);
  const cost = decimalFrom(attr(m.custom_attributes, 'cost'), `${who}: cost`);
  const weight = decimalFrom(m.weight, `${who}: weight`);
  const description = attr(m.custom_attributes, 'description');
  const out: Record<string, unknown> = {
    sku: m.sku,
    name: m.name?.trim() || m.sku,
    status: m.status === DISABLED ? 'inactive' : 'active',
    listPrice: { amount: price, currency: s.baseCurrency },
    unit: 'EA',
    stock,
    updatedAt: updatedAtFrom(m.updated_at, who),
  };
  if (cost !== undefined) out.standardCost = { amount: cost, currency: s.baseCurrency };
  if (typeof description === 'string' && description) out.description = description;
  if (weight !== undefined && weight !== '0') out.weight = { value: weight, unit: WEIGHT_UNIT };
  return out;
}
