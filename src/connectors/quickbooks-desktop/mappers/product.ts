import type { Product } from '../../../model/index.js';
import { type Node, ordered, ref, text } from '../qbxml.js';
import type { Settings } from '../settings.js';
import { amount, bool, unwritable, utc, within } from './common.js';

/** Item kinds that are products (the rest — subtotals, discounts, payments, sales tax, groups — are not). */
export const PRODUCT_ITEMS = [
  'ItemInventoryRet',
  'ItemInventoryAssemblyRet',
  'ItemNonInventoryRet',
  'ItemServiceRet',
  'ItemOtherChargeRet',
] as const;

/** The longest item Name QuickBooks takes (ItemNonInventoryAdd/Name). */
export const ITEM_NAME_MAX = 31;

/** Sales description, price and cost, wherever the item kind keeps them. */
function priceOf(ret: Node): {
  desc?: string | undefined;
  price?: string | undefined;
  cost?: string | undefined;
} {
  const sop = ret.SalesOrPurchase as Node | undefined;
  const sap = ret.SalesAndPurchase as Node | undefined;
  if (sop) return { desc: text(sop.Desc), price: amount(sop.Price) };
  if (sap)
    return { desc: text(sap.SalesDesc), price: amount(sap.SalesPrice), cost: amount(sap.PurchaseCost) };
  return { desc: text(ret.SalesDesc), price: amount(ret.SalesPrice), cost: amount(ret.PurchaseCost) };
}

/** An item (any product kind) → canonical product; id and sku are the FullName. */
export function productFromRet(
  kind: string,
  ret: Node,
  s: Settings,
): { id: string; updatedAt: string; data: Record<string, unknown> } {
  const fullName = text(ret.FullName) ?? text(ret.Name) ?? '';
  const { desc, price, cost } = priceOf(ret);
  const onHand = amount(ret.QuantityOnHand);
  const inventory = kind === 'ItemInventoryRet' || kind === 'ItemInventoryAssemblyRet';
  const updatedAt = utc(ret.TimeModified) ?? new Date(0).toISOString();
  return {
    id: fullName,
    updatedAt,
    data: {
      sku: fullName,
      name: desc ?? text(ret.Name) ?? fullName,
      ...(desc ? { description: desc } : {}),
      status: bool(ret.IsActive) === false ? 'inactive' : 'active',
      listPrice: { amount: price ?? '0', currency: s.homeCurrency },
      ...(cost !== undefined ? { standardCost: { amount: cost, currency: s.homeCurrency } } : {}),
      unit: ref(ret.UnitOfMeasureSetRef).FullName ?? 'Each',
      // Without Advanced Inventory a company file has one stock: QuantityOnHand.
      stock: inventory && onHand !== undefined ? [{ warehouse: 'QuickBooks', onHand }] : [],
      updatedAt,
    },
  };
}

/**
 * Canonical product → ItemNonInventoryAdd: sold (SalesOrPurchase) at its list price, posting to the
 * configured income account, carrying the configured sales tax code (the manual's §7.2: new products
 * get the default nominal code and are set up for tax).
 */
export function itemAdd(p: Product, s: Settings): Record<string, unknown> {
  const who = `product ${p.sku}`;
  const name = within(p.sku, ITEM_NAME_MAX, `${who}: the product code (QuickBooks' item Name)`);
  if (name?.includes(':'))
    throw unwritable(
      `${who}: a QuickBooks item name cannot contain ":" (it separates a sub-item from its parent)`,
    );
  return {
    ItemNonInventoryAdd: ordered([
      ['Name', name],
      ['SalesTaxCodeRef', { FullName: s.salesTaxCode }],
      [
        'SalesOrPurchase',
        ordered([
          ['Desc', within(p.description ?? p.name, 4095, `${who}: the description`)],
          ['Price', p.listPrice.amount],
          ['AccountRef', { FullName: s.defaultIncomeAccount }],
        ]),
      ],
    ]),
  };
}
