import { Decimal } from 'decimal.js';
import type { Money, OrderLifecycle } from '../../../model/index.js';
import { rejected } from '../../sdk/errors.js';
import type { MagentoOrder, MagentoOrderItem } from '../sales-types.js';
import { fromMagentoTime } from '../search-criteria.js';
import type { MagentoSettings } from '../settings.js';
import { orderAddressIn } from './order-address.js';
import { decimalFrom, updatedAtFrom } from './values.js';

/**
 * The order type every Magento order is read with: the shop has one kind of order. A flow's
 * transform may set another (an ERP order type such as "SO" or a B2B type decided by the customer
 * group); a value map may translate this one.
 */
export const ORDER_TYPE = 'web';

/**
 * The order's lifecycle from Magento's state (Magento\Sales\Model\Order): canceled, holded, and
 * closed — which Magento sets once the money of an order with nothing left to invoice is all
 * refunded by credit memo. Every other state (new, pending_payment, processing, complete,
 * payment_review) is an order that goes on.
 */
export function lifecycleFromMagento(state: string | undefined): OrderLifecycle {
  switch (state) {
    case 'canceled':
      return 'canceled';
    case 'holded':
      return 'on_hold';
    case 'closed':
      return 'closed';
    default:
      return 'open';
  }
}

/** The unit of every order line: Magento sells in one unit per product and does not name it. */
const UNIT = 'EA';

export type OrderMapSettings = Pick<MagentoSettings, 'baseCurrency'>;

/** The lines of an order: the child of a configurable or bundle product travels with its parent. */
export const topLevelItems = (o: MagentoOrder): MagentoOrderItem[] =>
  o.items.filter((i) => i.parent_item_id === undefined || i.parent_item_id === null);

const truthy = (v: unknown) => v === true || v === 1 || v === '1';

/** The shipping method code of an order (carrier_method, e.g. "flatrate_flatrate"). */
export const shippingMethodOf = (o: MagentoOrder): string | undefined =>
  o.extension_attributes?.shipping_assignments?.[0]?.shipping?.method ?? undefined;

/**
 * One tax line per rate the order applied (extension_attributes.applied_taxes): its code and rate,
 * the tax as Magento charged it, and what it was charged on — the rows at that rate, after their
 * discounts. A rate no row carries on its own (two taxes stacked on the same rows) is charged on
 * every taxed row. An order without applied taxes gets one line per rate of its rows, named by the
 * rate ("8.25%").
 */
function taxLinesOf(
  o: MagentoOrder,
  rows: ReadonlyArray<{ item: MagentoOrderItem; net: Decimal; tax: Decimal }>,
  m: (v: Decimal.Value) => Money,
  who: string,
): Array<Record<string, unknown>> {
  const rate = (i: MagentoOrderItem) => new Decimal(i.tax_percent ?? 0);
  const taxable = (match: (r: (typeof rows)[number]) => boolean) =>
    rows.filter(match).reduce((s, r) => s.plus(r.net), new Decimal(0));
  const applied = o.extension_attributes?.applied_taxes ?? [];
  if (applied.length) {
    return applied.map((t, n) => {
      const percent = decimalFrom(t.percent, `${who}: applied tax ${n + 1} percent`) ?? '0';
      const own = rows.filter((r) => rate(r.item).equals(percent));
      const base = own.length ? taxable((r) => own.includes(r)) : taxable((r) => !r.tax.isZero());
      return {
        code: t.code || t.title || `${percent}%`,
        rate: percent,
        taxable: m(base),
        tax: m(decimalFrom(t.amount, `${who}: applied tax ${t.code} amount`) ?? '0'),
      };
    });
  }
  const rates = [...new Set(rows.filter((r) => !r.tax.isZero()).map((r) => rate(r.item).toFixed()))];
  return rates.map((percent) => {
    const at = rows.filter((r) => rate(r.item).equals(percent));
    return {
      code: `${percent}%`,
      rate: percent,
      taxable: m(taxable((r) => at.includes(r))),
      tax: m(at.reduce((s, r) => s.plus(r.tax), new Decimal(0))),
    };
  });
}

/**
 * Magento order → canonical (Magento as a source). The totals hold as Magento charged them:
 * orderTotal = Σ line totals − discountTotal + shippingTotal + taxTotal, where a line's total is its
 * row total less its discount, and discountTotal is whatever else lowered the grand total (a cart
 * rule's discount on shipping; on Adobe Commerce also gift cards and store credit, which Magento
 * takes off the grand total too). An order the model cannot hold throws a rejected error saying
 * what to fix.
 */
