import type { Product } from '../../../model/index.js';
import type { Row } from '../client.js';
import { decimal, formatted, moneyOf, stamp, text } from './values.js';

export const PRODUCT_SELECT = [
  'productid',
  'productnumber',
  'name',
  'description',
  'price',
  'standardcost',
  'statecode',
  'quantitydecimal',
  'producttypecode',
  '_defaultuomid_value',
  '_defaultuomscheduleid_value',
  '_transactioncurrencyid_value',
  'modifiedon',
].join(',');

export const PRODUCT_EXPAND = 'transactioncurrencyid($select=isocurrencycode)';

/** A product as canonical: its sku is productnumber, its unit the default unit's name. */
export function productFromRow(row: Row, defaultCurrency: string): Product {
  const currency =
    text((row.transactioncurrencyid as Row | null | undefined)?.isocurrencycode) ?? defaultCurrency;
  const description = text(row.description);
  const standardCost = moneyOf(row.standardcost, currency);
  return {
    sku: String(row.productnumber),
    name: text(row.name) ?? String(row.productnumber),
    ...(description ? { description } : {}),
    // Product states: 0 Active, 1 Retired, 2 Draft, 3 Under Revision; only an active one can be sold.
    status: row.statecode === 0 || row.statecode === undefined ? 'active' : 'inactive',
    listPrice: { amount: decimal(row.price) ?? '0', currency },
    ...(standardCost ? { standardCost } : {}),
    unit: formatted(row, '_defaultuomid_value') ?? 'Primary Unit',
    stock: [],
    updatedAt: stamp(row),
  };
}
