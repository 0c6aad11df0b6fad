/**
 * Magento's searchCriteria, as bracketed query parameters. Filters inside one group are OR-ed,
 * groups are AND-ed (there is no way to OR two groups). `in`/`nin` take a comma-separated list.
 */
export type Condition =
  | 'eq'
  | 'neq'
  | 'in'
  | 'nin'
  | 'gt'
  | 'gteq'
  | 'lt'
  | 'lteq'
  | 'like'
  | 'null'
  | 'notnull';

export interface Filter {
  field: string;
  value: string;
  /** Magento's default is eq. */
  condition?: Condition;
}

/** A group of filters any one of which may match. */
export type FilterGroup = Filter[];

export interface Criteria {
  /** Every group must match; within a group, any filter. */
  groups?: FilterGroup[];
  sort?: Array<{ field: string; direction: 'ASC' | 'DESC' }>;
  pageSize?: number;
  /** 1-based. Past the last page Magento answers with the last page again. */
  currentPage?: number;
}

/** Flattens criteria into Magento's bracketed query parameters. */
export function searchParams(c: Criteria): URLSearchParams {
  const p = new URLSearchParams();
  (c.groups ?? []).forEach((group, g) => {
    group.forEach((f, i) => {
      const base = `searchCriteria[filterGroups][${g}][filters][${i}]`;
      p.set(`${base}[field]`, f.field);
      p.set(`${base}[value]`, f.value);
      p.set(`${base}[conditionType]`, f.condition ?? 'eq');
    });
  });
  (c.sort ?? []).forEach((s, i) => {
    p.set(`searchCriteria[sortOrders][${i}][field]`, s.field);
    p.set(`searchCriteria[sortOrders][${i}][direction]`, s.direction);
  });
  if (c.pageSize !== undefined) p.set('searchCriteria[pageSize]', String(c.pageSize));
  if (c.currentPage !== undefined) p.set('searchCriteria[currentPage]', String(c.currentPage));
  return p;
}

/**
 * The filters that match a field against any of the values: one `in` list, plus an `eq` filter for
 * each value that contains a comma (a SKU may; an `in` list would split it in two). Put them in one
 * group so that they OR together.
 */
export function anyOf(field: string, values: readonly string[]): FilterGroup {
  const plain = values.filter((v) => !v.includes(','));
  const group: FilterGroup = values
    .filter((v) => v.includes(','))
    .map((value) => ({ field, value, condition: 'eq' }));
  if (plain.length === 1) group.unshift({ field, value: plain[0]!, condition: 'eq' });
  else if (plain.length > 1) group.unshift({ field, value: plain.join(','), condition: 'in' });
  return group;
}

/**
 * Magento stores timestamps as "YYYY-MM-DD HH:MM:SS" in UTC, without a zone, and compares them as
 * such. Milliseconds are cut, which keeps a `gteq` window inclusive (it can only widen).
 */
export function toMagentoTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw new RangeError(`not a date-time: ${iso}`);
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

/** A Magento timestamp (UTC, no zone) as ISO-8601 with its zone. */
export function fromMagentoTime(t: string): string {
  const d = new Date(`${t.trim().replace(' ', 'T')}Z`);
  if (Number.isNaN(d.getTime())) throw new RangeError(`not a Magento timestamp: ${t}`);
  return d.toISOString();
}
