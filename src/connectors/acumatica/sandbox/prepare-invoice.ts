import { randomUUID } from 'node:crypto';
import type { Decimal } from 'decimal.js';
import { type RawInvoiceLine, type RawSalesInvoice, type RawSalesOrder, str, val } from '../types.js';
import { invoiceRow, plusDays, stamp } from './invoices.js';
import { findOrder, touchOrders } from './orders.js';
import { ActionFailed } from './problems.js';
import { shipmentRow } from './shipments.js';
import type { OrderShare, SalesStore } from './store.js';
import { dec, documentTotal, lineAmount, round2, share, sum, toNumber } from './totals.js';

const v = <T>(value: T) => ({ value });

/** What earlier invoices took of each order line: quantity, discount and amount. */
function invoicedByLine(store: SalesStore, o: RawSalesOrder) {
  const out = new Map<number, { qty: Decimal; discount: Decimal; amount: Decimal }>();
  for (const inv of store.invoices.values()) {
    for (const d of inv.Details ?? []) {
      if (str(d.OrderType) !== str(o.OrderType) || str(d.OrderNbr) !== str(o.OrderNbr)) continue;
      const n = val(d.OrderLineNbr) ?? -1;
      const cur = out.get(n) ?? { qty: dec(0), discount: dec(0), amount: dec(0) };
      out.set(n, {
        qty: cur.qty.plus(dec(val(d.Qty))),
        discount: cur.discount.plus(dec(val(d.DiscountAmount))),
        amount: cur.amount.plus(dec(val(d.Amount))),
      });
    }
  }
  return out;
}

/** What earlier invoices took of an order's discount, taxes and freight. */
function sharesTaken(store: SalesStore, key: string): OrderShare[] {
  return [...store.orderShares.values()].flatMap((m) => (m.has(key) ? [m.get(key)!] : []));
}

/**
 * The Prepare Invoice action of a confirmed shipment: an invoice for the shipped quantities priced
 * from the order. The order's discount and taxes are prorated by the shipped lines' share of the
 * order (the invoice that completes an order takes what is left, so the invoices add up to the
 * order to the cent) and its freight goes on the order's first invoice.
 */
