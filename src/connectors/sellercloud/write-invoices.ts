import { Decimal } from 'decimal.js';
import { Invoice } from '../../model/index.js';
import type { References, WriteItem, WriteResult } from '../sdk/contract.js';
import { rejected, toErrorData } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import type { SellerCloudClient } from './client.js';
import type { ScNote } from './types.js';

/** The SellerCloud id of an order the canonical record names: through the link table, else as it is. */
export const orderIdOf = (number: string, refs: References | undefined): string =>
  refs?.salesOrder?.[number] ?? number;

/** What starts every note an invoice leaves: how its earlier notes are found again. */
const notePrefix = (number: string) => `Invoice ${number} `;

/**
 * The note a released invoice leaves on its SellerCloud order: the document and its payment state,
 * in one line a person reads on the order's Notes ("Add Order Note", category General).
 */
export function invoiceNote(inv: Invoice): string {
  const kind = inv.type === 'credit_note' ? 'credit note' : (inv.documentType ?? 'invoice').toLowerCase();
  const balance = inv.balance ? new Decimal(inv.balance.amount) : undefined;
  const paid =
    balance === undefined
      ? 'payment not known'
      : balance.isZero()
        ? 'paid in full'
        : `${balance.toFixed(2)} ${inv.currency} unpaid`;
  return `${notePrefix(inv.number)}(${kind}, ${inv.invoiceDate}): ${inv.status}, total ${new Decimal(inv.total.amount).toFixed(2)} ${inv.currency}, ${paid}`;
}

/**
 * A released invoice recorded on the SellerCloud order it bills: a note with its number, status,
 * total and what is unpaid. The order's notes are read first: the same state already noted writes
 * nothing (a retry, a second run); a new state (the invoice paid) adds a note, so the order's notes
 * keep the invoice's history.
 */
export async function writeInvoice(client: SellerCloudClient, item: WriteItem): Promise<WriteResult> {
  const record: HttpExchange[] = [];
  try {
    const inv = Invoice.parse(item.data);
    const order = inv.orderNumbers[0];
    if (!order)
      throw rejected(
        'missing_field',
        `invoice ${inv.number} names no order; SellerCloud keeps an invoice's state on the order it bills`,
      );
    const orderId = orderIdOf(order, item.refs);
    const targetId = `${orderId}:${inv.number}`;
    const { body } = await client.call<ScNote[]>('GET', `orders/notes/${encodeURIComponent(orderId)}`, {
      record,
    });
    const notes = Array.isArray(body) ? body : [];
    const text = invoiceNote(inv);
    if (notes.some((n) => n.Note === text))
      return {
        ref: item.ref,
        ok: true,
        action: 'unchanged',
        targetId,
        reason: `SellerCloud order ${orderId} already notes this state of invoice ${inv.number}`,
        exchanges: record,
      };
    const before = notes.some((n) => n.Note.startsWith(notePrefix(inv.number)));
    await client.call('POST', `orders/${encodeURIComponent(orderId)}/notes`, {
      body: { OrderID: Number(orderId), note: { Category: 0, Message: text } },
      record,
      // A note is added, not set: a lost answer is not sent blindly again (the next run reads first).
      idempotent: false,
    });
    return {
      ref: item.ref,
      ok: true,
      action: before ? 'updated' : 'created',
      targetId,
      reason: `noted on SellerCloud order ${orderId}: ${text}`,
      exchanges: record,
    };
  } catch (e) {
    return {
      ref: item.ref,
      ok: false,
      error: toErrorData(e),
      ...(record.length ? { exchanges: record } : {}),
    };
  }
}