export function salesOrderFromMagento(o: MagentoOrder, s: OrderMapSettings): Record<string, unknown> {
  const who = `Magento order ${o.increment_id ?? o.entity_id}`;
  const currency = o.order_currency_code || s.baseCurrency;
  const amount = (v: unknown, what: string) => new Decimal(decimalFrom(v, `${who}: ${what}`) ?? '0');
  const m = (v: Decimal.Value): Money => ({ amount: new Decimal(v).toFixed(), currency });

  const rows = topLevelItems(o).map((item) => {
    const what = (f: string) => `item ${item.sku} ${f}`;
    const row = amount(item.row_total, what('row_total'));
    const discount = amount(item.discount_amount, what('discount_amount'));
    return {
      item,
      row,
      discount,
      net: row.minus(discount),
      tax: amount(item.tax_amount, what('tax_amount')),
    };
  });
  const lines = rows.map(({ item, discount, net, tax }, i) => {
    const rate = decimalFrom(item.tax_percent, `${who}: item ${item.sku} tax_percent`);
    return {
      lineNumber: i + 1,
      sku: item.sku,
      ...(item.name ? { description: item.name } : {}),
      quantity: decimalFrom(item.qty_ordered, `${who}: item ${item.sku} qty_ordered`) ?? '0',
      unit: UNIT,
      unitPrice: m(amount(item.price, `item ${item.sku} price`)),
      discount: m(discount),
      tax: m(tax),
      ...(rate !== undefined ? { taxRate: rate } : {}),
      total: m(net),
    };
  });

  const shipping = amount(o.shipping_amount, 'shipping_amount');
  const tax = amount(o.tax_amount, 'tax_amount');
  const grand = amount(o.grand_total, 'grand_total');
  const paid = amount(o.total_paid, 'total_paid');
  const refunded = amount(o.total_refunded, 'total_refunded');
  const linesTotal = rows.reduce((sum, r) => sum.plus(r.net), new Decimal(0));
  // What lowered the grand total besides the lines' own discounts (0 for most orders).
  const documentDiscount = linesTotal.plus(shipping).plus(tax).minus(grand);
  const due =
    o.total_due === undefined || o.total_due === null
      ? Decimal.max(0, grand.minus(paid))
      : amount(o.total_due, 'total_due');

  const guest = truthy(o.customer_is_guest) || o.customer_id === undefined || o.customer_id === null;
  if (guest && !o.customer_email)
    throw rejected('missing_field', `${who} is a guest order without an e-mail address`);
  const name = [o.customer_firstname, o.customer_lastname].filter(Boolean).join(' ').trim();
  const shipTo = o.extension_attributes?.shipping_assignments?.[0]?.shipping?.address;
  const method = shippingMethodOf(o);
  const created = o.created_at ? fromMagentoTime(o.created_at) : updatedAtFrom(o.updated_at, who);

  return {
    number: o.increment_id ?? String(o.entity_id),
    ...(o.ext_order_id ? { externalNumber: o.ext_order_id } : {}),
    orderType: ORDER_TYPE,
    status: o.status || o.state || 'pending',
    // A registered customer's source id is the Magento customer id (what the customer flow reads);
    // a guest has no customer record, the e-mail stands in.
    customerNumber: guest ? o.customer_email : String(o.customer_id),
    guest,
    ...(o.customer_email ? { customerEmail: o.customer_email } : {}),
    ...(name ? { customerName: name } : {}),
    // Magento keeps times in UTC; the order date is the UTC date of created_at.
    orderDate: created.slice(0, 10),
    currency,
    lines,
    ...(method ? { shipVia: method } : {}),
    ...(o.payment?.method ? { paymentMethod: o.payment.method } : {}),
    ...(o.billing_address ? { billingAddress: orderAddressIn(o.billing_address, 'billing', who) } : {}),
    ...(shipTo ? { shippingAddress: orderAddressIn(shipTo, 'shipping', who) } : {}),
    ...(documentDiscount.isZero() ? {} : { discountTotal: m(documentDiscount) }),
    shippingTotal: m(shipping),
    taxLines: taxLinesOf(o, rows, m, who),
    taxTotal: m(tax),
    orderTotal: m(grand),
    paidTotal: m(paid),
    refundedTotal: m(refunded),
    unpaidBalance: m(due),
    lifecycle: lifecycleFromMagento(o.state),
    updatedAt: updatedAtFrom(o.updated_at, who),
  };
}
