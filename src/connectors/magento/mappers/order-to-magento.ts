import { Decimal } from 'decimal.js';
import { roundMoney, type SalesOrder } from '../../../model/index.js';
import { rejected } from '../../sdk/errors.js';
import type { MagentoOrder, MagentoOrderAddress, MagentoOrderItem } from '../sales-types.js';
import { type Names, orderAddressOut, splitName } from './order-address.js';
import { apiNumber } from './values.js';

/**
 * The payment method of an ERP order that names none. Magento needs one on every order; "checkmo"
 * (Check / Money order) is an offline method every store has, and takes no money itself.
 */
export const DEFAULT_PAYMENT_METHOD = 'checkmo';

/** Where the order goes and who it belongs to on the Magento side. */
export interface OrderTarget {
  storeId: number;
  /** The Magento customer; undefined for a guest order. */
  customerId?: number;
  /**
   * That customer's own data, for what the order lacks: an ERP order copies its customer's contact
   * when it is entered, and one entered before the customer had an e-mail address has none, though
   * the customer it waited for has one now.
   */
  customer?: { email?: string; firstname?: string; lastname?: string };
  /** Magento product ids by SKU (lower case), for the SKUs the catalog has. */
  productIds: ReadonlyMap<string, number>;
}

const sum = (values: readonly Decimal.Value[]) => values.reduce<Decimal>((s, v) => s.plus(v), new Decimal(0));

/** The comment an ERP order leaves in the history of the Magento order it became. */
export const createdComment = (number: string) => `Created from ERP order ${number}`;

/**
 * A canonical order arriving from the ERP as a whole Magento order (POST /V1/orders). The totals are
 * the record's own — Magento does not recompute a saved order, and a target never recomputes tax:
 * row total = line total + line discount; discount_amount = −(line discounts + discountTotal);
 * grand_total = orderTotal. Base amounts equal order amounts (rate 1): the ERP states one currency.
 * The ERP's number goes into ext_order_id, which the admin's order view shows. An order with
 * nothing left to pay is processing; otherwise new / pending.
 */
