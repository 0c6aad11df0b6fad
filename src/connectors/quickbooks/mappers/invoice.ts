import { Decimal } from 'decimal.js';
import type { Invoice, TaxLine } from '../../../model/index.js';
import { allocateMoney, money } from '../../../model/index.js';
import { rejected } from '../../sdk/errors.js';
import type { QboInvoice, QboLine } from '../types.js';
import { dec } from './values.js';

/** QuickBooks' stand-in item of a shipping line (the company's "Shipping" on sales forms). */
const SHIPPING_ITEM = 'SHIPPING_ITEM_ID';

/** The CRM order an invoice was made from, as this connector notes it on the invoice's private note. */
export const ORDER_MARKER = /^CRM order: (.+)$/m;

export interface InvoiceContext {
  defaultCurrency: string;
  /** Item Id → FullyQualifiedName, for every item the invoice's lines name. */
  itemNames: ReadonlyMap<string, string>;
}

interface Draft {
  sku?: string;
  description?: string;
  quantity: string;
  unitPrice: string;
  total: Decimal;
  taxable: boolean;
  discountable: boolean;
}

/**
 * A QuickBooks invoice as the canonical one. Lines keep QuickBooks' quantity, unit price and amount;
 * a line's SKU is its item's FullyQualifiedName (the product's id here), read from the items
 * themselves because ItemRef.name may carry only the item's short Name. Description-only lines (and
 * the shipping line) become write-in lines. Discount lines are not sent, as the manual says; their
 * amount is taken off the lines above them in proportion to their amounts, so that every line total
 * is what was charged and Σ line totals + tax = TotalAmt to the cent. QuickBooks taxes the document,
 * not the line: TxnTaxDetail.TotalTax is shared over the taxable lines in proportion to their
 * totals (cents to the largest remainders), so the lines' tax adds up to it exactly.
 */
export function invoiceFromQbo(
  inv: QboInvoice,
  ctx: InvoiceContext,
): Omit<Invoice, 'updatedAt'> & { updatedAt: string } {
  const number = inv.DocNumber || inv.Id || '';
  const currency = inv.CurrencyRef?.value ?? ctx.defaultCurrency;
  const drafts: Draft[] = [];
  for (const l of inv.Line ?? []) {
    const draft = lineOf(l, ctx, number);
    if (draft === 'discount') {
      applyDiscount(drafts, new Decimal(l.Amount ?? 0), currency);
      continue;
    }
    if (draft) drafts.push(draft);
  }
  if (drafts.length === 0) throw rejected('invalid_data', `invoice ${number} has no lines to send`);

  const taxTotal = new Decimal(inv.TxnTaxDetail?.TotalTax ?? 0);
  const taxable = drafts.filter((d) => d.taxable && !d.total.isZero());
  const sharers = taxable.length > 0 ? taxable : drafts.filter((d) => !d.total.isZero());
  const shares = sharers.length
    ? allocateMoney(
        taxTotal.toFixed(2),
        sharers.map((d) => d.total.toFixed()),
      )
    : [];
  const taxOf = new Map(sharers.map((d, i) => [d, shares[i]!]));

  const lines = drafts.map((d, i) => ({
    lineNumber: i + 1,
    ...(d.sku ? { sku: d.sku } : {}),
    ...(d.description ? { description: d.description } : {}),
    quantity: d.quantity,
    unitPrice: money(d.unitPrice, currency),
    tax: money(taxOf.get(d) ?? '0', currency),
    total: money(d.total.toFixed(2), currency),
  }));
  const net = drafts.reduce((s, d) => s.plus(d.total), new Decimal(0));
  const total = new Decimal(inv.TotalAmt ?? net.plus(taxTotal));
  if (!net.plus(taxTotal).equals(total))
    throw rejected(
      'invalid_data',
      `invoice ${number}: its lines (${net.toFixed(2)}) and tax (${taxTotal.toFixed(2)}) do not add up to its total ${total.toFixed(2)}; it has a line kind Ledgerlink does not send`,
    );
  const order = inv.PrivateNote ? ORDER_MARKER.exec(inv.PrivateNote)?.[1]?.trim() : undefined;
  return {
    number,
    type: 'invoice',
    documentType: 'Invoice',
    status: new Decimal(inv.Balance ?? 0).isZero() ? 'paid' : 'open',
    invoiceDate: inv.TxnDate ?? new Date(inv.MetaData?.CreateTime ?? 0).toISOString().slice(0, 10),
    ...(inv.DueDate ? { dueDate: inv.DueDate } : {}),
    customerNumber: inv.CustomerRef?.value ?? '',
    ...(inv.CustomerRef?.name ? { customerName: inv.CustomerRef.name } : {}),
    orderNumbers: order ? [order] : [],
    currency,
    lines,
    taxLines: taxLinesOf(inv, currency),
    netTotal: money(net.toFixed(2), currency),
    taxTotal: money(taxTotal.toFixed(2), currency),
    total: money(total.toFixed(2), currency),
    balance: money(dec(inv.Balance), currency),
    updatedAt: new Date(inv.MetaData?.LastUpdatedTime ?? 0).toISOString(),
  };
}

