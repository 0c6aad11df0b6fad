import { Decimal } from 'decimal.js';
import {
  type Address,
  money,
  type OrderLifecycle,
  type SalesOrder,
  toDecimalString,
} from '../../../model/index.js';
import { CHANNELS, ORDER_STATUS, type ScAddress, type ScOrder } from '../types.js';
import { dateOf, scInstant } from './time.js';

const text = (v: string | null | undefined) => (v?.trim() ? v.trim() : undefined);

function addressFromSc(a: ScAddress | null | undefined, kind: Address['kind']): Address | undefined {
  const line1 = text(a?.StreetLine1);
  const country = text(a?.CountryCode)?.toUpperCase();
  if (!a || !line1 || !country || !/^[A-Z]{2}$/.test(country)) return undefined;
  const out: Address = { kind, line1, country };
  const put = (k: keyof Address, v: string | null | undefined) => {
    const t = text(v);
    if (t) (out as Record<string, unknown>)[k] = t;
  };
  put('firstName', a.FirstName);
  put('lastName', a.LastName);
  put('company', a.Business);
  put('line2', a.StreetLine2);
  put('city', a.City);
  put('region', a.StateName);
  put('postalCode', a.PostalCode);
  put('phone', a.Phone);
  return out;
}

const LIFECYCLE: Readonly<Record<number, OrderLifecycle>> = { [-1]: 'canceled', 200: 'on_hold' };

/** The order's stamp: its creation, the only absolute date SellerCloud filters orders by (FACTS.md ⚠). */
export const orderStampOf = (o: ScOrder): string =>
  scInstant(o.CreatedOn) ?? scInstant(o.TimeOfOrder) ?? new Date(0).toISOString();

/**
 * A SellerCloud order as canonical. Line totals are SellerCloud's LineTotal when it gives one, else
 * price × quantity; the order total is its GrandTotal (FACTS.md ⚠ field names). Amounts go through
 * decimal.js, never float arithmetic.
 */
export function orderFromSc(o: ScOrder, currency: string, taxCode = 'SALESTAX'): SalesOrder {
  const cur = text(o.Currency)?.toUpperCase() ?? currency;
  const lines = o.Items.map((i, n) => {
    const price = new Decimal(i.SitePrice ?? 0);
    const total = i.LineTotal !== undefined ? new Decimal(i.LineTotal) : price.times(i.Qty);
    return {
      lineNumber: n + 1,
      sku: i.ProductID,
      ...(text(i.ProductName) ? { description: text(i.ProductName)! } : {}),
      quantity: toDecimalString(i.Qty),
      unit: 'EA',
      unitPrice: money(price, cur),
      ...(i.LineTaxTotal !== undefined ? { tax: money(i.LineTaxTotal, cur) } : {}),
      total: money(total, cur),
      ...(i.ShipFromWarehouseID ? { warehouse: String(i.ShipFromWarehouseID) } : {}),
    };
  });
  const sub = lines.reduce((s, l) => s.plus(l.total.amount), new Decimal(0));
  const tax = new Decimal(o.TaxTotal ?? 0);
  const ship = new Decimal(o.ShippingTotal ?? 0);
  const grand = o.GrandTotal !== undefined ? new Decimal(o.GrandTotal) : sub.plus(tax).plus(ship);
  const shipping = addressFromSc(o.ShippingAddress, 'shipping');
  const billing = addressFromSc(o.BillingAddress, 'billing');
  const name = [text(o.FirstName), text(o.LastName)].filter(Boolean).join(' ');
  const lifecycle = LIFECYCLE[o.StatusCode];
  const placed = scInstant(o.TimeOfOrder) ?? orderStampOf(o);
  return {
    number: String(o.ID),
    ...(text(o.OrderSourceOrderID) ? { channelOrderNumber: text(o.OrderSourceOrderID)! } : {}),
    ...(o.Channel !== undefined && o.Channel !== null
      ? { channel: CHANNELS[o.Channel] ?? `Channel ${o.Channel}` }
      : {}),
    status: ORDER_STATUS[o.StatusCode] ?? String(o.StatusCode),
    customerNumber: String(o.CustomerID),
    guest: false,
    ...(text(o.Email) ? { customerEmail: text(o.Email)! } : {}),
    ...(name ? { customerName: name } : {}),
    orderDate: dateOf(placed),
    currency: cur,
    lines,
    ...(shipping ? { shippingAddress: shipping } : {}),
    ...(billing ? { billingAddress: billing } : {}),
    ...(o.ShippingTotal !== undefined ? { shippingTotal: money(ship, cur) } : {}),
    // One tax total per order: one tax line over the goods, its rate what the figures say.
    taxLines: tax.isZero()
      ? []
      : [
          {
            code: taxCode,
            rate: toDecimalString(sub.isZero() ? 0 : tax.div(sub).times(100).toDecimalPlaces(4)),
            taxable: money(sub, cur),
            tax: money(tax, cur),
          },
        ],
    taxTotal: money(tax, cur),
    orderTotal: money(grand, cur),
    ...(lifecycle ? { lifecycle } : { lifecycle: 'open' as const }),
    updatedAt: orderStampOf(o),
  };
}

function addressToSc(a: Address | undefined): Record<string, unknown> | undefined {
  if (!a) return undefined;
  return {
    Business: a.company,
    FirstName: a.firstName,
    LastName: a.lastName,
    Country: a.country,
    City: a.city,
    State: a.region,
    ZipCode: a.postalCode,
    Address: a.line1,
    Address2: a.line2,
    Phone: a.phone,
  };
}

/**
 * Create New Sales Order's body. Our order number goes in OrderSourceOrderID, by which the order is
 * found again; the customer is SellerCloud's (its id from the references, else by e-mail and name).
 */
export function orderCreateBody(
  o: SalesOrder,
  s: { companyId: number; channel: number },
  customerId: number | undefined,
): Record<string, unknown> {
  const [first, ...rest] = (o.customerName ?? o.customerNumber).split(' ');
  return {
    CustomerDetails: {
      ...(customerId !== undefined ? { ID: customerId } : {}),
      Email: o.customerEmail,
      FirstName: first,
      LastName: rest.join(' ') || first,
    },
    OrderDetails: {
      CompanyID: s.companyId,
      Channel: s.channel,
      OrderSourceOrderID: o.number,
      OrderDate: `${o.orderDate}T00:00:00Z`,
    },
    Products: o.lines.map((l) => ({
      ProductID: l.sku,
      ProductName: l.description,
      SitePrice: Number(l.unitPrice.amount),
      Qty: Number(l.quantity),
      ...(l.discount ? { DiscountValue: Number(l.discount.amount), DiscountType: 1 } : {}),
      ...(l.tax ? { LineTaxTotal: Number(l.tax.amount) } : {}),
    })),
    ...(o.shippingAddress ? { ShippingAddress: addressToSc(o.shippingAddress) } : {}),
    ...(o.billingAddress ? { BillingAddress: addressToSc(o.billingAddress) } : {}),
  };
}
