import { afterEach, describe, expect, it } from 'vitest';
import type { SourceItem, WriteResult } from '../sdk/contract.js';
import { classify, errorMessage } from './errors.js';
import {
  type SellerCloudSandbox,
  type SellerCloudSandboxOptions,
  startSellerCloudSandbox,
} from './sandbox/index.js';
import { connect } from './test-support.js';

let sb: SellerCloudSandbox | undefined;
const start = async (o: SellerCloudSandboxOptions = {}) => {
  sb = await startSellerCloudSandbox({ count: 12, ...o });
  return sb;
};
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

async function collect(it: AsyncIterable<SourceItem[]>, between?: (page: number) => Promise<void> | void) {
  const items: SourceItem[] = [];
  let n = 0;
  for await (const page of it) {
    items.push(...page);
    await between?.(++n);
  }
  return items;
}

const statuses = (s: SellerCloudSandbox) => s.kit.calls.map((c) => c.status);
const shipment = (order: string, tracking: string[]) => ({
  number: `SH-${order}-${tracking.length}`,
  status: 'confirmed',
  shipmentDate: '2025-03-20',
  customerNumber: 'C1',
  orderNumbers: [order],
  carrier: 'UPS',
  shipVia: 'Ground',
  trackingNumbers: tracking,
  lines: [{ orderNumber: order, orderLineNumber: 1, sku: 'SKU-001', quantity: '1', unit: 'EA' }],
  updatedAt: '2025-03-20T15:00:00Z',
});

describe('sellercloud: the token', () => {
  it('is renewed before it ends, so no call is refused for an ended token', async () => {
    const s = await start({ tokenTtlSec: 3 });
    const c = connect(s);
    const items = await collect(c.read('salesOrder', { pageSize: 5 }), async (n) => {
      if (n === 1) await new Promise((r) => setTimeout(r, 2_700));
    });
    await c.close();
    expect(items).toHaveLength(12);
    // The second page left after the renewal point (a fifth of the life before the end) with a new token.
    expect(s.tokensIssued()).toBe(2);
    expect(statuses(s)).not.toContain(401);
  });

  it('is renewed once after a 401 mid-read: every record once, none lost', async () => {
    const s = await start();
    const c = connect(s);
    const items = await collect(c.read('customer', { pageSize: 5 }), (n) => {
      if (n === 1) s.expireTokens();
    });
    await c.close();
    expect(items.map((i) => i.id).sort()).toEqual([...s.data.customers.keys()].map(String).sort());
    expect(statuses(s).filter((x) => x === 401)).toHaveLength(1);
    expect(s.tokensIssued()).toBe(2);
  });

  it('is renewed once after a 401 mid-batch of writes: each customer created exactly once', async () => {
    const s = await start();
    const c = connect(s);
    s.kit.injectFault({
      kind: 'status',
      status: 401,
      times: 1,
      match: { method: 'POST', path: '/Customers' },
    });
    const before = s.data.customers.size;
    const items = [1, 2, 3].map((n) => ({
      ref: `r${n}`,
      action: 'create' as const,
      data: {
        number: `N${n}`,
        name: `Kim Batch${n}`,
        email: `batch${n}@example.com`,
        currency: 'USD',
        contacts: [{ firstName: 'Kim', lastName: `Batch${n}`, isPrimary: true }],
        updatedAt: '2025-03-14T10:00:00Z',
      },
    }));
    const results = await c.write('customer', items);
    await c.close();
    expect(results.every((r) => r.ok)).toBe(true);
    expect(s.data.customers.size).toBe(before + 3);
    const emails = [...s.data.customers.values()].map((x) => x.Email).filter((e) => e?.startsWith('batch'));
    expect(emails.sort()).toEqual(['batch1@example.com', 'batch2@example.com', 'batch3@example.com']);
    expect(s.tokensIssued()).toBe(2);
  });

  it('a wrong password is a configuration error naming the credentials', async () => {
    const s = await start();
    const c = connect(s, { password: 'nope' });
    const [check] = await c.check();
    await c.close();
    expect(check?.ok).toBe(false);
    expect(check?.message).toMatch(/username and password.*user name or password is incorrect/);
  });
});

