import { Decimal } from 'decimal.js';
import { allocateMoney } from '../../../model/money.js';
import { type Node, ref, text } from '../qbxml.js';
import type { Settings } from '../settings.js';
import { amount, bool, currencyOf, utc } from './common.js';

/** Sales tax codes that mean "not taxable" in the editions' default lists (US Non; UK/CA exempt and zero). */
const NON_TAXABLE = new Set(['NON', 'E', 'Z', 'O', 'X']);

function linesOf(ret: Node): Node[] {
  const out: Node[] = [];
  // Lines and groups interleave in the document; fast-xml-parser keeps each kind in its own array,
  // so a group's lines follow the plain lines (the order QuickBooks prints them may differ).
  for (const l of (ret.InvoiceLineRet as Node[] | undefined) ?? []) out.push(l);
  for (const g of (ret.InvoiceLineGroupRet as Node[] | undefined) ?? [])
    for (const l of (g.InvoiceLineRet as Node[] | undefined) ?? []) out.push(l);
  return out;
}

/**
 * InvoiceRet (with IncludeLineItems) → canonical invoice. Lines keep their own rate, quantity and
 * amount; an item-less line is a write-in (no sku). Tax: a line's TaxAmount where the edition keeps
 * one (UK, CA); otherwise the document's SalesTaxTotal shared over its taxable lines by amount, to
 * the cent, so the lines add up to the invoice exactly.
 */
export function invoiceFromRet(
  ret: Node,
  s: Settings,
): { id: string; updatedAt: string; data: Record<string, unknown> } {
  const id = text(ret.TxnID) ?? '';
  const currency = currencyOf(ret, s.homeCurrency);
  const raw = linesOf(ret);
  const lineTaxes = raw.map((l) => amount(l.TaxAmount));
  const perLine = lineTaxes.some((t) => t !== undefined);
  const amounts = raw.map((l) => amount(l.Amount) ?? '0');
  const subtotal = amount(ret.Subtotal) ?? amounts.reduce((a, b) => new Decimal(a).plus(b).toFixed(), '0');
  let taxes: string[];
  let taxTotal: string;
  if (perLine) {
    taxes = lineTaxes.map((t) => t ?? '0');
    taxTotal = amount(ret.SalesTaxTotal) ?? taxes.reduce((a, b) => new Decimal(a).plus(b).toFixed(), '0');
  } else {
    taxTotal = amount(ret.SalesTaxTotal) ?? '0';
    const taxable = raw.map((l) => {
      const flag = bool(l.IsTaxable);
      if (flag !== undefined) return flag;
      const code = ref(l.SalesTaxCodeRef).FullName;
      return code !== undefined && !NON_TAXABLE.has(code.toUpperCase());
    });
    const weights = amounts.map((a, i) => (taxable[i] ? a : '0'));
    const anyTaxable = weights.some((w) => !new Decimal(w).isZero());
    taxes = allocateMoney(taxTotal, anyTaxable ? weights : amounts);
  }
  const lines = raw.map((l, i) => {
    const qty = amount(l.Quantity);
    const rate = amount(l.Rate);
    const lineAmount = amounts[i]!;
    const sku = ref(l.ItemRef).FullName;
    return {
      lineNumber: i + 1,
      ...(sku ? { sku } : {}),
      ...(text(l.Desc) ? { description: text(l.Desc) } : {}),
      quantity: qty ?? (new Decimal(lineAmount).isZero() ? '0' : '1'),
      ...(text(l.UnitOfMeasure) ? { unit: text(l.UnitOfMeasure) } : {}),
      unitPrice: { amount: rate ?? lineAmount, currency },
      ...(ref(l.SalesTaxCodeRef).FullName ? { taxCode: ref(l.SalesTaxCodeRef).FullName } : {}),
      tax: { amount: new Decimal(taxes[i] ?? '0').toFixed(2), currency },
      total: { amount: lineAmount, currency },
    };
  });
  const taxCode = ref(ret.ItemSalesTaxRef).FullName;
  const rate = amount(ret.SalesTaxPercentage);
  const taxableBase = lines
    .filter((_, i) => !new Decimal(taxes[i] ?? '0').isZero())
    .reduce((sum, l) => sum.plus(l.total.amount), new Decimal(0));
  const po = text(ret.PONumber);
  const updatedAt = utc(ret.TimeModified) ?? new Date(0).toISOString();
  const balance = amount(ret.BalanceRemaining);
  return {
    id,
    updatedAt,
    data: {
      number: text(ret.RefNumber) ?? id,
      type: 'invoice',
      documentType: 'Invoice',
      status: bool(ret.IsPaid) ? 'paid' : bool(ret.IsPending) ? 'pending' : 'open',
      invoiceDate: text(ret.TxnDate),
      ...(text(ret.DueDate) ? { dueDate: text(ret.DueDate) } : {}),
      customerNumber: ref(ret.CustomerRef).ListID ?? ref(ret.CustomerRef).FullName,
      ...(ref(ret.CustomerRef).FullName ? { customerName: ref(ret.CustomerRef).FullName } : {}),
      orderNumbers: po ? [po] : [],
      currency,
      lines,
      taxLines: new Decimal(taxTotal).isZero()
        ? []
        : [
            {
              code: taxCode ?? 'Sales Tax',
              rate: rate ?? '0',
              taxable: { amount: taxableBase.toFixed(2), currency },
              tax: { amount: new Decimal(taxTotal).toFixed(2), currency },
            },
          ],
      netTotal: { amount: new Decimal(subtotal).toFixed(2), currency },
      taxTotal: { amount: new Decimal(taxTotal).toFixed(2), currency },
      total: { amount: new Decimal(subtotal).plus(taxTotal).toFixed(2), currency },
      ...(balance !== undefined ? { balance: { amount: balance, currency } } : {}),
      updatedAt,
    },
  };
}
