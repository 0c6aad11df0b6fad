import { Decimal } from 'decimal.js';
import type { Invoice } from '../../../model/index.js';
import { money } from '../../../model/index.js';
import type { S200InvoiceCreditLineView } from '../types.js';
import { dec } from './index.js';

/**
 * The lines of one SOP invoice from its rows of customer_sop_invoice_credit_line_views (FACTS.md), in
 * the order the API gave them (by line id, as asked). The view joins each line's profit analysis, so a
 * line sold from two batches or bins comes as two rows with the same line id, each with its part of
 * the quantity (⚠): they are one line here, quantities added. Net and tax are the line's own (Sage's
 * tax per line, never recomputed on the total). The view has no price, so the unit price is net ÷
 * quantity to Sage's 5 decimals (⚠); a line without a quantity is quantity 1 at its net. A line
 * without a product (free text, a charge) is a write-in, described by its product name when it has
 * one, else "line n".
 */
export function invoiceLinesFrom(
  rows: readonly S200InvoiceCreditLineView[],
  currency: string,
): Invoice['lines'] {
  const byLine = new Map<number, { row: S200InvoiceCreditLineView; quantity: Decimal | undefined }>();
  for (const r of rows) {
    const id = r.sop_invoice_credit_line_id ?? -byLine.size - 1;
    const q = r.invoice_line_profit_analysis_line_quantity;
    const quantity = q === undefined || q === null ? undefined : new Decimal(dec(q));
    const seen = byLine.get(id);
    if (seen)
      seen.quantity = seen.quantity && quantity ? seen.quantity.plus(quantity) : (seen.quantity ?? quantity);
    else byLine.set(id, { row: r, quantity });
  }
  return [...byLine.values()].map(({ row, quantity }, i) => {
    const net = new Decimal(dec(row.sop_invoice_credit_line_total_value));
    const qty = quantity && !quantity.isZero() ? quantity : new Decimal(1);
    const code = row.product_code?.trim();
    const description = row.product_name?.trim() || row.product_description?.trim() || `line ${i + 1}`;
    return {
      lineNumber: i + 1,
      ...(code ? { sku: code } : {}),
      description,
      quantity: qty.toFixed(),
      unitPrice: money(net.div(qty).toDecimalPlaces(5, Decimal.ROUND_HALF_UP).toFixed(), currency),
      tax: money(dec(row.sop_invoice_credit_line_tax_value), currency),
      total: money(net.toFixed(), currency),
    };
  });
}
