import type { ErrorData } from '../connectors/sdk/errors.js';
import type { ValueMap } from './flow.js';

/** What a map translates, in the words of a message ("shipping method FEDEX2DAY has no …"). */
const MAP_WORDS: Record<string, string> = {
  shippingMethod: 'shipping method',
  paymentMethod: 'payment method',
  orderType: 'order type',
  taxClass: 'tax class',
  customerClass: 'customer class',
  unit: 'unit of measure',
};

export const valueMapWord = (name: string): string => MAP_WORDS[name] ?? `value of ${name}`;

export type Mapped = { ok: true; data: Record<string, unknown> } | { ok: false; error: ErrorData };

interface Lookup {
  name: string;
  table: Map<string, string>;
}

/**
 * The value maps of one flow, compiled once for its direction: for each mapped field, the source
 * connection's code → the target connection's. The first row naming a code wins, so a map may send
 * several shop methods to one ERP method and still come back to a single one.
 */
export class FlowValueMaps {
  private readonly fields: Array<{ path: string[]; lookup: Lookup }>;

  constructor(
    fieldMaps: Readonly<Record<string, string>>,
    maps: ReadonlyMap<string, ValueMap>,
    private readonly source: string,
    private readonly target: string,
    private readonly targetTitle: string,
  ) {
    this.fields = Object.entries(fieldMaps).map(([field, name]) => {
      const table = new Map<string, string>();
      for (const row of maps.get(name)?.rows ?? []) {
        const from = row[source];
        const to = row[target];
        if (from !== undefined && to !== undefined && !table.has(from)) table.set(from, to);
      }
      return { path: field.split('.'), lookup: { name, table } };
    });
  }

  get empty(): boolean {
    return this.fields.length === 0;
  }

  /** A copy of the record in the target's codes, or the first code no row maps. */
  apply(record: Record<string, unknown>): Mapped {
    if (this.fields.length === 0) return { ok: true, data: record };
    const data = structuredClone(record);
    for (const { path, lookup } of this.fields) {
      const missing = translate(data, path, lookup.table);
      if (missing !== undefined) {
        return {
          ok: false,
          error: {
            code: 'unmapped_value',
            category: 'config',
            message: `${valueMapWord(lookup.name)} ${missing} has no ${this.targetTitle} mapping; add a row for it to valueMaps.${lookup.name} (${this.source}: ${missing}, ${this.target}: …)`,
          },
        };
      }
    }
    return { ok: true, data };
  }
}

/** Replaces the codes at `path` in place (arrays are walked); returns the first code the table lacks. */
function translate(node: unknown, path: readonly string[], table: Map<string, string>): string | undefined {
  if (Array.isArray(node)) {
    for (const item of node) {
      const missing = translate(item, path, table);
      if (missing !== undefined) return missing;
    }
    return undefined;
  }
  if (!node || typeof node !== 'object') return undefined;
  const obj = node as Record<string, unknown>;
  const [head, ...rest] = path;
  if (head === undefined) return undefined;
  if (rest.length > 0) return translate(obj[head], rest, table);
  const value = obj[head];
  if (value === undefined || value === null || value === '') return undefined;
  const mapped = table.get(String(value));
  if (mapped === undefined) return String(value);
  obj[head] = mapped;
  return undefined;
}
