import type { Product } from '../../../model/index.js';
import { encodeDecimal } from '../json.js';
import { isFalse, type RawProduct, text } from '../types.js';
import { decimal, moneyOf, stampOf } from './common.js';

/**
 * product.product (a variant) → canonical product:
 *
 * | canonical      | Tryton                                                                  |
 * | -------------- | ----------------------------------------------------------------------- |
 * | (source id)    | product.id                                                              |
 * | sku            | product.code (the template's code prefix + the variant's suffix_code)  |
 * | name           | product.name (the template's name)                                      |
 * | description    | product.description                                                     |
 * | status         | product.active and template.active (inactive products are read too)    |
 * | listPrice      | product.list_price (the template's, for the company)                    |
 * | standardCost   | product.cost_price (for the company)                                    |
 * | unit           | template.default_uom.symbol ("u" for Tryton's Unit)                     |
 * | stock          | product.quantity in the connection's warehouse (context locations)     |
 * | updatedAt      | latest write/create stamp of the product and its template              |
 *
 * Stock moves do not stamp the product: an incremental read sees a price change, not a shipment;
 * a scheduled full read carries stock.
 */
export const PRODUCT_FIELDS = [
  'code',
  'name',
  'description',
  'active',
  'list_price',
  'cost_price',
  'quantity',
  'create_date',
  'write_date',
  'template',
  'template.active',
  'template.default_uom.symbol',
  'template.create_date',
  'template.write_date',
];

export const PRODUCT_STAMPS = ['template.'];

export function productFromTryton(
  raw: RawProduct,
  ctx: { currency: string; warehouse: string },
): Record<string, unknown> {
  const template = raw['template.'];
  const out: Record<string, unknown> = {
    sku: text(raw.code),
    name: text(raw.name) ?? text(raw.code),
    status: isFalse(raw.active) || isFalse(template?.active) ? 'inactive' : 'active',
    listPrice: moneyOf(raw.list_price, ctx.currency),
    unit: text(template?.['default_uom.']?.symbol),
    stock: [{ warehouse: ctx.warehouse, onHand: decimal(raw.quantity) ?? '0' }],
    updatedAt: stampOf([raw, template]),
  };
  const description = text(raw.description);
  if (description) out.description = description;
  const cost = moneyOf(raw.cost_price, ctx.currency);
  if (cost) out.standardCost = cost;
  return out;
}

/** What a new product needs: its unit of measure and, when the connection names one, its account category. */
export interface ProductTargets {
  uomId: number;
  accountCategoryId?: number;
}

/**
 * Canonical product → a new product.template with one variant whose suffix code is the SKU. It is
 * a salable good; its account category (revenue and expense accounts, customer taxes) is the
 * connection's, without which Tryton refuses to invoice it.
 */
export function templateToTryton(p: Product, t: ProductTargets): Record<string, unknown> {
  const variant: Record<string, unknown> = { suffix_code: p.sku, active: p.status !== 'inactive' };
  if (p.standardCost) variant.cost_price = encodeDecimal(p.standardCost.amount);
  if (p.description) variant.description = p.description;
  const out: Record<string, unknown> = {
    name: p.name,
    type: 'goods',
    salable: true,
    default_uom: t.uomId,
    sale_uom: t.uomId,
    list_price: encodeDecimal(p.listPrice.amount),
    products: [['create', [variant]]],
  };
  if (t.accountCategoryId !== undefined) out.account_category = t.accountCategoryId;
  return out;
}
