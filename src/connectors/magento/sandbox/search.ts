import type { FastifyReply, FastifyRequest } from 'fastify';
import { fail } from './errors.js';
import { type InputLimits, pageSizeUnder } from './limits.js';

/** searchCriteria as Magento parses it from bracketed query parameters, and applies it. */
export interface ParsedFilter {
  field: string;
  value: string;
  condition_type: string;
}

export interface ParsedCriteria {
  filter_groups: Array<{ filters: ParsedFilter[] }>;
  sort_orders?: Array<{ field: string; direction: string }>;
  page_size?: number;
  current_page?: number;
}

export class CriteriaError extends Error {}

const KEY =
  /^searchCriteria\[(filterGroups|filter_groups)\]\[(\d+)\]\[filters\]\[(\d+)\]\[(field|value|conditionType|condition_type)\]$/;
const SORT = /^searchCriteria\[(sortOrders|sort_orders)\]\[(\d+)\]\[(field|direction)\]$/;

export function parseCriteria(query: Record<string, unknown>): ParsedCriteria {
  const groups: Array<Array<Partial<ParsedFilter>>> = [];
  const sorts: Array<{ field?: string; direction?: string }> = [];
  const out: ParsedCriteria = { filter_groups: [] };
  for (const [k, raw] of Object.entries(query)) {
    const v = Array.isArray(raw) ? String(raw[raw.length - 1]) : String(raw);
    let m = KEY.exec(k);
    if (m) {
      groups[Number(m[2])] ??= [];
      const g = groups[Number(m[2])]!;
      g[Number(m[3])] ??= {};
      const f = g[Number(m[3])]!;
      if (m[4] === 'field') f.field = v;
      else if (m[4] === 'value') f.value = v;
      else f.condition_type = v;
      continue;
    }
    m = SORT.exec(k);
    if (m) {
      sorts[Number(m[2])] ??= {};
      const s = sorts[Number(m[2])]!;
      if (m[3] === 'field') s.field = v;
      else s.direction = v.toUpperCase();
      continue;
    }
    if (k === 'searchCriteria[pageSize]') out.page_size = Number(v);
    else if (k === 'searchCriteria[currentPage]') out.current_page = Number(v);
  }
  for (const g of groups.filter(Boolean)) {
    const filters = g.filter(Boolean).map((f) => {
      if (!f.field) throw new CriteriaError('"field" is required in a search filter.');
      return { field: f.field, value: f.value ?? '', condition_type: f.condition_type ?? 'eq' };
    });
    out.filter_groups.push({ filters });
  }
  const s = sorts.filter((x) => x?.field).map((x) => ({ field: x.field!, direction: x.direction ?? 'ASC' }));
  if (s.length) out.sort_orders = s;
  return out;
}

function cmp(a: unknown, b: string): number {
  const an = Number(a);
  const bn = Number(b);
  if (a !== '' && b !== '' && !Number.isNaN(an) && !Number.isNaN(bn) && typeof a !== 'boolean')
    return an - bn;
  // MySQL's default collation: comparisons ignore case.
  return String(a ?? '')
    .toLowerCase()
    .localeCompare(b.toLowerCase());
}

function test(value: unknown, f: ParsedFilter): boolean {
  switch (f.condition_type) {
    case 'eq':
      return cmp(value, f.value) === 0;
    case 'neq':
      return cmp(value, f.value) !== 0;
    case 'in':
      return f.value.split(',').some((v) => cmp(value, v.trim()) === 0);
    case 'nin':
      return !f.value.split(',').some((v) => cmp(value, v.trim()) === 0);
    case 'gt':
      return cmp(value, f.value) > 0;
    case 'gteq':
      return cmp(value, f.value) >= 0;
    case 'lt':
      return cmp(value, f.value) < 0;
    case 'lteq':
      return cmp(value, f.value) <= 0;
    case 'like': {
      const re = new RegExp(
        `^${f.value
          .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
          .replace(/%/g, '.*')
          .replace(/_/g, '.')}$`,
        'i',
      );
      return re.test(String(value ?? ''));
    }
    case 'null':
      return value === undefined || value === null;
    case 'notnull':
      return value !== undefined && value !== null;
    default:
      throw new CriteriaError(`Invalid condition type: ${f.condition_type}`);
  }
}

/** An `in` / `nin` list is split once per request, not once per row. */
function compile(f: ParsedFilter): (value: unknown) => boolean {
  if (f.condition_type === 'in' || f.condition_type === 'nin') {
    const set = new Set(f.value.split(',').map((v) => v.trim().toLowerCase()));
    const inList = (value: unknown) => set.has(String(value ?? '').toLowerCase());
    return f.condition_type === 'in' ? inList : (value) => !inList(value);
  }
  return (value) => test(value, f);
}

/** Filter groups AND, filters in a group OR; then sort; then Magento's paging (a page past the end repeats the last). */
export function applyCriteria<T>(
  rows: T[],
  c: ParsedCriteria,
  field: (row: T, name: string) => unknown,
): { items: T[]; total: number } {
  const groups = c.filter_groups.map((g) => g.filters.map((f) => ({ field: f.field, ok: compile(f) })));
  const matched = rows.filter((r) => groups.every((g) => g.some((f) => f.ok(field(r, f.field)))));
  for (const s of [...(c.sort_orders ?? [])].reverse()) {
    const dir = s.direction === 'DESC' ? -1 : 1;
    matched.sort((a, b) => dir * cmp(field(a, s.field), String(field(b, s.field) ?? '')));
  }
  const total = matched.length;
  if (!c.page_size) return { items: matched, total };
  const last = Math.max(1, Math.ceil(total / c.page_size));
  const page = Math.min(Math.max(1, c.current_page ?? 1), last);
  return { items: matched.slice((page - 1) * c.page_size, page * c.page_size), total };
}

/** A search endpoint's answer: matching rows, the criteria echoed as Magento parsed them, the total. */
export function searchRoute<T>(
  req: FastifyRequest,
  reply: FastifyReply,
  rows: T[],
  field: (row: T, name: string) => unknown,
  limits?: InputLimits,
  /** How a row is answered, when the API shows more than is stored (an order's shipping assignment). */
  present: (row: T) => unknown = (row) => row,
) {
  try {
    const criteria = parseCriteria(req.query as Record<string, unknown>);
    const size = pageSizeUnder(limits, criteria.page_size);
    if ('refusal' in size) return reply.code(400).send(size.refusal);
    if (size.pageSize !== undefined) criteria.page_size = size.pageSize;
    const { items, total } = applyCriteria(rows, criteria, field);
    return { items: items.map(present), search_criteria: criteria, total_count: total };
  } catch (e) {
    if (e instanceof CriteriaError) return reply.code(400).send(fail(e.message));
    throw e;
  }
}
