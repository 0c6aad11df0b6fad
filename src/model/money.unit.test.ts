import { describe, expect, it } from 'vitest';
import { Customer } from './customer.js';
import {
  addDecimals,
  decimalsEqual,
  decimalToApiNumber,
  Money,
  roundMoney,
  toDecimalString,
} from './money.js';
import { IsoDateTime, toUtcIso } from './time.js';

describe('money and time', () => {
  it('adds and rounds as decimals, never as binary floats', () => {
    expect(addDecimals('0.1', '0.2')).toBe('0.3');
    expect(roundMoney('2.675')).toBe('2.68');
    expect(roundMoney('-2.675')).toBe('-2.68');
    expect(decimalsEqual('10.50', '10.5')).toBe(true);
    expect(toDecimalString(19.99)).toBe('19.99');
    expect(toDecimalString(1e21)).toBe('1000000000000000000000');
  });

  it('refuses to send a decimal an API number cannot carry exactly', () => {
    expect(decimalToApiNumber('12.34')).toBe(12.34);
    expect(() => decimalToApiNumber('0.12345678901234567890')).toThrow(/cannot be represented exactly/);
  });

  it('money is a decimal string with an ISO currency; dates carry a zone', () => {
    expect(Money.safeParse({ amount: 12.5, currency: 'USD' }).success).toBe(false);
    expect(Money.safeParse({ amount: '12.50', currency: 'usd' }).success).toBe(false);
    expect(IsoDateTime.safeParse('2026-01-01T10:00:00').success).toBe(false);
    expect(IsoDateTime.safeParse('2026-01-01T10:00:00+07:00').success).toBe(true);
    expect(toUtcIso('2026-01-01T10:00:00+07:00')).toBe('2026-01-01T03:00:00.000Z');
  });

  it('a customer needs a number, a name, a currency and a time with zone', () => {
    const r = Customer.safeParse({ name: 'x', currency: 'USD', updatedAt: '2026-01-01T00:00:00Z' });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['number']);
  });
});
