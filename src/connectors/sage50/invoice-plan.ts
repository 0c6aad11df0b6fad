import { Decimal } from 'decimal.js';
import { type EntityName, type SalesOrder, taxOfLines } from '../../model/index.js';
import type { TargetRecord, WriteItem, WriteResult } from '../sdk/contract.js';
import { ordersToCreate } from '../sdk/created-only.js';
import { configError, rejected, toErrorData } from '../sdk/errors.js';
import { marks, type OdbcClient } from './odbc.js';
import type { Sage50Settings } from './settings.js';

/** Sage 50's lengths for what a product invoice carries (the ODBC schema). */
export const MAX = { order: 60, contact: 30, tel: 30, takenBy: 60, description: 60 };
/** INVOICE_TYPE_CODE of a product invoice (⚠ FACTS.md: 0 in the spec's example, "Product Invoice"). */
export const PRODUCT_INVOICE = { code: 0, name: 'Product Invoice' };

export const cut = (v: string | undefined, n: number): string => (v ?? '').slice(0, n);

export interface PlannedLine {
  code: string;
  description: string;
  unit: string;
  nominal: string;
  qty: Decimal;
  price: Decimal;
  net: Decimal;
  /** VAT of the line, as Sage computes it: per line, to the penny. */
  tax: string;
}

/** A CRM order as the product invoice Sage 50 makes of it, every figure worked out before writing. */
export interface InvoicePlan {
  order: SalesOrder;
  customer: { name: string; address: [string, string, string, string, string] };
  lines: PlannedLine[];
  net: Decimal;
  tax: string;
  gross: Decimal;
  /** The department named as the order's owner, when Sage has one of that name (else Sage's default). */
  department?: { number: number; name: string };
}

/**
 * What either writer (Sage Data Objects on the Sage machine, the hosted schema's in tests) writes
 * for an order, checked against the data file first: the account exists, every product does (a
 * write-in line goes on the default product), quantities are positive, the order number fits
 * CUST_ORDER_NUMBER; each line's net to the penny and its VAT per line at the standard rate (Sage's
 * rounding, taxOfLines 'line'); totals the sums of the lines; the owner's department when Sage has
 * one of that name. A problem is the record's failure, with its reason.
 */
export async function planInvoice(db: OdbcClient, s: Sage50Settings, o: SalesOrder): Promise<InvoicePlan> {
  if (o.number.length > MAX.order)
    throw rejected(
      'too_large',
      `order ${o.number}: the order number is ${o.number.length} characters and Sage 50's CUST_ORDER_NUMBER takes ${MAX.order}`,
    );
  const customer = (
    await db.query(
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
  const codes = [...new Set(o.lines.map((l) => (l.writeIn ? s.defaultProduct : l.sku)))];
  const stock = new Map(
    (
      await db.query(
        `SELECT STOCK_CODE AS code, UNIT_OF_SALE AS unit, NOMINAL_CODE AS nominal FROM STOCK WHERE STOCK_CODE IN (${marks(codes.length)})`,
        codes,
      )
    ).map((r) => [String(r.code).trim(), r]),
  );
  const lines = o.lines.map((l) => {
    const code = l.writeIn ? s.defaultProduct : l.sku;
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
    s.taxRate,
    'line',
  );
  const net = lines.reduce((a, l) => a.plus(l.net), new Decimal(0));
  const str = (v: unknown) => String(v ?? '');
  // "The Department is specified as the owner name and will only be set if the appropriate
  // department is entered in the accounting package" (the manual, §5).
  const owner = o.takenBy?.trim();
  const dept = owner
    ? (
        await db.query(
          'SELECT NUMBER AS n, NAME AS name FROM DEPARTMENT WHERE NAME = ? AND (RECORD_DELETED IS NULL OR RECORD_DELETED = 0)',
          [owner],
        )
      )[0]
    : undefined;
  return {
    order: o,
    customer: {
      name: str(customer.name),
      address: [str(customer.a1), str(customer.a2), str(customer.a3), str(customer.a4), str(customer.a5)],
    },
    lines: lines.map((l, i) => ({ ...l, tax: tax.lines[i]! })),
    net,
    tax: tax.total,
    gross: net.plus(tax.total),
    ...(dept ? { department: { number: Number(dept.n), name: str(dept.name) } } : {}),
  };
}

/** Invoices already made from these CRM order numbers (CUST_ORDER_NUMBER), read through ODBC. */
export async function invoicesForOrders(
  db: OdbcClient,
  keys: readonly string[],
): Promise<Map<string, TargetRecord>> {
  const out = new Map<string, TargetRecord>();
  for (let i = 0; i < keys.length; i += 50) {
    const chunk = keys.slice(i, i + 50);
    const rows = await db.query(
      `SELECT INVOICE_NUMBER AS n, CUST_ORDER_NUMBER AS o FROM INVOICE
       WHERE RECORD_DELETED = 0 AND CUST_ORDER_NUMBER IN (${marks(chunk.length)}) ORDER BY INVOICE_NUMBER`,
      chunk,
    );
    for (const r of rows) if (!out.has(String(r.o))) out.set(String(r.o), { id: String(r.n) });
  }
  return out;
}

export function onlyOrders(entity: EntityName): void {
  if (entity !== 'salesOrder')
    throw configError(`Sage 50 is not written for ${entity}; it takes CRM orders as product invoices`);
}

/**
 * Each CRM order as a product invoice, created only (an invoice made from an order is never changed
 * from here), through `post`, which writes a plan and answers the invoice number. A record's problem
 * is its failure; a configuration problem stops the run.
 */
export async function writeOrders(
  db: OdbcClient,
  s: Sage50Settings,
  entity: EntityName,
  items: readonly WriteItem[],
  post: (plan: InvoicePlan) => Promise<number>,
): Promise<WriteResult[]> {
  onlyOrders(entity);
  const { results, creates } = ordersToCreate(items, 'an invoice');
  for (const { item, order } of creates) {
    try {
      const n = await post(await planInvoice(db, s, order));
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
