import { Decimal } from 'decimal.js';
import { Customer, type EntityName, Invoice, Payment, StockCount, StockTransfer } from '../../model/index.js';
import type { TargetRecord, WriteItem, WriteResult } from '../sdk/contract.js';
import { configError, type ErrorData, isLedgerlinkError, toErrorData } from '../sdk/errors.js';
import { bulkSave, failed, type Prepared } from './bulk.js';
import type { AccurateClient } from './client.js';
import { toAccurateDate, wibDate } from './dates.js';
import { asTarget, FINDERS, findByNumber } from './lookup.js';
import { customerTo } from './mappers/customer.js';
import { PAYMENT_METHODS, salesInvoiceTo, salesReceiptTo, salesReturnTo } from './mappers/sales.js';
import { sourceId, transferTo } from './mappers/stock.js';
import { stockCountTo } from './mappers/stock-count.js';
import type { AccurateSettings } from './settings.js';
import { text } from './types.js';

const rejected = (message: string, code: ErrorData['code'] = 'invalid_data'): ErrorData => ({
  code,
  category: 'rejected',
  message,
});

/** What each canonical entity becomes in Accurate, by its natural key's prefix. */
const DOC_OF_KEY: Record<string, keyof typeof FINDERS> = {
  item: 'item',
  invoice: 'sales-invoice',
  return: 'sales-return',
  payment: 'sales-receipt',
  transfer: 'item-transfer',
  count: 'item-adjustment',
};

const numberOf = (data: unknown): string | undefined => text((data as { number?: unknown })?.number);

/**
 * Writes customers (created or updated), and sales, refunds, payments, transfers and stock takes
 * (created only: a document made from a sale is never changed from here; an update is skipped)
 * through bulk-save, 100 records a call. Each natural key is the record's number in Accurate, so a
 * write retried after a lost answer finds the first one instead of making a second.
 */
export class Writer {
  constructor(
    private readonly client: AccurateClient,
    private readonly s: AccurateSettings,
  ) {}

  /** Whether a customer is written with its own number (the seed's "Use Id … as the mapping"). */
  private customerNoOf(c: { number?: string; internalNumber?: boolean }): string | undefined {
    // An internal id of the source is no customer number: Accurate numbers that customer (the seed).
    return this.s.customerNumbers === 'record' && !c.internalNumber ? text(c.number) : undefined;
  }

  naturalKey(entity: EntityName, data: unknown): string | undefined {
    const n = numberOf(data);
    switch (entity) {
      case 'customer': {
        const c = data as { number?: string; internalNumber?: boolean; email?: string; name?: string };
        const no = this.customerNoOf(c);
        if (no) return `no:${no}`;
        // Numbered by Accurate: found again by e-mail, else by name (FACTS.md: keyword search).
        if (text(c.email)) return `email:${text(c.email)}`;
        return text(c.name) ? `name:${text(c.name)}` : undefined;
      }
      case 'product': {
        const sku = text((data as { sku?: unknown }).sku);
        return sku && `item:${sku}`;
      }
      case 'invoice':
        return n && `${(data as { type?: string }).type === 'credit_note' ? 'return' : 'invoice'}:${n}`;
      case 'payment':
        return n && `payment:${n}`;
      case 'stockTransfer':
        return n && `transfer:${n}`;
      case 'stockCount':
        return n && `count:${n}`;
      default:
        return undefined;
    }
  }

