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
