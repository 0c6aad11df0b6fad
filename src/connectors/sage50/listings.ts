import { Decimal } from 'decimal.js';
import { money } from '../../model/index.js';
import type { ListedRow, ReadQuery } from '../sdk/contract.js';
import { configError } from '../sdk/errors.js';
import type { Listing } from '../sdk/manifest.js';
import { SALES_TYPES } from './audit.js';
import { dec } from './mappers.js';
import { asText, marks, type OdbcClient, type Row, tsLiteral } from './odbc.js';
import type { Sage50Settings } from './settings.js';

/** The search box of both lists: the SYNC Uploader searches invoice items and transactions by account (§6). */
const BY_ACCOUNT = {
  name: 'search',
  title: 'Filter by A/C starting with',
  kind: 'text',
  field: 'A/C',
} as const;
const DATES = { name: 'dates', title: 'Last modified between', kind: 'dates' } as const;

/**
 * The Sage View's two lists beside customers, products and invoices (the SYNC Uploader, §6): the lines
 * of posted invoices, and the audit trail's transactions. "The selected records (except for invoice
 * items) can be uploaded": an invoice item is view-only (its invoice is uploaded from Invoices); a
 * transaction uploads its customer and, for an invoice (SI), the invoice with its lines and products.
 */
export const SAGE50_LISTINGS: readonly Listing[] = [
  {
    name: 'invoiceItems',
    title: 'Invoice Items',
    filters: [DATES, BY_ACCOUNT],
    columns: [
      { name: 'invoice', title: 'Inv. No.', path: 'invoice', type: 'text' },
      { name: 'account', title: 'A/C', path: 'account', type: 'text' },
      { name: 'item', title: 'Item', path: 'item', type: 'text' },
      { name: 'stockCode', title: 'Product code', path: 'stockCode', type: 'text' },
      { name: 'description', title: 'Description', path: 'description', type: 'text' },
      { name: 'quantity', title: 'Quantity', path: 'quantity', type: 'text' },
      { name: 'unitPrice', title: 'Price', path: 'unitPrice', type: 'money' },
      { name: 'net', title: 'Net', path: 'net', type: 'money' },
      { name: 'taxCode', title: 'T/C', path: 'taxCode', type: 'text' },
      { name: 'tax', title: 'V.A.T.', path: 'tax', type: 'money' },
    ],
    viewOnly:
      'Invoice items are view-only, as in the SYNC Uploader (§6: "except for invoice items"): upload their invoice from Invoices, which brings every line with it.',
  },
  {
    name: 'transactions',
    title: 'Transactions',
    filters: [DATES, BY_ACCOUNT],
    columns: [
      { name: 'tran', title: 'No.', path: 'tran', type: 'text' },
      { name: 'type', title: 'Type', path: 'type', type: 'text' },
      { name: 'account', title: 'A/C', path: 'account', type: 'text' },
      { name: 'date', title: 'Date', path: 'date', type: 'date' },
      { name: 'ref', title: 'Ref', path: 'ref', type: 'text' },
      { name: 'details', title: 'Details', path: 'details', type: 'text' },
      { name: 'net', title: 'Net', path: 'net', type: 'money' },
      { name: 'tax', title: 'Tax', path: 'tax', type: 'money' },
      { name: 'gross', title: 'Gross', path: 'gross', type: 'money' },
    ],
    uploads: ['customer', 'invoice'],
  },
];

const text = (v: unknown): string => (v == null ? '' : String(v).trim());
const IN_CHUNK = 50;

/**
 * Reads the two lists over ODBC with the statements the reader keeps to (no JOIN, no LIMIT): the
 * posted invoices whose account starts with the text, then their items by `IN (…)`; the audit
 * trail's headers (AUDIT_HEADER, not deleted), whose amounts are the sums of their splits.
 */
export class Lister {
  constructor(
    private readonly db: OdbcClient,
    private readonly s: Sage50Settings,
  ) {}