function lineOf(l: QboLine, ctx: InvoiceContext, number: string): Draft | 'discount' | undefined {
  switch (l.DetailType) {
    case 'SalesItemLineDetail': {
      const d = l.SalesItemLineDetail ?? {};
      const itemId = d.ItemRef?.value;
      const amount = new Decimal(l.Amount ?? 0);
      const qty = d.Qty !== undefined ? dec(d.Qty) : '1';
      const price = d.UnitPrice !== undefined ? dec(d.UnitPrice) : amount.toFixed();
      const taxable = (d.TaxCodeRef?.value ?? 'NON') !== 'NON';
      if (itemId === SHIPPING_ITEM)
        return {
          description: l.Description || 'Shipping',
          quantity: qty,
          unitPrice: price,
          total: amount,
          taxable,
          discountable: false,
        };
      const sku = itemId ? ctx.itemNames.get(itemId) : undefined;
      if (itemId && !sku)
        throw rejected(
          'invalid_data',
          `invoice ${number}: line ${l.LineNum ?? l.Id} names item ${itemId}, which QuickBooks did not return`,
        );
      return {
        ...(sku ? { sku } : {}),
        ...(l.Description ? { description: l.Description } : {}),
        quantity: qty,
        unitPrice: price,
        total: amount,
        taxable,
        discountable: true,
      };
    }
    case 'DescriptionOnly':
      if (!l.Description && !l.Amount) return undefined;
      return {
        ...(l.Description ? { description: l.Description } : {}),
        quantity: '0',
        unitPrice: '0',
        total: new Decimal(l.Amount ?? 0),
        taxable: (l.DescriptionLineDetail?.TaxCodeRef?.value ?? 'NON') !== 'NON',
        discountable: false,
      };
    case 'DiscountLineDetail':
      return 'discount';
    case 'SubTotalLineDetail':
      return undefined; // a running total of the lines above, not a charge
    default:
      throw rejected(
        'invalid_data',
        `invoice ${number}: ${l.DetailType} lines (bundles) are not sent; split the bundle into its items`,
      );
  }
}

/** Takes a discount off the discountable lines so far, in proportion to their amounts, to the cent. */
function applyDiscount(drafts: Draft[], amount: Decimal, _currency: string): void {
  const targets = drafts.filter((d) => d.discountable && !d.total.isZero());
  if (targets.length === 0 || amount.isZero()) return;
  const parts = allocateMoney(
    amount.toFixed(2),
    targets.map((d) => d.total.toFixed()),
  );
  targets.forEach((d, i) => {
    d.total = d.total.minus(parts[i]!);
  });
}

function taxLinesOf(inv: QboInvoice, currency: string): TaxLine[] {
  const out: TaxLine[] = [];
  for (const raw of (inv.TxnTaxDetail?.TaxLine ?? []) as QboLine[]) {
    const d = (
      raw as {
        TaxLineDetail?: { TaxRateRef?: { value?: string }; TaxPercent?: number; NetAmountTaxable?: number };
      }
    ).TaxLineDetail;
    if (!d?.TaxRateRef?.value) continue;
    out.push({
      code: d.TaxRateRef.value,
      rate: dec(d.TaxPercent),
      taxable: money(dec(d.NetAmountTaxable), currency),
      tax: money(dec(raw.Amount), currency),
    });
  }
  return out;
}
