import { describe, expect, it } from 'vitest';
import { linesDisagreeWithHeader } from './invoice-totals.js';
import { money } from './money.js';

const line = (net: string, tax: string) => ({
  lineNumber: 1,
  quantity: '1',
  unitPrice: money(net, 'GBP'),
  tax: money(tax, 'GBP'),
  total: money(net, 'GBP'),
});
// The SYNC Uploader manual's invoice: VAT per line 28.88 + 10.78 + 17.33.
const PENNY = [line('165.00', '28.88'), line('61.60', '10.78'), line('99.00', '17.33')];
const header = (net: string, tax: string, total: string) => ({
  netTotal: money(net, 'GBP'),
  taxTotal: money(tax, 'GBP'),
  total: money(total, 'GBP'),
});

describe('an invoice whose lines do not add up to its header', () => {
  it('the manual’s invoice agrees to the cent', () => {
    expect(linesDisagreeWithHeader({ lines: PENNY, ...header('325.60', '56.99', '382.59') })).toBeUndefined();
  });

  it('a penny of VAT the lines do not have is named, with both figures', () => {
    expect(linesDisagreeWithHeader({ lines: PENNY, ...header('325.60', '56.98', '382.58') })).toBe(
      "its lines' tax comes to 56.99 but its tax total is 56.98",
    );
  });

  it('a net total the lines do not make, and a total that is not net + tax', () => {
    expect(linesDisagreeWithHeader({ lines: PENNY, ...header('300.00', '56.99', '382.59') })).toBe(
      "its lines' net comes to 325.60 but its net total is 300.00; its net 300.00 and tax 56.99 do not make its total 382.59",
    );
  });
});
