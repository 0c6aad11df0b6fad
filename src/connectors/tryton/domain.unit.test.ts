import { describe, expect, it } from 'vitest';
import { recordIds, windowDomain } from './domain.js';

describe('Tryton domains', () => {
  it('an incremental window is inclusive and counts related records, with create_date for unwritten ones', () => {
    const [since] = windowDomain(['addresses.'], '2026-01-01T00:00:00.000Z');
    const at = {
      __class__: 'datetime',
      year: 2026,
      month: 1,
      day: 1,
      hour: 0,
      minute: 0,
      second: 0,
      microsecond: 0,
    };
    expect(since).toEqual([
      'OR',
      [
        'OR',
        ['write_date', '>=', at],
        [
          ['write_date', '=', null],
          ['create_date', '>=', at],
        ],
      ],
      [
        'OR',
        ['addresses.write_date', '>=', at],
        [
          ['addresses.write_date', '=', null],
          ['addresses.create_date', '>=', at],
        ],
      ],
    ]);
  });

  it('until reaches to the end of its millisecond (Tryton keeps microseconds)', () => {
    const [until] = windowDomain([], undefined, '2026-01-01T00:00:00.123Z');
    expect(JSON.stringify(until)).toContain('"microsecond":124000');
    expect(JSON.stringify(until)).toContain('"<"');
  });

  it('ids that are no record ids match nothing', () => {
    expect(recordIds(['12', ' 7 ', 'NO-SUCH-ID-42', '12', '-1'])).toEqual([12, 7]);
  });
});
