import { describe, expect, it } from 'vitest';
import { searchParams } from '../search-criteria.js';
import { applyCriteria, CriteriaError, parseCriteria } from './search.js';

interface Row {
  id: number;
  email: string;
  updated_at: string;
}

const rows: Row[] = Array.from({ length: 7 }, (_, i) => ({
  id: i + 1,
  email: `User${i + 1}@x.com`,
  updated_at: `2026-01-0${i + 1} 10:00:00`,
}));
const field = (r: Row, f: string) => (f === 'entity_id' ? r.id : r[f as keyof Row]);

/** What the sandbox answers for criteria the connector builds. */
function search(c: Parameters<typeof searchParams>[0]) {
  const query = Object.fromEntries(searchParams(c));
  const parsed = parseCriteria(query);
  return { parsed, ...applyCriteria(rows, parsed, field) };
}
const ids = (r: { items: Row[] }) => r.items.map((x) => x.id);

describe('sandbox searchCriteria: Magento semantics', () => {
  it('filters in a group OR, groups AND', () => {
    const r = search({
      groups: [
        [
          { field: 'entity_id', value: '2', condition: 'eq' },
          { field: 'email', value: 'user5@x.com,user6@x.com', condition: 'in' },
        ],
        [{ field: 'updated_at', value: '2026-01-05 10:00:00', condition: 'gteq' }],
      ],
    });
    expect(ids(r)).toEqual([5, 6]);
  });

  it('every condition the connector or a person may use', () => {
    const one = (condition: string, value: string) =>
      ids(search({ groups: [[{ field: 'entity_id', value, condition: condition as 'eq' }]] }));
    expect(one('neq', '1')).toEqual([2, 3, 4, 5, 6, 7]);
    expect(one('nin', '1,2,3')).toEqual([4, 5, 6, 7]);
    expect(one('gt', '5')).toEqual([6, 7]);
    expect(one('lt', '3')).toEqual([1, 2]);
    expect(one('lteq', '2')).toEqual([1, 2]);
    expect(ids(search({ groups: [[{ field: 'email', value: 'user1%', condition: 'like' }]] }))).toEqual([1]);
    // Like MySQL's default collation, comparisons ignore case.
    expect(ids(search({ groups: [[{ field: 'email', value: 'USER3@X.COM' }]] }))).toEqual([3]);
  });

  it('sorts, pages, counts the total, and answers the last page again past the end', () => {
    const page = (n: number) =>
      search({ sort: [{ field: 'entity_id', direction: 'DESC' }], pageSize: 3, currentPage: n });
    expect(ids(page(1))).toEqual([7, 6, 5]);
    expect(ids(page(3))).toEqual([1]);
    expect(ids(page(9))).toEqual([1]);
    expect(page(9).total).toBe(7);
    expect(page(2).parsed).toEqual({
      filter_groups: [],
      sort_orders: [{ field: 'entity_id', direction: 'DESC' }],
      page_size: 3,
      current_page: 2,
    });
  });

  it('refuses an unknown condition type and a filter without a field', () => {
    expect(() => search({ groups: [[{ field: 'id', value: '1', condition: 'near' as 'eq' }]] })).toThrow(
      CriteriaError,
    );
    expect(() => parseCriteria({ 'searchCriteria[filterGroups][0][filters][0][value]': 'x' })).toThrow(
      CriteriaError,
    );
  });
});
