import { Customer, type EntityName, Product, StockTransfer } from '../../model/index.js';
import type { TargetRecord, WriteItem, WriteResult } from '../sdk/contract.js';
import { configError, rejected, toErrorData } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import type { IsellerClient } from './client.js';
import { NO_SKU } from './mappers/stock.js';
import type { Reader } from './read.js';
import { ID_CHUNK } from './read.js';
import type { Envelope, IsCustomer, IsProduct, IsTransfer } from './types.js';

const fail = (ref: string, e: unknown, exchanges?: HttpExchange[]): WriteResult => ({
  ref,
  ok: false,
  error: toErrorData(e),
  ...(exchanges?.length ? { exchanges } : {}),
});

const chunks = <T>(values: readonly T[], size = ID_CHUNK): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
};

const has = (item: WriteItem, field: string) =>
  item.action === 'create' || (item.fields ?? []).includes(field);

/**
 * Writes products (CreateProducts / UpdateProducts, then SetFinalStock per outlet), customers
 * (CreateCustomer / UpdateCustomer) and goods arriving at an outlet (CreateTransfer of type in) into
 * iSeller through its ERP API (shapes ⚠ FACTS.md). A record iSeller refuses fails alone, with
 * iSeller's message; a product without an SKU fails with the seed's reason.
 */
export class Writer {
  constructor(
    private readonly client: IsellerClient,
    private readonly reader: Reader,
  ) {}

  naturalKey(entity: EntityName, data: unknown): string | undefined {
    const d = (data ?? {}) as Record<string, unknown>;
    // The out half of a transfer is iSeller's transfer of type out: found by its reference among the outs.
    if (entity === 'stockTransfer' && d.status === 'out' && typeof d.number === 'string' && d.number.trim())
      return `out:${d.number.trim()}`;
    const key =
      entity === 'product'
        ? d.sku
        : entity === 'customer' || entity === 'stockTransfer'
          ? d.number
          : undefined;
    return typeof key === 'string' && key.trim() ? key.trim() : undefined;
  }

  async lookup(entity: EntityName, keys: readonly string[]): Promise<Map<string, TargetRecord>> {
    const out = new Map<string, TargetRecord>();
    for (const chunk of chunks([...new Set(keys)])) {
      if (entity === 'product') {
        for await (const rows of this.client.pages<IsProduct>(
          'public',
          'GetProducts',
          { skus: chunk },
          'products',
          ID_CHUNK,
        ))
          for (const p of rows) if (p.sku) out.set(p.sku, { id: p.product_id, snapshot: p });
      } else if (entity === 'customer') {
        for await (const rows of this.client.pages<IsCustomer>(
          'erp',
          'GetCustomers',
          { external_customer_ids: chunk },
          'customers',
          ID_CHUNK,
        ))
          for (const c of rows)
            if (c.external_customer_id) out.set(c.external_customer_id, { id: c.customer_id, snapshot: c });
      } else if (entity === 'stockTransfer') {
        const references = chunk.map((k) => k.replace(/^out:/, ''));
        for await (const rows of this.client.pages<IsTransfer>(
          'erp',
          'GetTransfer',
          { references },
          'transfers',
          ID_CHUNK,
        ))
          for (const t of rows) {
            const key = t.type === 'out' ? `out:${t.reference}` : t.reference;
            if (chunk.includes(key)) out.set(key, { id: t.transfer_id });
          }
      } else throw configError(`iSeller is not written for ${entity}`);
    }
    return out;
  }

  async write(entity: EntityName, items: readonly WriteItem[]): Promise<WriteResult[]> {
    if (entity === 'product') return this.products(items);
    if (entity === 'customer') return Promise.all(items.map((i) => this.customer(i)));
    if (entity === 'stockTransfer') return this.transfers(items);
    throw configError(
      `iSeller is not written for ${entity}; it takes products, customers and goods received`,
    );
  }

  // ── products ────────────────────────────────────────────────────────────────

  private productBody(p: Product, item: WriteItem): Record<string, unknown> {
    return {
      sku: p.sku,
      ...(item.action === 'update' && item.targetId ? { product_id: item.targetId } : {}),
      ...(has(item, 'name') ? { name: p.name } : {}),
      ...(has(item, 'description') && p.description !== undefined ? { description: p.description } : {}),
      ...(has(item, 'listPrice') ? { price: p.listPrice.amount } : {}),
      ...(has(item, 'status') ? { is_active: p.status === 'active' } : {}),
      ...(item.action === 'create'
        ? { type: 'standard', track_inventory: true, unit_of_measurement: p.unit }
        : {}),
    };
  }

