import type { Product } from '../../model/index.js';
import type { WriteItem, WriteResult } from '../sdk/contract.js';
import { type ErrorData, toErrorData } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import type { MagentoClient } from './client.js';
import { productParts, productToMagento } from './mappers/product.js';
import { sourceItemOf, stockItemOf } from './mappers/stock.js';
import type { MagentoSettings } from './settings.js';
import type { StockApi } from './stock-api.js';
import type { MagentoProduct, MsiSourceItem } from './types.js';

/**
 * Product writes go to the "all" store scope: through a store view's URL Magento would save names,
 * prices and descriptions as that view's overrides instead of the product's own values.
 */
const ALL_SCOPE = '../all/V1';

/**
 * Products by PUT /V1/products/{sku}: Magento's product save is an upsert by SKU that changes only
 * the attributes sent, so a create is safe to repeat after a lost answer and an update sends the SKU
 * and the owned attributes alone. Stock goes with the product (legacy stock item) or in one MSI call
 * for the whole batch afterwards.
 */
export async function writeProducts(
  client: MagentoClient,
  stock: StockApi,
  s: MagentoSettings,
  items: readonly WriteItem[],
): Promise<WriteResult[]> {
  const msi: Array<{ index: number; item: MsiSourceItem }> = [];
  const results = await Promise.all(
    items.map(async (item, index): Promise<WriteResult> => {
      const exchanges: HttpExchange[] = [];
      try {
        const p = item.data as Product;
        const fields = item.action === 'update' ? (item.fields ?? []) : undefined;
        const product: MagentoProduct = fields
          ? { sku: p.sku, ...productParts(p, fields) }
          : productToMagento(p, s);
        const withStock = !fields || fields.includes('stock');
        if (withStock && stock.legacy) {
          // The spec wants the whole stock item: start from the one Magento has (updates only).
          const current = fields ? await stock.stockItem(p.sku, exchanges) : undefined;
          product.extension_attributes = {
            ...product.extension_attributes,
            stock_item: stockItemOf(p, s, current),
          };
        } else if (withStock) {
          msi.push({ index, item: sourceItemOf(p, s) });
        }
        if (Object.keys(product).length > 1) {
          await client.request({
            method: 'PUT',
            path: `${ALL_SCOPE}/products/${encodeURIComponent(p.sku)}`,
            body: { product },
            record: exchanges,
          });
        }
        const action = item.action === 'create' ? 'created' : 'updated';
        return { ref: item.ref, ok: true, targetId: p.sku, action, exchanges };
      } catch (e) {
        const error = toErrorData(e);
        if (error.category === 'config') throw e;
        return { ref: item.ref, ok: false, error, exchanges };
      }
    }),
  );
  // Only products whose own write succeeded get their stock written.
  const stockable = msi.filter((m) => results[m.index]?.ok);
  await saveStock(stock, stockable, results);
  return results;
}

/**
 * The list size Magento allows when its Web API input limits are on ("Input List Limit", 20 by
 * default), read from its refusal: 'Maximum items of type "%type" is %max'.
 */
export function listLimit(message: string): number | undefined {
  const n = Number(/Maximum items of type "[^"]*" is (\d+)/.exec(message)?.[1]);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * One MSI call for the batch. Magento refuses the whole call for one bad item, so when it refuses,
 * each item is sent alone: the good ones land and only the bad one carries the error. A refusal for
 * the size of the list alone is answered by sending it in pieces of the allowed size.
 */
async function saveStock(
  stock: StockApi,
  batch: ReadonlyArray<{ index: number; item: MsiSourceItem }>,
  results: WriteResult[],
): Promise<void> {
  if (batch.length === 0) return;
  const exchanges: HttpExchange[] = [];
  let failure: ErrorData | undefined;
  try {
    await stock.saveSourceItems(
      batch.map((m) => m.item),
      exchanges,
    );
  } catch (e) {
    failure = toErrorData(e);
    if (failure.category === 'config') throw e;
  }
  const limit = failure && listLimit(failure.message);
  if (limit && limit < batch.length) {
    // The store's Web API input limits cap the list: send it in pieces of the size Magento named.
    for (let i = 0; i < batch.length; i += limit) await saveStock(stock, batch.slice(i, i + limit), results);
    return;
  }
  if (failure?.category === 'rejected' && batch.length > 1) {
    for (const one of batch) await saveStock(stock, [one], results);
    return;
  }
  for (const { index } of batch) {
    const r = results[index]!;
    const all = [...(r.exchanges ?? []), ...exchanges];
    results[index] = failure
      ? {
          ref: r.ref,
          ok: false,
          error: { ...failure, message: `the product was saved but its stock was not: ${failure.message}` },
          exchanges: all,
        }
      : { ...r, exchanges: all };
  }
}