describe('sellercloud: reading', () => {
  it('pages across a date window: minute-wide filters sent, the window cut exactly, pages at most as asked', async () => {
    const s = await start({ count: 20 });
    const c = connect(s);
    const all = [...s.data.orders.values()].sort((a, b) => a.CreatedOn.localeCompare(b.CreatedOn));
    const since = all[4]!.CreatedOn;
    const until = all[15]!.CreatedOn;
    const items = await collect(c.read('salesOrder', { since, until, pageSize: 3 }));
    await c.close();
    const expected = all
      .filter((o) => o.CreatedOn >= since && o.CreatedOn <= until)
      .map((o) => String(o.ID))
      .sort();
    expect(items.map((i) => i.id).sort()).toEqual(expected);
    const sent = s.queries.filter((q) => q.path === '/rest/api/orders');
    expect(sent.length).toBeGreaterThan(3);
    expect(sent.map((q) => q.query.pageNumber)).toEqual(sent.map((_, i) => String(i + 1)));
    expect(sent.every((q) => q.query.pageSize === '3')).toBe(true);
    // "mm/dd/yyyy hh:mm": since rounded down, until up, to the minute.
    expect(sent[0]!.query.createdOnFrom).toBe('03/01/2025 08:14');
    expect(sent[0]!.query.createdOnTo).toMatch(/^03\/01\/2025 \d\d:\d\d$/);
  });

  it('reads a product with its stock in each warehouse', async () => {
    const s = await start();
    const c = connect(s);
    const [p] = await c.get('product', ['SKU-002']);
    await c.close();
    expect(p?.data).toMatchObject({
      sku: 'SKU-002',
      listPrice: { amount: '12.99', currency: 'USD' },
      stock: [
        { warehouse: '1', onHand: '9' },
        { warehouse: '2', onHand: '10' },
      ],
    });
  });

  it('waits when the rate limit is reached, until RateLimitResetTime, and fails nothing', async () => {
    const s = await start({ rateLimit: { requests: 5, windowMs: 1_500 } });
    const c = connect(s);
    const items = await collect(c.read('salesOrder', { pageSize: 2 }));
    await c.close();
    expect(items).toHaveLength(12);
    expect(items.every((i) => !i.error)).toBe(true);
    // Waiting out the window: one refusal; retrying on a short backoff would be refused again and again.
    expect(s.rateLimited()).toBe(1);
  });
});

