import { Decimal } from 'decimal.js';
import type { Address, Contact, Customer, Invoice, Product } from '../../model/index.js';
import { linesDisagreeWithHeader, money } from '../../model/index.js';
import { rejected } from '../sdk/errors.js';
import { isoOf, type Row } from './odbc.js';
import { SPECIAL_CODES } from './settings.js';

export interface MapContext {
  defaultCurrency: string;
  homeCountry: string;
}

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : v == null ? '' : String(v));
/**
 * A DOUBLE column read as text (CAST … AS VARCHAR) as a canonical decimal string. A double carries 15
 * significant decimal digits faithfully; a driver that prints all 17 (PostgreSQL, for a value such as
 * 0.1 + 0.2 stored by arithmetic) shows float noise past them, which is cut here (FACTS.md).
 */
export const dec = (v: unknown, fallback = '0'): string => {
  const t = text(v);
  return t === '' ? fallback : new Decimal(t).toSignificantDigits(15, Decimal.ROUND_HALF_UP).toFixed();
};
const flag = (v: unknown): boolean => Number(v) !== 0 && v !== null && v !== undefined && v !== '';

/**
 * A SALES_LEDGER row as the canonical customer: ACCOUNT_REF its number (and id), the five address
 * lines as Sage's forms fill them (street, locality, town, county, postcode), the contact as a
 * contact, the credit limit and the turnover year to date (annualRevenue) as they are.
 */
export function customerFrom(r: Row, ctx: MapContext): Customer {
  const number = text(r.account_ref);
  const addresses: Address[] = [];
  const line1 = text(r.address_1);
  if (line1) {
    const country = text(r.country_code).toUpperCase() || ctx.homeCountry;
    addresses.push({
      kind: 'main',
      line1,
      ...(text(r.address_2) ? { line2: text(r.address_2) } : {}),
      ...(text(r.address_3) ? { city: text(r.address_3) } : {}),
      ...(text(r.address_4) ? { region: text(r.address_4) } : {}),
      ...(text(r.address_5) ? { postalCode: text(r.address_5) } : {}),
      country: country === 'UK' ? 'GB' : country,
    });
  }
  const contacts: Contact[] = [];
  const contact = text(r.contact_name);
  if (contact || text(r.telephone)) {
    const [first, ...last] = contact.split(/\s+/);
    contacts.push({
      isPrimary: true,
      ...(first ? { firstName: first } : {}),
      ...(last.length ? { lastName: last.join(' ') } : {}),
      ...(text(r.e_mail) ? { email: text(r.e_mail) } : {}),
      ...(text(r.telephone) ? { phone: text(r.telephone) } : {}),
    });
  }
  const onHold = flag(r.account_on_hold);
  return {
    number,
    name: text(r.name) || number,
    ...(text(r.e_mail) ? { email: text(r.e_mail) } : {}),
    type: 'B2B',
    status: onHold ? 'on_hold' : 'active',
    onHold,
    creditLimit: money(dec(r.credit_limit), ctx.defaultCurrency),
    annualRevenue: money(dec(r.turnover_ytd), ctx.defaultCurrency),
    currency: ctx.defaultCurrency,
    contacts,
    addresses,
    updatedAt: isoOf(r.modified),
  };
}

/** A STOCK row as the canonical product: the sales price its list price, the last purchase price its cost. */
export function productFrom(r: Row, ctx: MapContext): Product {
  const sku = text(r.stock_code);
  return {
    sku,
    name: text(r.description) || sku,
    status: flag(r.inactive_flag) ? 'inactive' : 'active',
    listPrice: money(dec(r.sales_price), ctx.defaultCurrency),
    standardCost: money(dec(r.last_purchase_price), ctx.defaultCurrency),
    unit: text(r.unit_of_sale) || 'Each',
    stock: [],
    updatedAt: isoOf(r.modified),
  };
}

/**
 * An INVOICE row with its INVOICE_ITEM rows as the canonical invoice. A line on S1/S2/S3 (service
 * codes) or M (a message), or without a stock code, has no product: a write-in line in the CRM, its
 * description (and a message line's text) kept. Items that do not add up to the invoice's totals
 * make it a failed record, saying by how much.
 */
export function invoiceFrom(r: Row, items: readonly Row[], ctx: MapContext): Invoice {
  const number = text(r.invoice_number);
  const cur = ctx.defaultCurrency;
  if (!items.length)
    throw rejected('invalid_data', `invoice ${number}: it has no item lines in INVOICE_ITEM`);
  const credit = /credit/i.test(text(r.invoice_or_credit));
  const lines: Invoice['lines'] = items.map((i, n) => {
    const code = text(i.stock_code);
    const product = code !== '' && !SPECIAL_CODES.has(code);
    const description = text(i.description) || text(i.text) || code;
    return {
      lineNumber: n + 1,
      ...(product ? { sku: code } : {}),
      ...(description ? { description } : {}),
      quantity: dec(i.quantity),
      ...(text(i.unit_of_sale) ? { unit: text(i.unit_of_sale) } : {}),
      unitPrice: money(dec(i.unit_price), cur),
      ...(text(i.tax_code) ? { taxCode: text(i.tax_code) } : {}),
      tax: money(dec(i.tax_amount), cur),
      total: money(dec(i.net_amount), cur),
    };
  });
  const totals = {
    netTotal: money(new Decimal(dec(r.invoice_net)).toFixed(2), cur),
    taxTotal: money(new Decimal(dec(r.invoice_tax)).toFixed(2), cur),
    total: money(new Decimal(dec(r.invoice_gross)).toFixed(2), cur),
  };
  // Sage keeps the items and the totals both; when they disagree the file is damaged (or the invoice
  // has carriage, which is not sent), and the CRM must not get lines saying one amount, a total another.
  const disagree = linesDisagreeWithHeader({ lines, ...totals });
  if (disagree)
    throw rejected(
      'invalid_data',
      `invoice ${number}: ${disagree}. Sage 50's data file may be damaged: run File › Maintenance › Check Data in Sage 50 (carriage on an invoice is not sent either)`,
    );
  const orderNumber = text(r.cust_order_number);
  const date = text(r.invoice_date).slice(0, 10);
  const due = text(r.payment_due_date).slice(0, 10);
  return {
    number,
    type: credit ? 'credit_note' : 'invoice',
    documentType: text(r.invoice_type) || (credit ? 'Credit Note' : 'Invoice'),
    status: 'open',
    invoiceDate: date,
    ...(due ? { dueDate: due } : {}),
    customerNumber: text(r.account_ref),
    ...(text(r.name) ? { customerName: text(r.name) } : {}),
    orderNumbers: orderNumber ? [orderNumber] : [],
    currency: cur,
    lines,
    taxLines: [],
    ...totals,
    updatedAt: isoOf(r.modified),
  };
}
