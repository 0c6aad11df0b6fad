import { describe, expect, it } from 'vitest';
import { lineTotals, orderTotals, taxCode } from './order-totals.js';

describe("sandbox order totals: Magento's sums", () => {
  it('row total = price × qty; tax on the row after discount, rounded half up to the cent', () => {
    expect(lineTotals({ qty: 3, price: '19.99', discount: '5', taxPercent: '8.875' })).toEqual({
      rowTotal: '59.97',
      discount: '5.00',
      taxPercent: '8.875',
      // (59.97 − 5.00) × 8.875 % = 4.8785875
      tax: '4.88',
      rowTotalInclTax: '64.85',
      priceInclTax: '21.62',
    });
    // 0.10 × 5 % = 0.005 exactly: half up, not to even, and never a binary-float 0.00499…
    expect(lineTotals({ qty: 1, price: '0.10', taxPercent: '5' }).tax).toBe('0.01');
    expect(lineTotals({ qty: '1.5', price: '3.33' }).rowTotal).toBe('5.00');
    expect(() => lineTotals({ qty: 1, price: '2', discount: '3' })).toThrow(/more than the row total/);
  });

  it('grand total = subtotal − discount + shipping + tax; rates grouped, zero rates left out', () => {
    const t = orderTotals(
      [
        { qty: 3, price: '19.99', discount: '5', taxPercent: '8.875' },
        { qty: 1, price: '0.99', taxPercent: '8.875' },
        { qty: 2, price: '12.50', taxPercent: '0' },
      ],
      '5',
    );
    expect(t).toMatchObject({
      subtotal: '85.96',
      discount: '5.00',
      shipping: '5.00',
      tax: '4.97',
      grandTotal: '90.93',
      rates: [{ percent: '8.875', taxable: '55.96', tax: '4.97' }],
    });
  });

  it('several rates in another currency: each rate sums its own rows', () => {
    const t = orderTotals(
      [
        { qty: 2, price: '41.67', taxPercent: '20' },
        { qty: 1, price: '9.99', discount: '0.99', taxPercent: '5.5' },
        { qty: 4, price: '2.49', taxPercent: '20' },
      ],
      '3.95',
    );
    // 83.34 × 20 % = 16.668 → 16.67; 9.00 × 5.5 % = 0.495 → 0.50; 9.96 × 20 % = 1.992 → 1.99
    expect(t.rates).toEqual([
      { percent: '20', taxable: '93.30', tax: '18.66' },
      { percent: '5.5', taxable: '9.00', tax: '0.50' },
    ]);
    expect(t.grandTotal).toBe('125.41');
  });

  it('tax codes look like a store set up for the US or for VAT', () => {
    expect(taxCode('8.875', 0, 'US', 'NY')).toBe('US-NY-*-Rate 1');
    expect(taxCode('4', 1, 'US', 'NY')).toBe('US-NY-*-Rate 2');
    expect(taxCode('20.0', 0, 'GB')).toBe('VAT20');
    expect(taxCode('5.5', 1, 'NL')).toBe('VAT5.5');
  });
});
