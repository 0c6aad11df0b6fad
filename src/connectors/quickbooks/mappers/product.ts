import type { Product } from '../../../model/index.js';
import { money } from '../../../model/index.js';
import { configError, rejected } from '../../sdk/errors.js';
import type { QboItem } from '../types.js';
import { dec, money2 } from './values.js';

export interface ProductContext {
  defaultCurrency: string;
  defaultIncomeAccount?: string;
  defaultTaxCode: string;
}

/**
 * A QuickBooks item as a canonical product. Its id and SKU are the FullyQualifiedName, the name
 * invoice lines are matched by; renaming an item in QuickBooks therefore makes it a new product here
 * (the old one stays linked under its old name — FACTS.md). QuickBooks Online items have no unit of
 * measure in the API: "EA". Stock is QtyOnHand of inventory items, in one warehouse "default".
 */
export function productFromQbo(
  i: QboItem,
  ctx: ProductContext,
): Omit<Product, 'updatedAt'> & { updatedAt: string } {
  const sku = i.FullyQualifiedName ?? i.Name ?? '';
  return {
    sku,
    name: i.Description?.trim() || i.Name || sku,
    ...(i.Description ? { description: i.Description } : {}),
    status: i.Active === false ? 'inactive' : 'active',
    listPrice: money(dec(i.UnitPrice), ctx.defaultCurrency),
    ...(i.PurchaseCost !== undefined
      ? { standardCost: money(dec(i.PurchaseCost), ctx.defaultCurrency) }
      : {}),
    unit: 'EA',
    stock:
      i.Type === 'Inventory' && i.QtyOnHand !== undefined
        ? [{ warehouse: 'default', onHand: dec(i.QtyOnHand) }]
        : [],
    updatedAt: new Date(i.MetaData?.LastUpdatedTime ?? 0).toISOString(),
  };
}

/**
 * A new non-inventory item from a canonical product: Name is the SKU (what the lookup finds it by),
 * Description the name, the list price and cost, the configured income account and tax code.
 */
export function productToQbo(p: Product, ctx: ProductContext): QboItem {
  if (!ctx.defaultIncomeAccount)
    throw configError(
      'new QuickBooks items need an income account: set defaultIncomeAccount (the Id of the account, e.g. Sales of Product Income)',
    );
  if (p.sku.includes(':'))
    throw rejected(
      'invalid_data',
      `product ${p.sku}: a colon makes a QuickBooks sub-item; create the parent item in QuickBooks or rename the product`,
    );
  return {
    Name: p.sku,
    Description: p.name,
    Type: 'NonInventory',
    UnitPrice: money2(p.listPrice.amount),
    ...(p.standardCost ? { PurchaseCost: money2(p.standardCost.amount) } : {}),
    IncomeAccountRef: { value: ctx.defaultIncomeAccount },
    Taxable: ctx.defaultTaxCode !== 'NON',
  };
}
