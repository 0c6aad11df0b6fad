import { Customer, type EntityName, Payment, SalesOrder, Shipment } from '../../model/index.js';
import type { References, TargetRecord, WriteItem, WriteResult } from '../sdk/contract.js';
import { configError, rejected, toErrorData } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import type { SellerCloudClient } from './client.js';
import { customerCreateBody, customerUpdateBody } from './mappers/customer.js';
import { orderCreateBody } from './mappers/order.js';
import { ID_CHUNK, type Reader } from './read.js';
import type { SellerCloudSettings } from './settings.js';
import { PAYMENT_METHODS, type ScCustomer, type ScOrder } from './types.js';
import { orderIdOf, writeInvoice } from './write-invoices.js';

const fail = (ref: string, e: unknown, exchanges?: HttpExchange[]): WriteResult => ({
  ref,
  ok: false,
  error: toErrorData(e),
  ...(exchanges?.length ? { exchanges } : {}),
});

const chunks = <T>(values: readonly T[], size = ID_CHUNK): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
};

/** A created record's id: the body itself (a bare number ⚠ FACTS.md) or its ID field. */
function createdId(body: unknown): string {
  if (typeof body === 'number' || (typeof body === 'string' && /^\d+$/.test(body))) return String(body);
  const b = (body ?? {}) as Record<string, unknown>;
  const id = b.ID ?? b.Id ?? b.UserID ?? b.OrderID;
  if (id === undefined || id === null)
    throw rejected(
      'invalid_data',
      `SellerCloud answered the create without the new record's id: ${JSON.stringify(body)}`,
    );
  return String(id);
}

/**
 * Writes customers (create, update of the owned fields), orders (create), shipments (tracking per
 * package), invoices (a note of their state on the order) and payments (a manual payment on the order). Every record succeeds or fails alone, with
 * SellerCloud's own message.
 */
export class Writer {
  constructor(
    private readonly client: SellerCloudClient,
    private readonly reader: Reader,
    private readonly s: SellerCloudSettings,
  ) {}

  naturalKey(entity: EntityName, data: unknown, refs?: References): string | undefined {
    const d = (data ?? {}) as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
    if (entity === 'customer') return str(d.email)?.toLowerCase();
    if (entity === 'salesOrder' || entity === 'payment') return str(d.number);
    if (entity === 'shipment' || entity === 'invoice') {
      const order = Array.isArray(d.orderNumbers) ? str(d.orderNumbers[0]) : undefined;
      const n = str(d.number);
      return order && n ? `${orderIdOf(order, refs)}:${n}` : undefined;
    }
    return undefined;
  }

  /**
   * Customers by e-mail (Get All Customers' email filter), orders by our number in
   * OrderSourceOrderID. Shipments and payments have nothing to find them by: a shipment's write is
   * idempotent per package, a payment is written once.
   */
  async lookup(entity: EntityName, keys: readonly string[]): Promise<Map<string, TargetRecord>> {
    const out = new Map<string, TargetRecord>();
    const wanted = [...new Set(keys)];
    if (entity === 'customer') {
      for (const email of wanted)
        for await (const rows of this.client.pages<ScCustomer>('Customers', { email }, this.s.pageSize))
          for (const c of rows)
            if (c.Email?.toLowerCase() === email.toLowerCase() && !out.has(email))
              out.set(email, { id: String(c.UserID), snapshot: c });
    } else if (entity === 'salesOrder') {
      for (const chunk of chunks(wanted))
        for await (const rows of this.client.pages<ScOrder>(
          'orders',
          { orderSourceOrderIDList: chunk },
          this.s.pageSize,
        ))
          for (const o of rows)
            if (o.OrderSourceOrderID && wanted.includes(o.OrderSourceOrderID))
              out.set(o.OrderSourceOrderID, { id: String(o.ID), snapshot: o });
    }
    return out;
  }

  async write(entity: EntityName, items: readonly WriteItem[]): Promise<WriteResult[]> {
    const one =
      entity === 'customer'
        ? (i: WriteItem) => this.customer(i)
        : entity === 'salesOrder'
          ? (i: WriteItem) => this.order(i)
          : entity === 'shipment'
            ? (i: WriteItem) => this.shipment(i)
            : entity === 'payment'
              ? (i: WriteItem) => this.payment(i)
              : entity === 'invoice'
                ? (i: WriteItem) => writeInvoice(this.client, i)
                : undefined;
    if (!one) throw configError(`SellerCloud does not write ${entity}`);
    const out: WriteResult[] = [];
    for (const item of items) out.push(await one(item));
    return out;
  }

  private async customer(item: WriteItem): Promise<WriteResult> {
    const record: HttpExchange[] = [];
    try {
      const c = Customer.parse(item.data);
      if (item.action === 'create') {
        if (!c.email) throw rejected('missing_field', 'a SellerCloud customer needs an e-mail address');
        const { body } = await this.client.call('POST', 'Customers', {
          body: customerCreateBody(c, this.s.companyId),
          record,
        });
        return { ref: item.ref, ok: true, action: 'created', targetId: createdId(body), exchanges: record };
      }
      const id = item.targetId ?? item.existing?.id;
      if (!id) throw rejected('missing_field', 'an update needs the SellerCloud customer id');
      const body = customerUpdateBody(c, item.fields ?? []);
      if (!Object.keys(body).length)
        return {
          ref: item.ref,
          ok: true,
          action: 'unchanged',
          targetId: id,
          reason: 'no field SellerCloud keeps was owned',
        };
      await this.client.call('PUT', `Customers/${encodeURIComponent(id)}`, { body, record });
      return { ref: item.ref, ok: true, action: 'updated', targetId: id, exchanges: record };
    } catch (e) {
      return fail(item.ref, e, record);
    }
  }

