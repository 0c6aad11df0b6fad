import { describe, expect, it } from 'vitest';
import { reconcilePeriod } from './reconcile.js';
import { comparedFields, diffRecords, shown } from './reconcile-compare.js';
import { reconcileCsv } from './reconcile-export.js';

const usd = (amount: string) => ({ amount, currency: 'USD' });

describe('reconciliation compares values, not their spelling', () => {
  it('amounts as decimals: 10.5 USD equals 10.50 USD, 10.51 does not; another currency differs', () => {
    const fields = ['total'];
    expect(diffRecords(fields, { total: usd('10.5') }, { total: usd('10.50') })).toEqual([]);
    expect(diffRecords(fields, { total: usd('10.5') }, { total: usd('10.51') })).toEqual([
      { path: 'total', source: usd('10.5'), target: usd('10.51') },
    ]);
    expect(
      diffRecords(fields, { total: usd('1') }, { total: { amount: '1', currency: 'EUR' } }),
    ).toHaveLength(1);
  });

  it('a field one side does not show is not compared; e-mails without regard to case', () => {
    expect(diffRecords(['creditLimit', 'email'], { creditLimit: usd('5') }, { email: 'A@B.C' })).toEqual([]);
    expect(diffRecords(['email'], { email: 'a@b.c' }, { email: 'A@B.C' })).toEqual([]);
    expect(diffRecords(['onHold'], { onHold: false }, { onHold: true })).toEqual([
      { path: 'onHold', source: false, target: true },
    ]);
  });

  it('lines are matched by SKU (the nth line with it), whatever their order; a line on one side only is named', () => {
    const src = {
      lines: [
        { sku: 'A', quantity: '2', unitPrice: usd('1.00') },
        { sku: 'B', quantity: '1', unitPrice: usd('3') },
        { sku: 'A', quantity: '1', unitPrice: usd('1') },
      ],
    };
    const tgt = {
      lines: [
        { sku: 'B', quantity: '1.0000', unitPrice: usd('3.00') },
        { sku: 'A', quantity: '2', unitPrice: usd('1') },
        { sku: 'A', quantity: '1', unitPrice: usd('1.10') },
        { sku: 'C', quantity: '1' },
      ],
    };
    const diffs = diffRecords(['lines'], src, tgt);
    expect(diffs.map((d) => d.path)).toEqual(['lines[A#2].unitPrice', 'lines[C]']);
    expect(diffs[1]!.source).toBeNull();
    expect(shown(diffs[0]!.target)).toBe('1.10 USD');
    expect(shown(diffs[1]!.target)).toBe('C × 1');
  });

  it("compares each entity's identity and money fields plus the flow's owned fields", () => {
    expect(comparedFields('customer', ['creditLimit', 'status'])).toEqual([
      'email',
      'creditLimit',
      'onHold',
      'status',
    ]);
    expect(comparedFields('invoice', [])).toEqual(['currency', 'lines', 'total']);
  });
});

describe('the period of a reconcile', () => {
  const now = new Date('2026-12-05T10:00:00.000Z');
  it('defaults to the last seven days; a bare end date takes in its whole day', () => {
    expect(reconcilePeriod(undefined, undefined, now)).toEqual({
      since: '2026-11-28T10:00:00.000Z',
      until: '2026-12-05T10:00:00.000Z',
    });
    expect(reconcilePeriod('2026-12-01', '2026-12-02', now)).toEqual({
      since: '2026-12-01T00:00:00.000Z',
      until: '2026-12-02T23:59:59.999Z',
    });
  });
  it('refuses a start after its end, and a date that is not one, naming which', () => {
    expect(() => reconcilePeriod('2026-12-03', '2026-12-02', now)).toThrow(/from \(2026-12-03\) is after to/);
    expect(() => reconcilePeriod('2026-02-30', undefined, now)).toThrow(
      /from "2026-02-30" is not a real date/,
    );
  });
});

describe('the CSV download', () => {
  it('quotes what needs quoting and defuses text a spreadsheet would run as a formula; amounts stay numbers', () => {
    const csv = reconcileCsv({
      flow: 'f',
      entity: 'customer',
      sourceTitle: 'S',
      targetTitle: 'T',
      since: null,
      until: null,
      counts: { source: 1, target: 0, matched: 0, notSent: 0, drift: 1, accepted: 0 },
      findings: [
        {
          key: 'differs:=HYPERLINK("x"):1',
          kind: 'differs',
          sourceId: '=HYPERLINK("x")',
          targetId: '1',
          recordId: 1,
          state: 'processed',
          message: 'a, b',
          diffs: [{ path: 'total', source: usd('-5.00'), target: usd('5') }],
          actions: ['accept'],
          fingerprint: '0123456789abcdef',
        },
      ],
      totals: [
        {
          day: '2026-12-01',
          currency: 'USD',
          source: { count: 1, amount: '-5.00' },
          target: { count: 1, amount: '5' },
          differs: true,
        },
      ],
      notes: [],
    });
    const lines = csv.split('\r\n');
    expect(lines[1]).toBe(
      `differs,"'=HYPERLINK(""x"")",1,total,-5.00 USD,5 USD,,,"a, b","differs:=HYPERLINK(""x""):1",0123456789abcdef`,
    );
    expect(lines).toContain('2026-12-01,USD,1,-5.00,1,5,yes');
  });
});
