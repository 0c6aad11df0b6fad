import { Decimal } from 'decimal.js';
import type { Product } from '../../model/index.js';
import type { WriteItem, WriteResult } from '../sdk/contract.js';
import { failed, type Planned, refusal, sendPlanned } from './batch-writer.js';
import type { Row } from './client.js';
import { num } from './mappers/values.js';
import type { BatchOperation } from './odata.js';
import { idFromEntityUrl } from './odata.js';
import { DEFAULT_MAX_LENGTH } from './reference.js';
import { afterFailedChangeSet, rowsWhere, type WriteContext } from './write-context.js';

const UPDATABLE = ['listPrice', 'standardCost'] as const;

/** Price list item pricing method 1: Currency Amount (the amount is the price, as set). */
const CURRENCY_AMOUNT = 1;

/**
 * Characters Dataverse refuses in a text column: those XML 1.0 does not allow (C0 controls other than
 * tab, line feed and carriage return; U+FFFE, U+FFFF) — FACTS.md ⚠. A product code holding one is
 * refused here, naming the character, before anything is sent.
 */
const refusedCharacter = (code: number): boolean =>
  (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0xfffe || code === 0xffff;

/** Why Dataverse would refuse the product code's characters, or undefined when it takes them. */
export function productCodeRefused(sku: string): string | undefined {
  const at = [...sku].findIndex((ch) => refusedCharacter(ch.charCodeAt(0)));
  if (at < 0) return undefined;
  const bad = [...sku][at]!;
  const hex = bad.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  return `product code ${JSON.stringify(sku)} holds the character U+${hex} at position ${at + 1}, which Dynamics 365 does not take in a product number: correct the code in the accounts`;
}

/**
 * Products (§6.2): matched on productnumber. New: the product in the configured unit group and default
 * unit with the quantitydecimal and producttypecode defaults (never written again), and a price list item
 * on the configured price list at 100 % of the list price, in one change set. Existing: only list price
 * and standard cost; the price list item is created when missing and follows the list price.
 */
export async function writeProducts(ctx: WriteContext, items: readonly WriteItem[]): Promise<WriteResult[]> {
  const results = new Map<string, WriteResult>();
  const max =
    (await ctx.ref.maxLength('product', 'productnumber')) ?? DEFAULT_MAX_LENGTH['product.productnumber']!;
  const priceList = await ctx.ref.priceList();
  const group = await ctx.ref.unitGroup();
  const unit = await ctx.ref.defaultUnit();
  const creates = items.filter((i) => i.action === 'create');
  const updates = items.filter((i) => i.action === 'update' && i.targetId);

  const skus = creates
    .map((i) => (i.data as Product).sku)
    .filter((s) => s.length <= max && productCodeRefused(s) === undefined);
  const taken = new Map(
    (skus.length
      ? await rowsWhere(ctx.client, 'products', 'productnumber', skus, 'productid,productnumber,name')
      : []
    ).map((r) => [String(r.productnumber), r]),
  );
  // The current rows (etag, price) and price list items of the products to update: two requests per page.
  const ids = updates.map((i) => i.targetId!);
  const current = new Map(
    (ids.length
      ? await rowsWhere(ctx.client, 'products', 'productid', ids, 'productid,productnumber,price')
      : []
    ).map((r) => [String(r.productid), r]),
  );
  const items100 = new Map(
    (ids.length
      ? await rowsWhere(
          ctx.client,
          'productpricelevels',
          'productid',
          ids,
          'productpricelevelid,amount,_productid_value',
          `_pricelevelid_value eq ${priceList.id}`,
        )
      : []
    ).map((r) => [String(r._productid_value), r]),
  );

  const priceListItem = (amount: string, currencyId: string | undefined, product: string) => ({
    'pricelevelid@odata.bind': `/pricelevels(${priceList.id})`,
    'productid@odata.bind': product,
    'uomid@odata.bind': `/uoms(${unit.id})`,
    'uomscheduleid@odata.bind': `/uomschedules(${group.id})`,
    pricingmethodcode: CURRENCY_AMOUNT,
    roundingpolicycode: ctx.s.roundingPolicyCode,
    amount: num(amount),
    ...(currencyId ? { 'transactioncurrencyid@odata.bind': `/transactioncurrencies(${currencyId})` } : {}),
  });

  const planned: Planned[] = [];
  const patched = new Map<string, { id: string; body: Record<string, unknown>; sku: string }>();
  for (const item of creates) {
    const p = item.data as Product;
    if (p.sku.length > max) {
      results.set(
        item.ref,
        failed(
          item.ref,
          refusal(
            `product code "${p.sku}" is ${p.sku.length} characters and the productnumber column of product takes ${max}: shorten the code or widen the column in Dynamics 365`,
            'too_large',
          ),
        ),
      );
      continue;
    }
    const refused = productCodeRefused(p.sku);
    if (refused) {
      results.set(item.ref, failed(item.ref, refusal(refused, 'invalid_data')));
      continue;
    }
    const dup = taken.get(p.sku);
    if (dup) {
      results.set(
        item.ref,
        failed(
          item.ref,
          refusal(
            `Dynamics 365 already has product ${p.sku} (id ${dup.productid}, "${dup.name}")`,
            'duplicate',
          ),
        ),
      );
      continue;
    }
    const currencyId = await ctx.ref.currencyId(p.listPrice.currency);
    if (!currencyId) {
      results.set(
        item.ref,
        failed(
          item.ref,
          refusal(
            `product ${p.sku} is priced in ${p.listPrice.currency}, a currency Dynamics 365 does not have`,
          ),
        ),
      );
      continue;
    }
    const product: Record<string, unknown> = {
      productnumber: p.sku,
      name: p.name,
      quantitydecimal: ctx.s.quantityDecimal,
      producttypecode: ctx.s.productTypeCode,
      price: num(p.listPrice.amount),
      'defaultuomscheduleid@odata.bind': `/uomschedules(${group.id})`,
      'defaultuomid@odata.bind': `/uoms(${unit.id})`,
      'pricelevelid@odata.bind': `/pricelevels(${priceList.id})`,
      'transactioncurrencyid@odata.bind': `/transactioncurrencies(${currencyId})`,
    };
    if (p.description) product.description = p.description;
    if (p.standardCost) product.standardcost = num(p.standardCost.amount);
    planned.push({
      ref: item.ref,
      ops: [
        { method: 'POST', path: 'products', body: product },
        {
          method: 'POST',
          path: 'productpricelevels',
          body: priceListItem(p.listPrice.amount, currencyId, '$group:0'),
        },
      ],
    });
  }

  for (const item of items.filter((i) => i.action === 'update')) {
    const p = item.data as Product;
    const row = item.targetId ? current.get(item.targetId) : undefined;
    if (!item.targetId || !row) {
      results.set(
        item.ref,
        failed(
          item.ref,
          refusal(`Dynamics 365 has no product ${item.targetId ?? p.sku} to update`, 'not_found'),
        ),
      );
      continue;
    }
    const owned = (item.fields ?? UPDATABLE).filter((f) => (UPDATABLE as readonly string[]).includes(f));
    const body: Record<string, unknown> = {};
    if (owned.includes('listPrice')) body.price = num(p.listPrice.amount);
    if (owned.includes('standardCost'))
      body.standardcost = p.standardCost ? num(p.standardCost.amount) : null;
    const ops: BatchOperation[] = [];
    if (Object.keys(body).length) {
      const etag =
        ((item.existing?.snapshot as Row | undefined)?.['@odata.etag'] as string | undefined) ??
        row['@odata.etag'];
      ops.push({
        method: 'PATCH',
        path: `products(${item.targetId})`,
        body,
        headers: { 'If-Match': String(etag ?? '*') },
      });
      patched.set(item.ref, { id: item.targetId, body, sku: p.sku });
    }
    const price = owned.includes('listPrice')
      ? p.listPrice.amount
      : new Decimal((row.price as number | undefined) ?? 0).toFixed();
    const ppl = items100.get(item.targetId);
    if (!ppl) {
      const currencyId = await ctx.ref.currencyId(p.listPrice.currency);
      ops.push({
        method: 'POST',
        path: 'productpricelevels',
        body: priceListItem(price, currencyId, `/products(${item.targetId})`),
      });
    } else if (
      owned.includes('listPrice') &&
      !new Decimal((ppl.amount as number | undefined) ?? 0).equals(price)
    ) {
      ops.push({
        method: 'PATCH',
        path: `productpricelevels(${ppl.productpricelevelid})`,
        body: { amount: num(price) },
        headers: { 'If-Match': '*' },
      });
    }
    if (!ops.length) {
      results.set(item.ref, {
        ref: item.ref,
        ok: true,
        action: 'skipped',
        targetId: item.targetId,
        reason:
          'an existing product takes only list price and standard cost; its other fields are left as they are',
      });
      continue;
    }
    planned.push({ ref: item.ref, ops });
  }

  const sent = await sendPlanned(ctx.client, planned, ctx.s.batchSize);
  for (const item of items) {
    if (results.has(item.ref)) continue;
    const r = sent.get(item.ref);
    if (!r) continue;
    if (r.ok) {
      const id =
        item.action === 'create' ? idFromEntityUrl(r.responses[0]?.headers['odata-entityid']) : item.targetId;
      const createdItem = item.action === 'update' && !items100.get(item.targetId!);
      results.set(item.ref, {
        ref: item.ref,
        ok: true,
        targetId: id ?? '',
        action: item.action === 'create' ? 'created' : 'updated',
        ...(createdItem ? { reason: `the missing price list item on "${ctx.s.priceList}" was created` } : {}),
        exchanges: r.exchanges,
      });
      continue;
    }
    const patch = patched.get(item.ref);
    results.set(
      item.ref,
      await afterFailedChangeSet(
        ctx,
        item.ref,
        r.error,
        r.exchanges,
        patch && {
          entitySet: 'products',
          keyColumn: 'productid',
          id: patch.id,
          body: patch.body,
          what: `product ${patch.sku}`,
        },
      ),
    );
  }
  return items.map((i) => results.get(i.ref) ?? failed(i.ref, refusal('not written')));
}
