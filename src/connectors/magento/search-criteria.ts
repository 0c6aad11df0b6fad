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
  condition?: Condition;
}

export interface Criteria {
  /** Groups are AND-ed; the filters inside a group are OR-ed (Magento's rule). */
  groups?: Filter[][];
  sort?: Array<{ field: string; direction: 'ASC' | 'DESC' }>;
  pageSize?: number;
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

/** Magento stores timestamps as "YYYY-MM-DD HH:MM:SS" in UTC, without a zone. */
export const toMagentoTime = (iso: string): string =>
  new Date(iso).toISOString().slice(0, 19).replace('T', ' ');
export const fromMagentoTime = (t: string): string => new Date(`${t.replace(' ', 'T')}Z`).toISOString();
