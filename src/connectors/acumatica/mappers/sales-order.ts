import { Decimal } from 'decimal.js';
import type { Address, Money, SalesOrder } from '../../../model/index.js';
import {
  allocateMoney as allocate,
  decimalsEqual,
  decimalToApiNumber,
  roundMoney,
  toDecimalString,
} from '../../../model/index.js';
import { rejected } from '../../sdk/errors.js';
import { type RawSalesOrder, type RawSalesOrderLine, type RawTaxDetail, str, val, wrap } from '../types.js';
import {
  type DocumentContext,
  datePart,
  decimal,
  documentAddress,
  moneyOf,
  requiredMoney,
  stampOf,
  toDocumentAddress,
} from './document.js';

/** $expand the mapper needs: lines, taxes, totals, and the bill-to and ship-to blocks. */
export const SALES_ORDER_EXPAND =
  'Details,TaxDetails,Totals,BillToAddress,BillToContact,ShipToAddress,ShipToContact';

/** Acumatica SalesOrder → canonical sales order (not yet validated). */
export function salesOrderFromAcumatica(raw: RawSalesOrder, ctx: DocumentContext): Record<string, unknown> {
  const number = str(raw.OrderNbr);
  if (!number) throw rejected('missing_field', 'an Acumatica sales order without an OrderNbr was returned');
  const what = `sales order ${number}`;
  const currency = str(raw.CurrencyID) ?? ctx.baseCurrency;
  const customer = str(raw.CustomerID);
  const out: Record<string, unknown> = {
    number,
    orderType: str(raw.OrderType),
    status: str(raw.Status),
    customerNumber: customer,
    // An order booked to the guest customer is a web order placed without an account.
    guest: ctx.guestCustomerId !== undefined && customer === ctx.guestCustomerId,
    orderDate: datePart(raw.Date),
    currency,
    lines: linesWithTax(raw, currency, what),
    taxLines: (raw.TaxDetails ?? []).map((t) => taxLineFromAcumatica(t, currency, what)),
    taxTotal: requiredMoney(raw.TaxTotal ?? raw.Totals?.TaxTotal, currency, `${what}: TaxTotal`),
    orderTotal: requiredMoney(raw.OrderTotal, currency, `${what}: OrderTotal`),
    updatedAt: stampOf(raw.LastModified),
  };
  const opt: Record<string, unknown> = {
    externalNumber: str(raw.ExternalRef),
    shipVia: str(raw.ShipVia),
    paymentMethod: str(raw.PaymentMethod),
    customerEmail: str(raw.BillToContact?.Email),
    customerName: str(raw.BillToContact?.BusinessName) ?? str(raw.BillToContact?.Attention),
    billingAddress: documentAddress(raw.BillToAddress, raw.BillToContact, 'billing'),
    shippingAddress: documentAddress(raw.ShipToAddress, raw.ShipToContact, 'shipping'),
    shippingTotal: moneyOf(raw.Totals?.Freight, currency),
    discountTotal: moneyOf(raw.Totals?.DiscountTotal, currency),
  };
  const unpaid = decimal(raw.Totals?.UnpaidBalance);
  const total = decimal(raw.OrderTotal);
  if (unpaid !== undefined && total !== undefined) {
    opt.unpaidBalance = { amount: unpaid, currency };
    // What payments applied to the order have covered so far.
    opt.paidTotal = { amount: new Decimal(total).minus(unpaid).toFixed(), currency };
  }
  for (const [k, v] of Object.entries(opt)) if (v !== undefined) out[k] = v;
  return out;
}

function lineFromAcumatica(l: RawSalesOrderLine, currency: string, what: string): Record<string, unknown> {
  const n = val(l.LineNbr);
  const at = `${what} line ${n ?? '?'}`;
  const out: Record<string, unknown> = {
    lineNumber: n,
    sku: str(l.InventoryID),
    quantity: decimal(l.OrderQty),
    unit: str(l.UOM),
    unitPrice: requiredMoney(l.UnitPrice, currency, `${at}: UnitPrice`),
    total: requiredMoney(l.Amount, currency, `${at}: Amount`),
  };
  const description = str(l.LineDescription);
  if (description) out.description = description;
  const discount = moneyOf(l.DiscountAmount, currency);
  if (discount && !new Decimal(discount.amount).isZero()) out.discount = discount;
  const warehouse = str(l.WarehouseID);
  if (warehouse) out.warehouse = warehouse;
  return out;
}