  private async products(items: readonly WriteItem[]): Promise<WriteResult[]> {
    const results: WriteResult[] = [];
    const ok: Array<{ item: WriteItem; product: Product }> = [];
    for (const item of items) {
      const sku = (item.data as { sku?: unknown } | undefined)?.sku;
      if (typeof sku !== 'string' || !sku.trim()) {
        const name = (item.data as { name?: unknown } | undefined)?.name;
        results.push(
          fail(
            item.ref,
            rejected(
              'missing_field',
              `product ${typeof name === 'string' ? `"${name}"` : '(no name)'}: ${NO_SKU}`,
            ),
          ),
        );
        continue;
      }
      const parsed = Product.safeParse(item.data);
      if (!parsed.success)
        results.push(fail(item.ref, rejected('invalid_data', `product ${sku}: ${parsed.error.message}`)));
      else ok.push({ item, product: parsed.data });
    }
    const creates = ok.filter((x) => x.item.action === 'create');
    const updates = ok.filter((x) => x.item.action === 'update');
    const written = [
      ...(await this.batch('CreateProducts', creates)),
      ...(await this.batch('UpdateProducts', updates)),
    ];
    for (const w of written) {
      if (!w.ok) {
        results.push(fail(w.item.ref, w.error, w.exchanges));
        continue;
      }
      results.push(await this.stock(w.item, w.product, w.id, w.exchanges));
    }
    return results;
  }

  /**
   * One call for the batch; when iSeller refuses it (status false names one record or none), each
   * record is sent alone, so that one bad record fails by itself with iSeller's message.
   */
  private async batch(
    call: 'CreateProducts' | 'UpdateProducts',
    group: Array<{ item: WriteItem; product: Product }>,
  ): Promise<
    Array<
      | { ok: true; item: WriteItem; product: Product; id: string; exchanges: HttpExchange[] }
      | { ok: false; item: WriteItem; error: unknown; exchanges: HttpExchange[] }
    >
  > {
    if (!group.length) return [];
    const send = async (part: typeof group) => {
      const exchanges: HttpExchange[] = [];
      const body = await this.client.call<Envelope>(
        'erp',
        call,
        { products: part.map((x) => this.productBody(x.product, x.item)) },
        { record: exchanges },
      );
      const ids = new Map(
        ((body.products as IsProduct[] | undefined) ?? [])
          .filter((p) => p.sku)
          .map((p) => [p.sku!, p.product_id]),
      );
      return part.map((x) => {
        const id = ids.get(x.product.sku) ?? x.item.targetId;
        return id
          ? { ok: true as const, item: x.item, product: x.product, id, exchanges }
          : {
              ok: false as const,
              item: x.item,
              error: rejected('server', `iSeller ${call} did not answer product ${x.product.sku}`),
              exchanges,
            };
      });
    };
    try {
      return await send(group);
    } catch (e) {
      const err = toErrorData(e);
      if (err.category === 'config' || group.length === 1)
        return group.map((x) => ({ ok: false as const, item: x.item, error: e, exchanges: [] }));
      const out = [];
      for (const x of group) {
        try {
          out.push(...(await send([x])));
        } catch (e1) {
          out.push({ ok: false as const, item: x.item, error: e1, exchanges: [] });
        }
      }
      return out;
    }
  }

  /** The stock per outlet, as final stock (SetFinalStock: one call per outlet): on create, or when stock is owned. */
  private async stock(
    item: WriteItem,
    p: Product,
    id: string,
    exchanges: HttpExchange[],
  ): Promise<WriteResult> {
    const action = item.action === 'create' ? 'created' : 'updated';
    if (!has(item, 'stock') || !p.stock.length)
      return { ref: item.ref, ok: true, action, targetId: id, exchanges };
    const failed: string[] = [];
    for (const s of p.stock) {
      try {
        await this.client.call(
          'erp',
          'SetFinalStock',
          { outlet_code: s.warehouse, products: [{ sku: p.sku, final_stock: s.onHand }] },
          { record: exchanges },
        );
      } catch (e) {
        failed.push(`${s.warehouse}: ${toErrorData(e).message}`);
      }
    }
    return {
      ref: item.ref,
      ok: true,
      action,
      targetId: id,
      exchanges,
      ...(failed.length
        ? { pending: ['stock'], reason: `the stock was not set at ${failed.join('; ')}` }
        : {}),
    };
  }

  // ── customers ───────────────────────────────────────────────────────────────

  private async customer(item: WriteItem): Promise<WriteResult> {
    const exchanges: HttpExchange[] = [];
    const parsed = Customer.safeParse(item.data);
    if (!parsed.success) return fail(item.ref, rejected('invalid_data', parsed.error.message));
    const c = parsed.data;
    const contact = c.contacts.find((x) => x.isPrimary) ?? c.contacts[0];
    const [first, ...rest] = c.name.split(' ');
    const body = {
      ...(item.action === 'update' ? { customer_id: item.targetId } : { external_customer_id: c.number }),
      ...(has(item, 'name')
        ? { first_name: contact?.firstName ?? first, last_name: contact?.lastName ?? rest.join(' ') }
        : {}),
      ...(has(item, 'email') && c.email ? { email: c.email } : {}),
      ...(has(item, 'contacts') && contact?.phone ? { phone: contact.phone } : {}),
      ...(has(item, 'class') && c.class ? { customer_group: c.class } : {}),
    };
    try {
      const answer = await this.client.call<Envelope>(
        'erp',
        item.action === 'create' ? 'CreateCustomer' : 'UpdateCustomer',
        body,
        { record: exchanges },
      );
      const saved = (answer.customer ?? {}) as Partial<IsCustomer>;
      const id = saved.customer_id ?? item.targetId;
      if (!id)
        return fail(
          item.ref,
          rejected('server', `iSeller did not answer customer ${c.number}'s id`),
          exchanges,
        );
      return {
        ref: item.ref,
        ok: true,
        action: item.action === 'create' ? 'created' : 'updated',
        targetId: id,
        exchanges,
      };
    } catch (e) {
      return fail(item.ref, e, exchanges);
    }
  }

