import { Decimal } from 'decimal.js';
import type { Invoice } from '../../model/index.js';
import type { References, TargetRecord, WriteItem, WriteResult } from '../sdk/contract.js';
import { type LedgerlinkError, rejected, toErrorData } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import type { VendureClient } from './client.js';
import { ADD_MANUAL_PAYMENT } from './documents.js';
import { unwrap } from './errors.js';
import { coveredMinor } from './mappers/sales-order.js';
import { fromMinor, toMinor } from './money.js';
import { documentKey, ordersById, parseDocumentKey, requireOrders } from './order-refs.js';
import type { VendureErrorResult, VendureOrder, VendurePayment } from './types.js';

/**
 * An ERP invoice that is paid becomes a settled manual payment on its Vendure order
 * (addManualPaymentToOrder), with the invoice number as its transaction id; Vendure then moves the
 * order to PaymentSettled. The invoice, rather than the ERP's payment, is what travels: it names
 * its order (a payment names invoices, which Vendure has no record of), it states the amount, and
 * its balance says whether it is paid.
 */
const FAILED_PAYMENT = new Set(['Error', 'Declined', 'Cancelled']);

/** States in which Vendure takes a manual payment (ManualPaymentStateError otherwise). */
const AWAITING_PAYMENT = new Set(['ArrangingPayment', 'ArrangingAdditionalPayment']);

/** The orders an invoice is for: those it names, else those its lines name. */
function invoiceOrders(inv: Invoice): string[] {
  if (inv.orderNumbers.length) return [...new Set(inv.orderNumbers)];
  return [...new Set(inv.lines.flatMap((l) => (l.orderNumber ? [l.orderNumber] : [])))];
}

/** `<Vendure order id>:<ERP invoice number>`; undefined until the order is linked to Vendure. */
export function invoiceKey(data: unknown, refs?: References): string | undefined {
  const inv = (data ?? {}) as Partial<Invoice>;
  if (!Array.isArray(inv.lines) || typeof inv.number !== 'string') return undefined;
  return documentKey(invoiceOrders({ orderNumbers: [], ...inv } as Invoice), inv.number, refs);
}

const paymentOf = (o: VendureOrder | undefined, number: string): VendurePayment | undefined =>
  (o?.payments ?? []).find((p) => p.transactionId === number && !FAILED_PAYMENT.has(p.state));

/** Payments by their order and the invoice number they carry as transaction id. */
export async function lookupInvoices(
  client: VendureClient,
  keys: readonly string[],
): Promise<Map<string, TargetRecord>> {
  const parsed = keys.map((key) => ({ key, ...parseDocumentKey(key) }));
  const orders = await ordersById(
    client,
    parsed.map((p) => p.orderIds[0]!),
  );
  const out = new Map<string, TargetRecord>();
  for (const p of parsed) {
    const payment = paymentOf(orders.get(p.orderIds[0]!), p.number);
    if (payment) out.set(p.key, { id: payment.id, snapshot: payment });
  }
  return out;
}

/** Why Vendure cannot take this invoice as a payment (now, or at all), if so. */
function refusal(inv: Invoice, orders: readonly string[]): LedgerlinkError | undefined {
  const what = `invoice ${inv.number}`;
  if (inv.type === 'credit_note')
    return rejected(
      'invalid_data',
      `${what} is a credit note; Ledgerlink records paid invoices in Vendure, not refunds`,
    );
  if (orders.length > 1)
    return rejected(
      'invalid_data',
      `${what} covers orders ${orders.join(', ')}; Vendure records a payment on one order`,
    );
  if (inv.balance && new Decimal(inv.balance.amount).greaterThan(0))
    return rejected(
      'conflict',
      `${what} is not paid yet (balance ${inv.balance.amount} ${inv.balance.currency}); Vendure records settled payments only, so it is written once the ERP shows it paid`,
    );
  return undefined;
}

/** The payment must be what Vendure would record: the order's whole outstanding amount, in its currency. */
function amountFits(inv: Invoice, o: VendureOrder, precision: number): void {
  const outstanding = o.totalWithTax - coveredMinor(o);
  const due = `${fromMinor(outstanding, precision)} ${o.currencyCode}`;
  const total = `${inv.total.amount} ${inv.total.currency}`;
  if (inv.total.currency !== o.currencyCode)
    throw rejected(
      'invalid_data',
      `invoice ${inv.number} is in ${inv.total.currency}, Vendure order ${o.code} in ${o.currencyCode}`,
    );
  if (toMinor(inv.total.amount, precision, `invoice ${inv.number}: total`) !== outstanding)
    throw rejected(
      'conflict',
      `invoice ${inv.number} is ${total}, but Vendure order ${o.code} has ${due} outstanding; Vendure records a manual payment for the whole outstanding amount`,
    );
}

async function writeOne(
  client: VendureClient,
  method: string,
  item: WriteItem,
  exchanges: HttpExchange[],
): Promise<WriteResult> {
  const inv = item.data as Invoice;
  const what = `invoice ${inv.number}`;
  if (item.action === 'update') {
    const id = item.targetId ?? item.existing?.id;
    if (!id) throw rejected('invalid_data', `${what}: an update needs its Vendure payment id`);
    return { ref: item.ref, ok: true, targetId: id, action: 'updated', exchanges };
  }
  const numbers = invoiceOrders(inv);
  const refused = refusal(inv, numbers);
  if (refused) throw refused;
  const [covered] = requireOrders(what, numbers, item.refs);
  const order = (await ordersById(client, [covered!.id], exchanges)).get(covered!.id);
  if (!order)
    throw rejected('not_found', `${what}: Vendure has no order ${covered!.id} (order ${covered!.number})`);
  const earlier = paymentOf(order, inv.number);
  if (earlier) return { ref: item.ref, ok: true, targetId: earlier.id, action: 'created', exchanges };
  // In other states Vendure refuses the payment itself, in its own words.
  if (AWAITING_PAYMENT.has(order.state))
    amountFits(inv, order, (await client.facts()).globalSettings.serverConfig.moneyStrategyPrecision);
  const res = await client.request<{
    addManualPaymentToOrder: { id: string; state: string; payments: VendurePayment[] } | VendureErrorResult;
  }>(
    ADD_MANUAL_PAYMENT,
    {
      input: {
        orderId: order.id,
        method,
        transactionId: inv.number,
        metadata: { erpInvoice: inv.number, invoiceDate: inv.invoiceDate, total: inv.total.amount },
      },
    },
    { what: `${what}: add the payment`, record: exchanges },
  );
  const paid = unwrap(res.addManualPaymentToOrder, `${what} on Vendure order ${order.code} (${order.state})`);
  const payment = paymentOf({ ...order, payments: paid.payments }, inv.number);
  return { ref: item.ref, ok: true, targetId: payment?.id ?? order.id, action: 'created', exchanges };
}

export async function writeInvoices(
  client: VendureClient,
  method: string,
  items: readonly WriteItem[],
): Promise<WriteResult[]> {
  return Promise.all(
    items.map(async (item): Promise<WriteResult> => {
      const exchanges: HttpExchange[] = [];
      try {
        return await writeOne(client, method, item, exchanges);
      } catch (e) {
        const error = toErrorData(e);
        if (error.category === 'config') throw e;
        return { ref: item.ref, ok: false, error, exchanges };
      }
    }),
  );
}