/**
 * Acumatica keeps tax per tax, not per line; a target that books tax on its lines (a Magento order
 * item, and the invoices made from it) needs each line's share. The tax total is split over the
 * lines by amount, to the cent, and a line states the rate when the order has one tax.
 */
function linesWithTax(raw: RawSalesOrder, currency: string, what: string): Record<string, unknown>[] {
  const lines = (raw.Details ?? []).map((l) => lineFromAcumatica(l, currency, what));
  const tax = decimal(raw.TaxTotal ?? raw.Totals?.TaxTotal) ?? '0';
  if (lines.length === 0 || new Decimal(tax).isZero()) return lines;
  const shares = allocate(
    tax,
    lines.map((l) => (l.total as { amount?: string } | undefined)?.amount ?? '0'),
  );
  const rates = (raw.TaxDetails ?? []).map((t) => decimal(t.TaxRate)).filter((r) => r !== undefined);
  return lines.map((l, i) => ({
    ...l,
    tax: { amount: shares[i], currency },
    ...(rates.length === 1 ? { taxRate: rates[0] } : {}),
  }));
}

function taxLineFromAcumatica(t: RawTaxDetail, currency: string, what: string): Record<string, unknown> {
  const code = str(t.TaxID);
  const at = `${what} tax ${code ?? '?'}`;
  return {
    code,
    rate: decimal(t.TaxRate) ?? '0',
    taxable: requiredMoney(t.TaxableAmount, currency, `${at}: TaxableAmount`),
    tax: requiredMoney(t.TaxAmount, currency, `${at}: TaxAmount`),
  };
}

/**
 * Why Acumatica would not arrive at the order's totals, or undefined when it will. Acumatica computes
 * a line as quantity × unit price − discount, rounded half away from zero to the cent, and the order
 * as lines + freight + tax; prices and discounts are sent as manual and taxes as entered, so the
 * totals agree to the cent whenever the web order's own arithmetic does. A document-level discount
 * is not written (it needs a discount code set up in Acumatica) and makes the order refused.
 */
export function totalsProblem(o: SalesOrder): string | undefined {
  const c = o.currency;
  const amounts: Array<[string, Money | undefined]> = [
    ['taxTotal', o.taxTotal],
    ['orderTotal', o.orderTotal],
    ['shippingTotal', o.shippingTotal],
    ['discountTotal', o.discountTotal],
    ...o.lines.flatMap(
      (l): Array<[string, Money | undefined]> => [
        [`line ${l.lineNumber} unitPrice`, l.unitPrice],
        [`line ${l.lineNumber} discount`, l.discount],
        [`line ${l.lineNumber} total`, l.total],
      ],
    ),
    ...o.taxLines.flatMap(
      (t): Array<[string, Money | undefined]> => [
        [`tax ${t.code} taxable`, t.taxable],
        [`tax ${t.code} tax`, t.tax],
      ],
    ),
  ];
  for (const [name, m] of amounts)
    if (m && m.currency !== c) return `${name} is in ${m.currency}, the order in ${c}`;
  if (o.discountTotal && !new Decimal(o.discountTotal.amount).isZero())
    return `the order has a document-level discount of ${o.discountTotal.amount} ${c}; Ledgerlink writes discounts on the lines only`;
  for (const l of o.lines) {
    const expect = roundMoney(
      new Decimal(l.quantity).times(l.unitPrice.amount).minus(l.discount?.amount ?? 0),
    );
    if (!decimalsEqual(expect, l.total.amount))
      return `line ${l.lineNumber}: ${l.quantity} × ${l.unitPrice.amount} − ${l.discount?.amount ?? '0'} is ${expect}, but the line total is ${l.total.amount}`;
  }
  const taxes = o.taxLines.reduce((s, t) => s.plus(t.tax.amount), new Decimal(0));
  if (!taxes.equals(o.taxTotal.amount))
    return o.taxLines.length === 0
      ? `the order has tax of ${o.taxTotal.amount} ${c} but no tax lines to book it on`
      : `the tax lines add up to ${taxes.toFixed()}, but the tax total is ${o.taxTotal.amount}`;
  const total = o.lines
    .reduce((s, l) => s.plus(l.total.amount), new Decimal(0))
    .plus(o.shippingTotal?.amount ?? 0)
    .plus(taxes);
  if (!total.equals(o.orderTotal.amount))
    return `lines + shipping + tax is ${total.toFixed()}, but the order total is ${o.orderTotal.amount}`;
  return undefined;
}

export interface OrderTargets {
  orderType: string;
  customerId: string;
  /** Acumatica InventoryID by canonical sku; the sku itself where absent. */
  inventoryIds: Readonly<Record<string, string>>;
}