  private async order(item: WriteItem): Promise<WriteResult> {
    const record: HttpExchange[] = [];
    try {
      const o = SalesOrder.parse(item.data);
      if (item.action === 'update')
        return {
          ref: item.ref,
          ok: true,
          action: 'skipped',
          reason: 'SellerCloud orders are created once; a later change is made in SellerCloud',
          ...(item.targetId ? { targetId: item.targetId } : {}),
        };
      const customer = item.refs?.customer?.[o.customerNumber];
      const { body } = await this.client.call('POST', 'Orders', {
        body: orderCreateBody(o, this.s, customer !== undefined ? Number(customer) : undefined),
        record,
        idempotent: false,
      });
      return { ref: item.ref, ok: true, action: 'created', targetId: createdId(body), exchanges: record };
    } catch (e) {
      return fail(item.ref, e, record);
    }
  }

  /**
   * A shipment: one "Update Tracking Of Single Package" call per tracking number, the i-th on the
   * order's i-th package (the first call marks the whole order shipped, FACTS.md). A package that
   * already carries its tracking number is not sent again, so a retried shipment writes nothing twice;
   * tracking numbers beyond the order's packages are kept pending with the reason.
   */
  private async shipment(item: WriteItem): Promise<WriteResult> {
    const record: HttpExchange[] = [];
    try {
      const sh = Shipment.parse(item.data);
      const orderId = orderIdOf(sh.orderNumbers[0]!, item.refs);
      const order = await this.reader.order(orderId, record);
      const packages = order.Packages?.length ? order.Packages : [undefined];
      const tracking = sh.trackingNumbers.length ? sh.trackingNumbers : [undefined];
      let sent = 0;
      const left: string[] = [];
      for (const [i, number] of tracking.entries()) {
        if (i >= packages.length) {
          if (number) left.push(number);
          continue;
        }
        const pkg = packages[i];
        if (number && pkg?.TrackingNumber === number) continue;
        await this.client.call('PUT', 'Orders/ShippingStatus/SinglePackage', {
          body: {
            OrderID: Number(order.ID),
            ShipDate: sh.shipmentDate,
            ...(number ? { TrackingNumber: number } : {}),
            ...(pkg ? { PackageID: pkg.ID } : {}),
            CarrierName: sh.carrier ?? sh.shipVia ?? 'Other',
            ShippingMethod: sh.shipVia ?? sh.carrier ?? 'Standard',
          },
          record,
        });
        sent++;
      }
      const targetId = String(order.ID);
      const pending = left.length ? { pending: ['trackingNumbers'] as const } : {};
      const why = left.length
        ? `SellerCloud order ${targetId} has ${packages.length} package(s); tracking ${left.join(', ')} has no package to go on`
        : undefined;
      if (sent === 0)
        return {
          ref: item.ref,
          ok: true,
          action: left.length ? 'skipped' : 'unchanged',
          targetId,
          reason: why ?? 'every package already carries its tracking number',
          ...pending,
          exchanges: record,
        };
      return {
        ref: item.ref,
        ok: true,
        action: item.action === 'create' ? 'created' : 'updated',
        targetId,
        reason: `${sent} package(s) given tracking${why ? `; ${why}` : ''}`,
        ...pending,
        exchanges: record,
      };
    } catch (e) {
      return fail(item.ref, e, record);
    }
  }

  /** A payment received on the order it is applied to ("Receive Manual Payment"). */
  private async payment(item: WriteItem): Promise<WriteResult> {
    const record: HttpExchange[] = [];
    try {
      const p = Payment.parse(item.data);
      if (item.action === 'update')
        return {
          ref: item.ref,
          ok: true,
          action: 'skipped',
          reason: 'a SellerCloud payment is received once',
        };
      if (p.type !== 'payment' && p.type !== 'prepayment')
        throw rejected('invalid_data', `SellerCloud receives payments on orders, not a ${p.type}`);
      const app = p.applications.find((a) => a.documentType === 'order');
      if (!app)
        throw rejected(
          'missing_field',
          'a SellerCloud payment is received on an order; this payment names none',
        );
      const orderId = orderIdOf(app.documentNumber, item.refs);
      const method =
        Object.entries(PAYMENT_METHODS).find(
          ([k]) => k.toLowerCase() === p.paymentMethod?.toLowerCase(),
        )?.[1] ?? PAYMENT_METHODS.Other!;
      await this.client.call('PUT', `orders/${encodeURIComponent(orderId)}/ReceiveManualPayment`, {
        body: {
          OrderID: Number(orderId),
          model: {
            Amount: Number(app.amount.amount),
            Notes: `Ledgerlink payment ${p.number}`,
            PaymentMethod: String(method),
            ReferenceNumber: p.reference ?? p.number,
          },
        },
        record,
        // Receiving money twice is worse than not at all: a lost answer is not repeated blindly.
        idempotent: false,
      });
      return {
        ref: item.ref,
        ok: true,
        action: 'created',
        targetId: `${orderId}:${p.number}`,
        exchanges: record,
      };
    } catch (e) {
      return fail(item.ref, e, record);
    }
  }
}
