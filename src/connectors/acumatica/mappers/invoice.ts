import { Decimal } from 'decimal.js';
import { rejected } from '../../sdk/errors.js';
import { isCreditType } from '../invoice-types.js';
import { type RawSalesInvoice, str, val } from '../types.js';
import { allocate, type DocumentContext, datePart, decimal, requiredMoney, stampOf } from './document.js';

/** $expand the mapper needs: lines and taxes. */
export const INVOICE_EXPAND = 'Details,TaxDetails';

/** The rate of a tax on a date: the latest revision that had taken effect, else the earliest. */
export function rateOn(
  schedule: ReadonlyArray<{ start: string; rate: string }>,
  date: string,
): string | undefined {
  const sorted = [...schedule].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const effective = sorted.filter((r) => r.start.slice(0, 10) <= date);
  return (effective.at(-1) ?? sorted[0])?.rate;
}

/**
 * Acumatica SalesInvoice → canonical invoice (not yet validated). An invoice's tax lines carry no
 * rate: it comes from the tax's schedule on the invoice date. Acumatica keeps tax per tax, not per
 * line; a line's `tax` is the invoice's tax shared out in proportion to the line amounts, to the cent.
 */
export function invoiceFromAcumatica(raw: RawSalesInvoice, ctx: DocumentContext): Record<string, unknown> {
  const number = str(raw.ReferenceNbr);
  if (!number) throw rejected('missing_field', 'an Acumatica invoice without a ReferenceNbr was returned');
  const what = `invoice ${number}`;
  const currency = str(raw.Currency) ?? ctx.baseCurrency;
  const date = datePart(raw.Date);
  const lines = raw.Details ?? [];
  const taxTotal = requiredMoney(raw.TaxTotal, currency, `${what}: TaxTotal`);
  const lineTaxes = allocate(
    taxTotal.amount,
    lines.map((l) => decimal(l.Amount) ?? '0'),
  );
  const total = requiredMoney(raw.Amount, currency, `${what}: Amount`);
  const out: Record<string, unknown> = {
    number,
    type: isCreditType(str(raw.Type)) ? 'credit_note' : 'invoice',
    documentType: str(raw.Type) ?? 'Invoice',
    status: str(raw.Status),
    invoiceDate: date,
    customerNumber: str(raw.CustomerID),
    orderNumbers: [...new Set(lines.map((l) => str(l.OrderNbr)).filter((n): n is string => !!n))],
    currency,
    lines: lines.map((l, i) => {
      const at = `${what} line ${val(l.LineNbr) ?? i + 1}`;
      const line: Record<string, unknown> = {
        lineNumber: val(l.LineNbr) ?? i + 1,
        quantity: decimal(l.Qty),
        unitPrice: requiredMoney(l.UnitPrice, currency, `${at}: UnitPrice`),
        tax: { amount: lineTaxes[i], currency },
        total: requiredMoney(l.Amount, currency, `${at}: Amount`),
      };
      const opt = {
        sku: str(l.InventoryID),
        description: str(l.TransactionDescr),
        unit: str(l.UOM),
        taxCode: str(l.TaxCategory),
        orderNumber: str(l.OrderNbr),
        orderLineNumber: val(l.OrderLineNbr),
      };
      for (const [k, v] of Object.entries(opt)) if (v !== undefined) line[k] = v;
      return line;
    }),
    taxLines: (raw.TaxDetails ?? []).map((t) => {
      const code = str(t.TaxID);
      const schedule = ctx.taxSchedules.get(code ?? '');
      const rate = schedule && date ? rateOn(schedule, date) : undefined;
      if (rate === undefined)
        throw rejected(
          'missing_field',
          `${what}: the rate of tax ${code} is not on Acumatica's Taxes screen`,
        );
      return {
        code,
        rate,
        taxable: requiredMoney(t.TaxableAmount, currency, `${what} tax ${code}: TaxableAmount`),
        tax: requiredMoney(t.TaxAmount, currency, `${what} tax ${code}: TaxAmount`),
      };
    }),
    // Net of tax: the lines less the document discount, plus freight.
    netTotal: { amount: new Decimal(total.amount).minus(taxTotal.amount).toFixed(), currency },
    taxTotal,
    total,
    updatedAt: stampOf(raw.LastModifiedDateTime),
  };
  const due = datePart(raw.DueDate);
  if (due) out.dueDate = due;
  const balance = decimal(raw.Balance);
  if (balance !== undefined) out.balance = { amount: balance, currency };
  return out;
}