export function prepareInvoice(store: SalesStore, shipmentNbr: string): RawSalesInvoice {
  const s = store.shipments.get(shipmentNbr);
  if (!s) throw new ActionFailed(`The shipment ${shipmentNbr} cannot be found in the system.`);
  const status = str(s.Status);
  if (status === 'Invoiced' || status === 'Completed')
    throw new ActionFailed(`The shipment ${shipmentNbr} has already been invoiced.`);
  if (status !== 'Confirmed')
    throw new ActionFailed(`The shipment ${shipmentNbr} must be confirmed before it is invoiced.`);

  const lines: RawInvoiceLine[] = [];
  const taxes = new Map<string, { taxable: Decimal; tax: Decimal }>();
  const shares = new Map<string, OrderShare>();
  let discountTotal = dec(0);
  let freight = dec(0);
  let first: RawSalesOrder | undefined;
  const orderKeys = [...new Set((s.Details ?? []).map((d) => `${str(d.OrderType)}/${str(d.OrderNbr)}`))];
  for (const key of orderKeys) {
    const [type, nbr] = key.split('/') as [string, string];
    const order = findOrder(store, type, nbr);
    if (!order) throw new ActionFailed(`The order ${type} ${nbr} cannot be found in the system.`);
    first ??= order;
    const prior = invoicedByLine(store, order);
    const added = new Map<number, Decimal>();
    let linesTotal = dec(0);
    for (const d of s.Details ?? []) {
      if (`${str(d.OrderType)}/${str(d.OrderNbr)}` !== key) continue;
      const n = val(d.OrderLineNbr)!;
      const line = (order.Details ?? []).find((l) => val(l.LineNbr) === n)!;
      const qty = dec(val(d.ShippedQty));
      const before = prior.get(n) ?? { qty: dec(0), discount: dec(0), amount: dec(0) };
      const already = before.qty.plus(added.get(n) ?? dec(0));
      added.set(n, (added.get(n) ?? dec(0)).plus(qty));
      const last = already.plus(qty).greaterThanOrEqualTo(dec(val(line.OrderQty)));
      const discount = share(val(line.DiscountAmount), qty, val(line.OrderQty), before.discount, last);
      const amount = last
        ? dec(val(line.Amount)).minus(before.amount)
        : lineAmount(qty, val(line.UnitPrice), discount);
      linesTotal = linesTotal.plus(amount);
      lines.push({
        id: randomUUID(),
        LineNbr: v(lines.length + 1),
        InventoryID: v(str(line.InventoryID)!),
        TransactionDescr: v(str(line.LineDescription) ?? ''),
        Qty: v(toNumber(qty)),
        UOM: v(str(d.UOM) ?? str(line.UOM) ?? 'EA'),
        UnitPrice: v(val(line.UnitPrice) ?? 0),
        DiscountAmount: v(toNumber(discount)),
        Amount: v(toNumber(amount)),
        WarehouseID: v(str(line.WarehouseID) ?? 'MAIN'),
        OrderType: v(type),
        OrderNbr: v(nbr),
        OrderLineNbr: v(n),
        ShipmentNbr: v(shipmentNbr),
      });
    }
    const invoicedAll = (order.Details ?? []).every((l) => {
      const n = val(l.LineNbr)!;
      return (prior.get(n)?.qty ?? dec(0))
        .plus(added.get(n) ?? dec(0))
        .greaterThanOrEqualTo(dec(val(l.OrderQty)));
    });
    const taken = sharesTaken(store, key);
    const whole = val(order.Totals?.LineTotalAmount);
    const mine: OrderShare = {
      discount: share(
        val(order.Totals?.DiscountTotal),
        linesTotal,
        whole,
        sum(taken.map((t) => t.discount)),
        invoicedAll,
      ),
      freight: taken.length === 0 ? round2(val(order.Totals?.Freight)) : dec(0),
      taxes: new Map(),
    };
    for (const t of order.TaxDetails ?? []) {
      const id = str(t.TaxID)!;
      const before = taken.map((x) => x.taxes.get(id));
      const part = {
        taxable: share(
          val(t.TaxableAmount),
          linesTotal,
          whole,
          sum(before.map((b) => b?.taxable)),
          invoicedAll,
        ),
        tax: share(val(t.TaxAmount), linesTotal, whole, sum(before.map((b) => b?.tax)), invoicedAll),
      };
      mine.taxes.set(id, part);
      const cur = taxes.get(id) ?? { taxable: dec(0), tax: dec(0) };
      taxes.set(id, { taxable: cur.taxable.plus(part.taxable), tax: cur.tax.plus(part.tax) });
    }
    shares.set(key, mine);
    discountTotal = discountTotal.plus(mine.discount);
    freight = freight.plus(mine.freight);
  }

  const detailTotal = sum(lines.map((l) => val(l.Amount)));
  const taxTotal = sum([...taxes.values()].map((t) => t.tax));
  const amount = documentTotal({ lineTotal: detailTotal, discountTotal, freight, taxTotal });
  const ref = store.nextNumber('invoice', 'AR');
  const today = store.today();
  const inv: RawSalesInvoice = {
    id: randomUUID(),
    Type: v('Invoice'),
    ReferenceNbr: v(ref),
    Status: v('Balanced'),
    Hold: v(false),
    Date: v(today),
    DueDate: v(plusDays(today, 30)),
    CustomerID: v(str(s.CustomerID)!),
    CustomerOrder: v(str(first?.CustomerOrder) ?? ''),
    Currency: v(str(first?.CurrencyID) ?? 'USD'),
    Description: v(`Shipment ${shipmentNbr}, ${orderKeys.map((k) => k.split('/')[1]).join(', ')}`),
    Details: lines,
    TaxDetails: [...taxes.entries()].map(([id, t]) => ({
      id: randomUUID(),
      TaxID: v(id),
      TaxableAmount: v(toNumber(t.taxable)),
      TaxAmount: v(toNumber(t.tax)),
    })),
    DetailTotal: v(toNumber(detailTotal)),
    DiscountTotal: v(toNumber(discountTotal)),
    FreightPrice: v(toNumber(freight)),
    TaxTotal: v(toNumber(taxTotal)),
    Amount: v(toNumber(amount)),
    Balance: v(toNumber(amount)),
    PaymentTotal: v(0),
    CreatedDate: v(store.ctx.now()),
  };
  for (const f of ['BillToAddress', 'BillToContact', 'ShipToAddress', 'ShipToContact'] as const)
    if (first?.[f]) inv[f] = { ...structuredClone(first[f]), id: randomUUID() };
  stamp(store, inv);
  store.invoices.set(ref, inv);
  store.orderShares.set(ref, shares);
  store.ctx.push.changed('SalesInvoice', undefined, invoiceRow(inv));

  const before = shipmentRow(s);
  s.Status = v('Invoiced');
  for (const o of s.Orders ?? []) {
    o.InvoiceType = v('Invoice');
    o.InvoiceNbr = v(ref);
  }
  s.LastModifiedDateTime = v(store.ctx.now());
  store.ctx.push.changed('Shipment', before, shipmentRow(s));
  touchOrders(store, orderKeys);
  return inv;
}
