import { Decimal } from 'decimal.js';
import { type EntityName, SalesOrder, taxOfLines } from '../../../model/index.js';
import type { TargetRecord, WriteItem, WriteResult } from '../../sdk/contract.js';
import { configError, rejected, toErrorData } from '../../sdk/errors.js';
import { marks, type OdbcClient } from '../odbc.js';
import type { Sage50Settings } from '../settings.js';
import type { Sage50Writer } from '../write.js';

/** Sage 50's lengths for what a product invoice carries (the ODBC schema). */
const MAX = { order: 60, contact: 30, tel: 30, takenBy: 60, description: 60 };
/** INVOICE_TYPE_CODE of a product invoice (⚠ FACTS.md: 0 in the spec's example, "Product Invoice"). */
export const PRODUCT_INVOICE = { code: 0, name: 'Product Invoice' };

const cut = (v: string | undefined, n: number): string => (v ?? '').slice(0, n);

/**
 * The hosted schema's writer: a CRM order becomes a product invoice in INVOICE / INVOICE_ITEM as SDO's
 * InvoicePost makes it — the next invoice number, INVOICE_TYPE "Product Invoice", not yet posted to
 * the ledgers (POSTED_CODE 0), the CRM order number in CUST_ORDER_NUMBER, its contact, telephone and
 * owner in CONTACT_NAME, CUST_TEL_NUMBER and TAKEN_BY, each line's net to the penny and its VAT per
 * line at the standard rate (Sage's rounding, taxOfLines 'line'), totals the sums of the lines. A line
 * without a product (a write-in) is booked on the default product with its own description.
 */
export class HostedWriter implements Sage50Writer {
  constructor(
    private readonly db: OdbcClient,
    private readonly s: Sage50Settings,
  ) {}

  async lookup(entity: EntityName, keys: readonly string[]): Promise<Map<string, TargetRecord>> {
    only(entity);
    const out = new Map<string, TargetRecord>();
    for (let i = 0; i < keys.length; i += 50) {
      const chunk = keys.slice(i, i + 50);
      const rows = await this.db.query(
        `SELECT INVOICE_NUMBER AS n, CUST_ORDER_NUMBER AS o FROM INVOICE
         WHERE RECORD_DELETED = 0 AND CUST_ORDER_NUMBER IN (${marks(chunk.length)}) ORDER BY INVOICE_NUMBER`,
        chunk,
      );
      for (const r of rows) if (!out.has(String(r.o))) out.set(String(r.o), { id: String(r.n) });
    }
    return out;
  }

  async write(entity: EntityName, items: readonly WriteItem[]): Promise<WriteResult[]> {
    only(entity);
    const results: WriteResult[] = [];
    for (const item of items) {
      if (item.action === 'update') {
        results.push({
          ref: item.ref,
          ok: true,
          action: 'skipped',
          ...(item.targetId ? { targetId: item.targetId } : {}),
          reason: 'an invoice made from a CRM order is never changed from here',
        });
        continue;
      }
      const parsed = SalesOrder.safeParse(item.data);
      if (!parsed.success) {
        results.push({
          ref: item.ref,
          ok: false,
          error: { code: 'invalid_data', category: 'rejected', message: parsed.error.message },
        });
        continue;
      }
      try {
        const n = await this.invoice(parsed.data);
        results.push({
          ref: item.ref,
          ok: true,
          action: 'created',
          targetId: String(n),
          targetNumber: String(n),
        });
      } catch (e) {
        const error = toErrorData(e);
        if (error.category === 'config') throw e;
        results.push({ ref: item.ref, ok: false, error });
      }
    }
    return results;
  }

