import { describe, expect, it } from 'vitest';
import { allOf, anyOf, dateLiteral, startsWith } from '../odata.js';
import { matches, parseFilter } from './filter.js';

const rec = {
  CustomerID: { value: "O'BRIEN" },
  CreditLimit: { value: 500 },
  LastModifiedDateTime: { value: '2026-01-01T10:00:00.000+00:00' },
};

describe('the $filter subset', () => {
  it('round-trips what the connector writes', () => {
    const f = allOf([
      `LastModifiedDateTime ge ${dateLiteral('2026-01-01T10:00:00Z')}`,
      anyOf('CustomerID', ["O'BRIEN", 'X']),
    ])!;
    expect(f).toBe(
      "(LastModifiedDateTime ge datetimeoffset'2026-01-01T10:00:00.000+00:00') and (CustomerID eq 'O''BRIEN' or CustomerID eq 'X')",
    );
    expect(matches(parseFilter(f), rec)).toBe(true);
    expect(matches(parseFilter(`LastModifiedDateTime gt ${dateLiteral('2026-01-01T10:00:00Z')}`), rec)).toBe(
      false,
    );
  });

  it('eq and ne on text are case-blind; a field the record lacks is only ever ne', () => {
    expect(matches(parseFilter("CustomerID eq 'o''brien'"), rec)).toBe(true);
    expect(matches(parseFilter("CustomerID ne 'O''Brien'"), rec)).toBe(false);
    expect(matches(parseFilter("CustomerID eq 'O''BRIENS'"), rec)).toBe(false);
    expect(matches(parseFilter("CustomerID gt 'N' and CustomerID lt 'p'"), rec)).toBe(true);
    expect(matches(parseFilter("Email eq 'x'"), rec)).toBe(false);
    expect(matches(parseFilter("Email ne 'x'"), rec)).toBe(true);
  });

  it('compares numbers, negates, and refuses what it cannot parse', () => {
    expect(matches(parseFilter("CreditLimit le 500 and not (CustomerID eq 'x')"), rec)).toBe(true);
    expect(() => parseFilter("CustomerID eq 'a' and")).toThrow(/ends too early/);
    expect(() => parseFilter('CustomerID like 1')).toThrow(/not a comparison operator/);
    expect(() => parseFilter("LastModifiedDateTime ge datetimeoffset'yesterday'")).toThrow(/not a date-time/);
  });

  it('startswith / endswith on a string field, bare or compared with true or false, case-blind', () => {
    const pay = { PaymentRef: { value: '000000012/31.14' }, Type: { value: 'Prepayment' } };
    expect(matches(parseFilter("startswith(PaymentRef,'000000012/') and Type eq 'Prepayment'"), pay)).toBe(
      true,
    );
    expect(matches(parseFilter("startswith(PaymentRef, '000000013/') eq true"), pay)).toBe(false);
    expect(matches(parseFilter("startswith(PaymentRef,'000000013/') eq false"), pay)).toBe(true);
    expect(matches(parseFilter("endswith(Type,'PAYMENT')"), pay)).toBe(true);
    expect(matches(parseFilter("startswith(CustomerID,'x')"), pay)).toBe(false);
    expect(() => parseFilter('startswith(PaymentRef,12)')).toThrow(/compares with a string/);
  });

  it('startswith as the search box sends it: the quote doubled, case-blind, and with other filters', () => {
    const f = startsWith('CustomerID', "o'b");
    expect(f).toBe("startswith(CustomerID,'o''b')");
    expect(matches(parseFilter(f), rec)).toBe(true);
    expect(matches(parseFilter(startsWith('CustomerID', "O'C")), rec)).toBe(false);
    expect(matches(parseFilter(allOf([anyOf('CustomerID', ["O'BRIEN"]), f])!), rec)).toBe(true);
    expect(matches(parseFilter(allOf([f, 'CreditLimit gt 500'])!), rec)).toBe(false);
  });
});