  async *list(listing: string, q: ReadQuery): AsyncIterable<ListedRow[]> {
    let prefix: string | undefined;
    for (const [name, values] of Object.entries(q.filters ?? {})) {
      if (name !== 'search')
        throw configError(`Sage 50 has no "${name}" filter for ${listing}; use dates or search`);
      prefix = values
        .map((v) => v.trim())
        .find(Boolean)
        ?.toUpperCase();
    }
    const where = [
      prefix === undefined ? undefined : 'ACCOUNT_REF LIKE ?',
      q.since ? `RECORD_MODIFY_DATE >= ${tsLiteral(q.since)}` : undefined,
      q.until ? `RECORD_MODIFY_DATE <= ${tsLiteral(q.until)}` : undefined,
    ].filter(Boolean);
    const params = prefix === undefined ? [] : [`${prefix}%`];
    // LIKE's wildcards typed (% _) widen the match: the rows are narrowed again here (FACTS.md).
    const keep = (rows: Row[]) =>
      prefix === undefined ? rows : rows.filter((r) => text(r.account_ref).toUpperCase().startsWith(prefix));
    const size = Math.min(q.pageSize ?? this.s.pageSize, this.s.pageSize);
    if (listing === 'invoiceItems') {
      const sql = `SELECT INVOICE_NUMBER AS invoice_number, ACCOUNT_REF AS account_ref FROM INVOICE
        WHERE ${['POSTED_CODE = 1 AND RECORD_DELETED = 0', ...where].join(' AND ')} ORDER BY INVOICE_NUMBER`;
      for await (const rows of this.db.pages(sql, params, size)) yield await this.items(keep(rows));
      return;
    }
    if (listing === 'transactions') {
      const sql = `SELECT TRAN_NUMBER AS tran_number, TYPE AS type, CAST("DATE" AS VARCHAR(30)) AS tran_date,
        ACCOUNT_REF AS account_ref, INV_REF AS inv_ref, DETAILS AS details, ${asText('NET_AMOUNT', 'net')},
        ${asText('TAX_AMOUNT', 'tax')}, ${asText('GROSS_AMOUNT', 'gross')} FROM AUDIT_HEADER
        WHERE ${['DELETED_FLAG = 0', ...where].join(' AND ')} ORDER BY TRAN_NUMBER`;
      for await (const rows of this.db.pages(sql, params, size))
        yield keep(rows).map((r) => this.transaction(r));
      return;
    }
    throw configError(
      `Sage 50 has no list "${listing}"; it lists ${SAGE50_LISTINGS.map((l) => l.name).join(', ')}`,
    );
  }

  private money(v: unknown, places?: number) {
    const d = new Decimal(dec(v));
    return money(places === undefined ? d.toFixed() : d.toFixed(places), this.s.defaultCurrency);
  }

  /** The lines of these invoices, in invoice and item order. */
  private async items(invoices: Row[]): Promise<ListedRow[]> {
    const account = new Map(invoices.map((r) => [Number(r.invoice_number), text(r.account_ref)]));
    const numbers = [...account.keys()];
    const out: ListedRow[] = [];
    for (let i = 0; i < numbers.length; i += IN_CHUNK) {
      const chunk = numbers.slice(i, i + IN_CHUNK);
      const rows = await this.db.query(
        `SELECT INVOICE_NUMBER AS invoice_number, ITEM_NUMBER AS item_number, STOCK_CODE AS stock_code,
          DESCRIPTION AS description, ${asText('QUANTITY', 'quantity')}, ${asText('UNIT_PRICE', 'unit_price')},
          ${asText('NET_AMOUNT', 'net_amount')}, TAX_CODE AS tax_code, ${asText('TAX_AMOUNT', 'tax_amount')}
          FROM INVOICE_ITEM WHERE RECORD_DELETED = 0 AND INVOICE_NUMBER IN (${marks(chunk.length)})
          ORDER BY INVOICE_NUMBER, ITEM_NUMBER`,
        chunk,
      );
      for (const r of rows) {
        const invoice = text(r.invoice_number);
        out.push({
          id: `${invoice}/${text(r.item_number)}`,
          columns: {
            invoice,
            account: account.get(Number(r.invoice_number)) ?? null,
            item: text(r.item_number),
            stockCode: text(r.stock_code),
            description: text(r.description),
            quantity: dec(r.quantity),
            unitPrice: this.money(r.unit_price, 2),
            net: this.money(r.net_amount, 2),
            taxCode: text(r.tax_code),
            tax: this.money(r.tax_amount, 2),
          },
        });
      }
    }
    return out;
  }

  /**
   * A transaction, and what uploading it brings: a sales transaction its customer, an invoice (SI)
   * also the invoice (which brings its lines and products). Credit notes and other transactions are
   * not uploaded (§3.1.3), nor are purchase, bank and journal ones anyone's customer.
   */
  private transaction(r: Row): ListedRow {
    const type = text(r.type);
    const account = text(r.account_ref);
    const ref = text(r.inv_ref);
    const uploads: ListedRow['uploads'] = {};
    let note: string | undefined;
    if (SALES_TYPES.includes(type) && account) {
      uploads.customer = [account];
      if (type === 'SI' && /^\d+$/.test(ref)) uploads.invoice = [ref];
      else note = type === 'SC' ? 'a credit note: only its customer is uploaded' : undefined;
    } else note = 'not a sales transaction: nothing to upload';
    return {
      id: text(r.tran_number),
      columns: {
        tran: text(r.tran_number),
        type,
        account,
        date: text(r.tran_date).slice(0, 10),
        ref,
        details: text(r.details),
        net: this.money(r.net, 2),
        tax: this.money(r.tax, 2),
        gross: this.money(r.gross, 2),
      },
      ...(Object.keys(uploads).length ? { uploads } : {}),
      ...(note ? { note } : {}),
    };
  }
}
