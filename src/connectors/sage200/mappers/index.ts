import { Decimal } from 'decimal.js';
import type { Address, Contact, Customer, Invoice, Product, SalesOrder } from '../../../model/index.js';
import { decimalToApiNumber, linesDisagreeWithHeader, money } from '../../../model/index.js';
import { rejected } from '../../sdk/errors.js';
import {
  CREDIT_NOTE_TYPE,
  HIDDEN_ACCOUNT,
  type S200Customer,
  type S200InvoiceCreditLineView,
  type S200PostedTransaction,
  type S200Product,
  type S200ProductPriceView,
  type S200SopOrder,
  type S200SopOrderLine,
  STANDARD_LINE,
} from '../types.js';
import { invoiceLinesFrom } from './invoice-lines.js';

/** A JSON number of the API as a canonical decimal string (its shortest form is what Sage sent). */
export const dec = (n: number | string | undefined | null, fallback = '0'): string =>
  n === undefined || n === null || n === '' ? fallback : new Decimal(n).toFixed();

/** A decimal as the JSON number the API takes, refusing what a double cannot carry exactly. */
export const num = (v: Decimal.Value): number => decimalToApiNumber(new Decimal(v).toFixed());

/** The API's date-times are UTC (the spec: "date and time … (UTC)"); one without a zone is read as UTC. */
export function utc(v: string | undefined): string {
  if (!v) return new Date(0).toISOString();
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`).toISOString();
}

const COUNTRY_NAMES: Record<string, string> = {
  'united kingdom': 'GB',
  uk: 'GB',
  'great britain': 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  'northern ireland': 'GB',
  ireland: 'IE',
  'united states': 'US',
  france: 'FR',
  germany: 'DE',
};

export interface MapContext {
  defaultCurrency: string;
  homeCountry: string;
}

function countryOf(a: NonNullable<S200Customer['main_address']>, ctx: MapContext, who: string): string {
  const code = a.address_country_code?.code?.trim();
  if (code && /^[A-Za-z]{2}$/.test(code)) return code.toUpperCase() === 'UK' ? 'GB' : code.toUpperCase();
  const name = a.country?.trim();
  if (!name) return ctx.homeCountry;
  if (/^[A-Za-z]{2}$/.test(name)) return name.toUpperCase() === 'UK' ? 'GB' : name.toUpperCase();
  const known = COUNTRY_NAMES[name.toLowerCase()];
  if (known) return known;
  throw rejected(
    'invalid_data',
    `customer ${who}: the address's country "${name}" is not one we can turn into a two-letter code; choose its country code in Sage 200`,
  );
}

/**
 * A Sage 200 customer as the canonical one: the account reference is its number (and its id here),
 * the credit limit and on-hold flag as they are; the API has no turnover field, so annualRevenue is
 * left out and a flow owning it never blanks the CRM's figure (FACTS.md).
 */
export function customerFrom(c: S200Customer, ctx: MapContext): Customer {
  const number = c.reference;
  const a = c.main_address;
  const addresses: Address[] = [];
  if (a?.address_1?.trim()) {
    const rest = [a.address_2, a.address_3, a.address_4].filter((x) => x?.trim()).join(', ');
    addresses.push({
      kind: 'main',
      line1: a.address_1.trim(),
      ...(rest ? { line2: rest } : {}),
      ...(a.city ? { city: a.city } : {}),
      ...(a.county ? { region: a.county } : {}),
      ...(a.postcode ? { postalCode: a.postcode } : {}),
      country: countryOf(a, ctx, number),
    });
  }
  const contacts: Contact[] = (c.contacts ?? [])
    .filter((x) => x.first_name || x.last_name || x.name || x.default_telephone)
    .map((x) => {
      const [first, ...last] = (x.name ?? '').split(' ');
      const firstName = x.first_name || first;
      const lastName = x.last_name || last.join(' ');
      return {
        isPrimary: x.is_default === true,
        ...(firstName ? { firstName } : {}),
        ...(lastName ? { lastName } : {}),
        ...(x.default_email ? { email: x.default_email } : {}),
        ...(x.default_telephone ? { phone: x.default_telephone } : {}),
      };
    });
  const primary = (c.contacts ?? []).find((x) => x.is_default)?.default_email;
  return {
    number,
    name: c.name?.trim() || number,
    ...(primary ? { email: primary } : {}),
    type: 'B2B',
    status: c.account_status_type === HIDDEN_ACCOUNT ? 'inactive' : c.on_hold ? 'on_hold' : 'active',
    onHold: c.on_hold === true,
    ...(c.credit_limit !== undefined && c.credit_limit !== null
      ? { creditLimit: money(dec(c.credit_limit), ctx.defaultCurrency) }
      : {}),
    currency: ctx.defaultCurrency,
    contacts,
    addresses,
    updatedAt: utc(c.date_time_updated),
  };
}

