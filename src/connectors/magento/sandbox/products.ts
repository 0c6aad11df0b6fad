import type { FastifyInstance, FastifyReply } from 'fastify';
import type { MagentoProduct, MsiSourceItem, StockItem } from '../types.js';
import { authorised, type SandboxAuth } from './auth.js';
import { emptyAttribute, fail, NO_SUCH_PRODUCT, required } from './errors.js';
import { listRefusal } from './limits.js';
import { searchRoute } from './search.js';
import type { SandboxStore } from './store.js';

const PRODUCTS = 'Magento_Catalog::products';
const STOCK = 'Magento_CatalogInventory::cataloginventory';
const SOURCE_ITEMS = 'Magento_InventoryApi::source_item';
const SOURCE_ITEM_TYPE = '\\Magento\\InventoryApi\\Api\\Data\\SourceItemInterface';

const productField = (p: MagentoProduct, f: string) => (f === 'entity_id' ? p.id : p[f]);

/**
 * Magento's product save (POST /V1/products and PUT /V1/products/{sku} alike): an upsert by SKU.
 * A new product needs a name and a price; an existing one changes only the attributes sent. A stock
 * item in extension_attributes saves the product's stock too; it is never stored on the product.
 */
function saveProduct(store: SandboxStore, sku: string, body: MagentoProduct, reply: FastifyReply) {
  const { stock_item: stockItem, ...extension } = body.extension_attributes ?? {};
  const existing = store.productBySku(sku);
  let saved: MagentoProduct;
  if (!existing) {
    if (!body.name) return reply.code(400).send(emptyAttribute('name'));
    if (body.price === undefined) return reply.code(400).send(emptyAttribute('price'));
    const t = store.now();
    saved = {
      attribute_set_id: 4,
      type_id: 'simple',
      status: 1,
      visibility: 4,
      custom_attributes: [],
      ...body,
      sku,
      id: store.newProductId(),
      created_at: t,
      updated_at: t,
      extension_attributes: { website_ids: [1], ...extension },
    };
  } else {
    const attrs = [...(existing.custom_attributes ?? [])];
    for (const a of body.custom_attributes ?? []) {
      const i = attrs.findIndex((x) => x.attribute_code === a.attribute_code);
      if (i >= 0) attrs[i] = a;
      else attrs.push(a);
    }
    saved = {
      ...existing,
      ...body,
      sku: existing.sku,
      id: existing.id!,
      created_at: existing.created_at!,
      updated_at: store.now(),
      custom_attributes: attrs,
      extension_attributes: { ...existing.extension_attributes, ...extension },
    };
  }
  store.putProduct(saved);
  if (stockItem) store.setStock(saved.sku, stockItem.qty, stockItem);
  else if (!existing) store.setStock(saved.sku, 0, undefined);
  return withStock(store, saved);
}

/** A single product read carries its stock item, as Magento's GET by SKU does (lists never do). */
const withStock = (store: SandboxStore, p: MagentoProduct): MagentoProduct => {
  const stockItem = store.stockItem(p.sku);
  return stockItem ? { ...p, extension_attributes: { ...p.extension_attributes, stock_item: stockItem } } : p;
};

/** Products, their legacy stock items and their MSI source items. */
export function productRoutes(
  app: FastifyInstance,
  prefix: string,
  store: SandboxStore,
  auth: SandboxAuth,
): void {
  app.get(`${prefix}/V1/products`, async (req, reply) => {
    if (!(await authorised(auth, req, reply, PRODUCTS))) return reply;
    return searchRoute(req, reply, [...store.products.values()], productField, store.inputLimits);
  });

  app.get<{ Params: { sku: string } }>(`${prefix}/V1/products/:sku`, async (req, reply) => {
    if (!(await authorised(auth, req, reply, PRODUCTS))) return reply;
    const p = store.productBySku(req.params.sku);
    return p ? withStock(store, p) : reply.code(404).send(NO_SUCH_PRODUCT);
  });

  app.post(`${prefix}/V1/products`, async (req, reply) => {
    if (!(await authorised(auth, req, reply, PRODUCTS))) return reply;
    const body = (req.body as { product?: MagentoProduct } | undefined)?.product;
    if (!body?.sku) return reply.code(400).send(emptyAttribute('sku'));
    return saveProduct(store, body.sku, structuredClone(body), reply);
  });

  app.put<{ Params: { sku: string } }>(`${prefix}/V1/products/:sku`, async (req, reply) => {
    if (!(await authorised(auth, req, reply, PRODUCTS))) return reply;
    const body = (req.body as { product?: MagentoProduct } | undefined)?.product;
    if (!body) return reply.code(400).send(required('product'));
    // The SKU in the URL wins: Magento ignores a different one in the body.
    return saveProduct(store, req.params.sku, structuredClone({ ...body, sku: req.params.sku }), reply);
  });

  app.get<{ Params: { sku: string } }>(`${prefix}/V1/stockItems/:sku`, async (req, reply) => {
    if (!(await authorised(auth, req, reply, STOCK))) return reply;
    return store.stockItem(req.params.sku) ?? reply.code(404).send(NO_SUCH_PRODUCT);
  });

  app.put<{ Params: { sku: string; itemId: string } }>(
    `${prefix}/V1/products/:sku/stockItems/:itemId`,
    async (req, reply) => {
      if (!(await authorised(auth, req, reply, STOCK))) return reply;
      const item = (req.body as { stockItem?: StockItem } | undefined)?.stockItem;
      if (!item) return reply.code(400).send(required('stockItem'));
      const p = store.productBySku(req.params.sku);
      if (!p) return reply.code(404).send(NO_SUCH_PRODUCT);
      store.setStock(p.sku, item.qty, item);
      // Magento answers the stock item's id.
      return reply.type('application/json').send(JSON.stringify(p.id));
    },
  );

  app.get(`${prefix}/V1/inventory/source-items`, async (req, reply) => {
    if (!(await authorised(auth, req, reply, SOURCE_ITEMS))) return reply;
    return searchRoute(
      req,
      reply,
      [...store.sourceItems.values()],
      (s, f) => s[f as keyof MsiSourceItem],
      store.inputLimits,
    );
  });

  app.post(`${prefix}/V1/inventory/source-items`, async (req, reply) => {
    if (!(await authorised(auth, req, reply, SOURCE_ITEMS))) return reply;
    const items = (req.body as { sourceItems?: MsiSourceItem[] } | undefined)?.sourceItems;
    if (!Array.isArray(items)) return reply.code(400).send(required('sourceItems'));
    const tooMany = listRefusal(store.inputLimits, SOURCE_ITEM_TYPE, items.length);
    if (tooMany) return reply.code(400).send(tooMany);
    // All or nothing, like Magento: one unknown SKU refuses the whole call.
    for (const s of items) {
      if (!store.productBySku(s.sku))
        return reply.code(400).send(
          fail('Could not save Source Item: the product %fieldValue does not exist.', {
            fieldValue: s.sku,
          }),
        );
    }
    for (const s of items) {
      const sku = store.productBySku(s.sku)!.sku;
      store.sourceItems.set(`${sku}|${s.source_code}`, {
        sku,
        source_code: s.source_code,
        quantity: s.quantity,
        status: s.status,
      });
    }
    // A void operation: Magento answers 200 with an empty body.
    return reply.code(200).send();
  });
}
