import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { DecimalString, Money } from './money.js';

/**
 * One tax of a document: its code in the source system (mapped to the target's by the `taxClass`
 * value map), its rate in percent, the amount it was charged on and the tax itself, as the source
 * computed them — a target never recomputes tax, so totals agree to the cent.
 */
export const TaxLine = z.object({
  code: z.string().min(1),
  rate: DecimalString,
  taxable: Money,
  tax: Money,
});
export type TaxLine = z.infer<typeof TaxLine>;

/**
 * How a system rounds the tax of a document, a property of the system: Sage 50 rounds each line's
 * VAT to the penny and adds them up ('line'); others compute the tax of the document's net total once
 * ('document'). The two differ by a penny or more on the same lines (the SYNC Uploader manual's
 * invoice: 28.88 + 10.78 + 17.33 = 56.99 by line, 56.98 on the total).
 */
export type TaxRounding = 'line' | 'document';

/**
 * The tax of each line at `ratePercent` and of the document, as a system rounding `rounding` computes
 * it, half away from zero to `scale` decimals. By document, the total's tax is shared out over the
 * lines (each rounded down, the pennies left going to the largest remainders, ties to the earlier
 * line) so that the lines still add up to the total.
 */
export function taxOfLines(
  nets: readonly Decimal.Value[],
  ratePercent: Decimal.Value,
  rounding: TaxRounding,
  scale = 2,
): { lines: string[]; total: string } {
  const rate = new Decimal(ratePercent).div(100);
  const exact = nets.map((n) => new Decimal(n).times(rate));
  if (rounding === 'line') {
    const lines = exact.map((t) => t.toDecimalPlaces(scale, Decimal.ROUND_HALF_UP));
    return {
      lines: lines.map((t) => t.toFixed(scale)),
      total: lines.reduce((a, b) => a.plus(b), new Decimal(0)).toFixed(scale),
    };
  }
  const total = exact
    .reduce((a, b) => a.plus(b), new Decimal(0))
    .toDecimalPlaces(scale, Decimal.ROUND_HALF_UP);
  const unit = new Decimal(1).div(new Decimal(10).pow(scale));
  // Floored, every line's remainder is positive and the pennies left to share are 0 … one per line.
  const lines = exact.map((t) => t.toDecimalPlaces(scale, Decimal.ROUND_FLOOR));
  const left = total
    .minus(lines.reduce((a, b) => a.plus(b), new Decimal(0)))
    .div(unit)
    .round()
    .toNumber();
  const order = exact
    .map((t, i) => ({ i, rest: t.minus(lines[i]!) }))
    .sort((a, b) => b.rest.comparedTo(a.rest) || a.i - b.i);
  for (const { i } of order.slice(0, left)) lines[i] = lines[i]!.plus(unit);
  return { lines: lines.map((t) => t.toFixed(scale)), total: total.toFixed(scale) };
}
