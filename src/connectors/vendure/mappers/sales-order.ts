import { Decimal } from 'decimal.js';
import type { Money } from '../../../model/index.js';
import { rejected } from '../../sdk/errors.js';
import { fromMinor, sumMinor } from '../money.js';
import type { VendureOrder, VendureOrderAddress, VendurePayment } from '../types.js';
import { isoFrom, latest } from '../window.js';
import { splitName } from './names.js';

/** The order type every Vendure order is read with; a flow's transform or value map may change it. */
export const ORDER_TYPE = 'web';

/** The unit of every order line: Vendure sells in one unit per variant and does not name it. */
const UNIT = 'EA';

/** The customer number of an order without a customer. */
export const GUEST = 'guest';

/** Payments that hold money: Vendure's own rule leaves out the failed ones. */
const FAILED_PAYMENT = new Set(['Error', 'Declined', 'Cancelled']);

/** What a payment holds once its settled refunds are taken off. */
const netOf = (p: VendurePayment) =>
  p.amount - sumMinor(p.refunds.filter((r) => r.state === 'Settled').map((r) => Math.abs(r.total)));

/** Money the shop has received: settled payments less settled refunds, in minor units. */
export const paidMinor = (o: Pick<VendureOrder, 'payments'>): number =>
  sumMinor((o.payments ?? []).filter((p) => p.state === 'Settled').map(netOf));

/** What payments already cover (Vendure's rule for the amount of a manual payment), in minor units. */
export const coveredMinor = (o: Pick<VendureOrder, 'payments'>): number =>
  sumMinor((o.payments ?? []).filter((p) => !FAILED_PAYMENT.has(p.state)).map(netOf));

/** The time a change of the order shows at: Vendure does not always touch updatedAt when it places one. */
export const orderStamp = (o: Pick<VendureOrder, 'updatedAt' | 'orderPlacedAt'>): string =>
  isoFrom(latest(o.updatedAt, o.orderPlacedAt));

/** An order address, or undefined when Vendure has none (every field empty, as a billing address often is). */
function addressIn(
  a: VendureOrderAddress | null | undefined,
  kind: 'billing' | 'shipping',
  who: string,
): Record<string, unknown> | undefined {
  if (!a || !Object.values(a).some((v) => typeof v === 'string' && v.trim())) return undefined;
  if (!a.streetLine1?.trim())
    throw rejected('missing_field', `${who}: the ${kind} address has no street; complete it in Vendure`);
  if (!a.countryCode || !/^[A-Za-z]{2}$/.test(a.countryCode))
    throw rejected('missing_field', `${who}: the ${kind} address has no country; complete it in Vendure`);
  const addressee = splitName(a.fullName);
  return {
    kind,
    ...(addressee.firstName ? { firstName: addressee.firstName } : {}),
    ...(addressee.lastName ? { lastName: addressee.lastName } : {}),
    ...(a.company ? { company: a.company } : {}),
    line1: a.streetLine1.trim(),
    ...(a.streetLine2 ? { line2: a.streetLine2 } : {}),
    ...(a.city ? { city: a.city } : {}),
    ...(a.province ? { region: a.province } : {}),
    ...(a.postalCode ? { postalCode: a.postalCode } : {}),
    country: a.countryCode.toUpperCase(),
    ...(a.phoneNumber ? { phone: a.phoneNumber } : {}),
  };
}

/**
 * Vendure order → canonical (Vendure as a source). Amounts are Vendure's own, from minor units:
 * a line's total is its prorated price (after its own and its share of order-level discounts,
 * without tax), its tax the prorated price with tax less that; shipping is the shipping without tax
 * after discounts; the tax lines are Vendure's tax summary (the goods' rates and the shipping's);
 * the order total is totalWithTax. So Σ line totals + shipping + tax = the order total, and
 * anything else (a surcharge) shows as a negative discountTotal. An order the model cannot hold
 * throws a rejected error saying what to fix.
 */
export function salesOrderFromVendure(o: VendureOrder, precision: number): Record<string, unknown> {
  const who = `Vendure order ${o.code}`;
  const currency = o.currencyCode;
  const m = (minor: number): Money => ({ amount: fromMinor(minor, precision), currency });

  const lines = o.lines.map((l, i) => {
    const discount = l.linePrice - l.proratedLinePrice;
    return {
      lineNumber: i + 1,
      sku: l.productVariant.sku,
      ...(l.productVariant.name ? { description: l.productVariant.name } : {}),
      quantity: String(l.quantity),
      unit: UNIT,
      unitPrice: m(l.unitPrice),
      ...(discount !== 0 ? { discount: m(discount) } : {}),
      tax: m(l.proratedLinePriceWithTax - l.proratedLinePrice),
      taxRate: new Decimal(l.taxRate).toFixed(),
      total: m(l.proratedLinePrice),
    };
  });
  const linesTotal = sumMinor(o.lines.map((l) => l.proratedLinePrice));
  const tax = o.totalWithTax - o.total;
  const documentDiscount = linesTotal + o.shipping + tax - o.totalWithTax;
  const paid = paidMinor(o);

  const customer = o.customer ?? undefined;
  const name = customer ? `${customer.firstName} ${customer.lastName}`.trim() : '';
  const method = o.shippingLines[0]?.shippingMethod.code;
  const payment = (o.payments ?? []).find((p) => !FAILED_PAYMENT.has(p.state))?.method;
  const billing = addressIn(o.billingAddress, 'billing', who);
  const shipping = addressIn(o.shippingAddress, 'shipping', who);

  return {
    number: o.code,
    ...(o.customFields?.erpNumber ? { externalNumber: o.customFields.erpNumber } : {}),
    orderType: ORDER_TYPE,
    status: o.state,
    // The customer's source id is the Vendure id (what the customer flow reads). Vendure gives every
    // order past checkout a customer (a guest checkout makes one without an account); an order
    // without one has no record to sync first.
    customerNumber: customer?.id ?? GUEST,
    guest: !customer,
    ...(customer?.emailAddress ? { customerEmail: customer.emailAddress } : {}),
    ...(name ? { customerName: name } : {}),
    // Vendure keeps times in UTC; the order date is the UTC date it was placed (or created).
    orderDate: isoFrom(o.orderPlacedAt ?? o.createdAt).slice(0, 10),
    currency,
    lines,
    ...(method ? { shipVia: method } : {}),
    ...(payment ? { paymentMethod: payment } : {}),
    ...(billing ? { billingAddress: billing } : {}),
    ...(shipping ? { shippingAddress: shipping } : {}),
    ...(documentDiscount !== 0 ? { discountTotal: m(documentDiscount) } : {}),
    shippingTotal: m(o.shipping),
    taxLines: o.taxSummary.map((t) => ({
      code: t.description,
      rate: new Decimal(t.taxRate).toFixed(),
      taxable: m(t.taxBase),
      tax: m(t.taxTotal),
    })),
    taxTotal: m(tax),
    orderTotal: m(o.totalWithTax),
    paidTotal: m(paid),
    unpaidBalance: m(Math.max(0, o.totalWithTax - paid)),
    updatedAt: orderStamp(o),
  };
}