/**
 * A Sage 200 product as the canonical one: the product code is its SKU (and its id here), the price
 * of the Standard price band its list price (none: 0), the standard cost when the group keeps one,
 * the stock unit of the price view as its unit (else "Each").
 */
export function productFrom(
  p: S200Product,
  price: S200ProductPriceView | undefined,
  ctx: MapContext,
): Product {
  return {
    sku: p.code,
    name: p.name?.trim() || p.code,
    ...(p.description ? { description: p.description } : {}),
    status: p.product_status_type && /inactive|hidden/i.test(p.product_status_type) ? 'inactive' : 'active',
    listPrice: money(dec(price?.product_price_price), ctx.defaultCurrency),
    ...(p.standard_cost !== undefined && p.standard_cost !== null
      ? { standardCost: money(dec(p.standard_cost), ctx.defaultCurrency) }
      : {}),
    unit: price?.product_stock_unit_name?.trim() || 'Each',
    stock: [],
    updatedAt: utc(
      [p.date_time_updated, price?.date_time_updated]
        .filter((x): x is string => !!x)
        .sort()
        .at(-1),
    ),
  };
}

/**
 * A posted sales invoice (or credit note) as the canonical invoice: the posted transaction's totals,
 * and the SOP invoice's lines when it has them (customer_sop_invoice_credit_line_views, FACTS.md) —
 * each with its product, quantity, price, net and Sage's own tax; lines that do not add up to the
 * posted totals make the invoice a failed record, naming both. An invoice without SOP lines (entered in
 * the sales ledger, or a credit note) is one line, its goods value with its tax, described by the
 * second reference (else "Invoice <reference>"), without a product (a write-in on the CRM side).
 */
export function invoiceFrom(
  t: S200PostedTransaction,
  customerReference: string | undefined,
  ctx: MapContext,
  sopLines: readonly S200InvoiceCreditLineView[] = [],
): Invoice {
  const number = t.reference?.trim() || String(t.id);
  if (!customerReference)
    throw rejected(
      'not_found',
      `invoice ${number}: its customer (id ${t.customer_id}) was not returned by Sage 200`,
    );
  const credit = t.trader_transaction_type === CREDIT_NOTE_TYPE;
  const cur = ctx.defaultCurrency;
  // Credit notes are posted as negative values; the canonical document carries positive amounts.
  const abs = (v: number | undefined) => new Decimal(dec(v)).abs();
  const goods = abs(t.document_goods_value);
  const tax = abs(t.document_tax_value);
  const gross = t.document_gross_value !== undefined ? abs(t.document_gross_value) : goods.plus(tax);
  const outstanding = abs(t.document_outstanding_value);
  const totals = {
    netTotal: money(goods.toFixed(2), cur),
    taxTotal: money(tax.toFixed(2), cur),
    total: money(gross.toFixed(2), cur),
  };
  const lines: Invoice['lines'] = sopLines.length
    ? invoiceLinesFrom(sopLines, cur)
    : [
        {
          lineNumber: 1,
          description: t.second_reference?.trim() || `${credit ? 'Credit note' : 'Invoice'} ${number}`,
          quantity: '1',
          unitPrice: money(goods.toFixed(), cur),
          tax: money(tax.toFixed(), cur),
          total: money(goods.toFixed(), cur),
        },
      ];
  const disagree = linesDisagreeWithHeader({ lines, ...totals });
  if (disagree)
    throw rejected(
      'invalid_data',
      `invoice ${number}: ${disagree}. Its SOP invoice lines and its posted transaction in Sage 200 disagree (a line the API's invoice line view does not list, such as an additional charge, or damaged data)`,
    );
  return {
    number,
    type: credit ? 'credit_note' : 'invoice',
    documentType: credit ? 'Credit Note' : 'Invoice',
    status: outstanding.isZero() ? 'paid' : 'open',
    invoiceDate: utc(t.transaction_date).slice(0, 10),
    ...(t.due_date ? { dueDate: utc(t.due_date).slice(0, 10) } : {}),
    customerNumber: customerReference,
    orderNumbers: [],
    currency: cur,
    lines,
    taxLines: [],
    ...totals,
    balance: money(outstanding.toFixed(2), cur),
    updatedAt: utc(t.date_time_updated),
  };
}

