import { fromAccurateDateTime } from '../dates.js';
import type { Rec } from './store.js';

type Query = Record<string, string | string[] | undefined>;

/** The values of `filter.<field>.val` as sent: bare, repeated, or indexed `[n]`. */
function valuesOf(q: Query, field: string): string[] {
  const out: Array<[number, string]> = [];
  for (const [k, v] of Object.entries(q)) {
    const m = new RegExp(`^filter\\.${field.replace('.', '\\.')}\\.val(?:\\[(\\d+)\\])?$`).exec(k);
    if (!m) continue;
    for (const x of [v ?? []].flat()) out.push([Number(m[1] ?? 0), x]);
  }
  return out.sort((a, b) => a[0] - b[0]).map(([, x]) => x);
}

/** The record field a list filter compares (customer's `no` is its customerNo). */
const FIELD_OF: Record<string, Record<string, string>> = { customer: { no: 'customerNo' } };

const time = (v: unknown) => (typeof v === 'string' ? Date.parse(fromAccurateDateTime(v)) : Number.NaN);

function compare(field: string, a: unknown, b: string): number {
  if (field === 'lastUpdate' || field === 'transDate')
    return time(a) - time(b.length === 10 ? `${b} 00:00:00` : b);
  if (typeof a === 'number') return a - Number(b);
  return String(a ?? '').localeCompare(b);
}

export class QueryError extends Error {}

/** The rows list.do answers for a query: its filters (lastUpdate, no/number/id, types, keywords), sorted. */
export function filterRows(doc: string, rows: Rec[], q: Query): Rec[] {
  let out = rows;
  const fields = new Set(
    Object.keys(q)
      .map((k) => /^filter\.([A-Za-z]+)\.(op|val)/.exec(k)?.[1])
      .filter((f): f is string => !!f && f !== 'keywords'),
  );
  for (const f of fields) {
    const op = String(q[`filter.${f}.op`] ?? 'EQUAL');
    const vals = valuesOf(q, f);
    const key = FIELD_OF[doc]?.[f] ?? f;
    out = out.filter((r) => {
      const v = r[key];
      switch (op) {
        case 'EQUAL':
          return vals.some((x) => compare(f, v, x) === 0);
        case 'NOT_EQUAL':
          return vals.every((x) => compare(f, v, x) !== 0);
        case 'GREATER_THAN':
          return compare(f, v, vals[0] ?? '') > 0;
        case 'GREATER_EQUAL_THAN':
          return compare(f, v, vals[0] ?? '') >= 0;
        case 'LESS_THAN':
          return compare(f, v, vals[0] ?? '') < 0;
        case 'LESS_EQUAL_THAN':
          return compare(f, v, vals[0] ?? '') <= 0;
        case 'BETWEEN':
          return compare(f, v, vals[0] ?? '') >= 0 && compare(f, v, vals[1] ?? '') <= 0;
        case 'EMPTY':
          return v === undefined || v === '';
        case 'NOT_EMPTY':
          return v !== undefined && v !== '';
        default:
          throw new QueryError(`Operator ${op} tidak dikenal`);
      }
    });
  }
  const words = [q.keywords, ...valuesOf(q, 'keywords')].flat().filter((w): w is string => !!w);
  if (words.length)
    out = out.filter((r) =>
      words.some((w) =>
        ['number', 'no', 'customerNo', 'name', 'email'].some((k) =>
          String(r[k] ?? '')
            .toLowerCase()
            .includes(w.toLowerCase()),
        ),
      ),
    );
  const sort = String(q['sp.sort'] ?? 'id|asc');
  const keys = sort.split(';').map((s) => s.split('|') as [string, string?]);
  return [...out].sort((a, b) => {
    for (const [k, dir] of keys) {
      const c = k === 'lastUpdate' ? time(a[k]) - time(b[k]) : compare(k, a[k], String(b[k] ?? ''));
      if (c) return dir === 'desc' ? -c : c;
    }
    return 0;
  });
}

/** Only the fields asked for (always the id); the lines only when asked for by name. */
export function pick(r: Rec, fields: string | undefined): Record<string, unknown> {
  if (!fields) {
    const { detailItem: _lines, ...rest } = r;
    return rest;
  }
  const out: Record<string, unknown> = { id: r.id };
  for (const f of fields.split(',').map((s) => s.trim())) if (f && r[f] !== undefined) out[f] = r[f];
  return out;
}
