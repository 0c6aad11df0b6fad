import type { SourceItem } from '../sdk/contract.js';
import { toErrorData } from '../sdk/errors.js';
import type { MagentoClient } from './client.js';
import { decimalFrom, updatedAtFrom } from './mappers/values.js';
import { chunks, KEYS_PER_SEARCH, search } from './paging.js';
import type { MagentoInvoice } from './sales-types.js';
import { anyOf } from './search-criteria.js';
import { INVOICES_PATH } from './write-invoices.js';

const ERP_INVOICE = /^ERP invoice (.+)$/;

/**
 * Magento invoices by entity id, as far as Magento shows an ERP invoice: its number (from the ERP
 * comment), currency, date, item lines (SKU, quantity, price, row total, tax) and totals. Partial
 * on purpose — a reconciliation compares only what both sides show. Lines of quantity 0 (items
 * of the order this invoice does not cover) are left out.
 */
export async function readInvoices(client: MagentoClient, ids: readonly string[]): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  const wanted = ids.filter((id) => /^\d+$/.test(id));
  for (const chunk of chunks(wanted, KEYS_PER_SEARCH)) {
    const r = await search<MagentoInvoice>(client, INVOICES_PATH, {
      groups: [anyOf('entity_id', chunk)],
      pageSize: chunk.length,
      currentPage: 1,
    });
    for (const inv of r.items) out.push(invoiceItem(inv));
  }
  return out;
}

function invoiceItem(inv: MagentoInvoice): SourceItem {
  const id = String(inv.entity_id);
  const updatedAt = updatedAtFrom(inv.updated_at ?? inv.created_at, `Magento invoice ${id}`);
  try {
    const currency = inv.order_currency_code ?? inv.base_currency_code ?? 'USD';
    const money = (v: unknown, what: string) => {
      const amount = decimalFrom(v, what);
      return amount === undefined ? undefined : { amount, currency };
    };
    const number = (inv.comments ?? [])
      .map((c) => ERP_INVOICE.exec(c.comment.trim())?.[1])
      .find((n): n is string => !!n);
    const lines = inv.items
      .filter((it) => Number(it.qty) > 0)
      .map((it, i) => {
        const unitPrice = money(it.price, `invoice ${id} price`);
        const total = money(it.row_total, `invoice ${id} row total`);
        return {
          lineNumber: i + 1,
          sku: it.sku,
          quantity: decimalFrom(it.qty, `invoice ${id} quantity`) ?? '0',
          ...(unitPrice ? { unitPrice } : {}),
          ...(total ? { total } : {}),
        };
      });
    const total = money(inv.grand_total, `invoice ${id} grand total`);
    const taxTotal = money(inv.tax_amount, `invoice ${id} tax`);
    const data: Record<string, unknown> = {
      ...(number ? { number } : {}),
      ...(inv.increment_id ? { externalNumber: inv.increment_id } : {}),
      currency,
      ...(inv.created_at
        ? { invoiceDate: updatedAtFrom(inv.created_at, `Magento invoice ${id}`).slice(0, 10) }
        : {}),
      lines,
      ...(total ? { total } : {}),
      ...(taxTotal ? { taxTotal } : {}),
      updatedAt,
    };
    return { id, updatedAt, data };
  } catch (e) {
    return { id, updatedAt, error: toErrorData(e) };
  }
}
