import { randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { INVOICE_TYPE_LABELS } from '../invoice-types.js';
import { type RawInvoiceLine, type RawSalesInvoice, str, val } from '../types.js';
import { orderApplicationsHeld, RELEASED } from './applications.js';
import { ActionFailed, empty, notFound, Problems } from './problems.js';
import type { PushRow } from './push.js';
import { CURRENCIES, TAXES } from './reference.js';
import { mergeFields, mergeRows, type SalesStore } from './store.js';
import { dec, documentTotal, lineAmount, round2, sum, taxOn, toNumber } from './totals.js';

const v = <T>(value: T) => ({ value });

export { RELEASED } from './applications.js';

const DERIVED = new Set([
  'ReferenceNbr',
  'Status',
  'Details',
  'TaxDetails',
  'DetailTotal',
  'TaxTotal',
  'Amount',
  'Balance',
  'PaymentTotal',
  'CreatedDate',
  'LastModifiedDate',
  'LastModifiedDateTime',
]);

export const invoiceRow = (i: RawSalesInvoice): PushRow => ({
  Type: str(i.Type) ?? null,
  ReferenceNbr: str(i.ReferenceNbr) ?? null,
  Status: str(i.Status) ?? null,
});

export const plusDays = (date: string, days: number): string =>
  `${new Date(Date.parse(date) + days * 86_400_000).toISOString().slice(0, 10)}T00:00:00+00:00`;

export function stamp(store: SalesStore, i: RawSalesInvoice): void {
  const t = store.ctx.now();
  i.LastModifiedDateTime = v(t);
  i.LastModifiedDate = v(t);
}

/**
 * Creates or updates an invoice typed on the Invoices and Memos screen (an invoice without an
 * order). Lines sent are recomputed; a released invoice keeps its lines and amounts. Throws SaveRefused.
 */
export function saveInvoice(store: SalesStore, body: RawSalesInvoice): RawSalesInvoice {
  const type = str(body.Type) ?? 'Invoice';
  const sent = str(body.ReferenceNbr);
  const found = sent && sent !== '<NEW>' ? store.invoices.get(sent) : undefined;
  const existing = found && str(found.Type) === type ? found : undefined;
  const p = new Problems();
  if (!INVOICE_TYPE_LABELS.includes(type)) p.add(['Type'], notFound('Type'));
  const released = RELEASED.includes(str(existing?.Status) ?? '');
  if (released && (body.Details?.length || body.TaxDetails?.length))
    p.add(['Details'], 'The document has been released and cannot be changed.');
  let next: RawSalesInvoice = existing ? structuredClone(existing) : { id: randomUUID(), Type: v(type) };
  next = mergeFields(next, body, DERIVED);
  const lineKey = (r: RawInvoiceLine) => (val(r.LineNbr) === undefined ? undefined : String(val(r.LineNbr)));
  next.Details = mergeRows(
    next.Details,
    body.Details?.map(({ Amount: _computed, ...d }) => d),
    lineKey,
  );
  // Amounts of the rows sent are recomputed; the others stay as they are.
  for (const d of body.Details ?? []) {
    const row = next.Details.find(
      (r) => (d.id && r.id === d.id) || (lineKey(d) && lineKey(r) === lineKey(d)),
    );
    if (row) delete row.Amount;
  }
  next.TaxDetails = mergeRows(next.TaxDetails, body.TaxDetails, (r) => str(r.TaxID));

  const customer = store.ctx.customers.get(str(next.CustomerID) ?? '');
  if (!existing) {
    next.Date ??= v(store.today());
    next.DueDate ??= v(plusDays(str(next.Date)!, 30));
    next.Hold ??= v(false);
    next.Currency ??= v(str(customer?.CurrencyID) ?? 'USD');
  }
  if (!str(next.CustomerID)) p.add(['CustomerID'], empty('Customer'));
  else if (!customer) p.add(['CustomerID'], notFound('Customer'));
  if (!CURRENCIES[str(next.Currency) ?? '']) p.add(['Currency'], notFound('Currency'));
  for (const [i, d] of (next.Details ?? []).entries()) {
    if (!str(d.InventoryID)) p.add(['Details', i, 'InventoryID'], empty('Inventory ID'));
    else if (!store.ctx.items.has(str(d.InventoryID)!))
      p.add(['Details', i, 'InventoryID'], notFound('Inventory ID'));
    const qty = val(d.Qty);
    if (typeof qty !== 'number' || qty <= 0)
      p.add(['Details', i, 'Qty'], "'Quantity' must be greater than 0.");
  }
  for (const [i, t] of (next.TaxDetails ?? []).entries())
    if (!TAXES[str(t.TaxID) ?? '']) p.add(['TaxDetails', i, 'TaxID'], notFound('Tax ID'));
  p.throwIfAny('SalesInvoice', next);

  if (!existing) {
    next.ReferenceNbr = v(store.nextNumber('invoice', 'AR'));
    next.CreatedDate = v(store.ctx.now());
  }
  if (!released) computeInvoice(store, next);
  refreshInvoice(store, next);
  stamp(store, next);
  store.invoices.set(str(next.ReferenceNbr)!, next);
  store.ctx.push.changed('SalesInvoice', existing ? invoiceRow(existing) : undefined, invoiceRow(next));
  return next;
}

function computeInvoice(store: SalesStore, inv: RawSalesInvoice): void {
  let n = Math.max(0, ...(inv.Details ?? []).map((d) => val(d.LineNbr) ?? 0));
  for (const d of inv.Details ?? []) {
    const item = store.ctx.items.get(str(d.InventoryID) ?? '');
    if (val(d.LineNbr) === undefined) d.LineNbr = v(++n);
    d.UOM ??= v(str(item?.BaseUOM) ?? 'EA');
    if (val(d.UnitPrice) === undefined) d.UnitPrice = v(val(item?.DefaultPrice) ?? 0);
    if (val(d.DiscountAmount) === undefined) d.DiscountAmount = v(0);
    if (val(d.Amount) === undefined)
      d.Amount = v(toNumber(lineAmount(val(d.Qty), val(d.UnitPrice), val(d.DiscountAmount))));
  }
  const detailTotal = sum((inv.Details ?? []).map((d) => val(d.Amount)));
  const discount = round2(val(inv.DiscountTotal));
  const freight = round2(val(inv.FreightPrice));
  for (const t of inv.TaxDetails ?? []) {
    if (val(t.TaxableAmount) === undefined) t.TaxableAmount = v(toNumber(detailTotal.minus(discount)));
    if (val(t.TaxAmount) === undefined)
      t.TaxAmount = v(toNumber(taxOn(val(t.TaxableAmount), TAXES[str(t.TaxID)!]!.rate)));
  }
  const taxTotal = sum((inv.TaxDetails ?? []).map((t) => val(t.TaxAmount)));
  inv.DetailTotal = v(toNumber(detailTotal));
  inv.DiscountTotal = v(toNumber(discount));
  inv.FreightPrice = v(toNumber(freight));
  inv.TaxTotal = v(toNumber(taxTotal));
  inv.Amount = v(
    toNumber(documentTotal({ lineTotal: detailTotal, discountTotal: discount, freight, taxTotal })),
  );
}

/** Balance and status: an unreleased invoice owes its amount; a released one less what paid it. */
export function refreshInvoice(store: SalesStore, inv: RawSalesInvoice): void {
  const status = str(inv.Status);
  if (!RELEASED.includes(status ?? '')) {
    inv.Balance = inv.Amount ?? v(0);
    inv.PaymentTotal = v(0);
    inv.Status = v(val(inv.Hold) === true ? 'On Hold' : 'Balanced');
    return;
  }
  const ref = str(inv.ReferenceNbr);
  const credit = sum([...(store.orderCredit.get(ref ?? '')?.values() ?? [])]);
  let paid = dec(0);
  for (const p of store.payments.values()) {
    if (!RELEASED.includes(str(p.Status) ?? '')) continue;
    for (const a of p.DocumentsToApply ?? [])
      if (str(a.DocType) === 'Invoice' && str(a.ReferenceNbr) === ref)
        paid = paid.plus(dec(val(a.AmountPaid)));
  }
  const balance = dec(val(inv.Amount)).minus(credit).minus(paid);
  inv.Balance = v(toNumber(balance));
  inv.PaymentTotal = v(toNumber(credit.plus(paid)));
  inv.Status = v(balance.lessThanOrEqualTo(0) ? 'Closed' : 'Open');
}

/** Payments applied to an order and not yet taken by its released invoices. */
function orderCreditLeft(store: SalesStore, key: string): Decimal {
  let applied = dec(0);
  for (const p of store.payments.values())
    for (const h of orderApplicationsHeld(store, p)) if (h.key === key) applied = applied.plus(h.applied);
  const taken = sum([...store.orderCredit.values()].map((m) => m.get(key)));
  return Decimal.max(0, applied.minus(taken));
}

/**
 * The Release action of an invoice: it goes to the customer's balance. Payments applied to its
 * orders pay it first, so an invoice for a prepaid order is Closed at once.
 */
export function releaseInvoice(store: SalesStore, ref: string): RawSalesInvoice {
  const inv = store.invoices.get(ref);
  if (!inv) throw new ActionFailed(`The document ${ref} cannot be found in the system.`);
  const status = str(inv.Status);
  if (status === 'On Hold') throw new ActionFailed(`The document ${ref} is on hold and cannot be released.`);
  if (RELEASED.includes(status ?? ''))
    throw new ActionFailed(`The document ${ref} has already been released.`);
  const before = invoiceRow(inv);
  const keys = [
    ...new Set(
      (inv.Details ?? []).filter((d) => str(d.OrderNbr)).map((d) => `${str(d.OrderType)}/${str(d.OrderNbr)}`),
    ),
  ];
  let owed = dec(val(inv.Amount));
  const credit = new Map<string, Decimal>();
  for (const key of keys) {
    const take = Decimal.min(owed, orderCreditLeft(store, key));
    if (take.greaterThan(0)) credit.set(key, take);
    owed = owed.minus(take);
  }
  store.orderCredit.set(ref, credit);
  inv.Status = v('Open');
  refreshInvoice(store, inv);
  stamp(store, inv);
  store.ctx.push.changed('SalesInvoice', before, invoiceRow(inv));
  return inv;
}

/** Payments changed what some invoices owe: their balances move, and they are saved (and pushed). */
export function touchInvoices(store: SalesStore, refs: Iterable<string>): void {
  for (const ref of new Set(refs)) {
    const inv = store.invoices.get(ref);
    if (!inv) continue;
    const before = invoiceRow(inv);
    refreshInvoice(store, inv);
    stamp(store, inv);
    store.ctx.push.changed('SalesInvoice', before, invoiceRow(inv));
  }
}