  // ── goods arriving at an outlet ───────────────────────────────────────────────

  /**
   * Goods received from a supplier (fromWarehouse `vendor:<no>`) or transferred in, booked elsewhere,
   * arrive at an iSeller outlet as a transfer of type in (ERP CreateTransfer, "Type = In"): the
   * outlet's stock rises by the quantities, and the transfer's reference is our document number, so a
   * retry finds it (GetTransfer) instead of adding the stock twice. A stock adjustment would do the
   * same to the stock but be read back as a stock take; a transfer-in is read back as the transfer it
   * is, which the engine recognises as its own echo. The out half of a transfer between outlets
   * (status `out`) is a transfer of type out from its outlet to the other, as iSeller records its own:
   * the goods leave now and arrive with the in half, as in the books.
   */
  private async transfers(items: readonly WriteItem[]): Promise<WriteResult[]> {
    const results: WriteResult[] = [];
    const todo: Array<{ item: WriteItem; t: StockTransfer }> = [];
    for (const item of items) {
      if (item.action === 'update') {
        results.push({
          ref: item.ref,
          ok: true,
          action: 'skipped',
          ...(item.targetId ? { targetId: item.targetId } : {}),
          reason: 'goods received into an iSeller outlet are never changed from here',
        });
        continue;
      }
      const parsed = StockTransfer.safeParse(item.data);
      if (!parsed.success) {
        const lines = (item.data as { lines?: Array<{ sku?: unknown }> } | undefined)?.lines ?? [];
        const bad = lines.findIndex((l) => typeof l.sku !== 'string' || !l.sku.trim());
        results.push(
          fail(
            item.ref,
            rejected('invalid_data', bad >= 0 ? `line ${bad + 1}: ${NO_SKU}` : parsed.error.message),
          ),
        );
        continue;
      }
      todo.push({ item, t: parsed.data });
    }
    if (!todo.length) return results;
    let outlets: Set<string>;
    let known: Set<string>;
    try {
      outlets = new Set((await this.reader.outletCodes()).values());
      const skus = [...new Set(todo.flatMap((x) => x.t.lines.map((l) => l.sku)))];
      known = new Set((await this.lookup('product', skus)).keys());
    } catch (e) {
      if (toErrorData(e).category === 'config') throw e;
      return [...results, ...todo.map((x) => fail(x.item.ref, e))];
    }
    for (const { item, t } of todo) {
      // The out half of a transfer entered in Accurate leaves its outlet now (CreateTransfer type
      // out, as iSeller's own transfers do); the goods reach the other outlet with its in half.
      const out = t.status === 'out';
      const missing = [...(out ? [t.fromWarehouse] : []), t.toWarehouse].find((w) => !outlets.has(w));
      if (missing) {
        results.push(
          fail(
            item.ref,
            rejected(
              'invalid_data',
              `${t.number}: ${missing} is not an iSeller outlet_code (the source must name the outlet by its code)`,
            ),
          ),
        );
        continue;
      }
      const unknown = t.lines.map((l, i) => ({ l, i })).filter(({ l }) => !known.has(l.sku));
      if (unknown.length) {
        const which = unknown.map(({ l, i }) => `line ${i + 1} (${l.sku})`).join(', ');
        results.push(
          fail(
            item.ref,
            rejected(
              'missing_field',
              `${t.number} ${which}: ${NO_SKU} in iSeller (no product carries that SKU)`,
            ),
          ),
        );
        continue;
      }
      const exchanges: HttpExchange[] = [];
      try {
        const answer = await this.client.call<Envelope>(
          'erp',
          'CreateTransfer',
          {
            ...(out
              ? {
                  type: 'out',
                  out_type: 'to_outlet',
                  outlet_code: t.fromWarehouse,
                  to_outlet_code: t.toWarehouse,
                }
              : { type: 'in', outlet_code: t.toWarehouse, from: t.fromWarehouse }),
            reference: t.number,
            transfer_date: t.occurredAt ?? t.date,
            products: t.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
          },
          { record: exchanges },
        );
        const saved = (answer.transfer ?? {}) as Partial<IsTransfer>;
        results.push({
          ref: item.ref,
          ok: true,
          action: 'created',
          targetId: saved.transfer_id ?? t.number,
          exchanges,
        });
      } catch (e) {
        results.push(fail(item.ref, e, exchanges));
      }
    }
    return results;
  }
}
