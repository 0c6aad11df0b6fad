import { describe, expect, it } from 'vitest';
import { anyOf, fromMagentoTime, searchParams, toMagentoTime } from './search-criteria.js';

describe('searchCriteria builder', () => {
  it('flattens groups (AND), filters (OR), sort orders and paging into bracketed parameters', () => {
    const p = searchParams({
      groups: [
        [
          { field: 'email', value: 'a@x.com,b@x.com', condition: 'in' },
          { field: 'entity_id', value: '7', condition: 'eq' },
        ],
        [{ field: 'website_id', value: '1' }],
      ],
      sort: [{ field: 'entity_id', direction: 'ASC' }],
      pageSize: 50,
      currentPage: 2,
    });
    expect(Object.fromEntries(p)).toEqual({
      'searchCriteria[filterGroups][0][filters][0][field]': 'email',
      'searchCriteria[filterGroups][0][filters][0][value]': 'a@x.com,b@x.com',
      'searchCriteria[filterGroups][0][filters][0][conditionType]': 'in',
      'searchCriteria[filterGroups][0][filters][1][field]': 'entity_id',
      'searchCriteria[filterGroups][0][filters][1][value]': '7',
      'searchCriteria[filterGroups][0][filters][1][conditionType]': 'eq',
      'searchCriteria[filterGroups][1][filters][0][field]': 'website_id',
      'searchCriteria[filterGroups][1][filters][0][value]': '1',
      'searchCriteria[filterGroups][1][filters][0][conditionType]': 'eq',
      'searchCriteria[sortOrders][0][field]': 'entity_id',
      'searchCriteria[sortOrders][0][direction]': 'ASC',
      'searchCriteria[pageSize]': '50',
      'searchCriteria[currentPage]': '2',
    });
  });

  it('encodes values that need it on the wire', () => {
    const p = searchParams({ groups: [[{ field: 'email', value: 'a+b@x.com', condition: 'eq' }]] });
    expect(p.toString()).toContain('a%2Bb%40x.com');
    expect(p.toString()).toContain('searchCriteria%5BfilterGroups%5D%5B0%5D');
  });

  it('an empty criteria is no parameters at all', () => {
    expect([...searchParams({}).keys()]).toEqual([]);
  });

  it('anyOf uses one in-list, eq for a single value, and eq for values holding a comma', () => {
    expect(anyOf('sku', ['A'])).toEqual([{ field: 'sku', value: 'A', condition: 'eq' }]);
    expect(anyOf('sku', ['A', 'B', 'C'])).toEqual([{ field: 'sku', value: 'A,B,C', condition: 'in' }]);
    expect(anyOf('sku', ['A', 'B,1', 'C'])).toEqual([
      { field: 'sku', value: 'A,C', condition: 'in' },
      { field: 'sku', value: 'B,1', condition: 'eq' },
    ]);
    expect(anyOf('sku', [])).toEqual([]);
  });

  it('Magento time is UTC without a zone; milliseconds are cut so gteq stays inclusive', () => {
    expect(toMagentoTime('2026-01-02T03:04:05.678+02:00')).toBe('2026-01-02 01:04:05');
    expect(fromMagentoTime('2026-01-02 01:04:05')).toBe('2026-01-02T01:04:05.000Z');
    expect(() => toMagentoTime('yesterday')).toThrow(RangeError);
    expect(() => fromMagentoTime('0000-00-00 00:00:00x')).toThrow(RangeError);
  });
});
