import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { taxOfLines } from './tax.js';

// The SYNC Uploader manual's invoice (seed 004): VID003 3 × 55.00, TAPE002 22 × 2.80, MISC 3 × 33.00 at 17.5 %.
const NETS = ['165.00', '61.60', '99.00'];

describe('tax rounding, a property of the system', () => {
  it("by line (Sage 50): each line's VAT to the penny, then added: 28.88 + 10.78 + 17.33 = 56.99", () => {
    expect(taxOfLines(NETS, '17.5', 'line')).toEqual({ lines: ['28.88', '10.78', '17.33'], total: '56.99' });
  });

  it("by document: the net total's VAT once, 56.98, shared out so that the lines add up to it", () => {
    const r = taxOfLines(NETS, '17.5', 'document');
    expect(r.total).toBe('56.98');
    expect(r.lines.reduce((a, b) => a.plus(b), new Decimal(0)).toFixed(2)).toBe('56.98');
    // 28.875 and 17.325 are as far from their pennies: the earlier line takes the one left.
    expect(r.lines).toEqual(['28.88', '10.78', '17.32']);
  });

  it('by document, for any lines: the lines add up to the total, each within a penny of its exact tax', () => {
    const cents = fc
      .integer({ min: -10_000_000, max: 10_000_000 })
      .map((c) => new Decimal(c).div(100).toFixed(2));
    fc.assert(
      fc.property(
        fc.array(cents, { minLength: 1, maxLength: 30 }),
        fc.constantFrom('0', '5', '17.5', '20', '7.25'),
        (nets, rate) => {
          const r = taxOfLines(nets, rate, 'document');
          const sum = r.lines.reduce((a, b) => a.plus(b), new Decimal(0));
          expect(sum.toFixed(2)).toBe(r.total);
          r.lines.forEach((t, i) => {
            const exact = new Decimal(nets[i]!).times(rate).div(100);
            expect(exact.minus(t).abs().lte('0.01')).toBe(true);
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