  async lookup(entity: EntityName, keys: readonly string[]): Promise<Map<string, TargetRecord>> {
    const out = new Map<string, TargetRecord>();
    const byPrefix = new Map<string, string[]>();
    for (const k of keys) {
      const at = k.indexOf(':');
      const prefix = k.slice(0, at);
      byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), k.slice(at + 1)]);
    }
    for (const [prefix, values] of byPrefix) {
      if (entity === 'customer') {
        if (prefix === 'no') {
          const rows = await findByNumber(this.client, FINDERS.customer, values);
          for (const [no, row] of rows) out.set(`no:${no}`, asTarget(no, row));
        } else {
          // A keyword search per value, the exact e-mail or name kept.
          const field = prefix === 'email' ? 'email' : 'name';
          for (const v of values) {
            const q = new URLSearchParams({ fields: FINDERS.customer.fields, keywords: v });
            for await (const rows of this.client.pages<Record<string, unknown>>('customer', q, 100))
              for (const r of rows)
                if (
                  text(r[field])?.toLowerCase() === v.toLowerCase() &&
                  text(r.customerNo) &&
                  !out.has(`${prefix}:${v}`)
                )
                  out.set(`${prefix}:${v}`, asTarget(text(r.customerNo)!, r));
          }
        }
        continue;
      }
      const doc = DOC_OF_KEY[prefix];
      if (!doc) continue;
      const rows = await findByNumber(this.client, FINDERS[doc], values);
      for (const [n, row] of rows) out.set(`${prefix}:${n}`, asTarget(targetIdOf(doc, row.id), row));
    }
    return out;
  }

  async write(entity: EntityName, items: readonly WriteItem[]): Promise<WriteResult[]> {
    if (entity === 'customer') return this.customers(items);
    if (!['invoice', 'payment', 'stockTransfer', 'stockCount'].includes(entity))
      throw configError(
        `Accurate is not written for ${entity}; it takes customers, invoices, payments, stock transfers and stock counts`,
      );
    const results: WriteResult[] = [];
    const byDoc = new Map<string, Prepared[]>();
    for (const item of items) {
      if (item.action === 'update') {
        results.push({
          ref: item.ref,
          ok: true,
          action: 'skipped',
          ...(item.targetId ? { targetId: item.targetId } : {}),
          reason: 'a document written to Accurate is never changed from here',
        });
        continue;
      }
      try {
        const p = await this.prepare(entity, item);
        if ('ok' in p) results.push(p);
        else byDoc.set(p.doc, [...(byDoc.get(p.doc) ?? []), p.prepared]);
      } catch (e) {
        // A mapping's refusal is the record's; the API's errors keep their class.
        if (!isLedgerlinkError(e)) results.push(failed(item.ref, rejected((e as Error).message)));
        else if (e.category === 'config') throw e;
        else results.push(failed(item.ref, toErrorData(e)));
      }
    }
    for (const [doc, prepared] of byDoc) results.push(...(await bulkSave(this.client, doc, prepared)));
    return results;
  }

  private warehouse = (w: string) => this.s.warehouseMap[w] ?? w;
  private branch = (accWarehouse?: string) =>
    (accWarehouse && this.s.branchByWarehouse[accWarehouse]) || this.s.branch;

  private async prepare(
    entity: EntityName,
    item: WriteItem,
  ): Promise<WriteResult | { doc: string; prepared: Prepared }> {
    const byId = (r: { id?: number }) => (r.id !== undefined ? String(r.id) : undefined);
    const byNumber = (r: { number?: string }) => r.number;
    if (entity === 'invoice') {
      const parsed = Invoice.safeParse(item.data);
      if (!parsed.success) return failed(item.ref, rejected(parsed.error.message));
      const inv = parsed.data;
      const warehouse = inv.warehouse ? this.warehouse(inv.warehouse) : undefined;
      const branch = this.branch(warehouse);
      const o = {
        customerNo: item.refs?.customer?.[inv.customerNumber] ?? inv.customerNumber,
        ...(warehouse ? { warehouse } : {}),
        ...(branch ? { branch } : {}),
        ...(this.s.taxName ? { taxName: this.s.taxName } : {}),
        ...(this.s.roundingAccountNo ? { roundingAccountNo: this.s.roundingAccountNo } : {}),
      };
      const doc = inv.type === 'credit_note' ? 'sales-return' : 'sales-invoice';
      const body = inv.type === 'credit_note' ? salesReturnTo(inv, o) : salesInvoiceTo(inv, o);
      return {
        doc,
        prepared: {
          item,
          body,
          action: 'created',
          targetId: byId,
          targetNumber: byNumber,
          check: (r) =>
            [roundingNote(inv, this.s), totalsDiffer(inv, r)].filter(Boolean).join('; ') || undefined,
        },
      };
    }
    if (entity === 'payment') {
      const parsed = Payment.safeParse(item.data);
      if (!parsed.success) return failed(item.ref, rejected(parsed.error.message));
      const p = parsed.data;
      // Money given back at the till is in the sales return it belongs to (FACTS.md, decision): a
      // sales receipt pays invoices only (spec), and the return against the paid sale settles it.
      if (p.type === 'refund')
        return {
          ref: item.ref,
          ok: true,
          action: 'skipped',
          reason: `refund ${p.number} (${p.amount.amount} ${p.amount.currency}) is settled by its sales return ${p.applications[0]?.documentNumber ?? ''} in Accurate; no receipt is written for money given back`,
        };
      const method = p.paymentMethod ?? '';
      const bankNo = this.s.bankByPaymentMethod[method] ?? this.s.defaultBankNo;
      if (!bankNo)
        return failed(
          item.ref,
          rejected(
            `payment method "${method}" has no Accurate cash/bank account: add it to bankByPaymentMethod or set defaultBankNo`,
            'unmapped_value',
          ),
        );
      const upper = method.toUpperCase();
      const paymentMethod =
        this.s.paymentMethodMap[method] ??
        ((PAYMENT_METHODS as readonly string[]).includes(upper) ? upper : 'OTHERS');
      const warehouse = p.warehouse ? this.warehouse(p.warehouse) : undefined;
      const branch = this.branch(warehouse);
      const body = salesReceiptTo(p, {
        customerNo: item.refs?.customer?.[p.customerNumber] ?? p.customerNumber,
        bankNo,
        paymentMethod,
        ...(branch ? { branch } : {}),
      });
      return {
        doc: 'sales-receipt',
        prepared: { item, body, action: 'created', targetId: byId, targetNumber: byNumber },
      };
    }
    if (entity === 'stockTransfer') {
      const parsed = StockTransfer.safeParse(item.data);
      if (!parsed.success) return failed(item.ref, rejected(parsed.error.message));
      const t = parsed.data;
      const from = this.warehouse(t.outNumber ? t.toWarehouse : t.fromWarehouse);
      const branch = this.branch(from);
      const body = transferTo(t, { warehouse: this.warehouse, ...(branch ? { branch } : {}) });
      const transferId = (r: { id?: number }) =>
        r.id !== undefined ? targetIdOf('item-transfer', r.id) : undefined;
      return {
        doc: 'item-transfer',
        prepared: { item, body, action: 'created', targetId: transferId, targetNumber: byNumber },
      };
    }
    // stockCount
    const parsed = StockCount.safeParse(item.data);
    if (!parsed.success) return failed(item.ref, rejected(parsed.error.message));
    const c = parsed.data;
    const negative = c.lines.find((l) => new Decimal(l.quantity).isNegative());
    if (negative)
      return failed(
        item.ref,
        rejected(
          `stock take ${c.number}: ${negative.sku} is counted as ${negative.quantity}; a count cannot be below zero — correct the count`,
        ),
      );
    if (!this.s.adjustmentAccountNo)
      throw configError(
        'stock takes are booked as item adjustments: set adjustmentAccountNo (the account the differences go to)',
      );
    const warehouse = this.warehouse(c.warehouse);
    const branch = this.branch(warehouse);
    const body = await stockCountTo(c, {
      warehouse,
      adjustmentAccountNo: this.s.adjustmentAccountNo,
      ...(branch ? { branch } : {}),
      bookQuantity: (sku) => this.stockOf(sku, warehouse),
      unitCost: (sku) => this.costOf(sku, c.date),
    });
    if (!body)
      return {
        ref: item.ref,
        ok: true,
        action: 'unchanged',
        reason: `stock take ${c.number}: every counted quantity equals Accurate's stock in ${warehouse}`,
      };
    return {
      doc: 'item-adjustment',
      prepared: { item, body, action: 'created', targetId: byId, targetNumber: byNumber },
    };
  }

  /** An item's quantity in a warehouse now (item/get-stock.do; FACTS.md ⚠ answer shape). */
  private async stockOf(sku: string, warehouse: string): Promise<string> {
    const b = await this.client.call<unknown>({
      method: 'GET',
      path: 'item/get-stock.do',
      query: { no: sku, warehouseName: warehouse },
    });
    return quantityIn(b.d);
  }

  /** The item's cost for a quantity found in excess (item/get-nearest-cost.do; FACTS.md ⚠ answer). */
  private async costOf(sku: string, date: string): Promise<string> {
    const b = await this.client.call<unknown>({
      method: 'GET',
      path: 'item/get-nearest-cost.do',
      query: { itemNo: sku, transDate: toAccurateDate(date) },
    });
    return quantityIn(b.d, 'cost');
  }

  private async customers(items: readonly WriteItem[]): Promise<WriteResult[]> {
    const results: WriteResult[] = [];
    const prepared: Prepared[] = [];
    const today = wibDate(new Date().toISOString());
    const missingIds = items
      .filter((i) => i.action === 'update' && !(i.existing?.snapshot as { id?: unknown })?.id && i.targetId)
      .map((i) => i.targetId!);
    const ids = missingIds.length ? await findByNumber(this.client, FINDERS.customer, missingIds) : new Map();
    for (const item of items) {
      const parsed = Customer.partial().safeParse(item.data);
      const c = parsed.success ? parsed.data : undefined;
      if (!c?.name) {
        results.push(
          failed(item.ref, rejected(parsed.success ? 'a customer needs a name' : parsed.error.message)),
        );
        continue;
      }
      const branch = this.s.branch;
      if (item.action === 'update') {
        const snap = (item.existing?.snapshot ?? ids.get(item.targetId ?? '')) as
          | { id?: number; name?: string; transDate?: string }
          | undefined;
        if (snap?.id === undefined) {
          results.push(
            failed(item.ref, rejected(`customer ${item.targetId} is no longer in Accurate`, 'not_found')),
          );
          continue;
        }
        const owned = item.fields ?? [];
        const body = {
          ...customerTo(
            { ...c, name: owned.includes('name') ? c.name : (snap.name ?? c.name) },
            { today, owned },
          ),
          id: snap.id,
        };
        prepared.push({
          item,
          body,
          action: 'updated',
          targetId: (r) => text(r.customerNo) ?? item.targetId,
        });
        continue;
      }
      const customerNo = this.customerNoOf(c);
      prepared.push({
        item,
        body: customerTo(c as Customer, {
          ...(customerNo ? { customerNo } : {}),
          ...(branch ? { branch } : {}),
          today,
        }),
        action: 'created',
        targetId: (r) => text(r.customerNo),
      });
    }
    results.push(...(await bulkSave(this.client, 'customer', prepared)));
    return results;
  }
}