  /** One order as one product invoice, in one transaction; returns its number. */
  private async invoice(o: SalesOrder): Promise<number> {
    if (o.number.length > MAX.order)
      throw rejected(
        'too_large',
        `order ${o.number}: the order number is ${o.number.length} characters and Sage 50's CUST_ORDER_NUMBER takes ${MAX.order}`,
      );
    const customer = (
      await this.db.query(
        `SELECT NAME AS name, ADDRESS_1 AS a1, ADDRESS_2 AS a2, ADDRESS_3 AS a3, ADDRESS_4 AS a4, ADDRESS_5 AS a5
         FROM SALES_LEDGER WHERE ACCOUNT_REF = ?`,
        [o.customerNumber],
      )
    )[0];
    if (!customer)
      throw rejected(
        'missing_field',
        `order ${o.number}: customer ${o.customerNumber} is not a Sage 50 account`,
      );
    const codes = [...new Set(o.lines.map((l) => (l.writeIn ? this.s.defaultProduct : l.sku)))];
    const stock = new Map(
      (
        await this.db.query(
          `SELECT STOCK_CODE AS code, UNIT_OF_SALE AS unit, NOMINAL_CODE AS nominal FROM STOCK WHERE STOCK_CODE IN (${marks(codes.length)})`,
          codes,
        )
      ).map((r) => [String(r.code).trim(), r]),
    );
    const lines = o.lines.map((l) => {
      const code = l.writeIn ? this.s.defaultProduct : l.sku;
      const row = stock.get(code);
      if (!row)
        throw rejected(
          'missing_field',
          l.writeIn
            ? `order ${o.number} line ${l.lineNumber}: the default product ${code} (sage.defaultproduct) is not a Sage 50 stock code`
            : `order ${o.number} line ${l.lineNumber}: product ${code} is not a Sage 50 stock code`,
        );
      const qty = new Decimal(l.quantity);
      if (qty.lte(0))
        throw rejected(
          'invalid_data',
          `order ${o.number} line ${l.lineNumber}: quantity ${l.quantity} is not positive`,
        );
      const price = new Decimal(l.unitPrice.amount);
      return {
        code,
        description: cut(l.description ?? l.sku, MAX.description),
        unit: String(row.unit ?? 'Each'),
        nominal: String(row.nominal ?? ''),
        qty,
        price,
        net: qty.times(price).toDecimalPlaces(2, Decimal.ROUND_HALF_UP),
      };
    });
    const tax = taxOfLines(
      lines.map((l) => l.net),
      this.s.taxRate,
      'line',
    );
    const net = lines.reduce((a, l) => a.plus(l.net), new Decimal(0));
    const gross = net.plus(tax.total);
    return this.db.transaction(async (q) => {
      const top = await q('SELECT MAX(INVOICE_NUMBER) AS n FROM INVOICE');
      const number = (Number(top[0]?.n ?? 0) || 0) + 1;
      const today = new Date().toISOString();
      const ts = `{ts '${today.slice(0, 19).replace('T', ' ')}'}`;
      await q(
        `INSERT INTO INVOICE (INVOICE_NUMBER, INVOICE_TYPE_CODE, INVOICE_TYPE, INVOICE_OR_CREDIT, INVOICE_DATE,
          ACCOUNT_REF, NAME, ADDRESS_1, ADDRESS_2, ADDRESS_3, ADDRESS_4, ADDRESS_5, CONTACT_NAME, TAKEN_BY,
          CUST_ORDER_NUMBER, CUST_TEL_NUMBER, ITEMS_NET, ITEMS_TAX, ITEMS_GROSS, INVOICE_NET, INVOICE_TAX,
          INVOICE_GROSS, TAX_RATE_1, NET_AMOUNT_1, TAX_AMOUNT_1, GLOBAL_TAX_CODE, POSTED_CODE,
          RECORD_CREATE_DATE, RECORD_MODIFY_DATE, RECORD_DELETED)
         VALUES (${marks(27)}, ${ts}, ${ts}, 0)`,
        [
          number,
          PRODUCT_INVOICE.code,
          PRODUCT_INVOICE.name,
          'Invoice',
          o.orderDate,
          o.customerNumber,
          String(customer.name ?? ''),
          ...['a1', 'a2', 'a3', 'a4', 'a5'].map((k) => String(customer[k] ?? '')),
          cut(o.contactName, MAX.contact),
          cut(o.takenBy, MAX.takenBy),
          o.number,
          cut(o.contactPhone, MAX.tel),
          net.toFixed(2),
          tax.total,
          gross.toFixed(2),
          net.toFixed(2),
          tax.total,
          gross.toFixed(2),
          this.s.taxRate,
          net.toFixed(2),
          tax.total,
          this.s.taxCode,
          0,
        ],
      );
      for (const [i, l] of lines.entries())
        await q(
          `INSERT INTO INVOICE_ITEM (INVOICE_NUMBER, ITEM_NUMBER, ITEMID, STOCK_CODE, DESCRIPTION, UNIT_OF_SALE,
            QUANTITY, UNIT_PRICE, DISCOUNT_AMOUNT, NOMINAL_CODE, TAX_CODE, TAX_RATE, NET_AMOUNT, TAX_AMOUNT,
            GROSS_AMOUNT, RECORD_CREATE_DATE, RECORD_MODIFY_DATE, RECORD_DELETED)
           VALUES (${marks(15)}, ${ts}, ${ts}, 0)`,
          [
            number,
            i + 1,
            i + 1,
            l.code,
            l.description,
            l.unit,
            l.qty.toFixed(),
            l.price.toFixed(),
            '0',
            l.nominal,
            this.s.taxCode,
            this.s.taxRate,
            l.net.toFixed(2),
            tax.lines[i]!,
            l.net.plus(tax.lines[i]!).toFixed(2),
          ],
        );
      return number;
    });
  }
}

function only(entity: EntityName): void {
  if (entity !== 'salesOrder')
    throw configError(`Sage 50 is not written for ${entity}; it takes CRM orders as product invoices`);
}