/** Sage 200's lengths for what an order carries (SopSalesOrders.json). */
const CUSTOMER_DOCUMENT_NO_MAX = 30;
const CREATED_BY_MAX = 30;
const DESCRIPTION_MAX = 6000;

export interface OrderContext {
  customerId: number;
  warehouseId: number;
  /** Product code → Sage id (the order's products and the default product). */
  productIds: ReadonlyMap<string, number>;
  defaultProduct: string;
}

/**
 * A CRM order as a new SOP order: the customer and products by their Sage ids, the CRM order number
 * as the customer document number (what a retry finds the order by), each line at the order's price
 * (overridden, so the price book does not reprice it) from the configured warehouse. A write-in line
 * is booked on the default product with its own description. document_no is sent empty: the spec
 * requires the field, and Sage numbers the order itself (FACTS.md ⚠); that number goes back to the CRM.
 */
export function orderTo(o: SalesOrder, ctx: OrderContext): S200SopOrder {
  if (o.number.length > CUSTOMER_DOCUMENT_NO_MAX)
    throw rejected(
      'too_large',
      `order ${o.number}: the order number is ${o.number.length} characters and Sage 200's customer document number takes ${CUSTOMER_DOCUMENT_NO_MAX}`,
    );
  const lines: S200SopOrderLine[] = o.lines.map((l) => {
    const qty = new Decimal(l.quantity);
    if (!qty.isPositive() || qty.isZero())
      throw rejected(
        'invalid_data',
        `order ${o.number} line ${l.lineNumber}: quantity ${l.quantity} is not positive; Sage 200 takes returns as SOP returns`,
      );
    const code = l.writeIn ? ctx.defaultProduct : l.sku;
    const productId = ctx.productIds.get(code);
    if (productId === undefined)
      throw rejected(
        l.writeIn ? 'invalid_data' : 'missing_field',
        l.writeIn
          ? `order ${o.number} line ${l.lineNumber}: the default product ${code} (defaultProduct) is not a Sage 200 product`
          : `order ${o.number} line ${l.lineNumber}: product ${code} is not a Sage 200 product`,
      );
    const description = (l.writeIn ? (l.description ?? l.sku) : (l.description ?? l.sku)).slice(
      0,
      DESCRIPTION_MAX,
    );
    return {
      line_type: STANDARD_LINE,
      product_id: productId,
      warehouse_id: ctx.warehouseId,
      code,
      description,
      line_quantity: num(l.quantity),
      selling_unit_price: num(l.unitPrice.amount),
      selling_unit_price_overridden: true,
    };
  });
  return {
    customer_id: ctx.customerId,
    document_no: '',
    document_date: `${o.orderDate}T00:00:00Z`,
    customer_document_no: o.number,
    ...(o.takenBy ? { document_created_by: o.takenBy.slice(0, CREATED_BY_MAX) } : {}),
    lines,
  };
}