describe('sellercloud: writing', () => {
  it('a shipment of an unknown order fails alone, with SellerCloud’s message', async () => {
    const s = await start();
    const c = connect(s);
    const [r] = await c.write('shipment', [
      { ref: 's1', action: 'create', data: shipment('999999', ['1Z1']) },
    ]);
    await c.close();
    expect(r?.ok).toBe(false);
    if (r?.ok !== false) return;
    expect(r.error.category).toBe('rejected');
    expect(r.error.message).toContain('Order 999999 does not exist.');
    expect(s.packageCalls).toHaveLength(0);
  });

  it('gives each package its own tracking call, and sends nothing twice when retried', async () => {
    const s = await start();
    const c = connect(s);
    const order = [...s.data.orders.values()].find((o) => o.Packages?.length === 2)!;
    const id = String(order.ID);
    const [first] = await c.write('shipment', [
      { ref: 's', action: 'create', data: shipment(id, ['1ZA', '1ZB']) },
    ]);
    expect(first).toMatchObject({ ok: true, action: 'created', targetId: id });
    expect(s.packageCalls.map((b) => [b.PackageID, b.TrackingNumber, b.CarrierName])).toEqual([
      [order.Packages![0]!.ID, '1ZA', 'UPS'],
      [order.Packages![1]!.ID, '1ZB', 'UPS'],
    ]);
    expect(s.data.orders.get(order.ID)?.ShippingStatus).toBe(3);
    const [again] = await c.write('shipment', [
      { ref: 's', action: 'create', data: shipment(id, ['1ZA', '1ZB']) },
    ]);
    expect(again).toMatchObject({ ok: true, action: 'unchanged' });
    expect(s.packageCalls).toHaveLength(2);
    // A third tracking number has no package: kept pending, with the reason.
    const [more] = (await c.write('shipment', [
      { ref: 's', action: 'update', targetId: id, data: shipment(id, ['1ZA', '1ZB', '1ZC']) },
    ])) as [WriteResult];
    await c.close();
    expect(more).toMatchObject({ ok: true, pending: ['trackingNumbers'] });
    expect(more.ok && 'reason' in more && more.reason).toMatch(/1ZC has no package/);
  });

  it('creates an order with our number as OrderSourceOrderID, found again by it', async () => {
    const s = await start();
    const c = connect(s);
    const customer = [...s.data.customers.values()][0]!;
    const data = {
      number: 'SO-7001',
      status: 'Open',
      customerNumber: 'ACU-C1',
      customerEmail: customer.Email,
      customerName: 'Pat Buyer',
      orderDate: '2025-03-20',
      currency: 'USD',
      lines: [
        {
          lineNumber: 1,
          sku: 'SKU-003',
          quantity: '2',
          unit: 'EA',
          unitPrice: { amount: '13.99', currency: 'USD' },
          total: { amount: '27.98', currency: 'USD' },
        },
      ],
      taxTotal: { amount: '0', currency: 'USD' },
      orderTotal: { amount: '27.98', currency: 'USD' },
      updatedAt: '2025-03-20T15:00:00Z',
    };
    const refs = { customer: { 'ACU-C1': String(customer.UserID) } };
    const [r] = await c.write('salesOrder', [{ ref: 'o', action: 'create', data, refs }]);
    expect(r).toMatchObject({ ok: true, action: 'created' });
    const found = await c.lookup('salesOrder', ['SO-7001']);
    await c.close();
    const id = r?.ok && 'targetId' in r ? r.targetId : '';
    expect(found.get('SO-7001')?.id).toBe(id);
    expect(s.data.orders.get(Number(id))).toMatchObject({
      CustomerID: customer.UserID,
      OrderSourceOrderID: 'SO-7001',
    });
  });

  it('receives a payment on its order as a manual payment', async () => {
    const s = await start();
    const c = connect(s);
    const order = [...s.data.orders.values()][0]!;
    const payment = {
      number: 'PMT-1',
      status: 'Released',
      customerNumber: 'C1',
      paymentDate: '2025-03-20',
      paymentMethod: 'wire',
      amount: { amount: '12.34', currency: 'USD' },
      applications: [
        { documentType: 'order', documentNumber: 'SO-1', amount: { amount: '12.34', currency: 'USD' } },
      ],
      updatedAt: '2025-03-20T15:00:00Z',
    };
    const [r] = await c.write('payment', [
      { ref: 'p', action: 'create', data: payment, refs: { salesOrder: { 'SO-1': String(order.ID) } } },
    ]);
    await c.close();
    expect(r).toMatchObject({ ok: true, action: 'created' });
    expect(s.data.payments).toEqual([
      {
        OrderID: order.ID,
        Amount: 12.34,
        PaymentMethod: 19,
        ReferenceNumber: 'PMT-1',
        Notes: 'Ledgerlink payment PMT-1',
      },
    ]);
  });

  it('maps SellerCloud’s error bodies to categories', async () => {
    const s = await start();
    const c = connect(s);
    // A validation answer (ModelState) is the record's problem, in SellerCloud's words.
    const [invalid] = await c.write('customer', [
      {
        ref: 'v',
        action: 'create',
        data: {
          number: 'X',
          name: 'Cher',
          email: 'cher@example.com',
          currency: 'USD',
          contacts: [{ firstName: 'Cher', isPrimary: true }],
          updatedAt: '2025-03-14T10:00:00Z',
        },
      },
    ]);
    // An outage on a create is not repeated blindly (it might have been made): transient, retried by the engine.
    s.kit.injectFault({
      kind: 'status',
      status: 503,
      times: 1,
      match: { method: 'POST', path: '/Customers' },
    });
    const [down] = await c.write('customer', [
      {
        ref: 'd',
        action: 'create',
        data: {
          number: 'Y',
          name: 'Dee Down',
          email: 'dee@example.com',
          currency: 'USD',
          updatedAt: '2025-03-14T10:00:00Z',
        },
      },
    ]);
    await c.close();
    expect(invalid).toMatchObject({
      ok: false,
      error: { category: 'rejected', code: 'invalid_data', httpStatus: 400 },
    });
    expect(invalid?.ok === false && invalid.error.message).toContain(
      'LastName: LastName is required for Retail customers.',
    );
    expect(down).toMatchObject({ ok: false, error: { category: 'transient', httpStatus: 503 } });
    // The bodies themselves, as FACTS.md records them.
    expect(
      errorMessage({ Error: 'Too many requests.', RateLimitResetTime: '2022-01-14T09:38:49.9856571Z' }),
    ).toBe('Too many requests.');
    expect(classify(500, { Message: 'Order 5 does not exist.' })).toEqual({
      code: 'not_found',
      category: 'rejected',
    });
    expect(
      classify(400, { error: 'invalid_grant', error_description: 'The user name or password is incorrect.' }),
    ).toEqual({
      code: 'auth',
      category: 'config',
    });
    expect(classify(400, { Message: 'Customer with email a@b.c already exists.' })).toEqual({
      code: 'duplicate',
      category: 'rejected',
    });
    expect(classify(500, { Message: 'An error has occurred.' })).toBeUndefined();
  });
});
