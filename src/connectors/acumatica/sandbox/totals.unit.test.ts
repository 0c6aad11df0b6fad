import { describe, expect, it } from 'vitest';
import { documentTotal, lineAmount, percentDiscount, round2, share, taxOn } from './totals.js';

describe('Acumatica document arithmetic (sandbox)', () => {
  it('rounds half away from zero to the cent, in decimals', () => {
    expect(round2('2.675').toFixed(2)).toBe('2.68'); // 2.675 is 2.67499… as a double
    expect(round2('-2.675').toFixed(2)).toBe('-2.68');
    expect(round2('1.005').toFixed(2)).toBe('1.01');
    expect(lineAmount(3, '0.1', 0).toFixed(2)).toBe('0.30'); // 0.30000000000000004 in floats
  });

  it('computes a line as quantity × price − discount, and tax on the taxable amount', () => {
    expect(lineAmount(3, '10.10', '1.50').toFixed(2)).toBe('28.80');
    expect(percentDiscount(3, '19.99', 15).toFixed(2)).toBe('9.00'); // 8.9955
    expect(taxOn('157.16', '8.875').toFixed(2)).toBe('13.95'); // 13.94795
    expect(taxOn('0.50', '7.25').toFixed(2)).toBe('0.04'); // 0.03625
    expect(
      documentTotal({ lineTotal: '157.16', discountTotal: '5', freight: '15', taxTotal: '13.95' }).toFixed(2),
    ).toBe('181.11');
  });

  it('prorates shares that add up to the whole: the last share takes what is left', () => {
    const first = share('13.95', '19.20', '157.16', 0, false);
    const second = share('13.95', '50.00', '157.16', first, false);
    const last = share('13.95', '87.96', '157.16', first.plus(second), true);
    expect([first.toFixed(2), second.toFixed(2), last.toFixed(2)]).toEqual(['1.70', '4.44', '7.81']);
    expect(first.plus(second).plus(last).toFixed(2)).toBe('13.95');
    expect(share('10', '1', '0', 0, false).toFixed(2)).toBe('0.00');
  });
});
