import { Decimal } from 'decimal.js';
import { type RawInvoice, referenceTo, text } from '../types.js';
import { dayOf, decimal, lineTaxes, ratePercent, requiredMoney, stampOf } from './common.js';
import { isShippingLine, type SaleLineRef } from './line-numbers.js';

/**
 * account.invoice (type out) → canonical invoice:
 *
 * | canonical        | Tryton                                                                   |
 * | ---------------- | ------------------------------------------------------------------------ |
 * | (source id)      | invoice.id                                                               |
 * | number           | invoice.number (set when validated or posted; a draft goes by its id)    |
 * | type             | credit_note when invoice.total_amount is negative, else invoice          |
 * | status           | invoice.state (draft, validated, posted, paid, cancelled)               |
 * | invoiceDate      | invoice.invoice_date (the creation day while it is empty)               |
 * | dueDate          | the earliest maturity_date of invoice.lines_to_pay                       |
 * | customerNumber   | invoice.party (the party's id)                                           |
 * | orderNumbers     | invoice.sales (the ids of the sales it invoices)                         |
 * | lines            | invoice.lines of type "line" but the shipping product's: product.code,   |
 * |                  | description, quantity, unit.symbol, unit_price, amount, the tax's name;  |
 * |                  | the sale line it comes from (origin) as orderNumber / orderLineNumber    |
 * | taxLines         | invoice.taxes: tax.name (or description), tax.rate, base, amount         |
 * | netTotal, taxTotal, total | untaxed_amount, tax_amount, total_amount                        |
 * | balance          | invoice.amount_to_pay                                                    |
 * | updatedAt        | the invoice's write/create stamp                                         |
 */
export const INVOICE_FIELDS = [
  'number',
  'reference',
  'type',
  'state',
  'invoice_date',
  'party',
  'currency.code',
  'untaxed_amount',
  'tax_amount',
  'total_amount',
  'amount_to_pay',
  'sales',
  'create_date',
  'write_date',
  'lines.type',
  'lines.description',
  'lines.quantity',
  'lines.unit_price',
  'lines.amount',
  'lines.product.code',
  'lines.unit.symbol',
  'lines.taxes.name',
  'lines.taxes.type',
  'lines.taxes.rate',
  'lines.origin',
  'taxes.description',
  'taxes.base',
  'taxes.amount',
  'taxes.tax.name',
  'taxes.tax.type',
  'taxes.tax.rate',
  'lines_to_pay.maturity_date',
];

export const invoiceSaleLines = (rows: readonly RawInvoice[]): number[] =>
  rows.flatMap((r) =>
    (r['lines.'] ?? [])
      .map((l) => referenceTo(l.origin, 'sale.line'))
      .filter((id): id is number => id !== undefined),
  );

export function invoiceFromTryton(
  raw: RawInvoice,
  ctx: { currency: string; shippingProduct: string; saleLines: ReadonlyMap<number, SaleLineRef> },
): Record<string, unknown> {
  const number = text(raw.number) ?? String(raw.id);
  const what = `invoice ${number}`;
  const currency = text(raw['currency.']?.code) ?? ctx.currency;
  const total = requiredMoney(raw.total_amount, currency, `${what}: total_amount`);
  const taxTotal = requiredMoney(raw.tax_amount, currency, `${what}: tax_amount`);
  const priced = (raw['lines.'] ?? []).filter((l) => (l.type ?? 'line') === 'line');
  const shares = lineTaxes(
    priced.map((l) => ({ amount: l.amount ?? null, taxed: (l['taxes.'] ?? []).length > 0 })),
    taxTotal.amount,
  );
  const lines = priced
    .map((l, i) => ({ l, tax: shares[i]! }))
    .filter(({ l }) => !isShippingLine(l, ctx.shippingProduct))
    .map(({ l, tax }, i) => {
      const at = `${what} line ${i + 1}`;
      const ref = ctx.saleLines.get(referenceTo(l.origin, 'sale.line') ?? 0);
      const taxes = l['taxes.'] ?? [];
      const out: Record<string, unknown> = {
        lineNumber: i + 1,
        quantity: decimal(l.quantity),
        unitPrice: requiredMoney(l.unit_price, currency, `${at}: unit_price`),
        tax: { amount: tax, currency },
        total: requiredMoney(l.amount, currency, `${at}: amount`),
      };
      const opt: Record<string, unknown> = {
        sku: text(l['product.']?.code),
        description: text(l.description),
        unit: text(l['unit.']?.symbol),
        taxCode: taxes.length === 1 ? text(taxes[0]!.name) : undefined,
        orderNumber: ref ? String(ref.sale) : undefined,
        orderLineNumber: ref?.lineNumber,
      };
      for (const [k, v] of Object.entries(opt)) if (v !== undefined) out[k] = v;
      return out;
    });
  const maturities = (raw['lines_to_pay.'] ?? [])
    .map((l) => l.maturity_date)
    .filter((d): d is string => typeof d === 'string')
    .sort();
  const out: Record<string, unknown> = {
    number,
    type: new Decimal(total.amount).isNegative() ? 'credit_note' : 'invoice',
    status: raw.state,
    invoiceDate: raw.invoice_date ?? dayOf(raw.create_date),
    customerNumber: raw.party === undefined ? undefined : String(raw.party),
    orderNumbers: (raw.sales ?? []).map(String),
    currency,
    lines,
    taxLines: (raw['taxes.'] ?? []).map((t) => ({
      code: text(t['tax.']?.name) ?? text(t.description),
      rate: ratePercent(t['tax.']),
      taxable: requiredMoney(t.base, currency, `${what} tax ${t.description ?? t.id}: base`),
      tax: requiredMoney(t.amount, currency, `${what} tax ${t.description ?? t.id}: amount`),
    })),
    netTotal: requiredMoney(raw.untaxed_amount, currency, `${what}: untaxed_amount`),
    taxTotal,
    total,
    updatedAt: stampOf([raw]),
  };
  if (maturities[0]) out.dueDate = maturities[0];
  const balance = decimal(raw.amount_to_pay);
  if (balance !== undefined) out.balance = { amount: balance, currency };
  const reference = text(raw.reference);
  if (reference) out.externalNumber = reference;
  return out;
}