/**
 * A written document's target id: its Accurate id; an item transfer's in the form the reader gives it as
 * a source (`item-transfer:<id>`), so the flow the other way recognises it as this one's echo.
 */
function targetIdOf(doc: string, id: unknown): string {
  return doc === 'item-transfer' ? sourceId('item-transfer', String(id)) : String(id);
}

/** A number out of a stock or cost answer: a bare number, or an object naming it. */
function quantityIn(d: unknown, what: 'quantity' | 'cost' = 'quantity'): string {
  if (typeof d === 'number') return new Decimal(d).toFixed();
  if (d && typeof d === 'object') {
    const o = d as Record<string, unknown>;
    const v = what === 'cost' ? (o.cost ?? o.unitCost) : (o.quantity ?? o.availableStock ?? o.balance);
    if (typeof v === 'number') return new Decimal(v).toFixed();
  }
  return '0';
}

/** A sale's cash rounding, said on its outcome (the seed: a rounding difference is stated, never silent). */
function roundingNote(inv: Invoice, s: AccurateSettings): string | undefined {
  const r = new Decimal(inv.rounding?.amount ?? 0);
  if (r.isZero()) return undefined;
  return `${inv.number} includes the till's cash rounding of ${r.toFixed()} ${inv.currency}, booked as an expense line to account ${s.roundingAccountNo}`;
}

/**
 * Accurate's total of a saved sale against the POS's, to the rupiah: a difference is said, never
 * hidden. The cash rounding is on the document (an expense line), so the totals are whole.
 */
function totalsDiffer(inv: Invoice, r: Record<string, unknown>): string | undefined {
  const total = r.totalAmount;
  if (typeof total !== 'number') return undefined;
  const theirs = new Decimal(total);
  const ours = new Decimal(inv.total.amount);
  if (theirs.equals(ours)) return undefined;
  return `Accurate's total of ${inv.number} is ${theirs.toFixed()} ${inv.currency}, the sale's is ${ours.toFixed()} (a difference of ${theirs.minus(ours).toFixed()}): check the tax and discounts`;
}
