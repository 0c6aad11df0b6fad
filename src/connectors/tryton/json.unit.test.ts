import { describe, expect, it } from 'vitest';
import {
  decode,
  encodeBytes,
  encodeDate,
  encodeDateTime,
  encodeDecimal,
  encodeTime,
  encodeTimeDelta,
} from './json.js';

describe("Tryton's JSON encoding", () => {
  it('carries decimals as strings both ways, keeping the scale and never passing a float', () => {
    expect(encodeDecimal('12.50')).toEqual({ __class__: 'Decimal', decimal: '12.50' });
    expect(encodeDecimal('-0.10')).toEqual({ __class__: 'Decimal', decimal: '-0.10' });
    // More digits than a double holds stay exact.
    const long = '12345678901234567.123456789';
    expect(decode(encodeDecimal(long))).toBe(long);
    expect(decode({ __class__: 'Decimal', decimal: '76.96' })).toBe('76.96');
    // Python writes some Decimals with an exponent.
    expect(decode({ __class__: 'Decimal', decimal: '1E+2' })).toBe('100');
    expect(decode({ __class__: 'Decimal', decimal: '0E-10' })).toBe('0');
    expect(() => encodeDecimal('NaN')).toThrow(/finite/);
  });

  it('dates are calendar days', () => {
    expect(encodeDate('2026-03-01')).toEqual({ __class__: 'date', year: 2026, month: 3, day: 1 });
    expect(decode(encodeDate('2026-03-01'))).toBe('2026-03-01');
    expect(() => encodeDate('2026-3-1')).toThrow(/YYYY-MM-DD/);
  });

  it('datetimes are naive UTC on the wire, zoned strings with microseconds here', () => {
    expect(encodeDateTime('2026-01-02T03:04:05.123456+07:00')).toEqual({
      __class__: 'datetime',
      year: 2026,
      month: 1,
      day: 1,
      hour: 20,
      minute: 4,
      second: 5,
      microsecond: 123456,
    });
    expect(encodeDateTime('2026-01-02T03:04:05Z').microsecond).toBe(0);
    expect(encodeDateTime('2026-01-02T03:04:05.5Z').microsecond).toBe(500000);
    // Beyond the microsecond is cut, never rounded up: a window must not start later than asked.
    expect(encodeDateTime('2026-01-02T03:04:05.9999999Z').microsecond).toBe(999999);
    const wire = encodeDateTime('2026-11-24T06:12:00.984149Z');
    expect(decode(wire)).toBe('2026-11-24T06:12:00.984149Z');
    expect(() => encodeDateTime('2026-01-02T03:04:05')).toThrow(/zone/);
  });

  it('times, timedeltas and bytes', () => {
    expect(encodeTime('13:45:00.25')).toEqual({
      __class__: 'time',
      hour: 13,
      minute: 45,
      second: 0,
      microsecond: 250000,
    });
    expect(decode(encodeTime('13:45:00'))).toBe('13:45:00.000000');
    expect(decode(encodeTimeDelta(90.5))).toBe(90.5);
    const bytes = decode(encodeBytes(Buffer.from('ledgerlink'))) as Buffer;
    expect(bytes.toString()).toBe('ledgerlink');
  });

  it('decodes a whole answer, nested, leaving plain values alone', () => {
    const answer = {
      id: 3,
      total_amount: { __class__: 'Decimal', decimal: '76.96' },
      sale_date: { __class__: 'date', year: 2026, month: 11, day: 20 },
      quantity: 3,
      'lines.': [{ unit_price: { __class__: 'Decimal', decimal: '19.99' }, description: null }],
      other: { __class__: 'unknown', x: 1 },
    };
    expect(decode(answer)).toEqual({
      id: 3,
      total_amount: '76.96',
      sale_date: '2026-11-20',
      quantity: 3,
      'lines.': [{ unit_price: '19.99', description: null }],
      other: { __class__: 'unknown', x: 1 },
    });
  });
});
