import type { Product } from '../../model/index.js';
import type { TargetRecord, WriteItem, WriteResult } from '../sdk/contract.js';
import { configError, rejected, toErrorData } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import type { VendureClient } from './client.js';
import {
  CREATE_PRODUCT,
  CREATE_PRODUCT_VARIANTS,
  DELETE_PRODUCT,
  UPDATE_PRODUCT_VARIANTS,
} from './documents.js';
import { type ProductMapSettings, productInput, variantInput, variantUpdate } from './mappers/product.js';
import { chunks, KEYS_PER_REQUEST, listAll } from './paging.js';
import { VARIANT_LIST } from './read-products.js';
import type { ShopFacts, VendureVariant } from './types.js';

/** Variants by SKU, in one request per hundred SKUs. Vendure does not make SKUs unique: the first (oldest) wins. */
export async function variantsBySku(
  client: VendureClient,
  skus: readonly string[],
  record?: HttpExchange[],
): Promise<Map<string, VendureVariant>> {
  const out = new Map<string, VendureVariant>();
  for (const chunk of chunks([...new Set(skus)], KEYS_PER_REQUEST)) {
    const rows = await listAll<VendureVariant>(client, VARIANT_LIST, { sku: { in: chunk } }, record);
    for (const v of rows) if (!out.has(v.sku)) out.set(v.sku, v);
  }
  return out;
}

export async function lookupProducts(
  client: VendureClient,
  keys: readonly string[],
): Promise<Map<string, TargetRecord>> {
  const found = await variantsBySku(client, keys);
  return new Map([...found].map(([sku, v]) => [sku, { id: sku, snapshot: v }]));
}

const what = (p: Product) => `product ${p.sku}`;

/**
 * Vendure's variant price is in the channel's currency and, on a channel whose prices include tax,
 * includes it: the canonical list price (without tax) fits only a channel in its currency that
 * keeps prices without tax.
 */
function priceFits(p: Product, facts: ShopFacts): void {
  if (facts.channel.pricesIncludeTax)
    throw configError(
      `Vendure channel ${facts.channel.code} keeps prices including tax; Ledgerlink writes list prices without tax — turn "prices include tax" off for the channel`,
    );
  if (p.listPrice.currency !== facts.channel.defaultCurrencyCode)
    throw rejected(
      'invalid_data',
      `${what(p)}: the list price is in ${p.listPrice.currency}, Vendure channel ${facts.channel.code} sells in ${facts.channel.defaultCurrencyCode}`,
    );
}

async function createOne(
  client: VendureClient,
  s: ProductMapSettings,
  facts: ShopFacts,
  p: Product,
  existing: VendureVariant | undefined,
  exchanges: HttpExchange[],
): Promise<void> {
  // Vendure would take a second variant with the same SKU; the catalog Ledgerlink keeps must not.
  if (existing)
    throw rejected(
      'duplicate',
      `${what(p)}: Vendure already has a product variant with SKU ${p.sku} (variant ${existing.id} of product "${existing.product.name}")`,
    );
  priceFits(p, facts);
  const precision = facts.globalSettings.serverConfig.moneyStrategyPrecision;
  // Mapped first: a price Vendure cannot keep is refused before anything is created.
  const variant = variantInput(p, '', precision, s);
  const created = await client.request<{ createProduct: { id: string } }>(
    CREATE_PRODUCT,
    { input: productInput(p, s) },
    { what: `${what(p)}: create the product`, record: exchanges },
  );
  const productId = created.createProduct.id;
  try {
    await client.request(
      CREATE_PRODUCT_VARIANTS,
      { input: [{ ...variant, productId }] },
      { what: `${what(p)}: create the variant`, record: exchanges },
    );
  } catch (e) {
    // A product without its variant would be an empty shelf in the catalog: take it away again.
    await client
      .request(
        DELETE_PRODUCT,
        { id: productId },
        { what: `${what(p)}: remove the product`, record: exchanges },
      )
      .catch(() => undefined);
    throw e;
  }
}

async function updateOne(
  client: VendureClient,
  s: ProductMapSettings,
  facts: ShopFacts,
  item: WriteItem,
  found: VendureVariant | undefined,
  exchanges: HttpExchange[],
): Promise<void> {
  const p = item.data as Product;
  const variant = (item.existing?.snapshot as VendureVariant | undefined) ?? found;
  if (!variant) throw rejected('not_found', `${what(p)}: Vendure has no product variant with SKU ${p.sku}`);
  const fields = item.fields ?? [];
  if (fields.includes('listPrice')) priceFits(p, facts);
  const input = variantUpdate(
    p,
    variant.id,
    fields,
    facts.globalSettings.serverConfig.moneyStrategyPrecision,
    s,
  );
  if (Object.keys(input).length === 1) return;
  await client.request(
    UPDATE_PRODUCT_VARIANTS,
    { input: [input] },
    // Setting the same price and stock again changes nothing: safe to repeat.
    { what: `${what(p)}: update`, record: exchanges, idempotent: true },
  );
}

/**
 * Products as one Vendure product with one variant each (createProduct, then createProductVariants
 * with the SKU, the price without tax in minor units and the stock on hand). An update writes the
 * owned fields onto the variant the SKU names; the product's description is written on create only.
 * The target id is the SKU, the id orders and the other direction know a product by.
 */
export async function writeProducts(
  client: VendureClient,
  s: ProductMapSettings,
  items: readonly WriteItem[],
): Promise<WriteResult[]> {
  const facts = await client.facts();
  const needed = items.filter((i) => i.action === 'create' || !i.existing?.snapshot);
  const known = needed.length
    ? await variantsBySku(
        client,
        needed.map((i) => (i.data as Product).sku),
      )
    : new Map<string, VendureVariant>();
  return Promise.all(
    items.map(async (item): Promise<WriteResult> => {
      const exchanges: HttpExchange[] = [];
      const p = item.data as Product;
      try {
        if (item.action === 'create') await createOne(client, s, facts, p, known.get(p.sku), exchanges);
        else await updateOne(client, s, facts, item, known.get(p.sku), exchanges);
        const action = item.action === 'create' ? 'created' : 'updated';
        return { ref: item.ref, ok: true, targetId: p.sku, action, exchanges };
      } catch (e) {
        const error = toErrorData(e);
        // Bad credentials or a wrong URL fail every record alike: that is the run's problem, not this one's.
        if (error.category === 'config') throw e;
        return { ref: item.ref, ok: false, error, exchanges };
      }
    }),
  );
}
