import { Product } from '../../model/index.js';
import type { TargetRecord, WriteItem, WriteResult } from '../sdk/contract.js';
import { configError, rejected } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import type { TrytonClient } from './client.js';
import { encodeDecimal } from './json.js';
import type { Lookups } from './lookups.js';
import { templateToTryton } from './mappers/product.js';
import type { TrytonSettings } from './settings.js';
import { type RawRecord, text } from './types.js';
import { writeEach } from './write-results.js';

/** Codes per search. */
const PER_SEARCH = 100;

interface ProductSnapshot {
  template: number;
}

/** Products as a target: found by code (the SKU), created as a template with one variant, owned updates. */
export class ProductTarget {
  constructor(
    private readonly client: TrytonClient,
    private readonly lookups: Lookups,
    private readonly s: Pick<TrytonSettings, 'productCategory'>,
  ) {}

  async lookup(skus: readonly string[], record?: HttpExchange[]): Promise<Map<string, TargetRecord>> {
    const out = new Map<string, TargetRecord>();
    const wanted = [...new Set(skus)];
    for (let i = 0; i < wanted.length; i += PER_SEARCH) {
      const found = await this.client.model<Array<RawRecord & { code?: string; template: number }>>(
        'product.product',
        'search_read',
        [[['code', 'in', wanted.slice(i, i + PER_SEARCH)]], 0, null, [['id', 'ASC']], ['code', 'template']],
        { idempotent: true, context: { active_test: false }, ...(record ? { record } : {}) },
      );
      for (const p of found) {
        const code = text(p.code);
        const snapshot: ProductSnapshot = { template: p.template };
        if (code && !out.has(code)) out.set(code, { id: String(p.id), snapshot });
      }
    }
    return out;
  }

  write(items: readonly WriteItem[]): Promise<WriteResult[]> {
    return writeEach(
      items,
      (item) => `product ${(item.data as { sku?: string }).sku ?? item.ref}`,
      (item, exchanges) =>
        item.action === 'create' ? this.create(item, exchanges) : this.update(item, exchanges),
    );
  }

  private async accountCategory(): Promise<number | undefined> {
    if (!this.s.productCategory) return undefined;
    const id = await this.lookups.accountCategory(this.s.productCategory);
    if (id === undefined)
      throw configError(
        `Tryton has no account category "${this.s.productCategory}" (the connection's productCategory)`,
      );
    return id;
  }

  private async create(item: WriteItem, exchanges: HttpExchange[]): Promise<WriteResult> {
    const parsed = Product.safeParse(item.data);
    if (!parsed.success)
      throw rejected('invalid_data', `the product is not valid: ${parsed.error.issues[0]?.message}`);
    const p = parsed.data;
    // Tryton does not keep codes unique; Ledgerlink does not make a second product with one.
    const existing = (await this.lookup([p.sku], exchanges)).get(p.sku);
    if (existing)
      throw rejected('duplicate', `Tryton already has product ${existing.id} with the code ${p.sku}`);
    const accountCategoryId = await this.accountCategory();
    const values = templateToTryton(p, {
      uomId: await this.lookups.uom(p.unit),
      ...(accountCategoryId !== undefined ? { accountCategoryId } : {}),
    });
    const [template] = await this.client.model<number[]>('product.template', 'create', [[values]], {
      record: exchanges,
    });
    const [variant] = await this.client.model<RawRecord[]>(
      'product.product',
      'search_read',
      [[['template', '=', template]], 0, 1, [['id', 'ASC']], ['id']],
      { idempotent: true, context: { active_test: false } },
    );
    if (!variant) throw rejected('invalid_data', `Tryton created template ${template} without a variant`);
    return {
      ref: item.ref,
      ok: true,
      targetId: String(variant.id),
      targetNumber: p.sku,
      action: 'created',
      exchanges,
    };
  }

  /** Writes the owned fields: the name and list price on the template, the cost and status on the variant. */
  private async update(item: WriteItem, exchanges: HttpExchange[]): Promise<WriteResult> {
    const id = Number(item.targetId);
    if (!Number.isInteger(id)) throw rejected('missing_field', 'an update needs the Tryton product id');
    const p = item.data as Partial<Product>;
    const fields = item.fields ?? [];
    const template: Record<string, unknown> = {};
    const variant: Record<string, unknown> = {};
    if (fields.includes('name') && p.name) template.name = p.name;
    if (fields.includes('listPrice') && p.listPrice) template.list_price = encodeDecimal(p.listPrice.amount);
    if (fields.includes('standardCost') && p.standardCost)
      variant.cost_price = encodeDecimal(p.standardCost.amount);
    if (fields.includes('status') && p.status) variant.active = p.status !== 'inactive';
    const common = { record: exchanges, context: { active_test: false } };
    if (Object.keys(template).length) {
      const known = (item.existing?.snapshot as ProductSnapshot | undefined)?.template;
      const templateId =
        known ??
        (
          await this.client.model<Array<RawRecord & { template: number }>>(
            'product.product',
            'read',
            [[id], ['template']],
            { idempotent: true, context: { active_test: false } },
          )
        )[0]?.template;
      if (templateId === undefined) throw rejected('not_found', `Tryton has no product ${id}`);
      await this.client.model('product.template', 'write', [[templateId], template], common);
    }
    if (Object.keys(variant).length)
      await this.client.model('product.product', 'write', [[id], variant], common);
    return {
      ref: item.ref,
      ok: true,
      targetId: String(id),
      targetNumber: p.sku,
      action: 'updated',
      exchanges,
    };
  }
}
