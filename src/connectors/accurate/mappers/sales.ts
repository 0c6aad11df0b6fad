import { Decimal } from 'decimal.js';
import { decimalToApiNumber, type Invoice, type Payment } from '../../../model/index.js';
import { toAccurateDate } from '../dates.js';

/** A decimal string as the JSON number the spec asks for, refusing one a double cannot carry exactly. */
const num = (v: string) => decimalToApiNumber(new Decimal(v).toFixed());

export interface PlaceOptions {
  customerNo: string;
  warehouse?: string;
  branch?: string;
  taxName?: string;
  /** The account the till's cash rounding is booked to (detailExpense); needed only when there is rounding. */
  roundingAccountNo?: string;
}

type Line = Invoice['lines'][number];

/**
 * A line without an item that takes money off (the POS's order discount) is the document's own cash
 * discount in Accurate (`cashDiscount`, spec): it has no item to name, and Accurate takes it off the
 * taxed base as the till did. Any other line without an item cannot be written.
 */
const isDocumentDiscount = (l: Line) =>
  !l.sku && new Decimal(l.total.amount).isNegative() && new Decimal(l.tax.amount).isZero();

/** The sum of the document discount lines, as a positive amount (absent when there is none). */
function cashDiscountOf(inv: Invoice): Record<string, unknown> {
  const off = inv.lines
    .filter(isDocumentDiscount)
    .reduce((s, l) => s.plus(new Decimal(l.total.amount).abs()), new Decimal(0));
  return off.isZero() ? {} : { cashDiscount: num(off.toFixed()) };
}

/**
 * The till's cash rounding as an expense line on the document (detailExpense, spec), so Accurate's
 * total is what the customer paid, to the rupiah. A rounding down is a negative amount (⚠ FACTS.md:
 * whether Accurate takes a negative expense is not documented). Without an account the record fails,
 * naming the setting: the rounding is stated, never dropped.
 */
function roundingOf(inv: Invoice, o: PlaceOptions): Array<Record<string, unknown>> {
  const r = new Decimal(inv.rounding?.amount ?? 0);
  if (r.isZero()) return [];
  if (!o.roundingAccountNo)
    throw new Error(
      `${inv.number} includes cash rounding of ${r.toFixed()} ${inv.currency}: set roundingAccountNo (the account Accurate books it to)`,
    );
  return [
    {
      accountNo: o.roundingAccountNo,
      expenseName: 'Pembulatan',
      expenseAmount: num(r.toFixed()),
      expenseNotes: `cash rounding of ${inv.number} at the till`,
    },
  ];
}

/**
 * A sale's lines: item, quantity, unit price, the line's discount in money (itemCashDiscount), its
 * outlet's warehouse, and whether the document's tax applies (useTax1) — the tax the POS charged, so a
 * line with tax is taxed, one without is not.
 */
function linesOf(inv: Invoice, o: PlaceOptions) {
  return inv.lines
    .filter((l) => !isDocumentDiscount(l))
    .map((l, i) => {
      if (!l.sku)
        throw new Error(`line ${l.lineNumber ?? i + 1} names no item: Accurate needs an item number`);
      return {
        itemNo: l.sku,
        quantity: num(new Decimal(l.quantity).abs().toFixed()),
        unitPrice: num(l.unitPrice.amount),
        ...(l.unit ? { itemUnitName: l.unit } : {}),
        ...(l.discount && !new Decimal(l.discount.amount).isZero()
          ? { itemCashDiscount: num(new Decimal(l.discount.amount).abs().toFixed()) }
          : {}),
        ...(o.warehouse ? { warehouseName: o.warehouse } : {}),
        useTax1: !new Decimal(l.tax.amount).isZero(),
        ...(l.description ? { detailNotes: l.description } : {}),
      };
    });
}

const taxed = (inv: Invoice) => !new Decimal(inv.taxTotal.amount).isZero();

/** A sale (invoice) as a sales-invoice save.do body; numbered as the POS numbered it. */
export function salesInvoiceTo(inv: Invoice, o: PlaceOptions): Record<string, unknown> {
  return {
    number: inv.number,
    customerNo: o.customerNo,
    transDate: toAccurateDate(inv.invoiceDate),
    currencyCode: inv.currency,
    ...(o.branch ? { branchName: o.branch } : {}),
    taxable: taxed(inv),
    inclusiveTax: false,
    ...(taxed(inv) && o.taxName ? { tax1Name: o.taxName } : {}),
    ...cashDiscountOf(inv),
    detailItem: linesOf(inv, o),
    // Required by the spec on every sales invoice (FACTS.md ⚠): a POS sale has no down payment.
    detailExpense: roundingOf(inv, o),
    detailDownPayment: [],
  };
}

/**
 * A refund (credit note) as a sales-return body: against the sale's invoice when the credit note
 * names it (its first order number: a POS refund names the sale it gives back), otherwise without one.
 */
export function salesReturnTo(inv: Invoice, o: PlaceOptions): Record<string, unknown> {
  const original = inv.orderNumbers[0];
  return {
    number: inv.number,
    customerNo: o.customerNo,
    transDate: toAccurateDate(inv.invoiceDate),
    taxDate: toAccurateDate(inv.invoiceDate),
    // Spec-required; a POS refund has no tax invoice (faktur pajak) number of its own (FACTS.md ⚠).
    taxNumber: '',
    returnType: original ? 'INVOICE' : 'NO_INVOICE',
    ...(original ? { invoiceNumber: original } : {}),
    ...(o.branch ? { branchName: o.branch } : {}),
    taxable: taxed(inv),
    inclusiveTax: false,
    ...cashDiscountOf(inv),
    detailItem: linesOf(inv, o),
    detailExpense: roundingOf(inv, o),
  };
}

/** Accurate's payment methods (spec enum on sales-receipt paymentMethod). */
export const PAYMENT_METHODS = [
  'BANK_CHEQUE',
  'BANK_TRANSFER',
  'CASH_OTHER',
  'EDC',
  'OTHERS',
  'PAYMENT_LINK',
  'QRIS',
  'VIRTUAL_ACCOUNT',
] as const;

/** A payment as a sales-receipt body, applied to the invoices it pays by their numbers. */
export function salesReceiptTo(
  p: Payment,
  o: { customerNo: string; bankNo: string; paymentMethod: string; branch?: string },
): Record<string, unknown> {
  const invoices = p.applications.filter((a) => a.documentType === 'invoice');
  if (!invoices.length)
    throw new Error(`payment ${p.number} is applied to no invoice: a sales receipt pays invoices`);
  return {
    number: p.number,
    customerNo: o.customerNo,
    transDate: toAccurateDate(p.paymentDate),
    bankNo: o.bankNo,
    chequeAmount: num(p.amount.amount),
    paymentMethod: o.paymentMethod,
    ...(o.branch ? { branchName: o.branch } : {}),
    ...(p.reference ? { description: p.reference } : {}),
    detailInvoice: invoices.map((a) => ({
      invoiceNo: a.documentNumber,
      paymentAmount: num(a.amount.amount),
    })),
  };
}