export function salesOrderToMagento(so: SalesOrder, t: OrderTarget): MagentoOrder {
  const who = `order ${so.number}`;
  const n = (value: Decimal.Value, what: string) =>
    apiNumber(new Decimal(value).toFixed(), `${who}: ${what}`);
  const rates = so.taxLines.map((l) => l.rate);
  const rows: Decimal[] = [];
  const rowsInclTax: Decimal[] = [];
  const items = so.lines.map((l): MagentoOrderItem => {
    const what = (f: string) => `line ${l.lineNumber} ${f}`;
    const discount = l.discount?.amount ?? '0';
    const tax = l.tax?.amount ?? '0';
    const row = new Decimal(l.total.amount).plus(discount);
    const inclTax = row.plus(tax);
    rows.push(row);
    rowsInclTax.push(inclTax);
    // A line that states no rate takes the order's only rate, when it is taxed and there is one.
    const rate = l.taxRate ?? (rates.length === 1 && !new Decimal(tax).isZero() ? rates[0]! : '0');
    const productId = t.productIds.get(l.sku.toLowerCase());
    return {
      sku: l.sku,
      name: l.description ?? l.sku,
      ...(productId !== undefined ? { product_id: productId } : {}),
      product_type: 'simple',
      qty_ordered: n(l.quantity, what('quantity')),
      price: n(l.unitPrice.amount, what('unit price')),
      base_price: n(l.unitPrice.amount, what('unit price')),
      original_price: n(l.unitPrice.amount, what('unit price')),
      row_total: n(row, what('row total')),
      base_row_total: n(row, what('row total')),
      discount_amount: n(discount, what('discount')),
      base_discount_amount: n(discount, what('discount')),
      tax_amount: n(tax, what('tax')),
      base_tax_amount: n(tax, what('tax')),
      tax_percent: n(rate, what('tax rate')),
      row_total_incl_tax: n(inclTax, what('total')),
      base_row_total_incl_tax: n(inclTax, what('total')),
      price_incl_tax: n(roundMoney(inclTax.div(l.quantity)), what('unit price')),
      base_price_incl_tax: n(roundMoney(inclTax.div(l.quantity)), what('unit price')),
    };
  });

  const subtotal = sum(rows);
  const lineDiscounts = sum(so.lines.map((l) => l.discount?.amount ?? '0'));
  const discount = lineDiscounts.plus(so.discountTotal?.amount ?? '0').negated();
  const shipping = so.shippingTotal?.amount ?? '0';
  const grand = so.orderTotal.amount;
  // Whether the ERP has the money already decides the order's state, not its paid amount: Magento
  // counts payment by invoice — every paid invoice adds to total_paid and the payment's amount_paid —
  // so the ERP's invoices carry the money here (acumatica-magento.invoices), and an order created
  // as paid would be paid twice once they arrive. The ERP payment itself is noted on the order.
  const paid = so.paidTotal?.amount ?? '0';
  const due = so.unpaidBalance?.amount ?? Decimal.max(0, new Decimal(grand).minus(paid)).toFixed();
  const settled = new Decimal(due).isZero();

  const billingSource = so.billingAddress ?? so.shippingAddress;
  if (!billingSource)
    throw rejected('missing_field', `${who}: Magento needs a billing address; the order has no address`);
  const email = so.customerEmail ?? billingSource.email ?? so.shippingAddress?.email ?? t.customer?.email;
  if (!email)
    throw rejected(
      'missing_field',
      `${who}: Magento needs the customer's e-mail address; neither the order nor ${t.customerId !== undefined ? `Magento customer ${t.customerId}` : 'its customer (a guest)'} has one`,
    );
  const account =
    t.customer?.firstname && t.customer.lastname
      ? { firstname: t.customer.firstname, lastname: t.customer.lastname }
      : undefined;
  const names: Names = splitName(so.customerName ?? '') ??
    splitName([billingSource.firstName, billingSource.lastName].filter(Boolean).join(' ')) ??
    splitName(billingSource.company ?? '') ??
    account ?? { firstname: email, lastname: email };
  const phone = billingSource.phone ?? so.shippingAddress?.phone;
  const ctx = { who, names, email, ...(phone ? { phone } : {}) };
  const billing = orderAddressOut(billingSource, 'billing', ctx);
  const shipTo: MagentoOrderAddress = so.shippingAddress
    ? orderAddressOut(so.shippingAddress, 'shipping', ctx)
    : { ...billing, address_type: 'shipping' };

  const amounts = {
    subtotal: n(subtotal, 'subtotal'),
    subtotal_incl_tax: n(sum(rowsInclTax), 'subtotal'),
    discount_amount: n(discount, 'discount'),
    shipping_amount: n(shipping, 'shipping'),
    shipping_incl_tax: n(shipping, 'shipping'),
    tax_amount: n(so.taxTotal.amount, 'tax total'),
    grand_total: n(grand, 'order total'),
    total_paid: 0,
    total_due: n(grand, 'order total'),
  };
  const base = Object.fromEntries(Object.entries(amounts).map(([k, v]) => [`base_${k}`, v]));

  return {
    state: settled ? 'processing' : 'new',
    status: settled ? 'processing' : 'pending',
    store_id: t.storeId,
    ...(t.customerId === undefined
      ? { customer_is_guest: 1, customer_group_id: 0 }
      : { customer_is_guest: 0, customer_id: t.customerId }),
    customer_email: email,
    customer_firstname: names.firstname,
    customer_lastname: names.lastname,
    ext_order_id: so.number,
    order_currency_code: so.currency,
    base_currency_code: so.currency,
    global_currency_code: so.currency,
    store_currency_code: so.currency,
    base_to_order_rate: 1,
    ...(so.shipVia ? { shipping_description: so.shipVia } : {}),
    ...amounts,
    ...base,
    base_grand_total: amounts.grand_total,
    grand_total: amounts.grand_total,
    total_qty_ordered: n(sum(so.lines.map((l) => l.quantity)), 'quantity'),
    total_item_count: items.length,
    items,
    billing_address: billing,
    payment: {
      method: so.paymentMethod ?? DEFAULT_PAYMENT_METHOD,
      account_status: '',
      additional_information: [],
      cc_last4: '',
      amount_ordered: amounts.grand_total,
      base_amount_ordered: amounts.grand_total,
      amount_paid: 0,
      base_amount_paid: 0,
    },
    extension_attributes: {
      shipping_assignments: [
        {
          shipping: { address: shipTo, ...(so.shipVia ? { method: so.shipVia } : {}) },
          // Magento reads only the shipping part of an assignment when it saves an order.
          items: [],
        },
      ],
      applied_taxes: so.taxLines.map((l) => ({
        code: l.code,
        title: l.code,
        percent: n(l.rate, `tax ${l.code} rate`),
        amount: n(l.tax.amount, `tax ${l.code}`),
        base_amount: n(l.tax.amount, `tax ${l.code}`),
      })),
    },
  };
}
