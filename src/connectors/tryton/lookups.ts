import { rejected } from '../sdk/errors.js';
import type { TrytonClient } from './client.js';
import { type RawRecord, text } from './types.js';

/** Setup changes rarely; what was read is read again after this long. */
const KEEP_MS = 60 * 60_000;

/** Units a shop names that mean Tryton's "Unit" (symbol "u"). */
const EACH = new Set(['EA', 'EACH', 'PC', 'PCS', 'PCE', 'UNIT', 'UNITS', 'U']);

type Row = RawRecord & Record<string, unknown>;

/**
 * Setup records writes refer to by code (currencies, countries, units, the shipping product), read
 * once per connection and kept. What Tryton does not have stays absent; the writer says so.
 */
export class Lookups {
  private readonly kept = new Map<string, Promise<Map<string, number>>>();
  private readAt = Date.now();

  constructor(private readonly client: TrytonClient) {}

  private renew(): void {
    if (Date.now() - this.readAt < KEEP_MS) return;
    this.kept.clear();
    this.readAt = Date.now();
  }

  /** Every record of a small setup model, by a key made of its fields. */
  private table(
    model: string,
    fields: string[],
    key: (r: Row) => string | undefined,
  ): Promise<Map<string, number>> {
    this.renew();
    const name = `${model}:${fields.join(',')}`;
    let t = this.kept.get(name);
    if (!t) {
      t = this.client
        .model<Row[]>(model, 'search_read', [[], 0, null, [['id', 'ASC']], fields], { idempotent: true })
        .then((rows) => {
          const out = new Map<string, number>();
          for (const r of rows) {
            const k = key(r);
            if (k && !out.has(k)) out.set(k, r.id);
          }
          return out;
        });
      t.catch(() => this.kept.delete(name));
      this.kept.set(name, t);
    }
    return t;
  }

  async currency(code: string): Promise<number> {
    const id = (await this.table('currency.currency', ['code'], (r) => text(r.code)?.toUpperCase())).get(
      code.toUpperCase(),
    );
    if (id === undefined)
      throw rejected(
        'unmapped_value',
        `Tryton has no currency ${code}; add it in Tryton (Currency › Currencies)`,
      );
    return id;
  }

  countries(): Promise<Map<string, number>> {
    return this.table('country.country', ['code'], (r) => text(r.code)?.toUpperCase());
  }

  subdivisions(): Promise<Map<string, number>> {
    return this.table('country.subdivision', ['code'], (r) => text(r.code)?.toUpperCase());
  }

  /** A unit of measure by symbol or name; a shop's "each" (EA, PCS…) is Tryton's Unit. */
  async uom(unit: string): Promise<number> {
    const bySymbol = await this.table('product.uom', ['symbol'], (r) => text(r.symbol)?.toUpperCase());
    const byName = await this.table('product.uom', ['name'], (r) => text(r.name)?.toUpperCase());
    const u = unit.trim().toUpperCase();
    const id = bySymbol.get(u) ?? byName.get(u) ?? (EACH.has(u) ? bySymbol.get('U') : undefined);
    if (id === undefined)
      throw rejected('unmapped_value', `Tryton has no unit of measure "${unit}" (by symbol or name)`);
    return id;
  }

  /** An account category by id or name; undefined when it does not exist. */
  async accountCategory(wanted: string): Promise<number | undefined> {
    const w = wanted.trim();
    const categories = await this.table('product.category', ['name', 'accounting'], (r) =>
      r.accounting ? text(r.name)?.toUpperCase() : undefined,
    );
    if (/^\d+$/.test(w)) return [...categories.values()].includes(Number(w)) ? Number(w) : undefined;
    return categories.get(w.toUpperCase());
  }

  /** A product by code; read each time (a shipping product may be added at any time) but cheap. */
  async productByCode(code: string): Promise<number | undefined> {
    const [found] = await this.client.model<Row[]>(
      'product.product',
      'search_read',
      [[['code', '=', code]], 0, 1, [['id', 'ASC']], ['id']],
      { idempotent: true },
    );
    return found?.id;
  }
}