const num = (s: string) => wrap(decimalToApiNumber(s));

function description(o: SalesOrder): string {
  const who = [o.customerName, o.customerEmail && `<${o.customerEmail}>`].filter(Boolean).join(' ');
  // A marketplace order keeps where it came from and its number there (SellerCloud's Channel Order #).
  const what = o.channel
    ? `${o.channel} order ${o.channelOrderNumber ?? o.number}${o.channelOrderNumber ? ` (${o.number})` : ''}`
    : `Web order ${o.number}`;
  return o.guest && who ? `${what} (guest: ${who})` : what;
}

/**
 * Canonical order → a new Acumatica sales order. The web order's number goes to Customer Order
 * and External Reference, so both screens show both numbers; prices, discounts, taxes and freight
 * are marked manual so Acumatica keeps the web shop's figures instead of pricing the order anew.
 */
export function salesOrderToAcumatica(o: SalesOrder, t: OrderTargets): RawSalesOrder {
  const out: RawSalesOrder = {
    OrderType: wrap(t.orderType),
    CustomerID: wrap(t.customerId),
    CustomerOrder: wrap(o.number),
    ExternalRef: wrap(o.number),
    // A document date is a day: sent as that day's midnight with an explicit zone (the API wants a
    // date-time); Acumatica keeps the date part, and reading it back takes the date part as written.
    Date: wrap(`${o.orderDate}T00:00:00+00:00`),
    CurrencyID: wrap(o.currency),
    Description: wrap(description(o)),
    Hold: wrap(false),
    Details: o.lines.map((l) => {
      const line: RawSalesOrderLine = {
        InventoryID: wrap(t.inventoryIds[l.sku] ?? l.sku),
        OrderQty: num(l.quantity),
        UOM: wrap(l.unit),
        UnitPrice: num(l.unitPrice.amount),
        ManualPrice: wrap(true),
        DiscountAmount: num(l.discount?.amount ?? '0'),
        ManualDiscount: wrap(true),
      };
      if (l.description) line.LineDescription = wrap(l.description);
      return line;
    }),
    DisableAutomaticTaxCalculation: wrap(true),
    TaxDetails: o.taxLines.map((x) => ({
      TaxID: wrap(x.code),
      TaxRate: num(x.rate),
      TaxableAmount: num(x.taxable.amount),
      TaxAmount: num(x.tax.amount),
    })),
    Totals: { Freight: num(o.shippingTotal?.amount ?? '0'), OverrideFreightAmount: wrap(true) },
  };
  if (o.shipVia) out.ShipVia = wrap(o.shipVia);
  if (o.paymentMethod) out.PaymentMethod = wrap(o.paymentMethod);
  const blocks = (a: Address | undefined, fallbackEmail: string | undefined) => {
    if (!a) return undefined;
    const b = toDocumentAddress(a);
    if (!b.contact.Email && fallbackEmail) b.contact.Email = wrap(fallbackEmail);
    return b;
  };
  const bill = blocks(o.billingAddress, o.customerEmail);
  if (bill) {
    out.BillToAddressOverride = wrap(true);
    out.BillToAddress = bill.address;
    out.BillToContactOverride = wrap(true);
    out.BillToContact = bill.contact;
  }
  // Without a ship-to address (an order of virtual goods) the order ships to its bill-to address,
  // not to the address of the customer it is booked to (for a guest order, the shared guest customer).
  const ship = blocks(o.shippingAddress ?? o.billingAddress, o.customerEmail);
  if (ship) {
    out.ShipToAddressOverride = wrap(true);
    out.ShipToAddress = ship.address;
    out.ShipToContactOverride = wrap(true);
    out.ShipToContact = ship.contact;
  }
  return out;
}

/** The figures of a created order that must equal the canonical ones; the first that differs, or undefined. */
export function totalsDiffer(o: SalesOrder, created: RawSalesOrder): string | undefined {
  const pairs: Array<[string, string, number | undefined | null]> = [
    ['order total', o.orderTotal.amount, val(created.OrderTotal)],
    ['tax total', o.taxTotal.amount, val(created.TaxTotal) ?? val(created.Totals?.TaxTotal)],
    ['freight', o.shippingTotal?.amount ?? '0', val(created.Totals?.Freight)],
  ];
  for (const [name, want, got] of pairs) {
    if (typeof got !== 'number') continue;
    if (!decimalsEqual(want, toDecimalString(got)))
      return `its ${name} is ${toDecimalString(got)}, not ${want}`;
  }
  return undefined;
}
