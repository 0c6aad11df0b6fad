import { createServer, type Server } from 'node:http';
import { Decimal } from 'decimal.js';
import { afterEach, describe, expect, it } from 'vitest';
import { Customer, Invoice, Product, SalesOrder } from '../../model/index.js';
import type { SourceItem } from '../sdk/contract.js';
import { isLedgerlinkError } from '../sdk/errors.js';
import type { RateLimit } from '../sdk/manifest.js';
import { ConnectionLimiter, type RequestLimiter } from '../sdk/rate-limit.js';
import { STORED } from './auth.js';
import { QuickBooksClient } from './client.js';
import type { QuickBooksConnector } from './connector.js';
import { type QuickBooksSandbox, startQuickBooksSandbox } from './sandbox/index.js';
import { connect, MemoryCredentials } from './test-support.js';
import type { QboCustomer, QboInvoice, QboItem } from './types.js';
import { SIGNATURE_HEADER, signBody } from './webhook.js';
import { checkPayload } from './xsd-check.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

async function sandbox(o: Parameters<typeof startQuickBooksSandbox>[0] = {}): Promise<QuickBooksSandbox> {
  const sb = await startQuickBooksSandbox({ conformance: true, ...o });
  open.push(sb);
  return sb;
}

function connector(
  sb: QuickBooksSandbox,
  overrides: Record<string, unknown> = {},
  creds = new MemoryCredentials(),
) {
  const c = connect(sb, overrides, creds);
  open.push(c);
  return c;
}

async function all(it: AsyncIterable<SourceItem[]>): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const page of it) out.push(...page);
  return out;
}

const apiCalls = (sb: QuickBooksSandbox, fragment = '/v3/') =>
  sb.kit.calls.filter((c) => c.path.includes(fragment));

/** The sandbox's customer / item Id by its name. */
const idOf = (sb: QuickBooksSandbox, table: 'Customer' | 'Item', name: string): string =>
  [...sb.store.tables[table].values()].find((r) => (r.DisplayName ?? r.Name) === name)!.Id!;

const crmOrder = (patch: Partial<SalesOrder> = {}): SalesOrder =>
  SalesOrder.parse({
    number: 'ORD-1001-1KWBHX',
    status: 'ready',
    customerNumber: 'A1D001',
    contactName: 'Jim Thomas',
    contactPhone: '01742 876 234',
    takenBy: 'Sally Sales',
    orderDate: '2024-05-02',
    currency: 'USD',
    lines: [
      {
        lineNumber: 1,
        sku: 'VID003',
        quantity: '3',
        unit: 'EA',
        unitPrice: { amount: '55', currency: 'USD' },
        total: { amount: '165', currency: 'USD' },
      },
      {
        lineNumber: 2,
        sku: 'TAPE002',
        quantity: '22',
        unit: 'EA',
        unitPrice: { amount: '2.80', currency: 'USD' },
        total: { amount: '61.60', currency: 'USD' },
      },
      {
        lineNumber: 3,
        sku: 'test Product',
        writeIn: true,
        description: 'test Product',
        quantity: '3',
        unit: 'EA',
        unitPrice: { amount: '33', currency: 'USD' },
        total: { amount: '99', currency: 'USD' },
      },
    ],
    taxTotal: { amount: '0', currency: 'USD' },
    orderTotal: { amount: '325.60', currency: 'USD' },
    updatedAt: new Date().toISOString(),
    ...patch,
  });

function orderRefs(sb: QuickBooksSandbox) {
  return {
    customer: { A1D001: idOf(sb, 'Customer', 'A1D001') },
    product: { VID003: idOf(sb, 'Item', 'VID003'), TAPE002: idOf(sb, 'Item', 'TAPE002') },
  };
}

let n = 0;
const newCustomer = (patch: Record<string, unknown> = {}) => {
  n++;
  return Customer.parse({
    number: `CRM${String(n).padStart(4, '0')}`,
    name: `CRM Account ${n}`,
    email: `crm${n}@example.com`,
    currency: 'USD',
    contacts: [{ firstName: 'Ann', lastName: 'Lee', phone: '0113 496 0000', isPrimary: true }],
    addresses: [{ kind: 'main', line1: '1 Park Row', city: 'Leeds', postalCode: 'LS1 5AB', country: 'GB' }],
    updatedAt: new Date().toISOString(),
    ...patch,
  });
};

describe('QuickBooks Online OAuth', () => {
  it('the rotated refresh token is stored before it is used', async () => {
    const sb = await sandbox();
    const creds = new MemoryCredentials();
    creds.failWrites = true;
    const c = connector(sb, {}, creds);
    // Intuit rotated the token, but it could not be kept: the access token that came with it is not used.
    await expect(all(c.read('customer', { pageSize: 5 }))).rejects.toThrow(/could not be stored.*not used/);
    expect(sb.oauth.grants.refresh_token).toBe(1);
    expect(apiCalls(sb)).toHaveLength(0);

    // With a working store, the token Intuit issued is stored — and it is the one that works next time.
    creds.failWrites = false;
    const c2 = connector(sb, {}, creds);
    await all(c2.read('customer', { pageSize: 50 }));
    const stored = creds.values.get(STORED.refreshToken)!;
    expect(stored).toMatch(/^sbx-rt-/);
    expect(creds.writes.findIndex((w) => w.name === STORED.refreshToken)).toBeLessThan(
      creds.writes.findIndex((w) => w.name === STORED.accessToken),
    );
    // Another process after a crash: the stored token is the live one (the used one is retired).
    sb.oauth.expireAccessTokens();
    creds.values.delete(STORED.accessToken);
    const c3 = connector(sb, { refreshToken: undefined }, creds);
    expect((await all(c3.read('customer', { pageSize: 50 }))).length).toBeGreaterThan(0);
    expect(creds.values.get(STORED.refreshToken)).not.toBe(stored);
    expect(creds.values.get(STORED.refreshExpiresAt)).toMatch(/^\d{4}-/);
  });

  it('two refreshes at once make one token request', async () => {
    const sb = await sandbox();
    const creds = new MemoryCredentials();
    const c = connector(sb, {}, creds);
    await Promise.all([1, 2, 3, 4, 5].map(() => c.get('customer', ['1', '2'])));
    expect(sb.oauth.grants.refresh_token).toBe(1);
    // A second process sharing the store takes the stored access token instead of rotating again.
    const other = connector(sb, {}, creds);
    await other.get('product', ['VID003']);
    expect(sb.oauth.grants.refresh_token).toBe(1);
  });

  it('a refresh refused because another process rotated the token is tried once more with the stored one', async () => {
    const sb = await sandbox();
    const creds = new MemoryCredentials();
    await connector(sb, {}, creds).get('customer', ['1']); // rotates: the initial token is stored over
    const rotated = creds.values.get(STORED.refreshToken)!;
    // This process read the refresh token just before the other one rotated it.
    await connector(sb, {}, creds).get('customer', ['1']);
    creds.values.delete(STORED.accessToken);
    const stale = new MemoryCredentials();
    for (const [k, v] of creds.values) stale.values.set(k, v);
    let first = true;
    const racing = Object.assign(stale, {
      get: async (name: string) => {
        if (name === STORED.refreshToken && first) {
          first = false;
          return 'sbx-rt-already-rotated';
        }
        return stale.values.get(name);
      },
    });
    const c = connector(sb, { refreshToken: undefined }, racing);
    expect((await c.get('customer', ['1'])).length).toBe(1);
    expect(rotated).toMatch(/^sbx-rt-/);
  });

  it('an expired access token mid-run is refreshed and the run continues', async () => {
    const sb = await sandbox({ customers: 30, manualRecords: false });
    const creds = new MemoryCredentials();
    const c = connector(sb, {}, creds);
    const seen: string[] = [];
    let pages = 0;
    for await (const page of c.read('customer', { pageSize: 10 })) {
      seen.push(...page.map((p) => p.id));
      if (++pages === 1) sb.oauth.expireAccessTokens(); // the hour ends mid-run
    }
    expect(seen).toHaveLength(30);
    expect(sb.oauth.grants.refresh_token).toBe(2);
    expect(sb.kit.calls.some((x) => x.status === 401)).toBe(true);
    expect(creds.writes.filter((w) => w.name === STORED.refreshToken)).toHaveLength(2);
  });

  it('the authorization-code grant keeps the realm the person chose, and check() says when the refresh token expires', async () => {
    const sb = await sandbox();
    const creds = new MemoryCredentials();
    const c = connector(sb, { realmId: undefined, refreshToken: undefined }, creds);
    await expect(c.check()).resolves.toEqual([
      expect.objectContaining({
        name: 'credentials',
        ok: false,
        message: expect.stringMatching(/ledgerlink authorize qbo/),
      }),
    ]);
    const redirect = 'http://127.0.0.1:3999/oauth/callback';
    const res = await fetch(c.authorization.authorizeUrl(redirect, 'st4te'), { redirect: 'manual' });
    const back = new URL(res.headers.get('location')!);
    expect(back.searchParams.get('state')).toBe('st4te');
    await c.authorization.complete(
      back.searchParams.get('code')!,
      redirect,
      Object.fromEntries(back.searchParams),
    );
    expect(creds.values.get(STORED.realmId)).toBe(sb.store.company.realmId);
    const verdicts = await c.check();
    expect(verdicts.filter((v) => !v.ok)).toEqual([]);
    expect(verdicts[0]!.message).toMatch(/refresh token expires on \d{4}-\d{2}-\d{2}/);
  });
});

describe('QuickBooks Online writes', () => {
  it('a stale SyncToken is re-read and retried once', async () => {
    const sb = await sandbox();
    const c = connector(sb);
    const id = idOf(sb, 'Customer', 'ABS001');
    sb.store.edit('Customer', id, { Notes: 'changed by a person' }); // SyncToken 0 → 1
    const saved = await c.client.sparseUpdate<QboCustomer>(
      'Customer',
      { Id: id, SyncToken: '0' },
      { PrimaryPhone: { FreeFormNumber: '0191 000 0000' } },
    );
    expect(saved.SyncToken).toBe('2');
    expect(saved.PrimaryPhone?.FreeFormNumber).toBe('0191 000 0000');
    expect((sb.store.get('Customer', id) as QboCustomer).Notes).toBe('changed by a person');
    const posts = apiCalls(sb, '/customer').filter((x) => x.method === 'POST');
    expect(posts.map((p) => p.status)).toEqual([400, 200]);
  });

  it('a batch of 30 writes is one request; 31 are two', async () => {
    const sb = await sandbox();
    const c = connector(sb);
    const batches = () => apiCalls(sb, '/batch').length;
    const thirty = Array.from({ length: 30 }, (_, i) => ({
      ref: `a${i}`,
      action: 'create' as const,
      data: newCustomer(),
    }));
    const r1 = await c.write('customer', thirty);
    expect(r1.filter((r) => r.ok)).toHaveLength(30);
    expect(batches()).toBe(1);
    const thirtyOne = Array.from({ length: 31 }, (_, i) => ({
      ref: `b${i}`,
      action: 'create' as const,
      data: newCustomer(),
    }));
    const r2 = await c.write('customer', thirtyOne);
    expect(r2.filter((r) => r.ok)).toHaveLength(31);
    expect(batches()).toBe(3);
  });

  it('ThrottleExceeded waits, never fails the record', async () => {
    // A company that takes 2 calls per 400 ms (the client spaces its calls for 500 a minute, one per
    // 120 ms): the rest are answered 429 ThrottleExceeded, and are sent again after a pause.
    const sb = await sandbox({ requestsPerMinute: 2, windowMs: 400 });
    const c = connector(sb);
    const reads = await Promise.all(Array.from({ length: 8 }, () => c.get('customer', ['1'])));
    expect(reads.every((r) => r.length === 1)).toBe(true);
    expect(sb.throttled).toBeGreaterThan(0);
    sb.kit.injectFault({ kind: 'status', status: 429, times: 2, match: { path: '/batch' } });
    const [ok] = await c.write('customer', [{ ref: 'x', action: 'create', data: newCustomer() }]);
    expect(ok).toMatchObject({ ok: true, action: 'created' });
    // Still throttled after every retry: the record waits (rate_limited), it does not fail.
    sb.kit.injectFault({ kind: 'status', status: 429, times: 20, match: { path: '/batch' } });
    const [waiting] = await c.write('customer', [{ ref: 'y', action: 'create', data: newCustomer() }]);
    expect(waiting).toMatchObject({ ok: false, error: { category: 'rate_limited', code: 'rate_limit' } });
    // Against Intuit (no Retry-After, "wait 60 seconds"): the connection pauses and the record waits at once.
    sb.kit.injectFault({ kind: 'status', status: 429, times: 1, match: { path: '/batch' } });
    const patient = connector(sb, { throttleWaitSeconds: 60 });
    const started = Date.now();
    const [paused] = await patient.write('customer', [{ ref: 'z', action: 'create', data: newCustomer() }]);
    expect(paused).toMatchObject({ ok: false, error: { category: 'rate_limited', retryAfterMs: 60_000 } });
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 30_000);

  it("batch requests keep to Intuit's 40 a minute besides the 500: none is throttled", async () => {
    // The company's minute shortened to 1 s with 3 batches in it (40 a minute, scaled); every other
    // limit as Intuit's. Seven batches asked for at once go out three a window, and none meets a 429.
    const sb = await sandbox({ batchPerMinute: 3, windowMs: 1000 });
    const c = connector(sb);
    // One credential store, as one connection has: the refresh token rotates on first use.
    const credentials = new MemoryCredentials();
    const client = (batchLimit: { requests: number; windowMs: number }) => {
      const q = new QuickBooksClient(c.settings, {
        connection: 'qbo',
        credentials,
        batchLimit,
      });
      open.push(q);
      return q;
    };
    const ops = [{ query: 'select * from Customer maxresults 1' }];
    const paced = client({ requests: 3, windowMs: 1000 });
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 7 }, () => paced.batch(ops)));
    expect(answers.every(([a]) => a?.rows?.length === 1)).toBe(true);
    expect(sb.throttled).toBe(0);
    const arrivals = apiCalls(sb, '/batch').map((x) => x.arrivedAt);
    expect(arrivals).toHaveLength(7);
    for (let i = 0; i + 3 < arrivals.length; i++)
      expect(arrivals[i + 3]! - arrivals[i]!).toBeGreaterThan(1000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    // The same seven without the batch budget (only the 500 a minute): the company throttles them.
    const unpaced = client({ requests: 1000, windowMs: 1000 });
    await Promise.allSettled(Array.from({ length: 7 }, () => unpaced.batch(ops)));
    expect(sb.throttled).toBeGreaterThan(0);
  }, 30_000);

  it('two processes on one company keep its batch requests a minute together, through the shared budget', async () => {
    // As above, the minute shortened to 1 s with 3 batches in it. Each process keeps its own window;
    // the runtime lends both one budget for the connection's batches (in the store on PostgreSQL).
    // The clients count a window of 1.2 s: the 2 % margin a real minute gets (1.2 s) is 20 ms of a
    // shortened one, less than a busy test machine delays a request between send and arrival — and
    // what this test is about is the two processes sharing one budget, not the margin.
    const sb = await sandbox({ batchPerMinute: 3, windowMs: 1000 });
    const c = connector(sb);
    const credentials = new MemoryCredentials();
    const shared = new Map<string, RequestLimiter>();
    const budgetFor = (purpose: string, rate: RateLimit) => {
      const known = shared.get(purpose) ?? new ConnectionLimiter(rate);
      shared.set(purpose, known);
      return known;
    };
    const process = (share: boolean) => {
      const q = new QuickBooksClient(c.settings, {
        connection: 'qbo',
        credentials,
        batchLimit: { requests: 3, windowMs: 1200 },
        ...(share ? { budgetFor } : {}),
      });
      open.push(q);
      return q;
    };
    const ops = [{ query: 'select * from Customer maxresults 1' }];
    const both = [process(true), process(true)];
    await Promise.all(both.flatMap((q) => Array.from({ length: 4 }, () => q.batch(ops))));
    expect(sb.throttled).toBe(0);
    const arrivals = apiCalls(sb, '/batch').map((x) => x.arrivedAt);
    expect(arrivals).toHaveLength(8);
    for (let i = 0; i + 3 < arrivals.length; i++)
      expect(arrivals[i + 3]! - arrivals[i]!).toBeGreaterThan(1000);
    expect([...shared.keys()]).toEqual(['batch']);
    // Two processes each keeping only its own window: together they go over, and are throttled.
    const alone = [process(false), process(false)];
    await Promise.allSettled(alone.flatMap((q) => Array.from({ length: 4 }, () => q.batch(ops))));
    expect(sb.throttled).toBeGreaterThan(0);
  }, 30_000);

  it('ValidationFault names the element', async () => {
    const sb = await sandbox();
    const c = connector(sb);
    // Caught before sending: the XSD's documented length of the element.
    const [long] = await c.write('customer', [
      { ref: 'l', action: 'create', data: newCustomer({ name: 'N'.repeat(101) }) },
    ]);
    expect(long).toMatchObject({
      ok: false,
      error: {
        category: 'rejected',
        message: expect.stringMatching(/CompanyName is 101 characters long; QuickBooks takes at most 100/),
      },
    });
    expect(apiCalls(sb, '/batch')).toHaveLength(0);
    // Refused by QuickBooks: the Fault's element reaches the message.
    const refused = await c.client
      .create('Customer', { DisplayName: 'Z1', Bogus: 'x' })
      .catch((e: unknown) => e);
    expect(isLedgerlinkError(refused) && refused.category).toBe('rejected');
    expect((refused as Error).message).toMatch(/element Bogus/);
    const [dup] = await c.client.batch([
      {
        operation: 'create',
        entity: 'Item',
        body: { Name: 'VID003', Type: 'NonInventory', IncomeAccountRef: { value: '79' } },
      },
    ]);
    expect(dup!.fault?.Error?.[0]?.code).toBe('6240');
  });

  it('existing customers and items are never touched', async () => {
    const sb = await sandbox();
    const c = connector(sb);
    const found = await c.lookup('customer', ['A1D001', "O'Brien & Sons"]);
    expect([...found.keys()]).toEqual(['A1D001']);
    const items = await c.lookup('product', ['VID003']);
    const before = sb.kit.writeCalls().length;
    const results = await c.write('customer', [
      {
        ref: 'a',
        action: 'update',
        targetId: found.get('A1D001')!.id,
        data: newCustomer({ number: 'A1D001' }),
        fields: ['name'],
      },
    ]);
    const products = await c.write('product', [
      {
        ref: 'p',
        action: 'update',
        targetId: items.get('VID003')!.id,
        data: Product.parse({
          sku: 'VID003',
          name: 'x',
          listPrice: { amount: '1', currency: 'USD' },
          unit: 'EA',
          updatedAt: new Date().toISOString(),
        }),
        fields: ['listPrice'],
      },
    ]);
    expect(results[0]).toMatchObject({
      ok: true,
      action: 'skipped',
      reason: expect.stringMatching(/never changed/),
    });
    expect(products[0]).toMatchObject({ ok: true, action: 'skipped' });
    expect(sb.kit.writeCalls().length).toBe(before);
    // An inactive customer still holds its name: it is found, so it is never created twice.
    sb.store.edit('Customer', idOf(sb, 'Customer', 'ABS001'), { Active: false });
    expect((await c.lookup('customer', ['ABS001'])).size).toBe(1);
  });

  it('a write-in line is booked on the default product with its description', async () => {
    const sb = await sandbox();
    const c = connector(sb);
    const [r] = await c.write('salesOrder', [
      { ref: 'o', action: 'create', data: crmOrder(), refs: orderRefs(sb) },
    ]);
    expect(r).toMatchObject({ ok: true, action: 'created' });
    const inv = sb.store.get('Invoice', (r as { targetId: string }).targetId) as QboInvoice;
    const line = inv.Line![2]!;
    expect(line.SalesItemLineDetail?.ItemRef?.value).toBe(idOf(sb, 'Item', 'MISC'));
    expect(line.Description).toBe('test Product');
    expect(line.Amount).toBe(99);
    expect(inv.PrivateNote).toBe(
      'CRM order: ORD-1001-1KWBHX\nContact: Jim Thomas\nTelephone: 01742 876 234\nTaken by: Sally Sales',
    );
    // Tax is QuickBooks' own: the order said none, QuickBooks charged its rate on the TAX lines.
    expect(inv.TxnTaxDetail?.TotalTax).toBeGreaterThan(0);
    expect((r as { targetNumber?: string }).targetNumber).toBe(inv.DocNumber);
  });

  it('a CRM order becomes one invoice even when retried after a crash', async () => {
    const sb = await sandbox();
    const c = connector(sb);
    const refs = orderRefs(sb);
    const order = crmOrder();
    const key = c.naturalKey('salesOrder', order, refs)!;
    expect((await c.lookup('salesOrder', [key])).size).toBe(0);
    const [r] = await c.write('salesOrder', [{ ref: 'o', action: 'create', data: order, refs }]);
    // Another order of the same customer, made meanwhile, is not taken for it.
    const other = crmOrder({ number: 'ORD-1003' });
    await c.write('salesOrder', [{ ref: 'p', action: 'create', data: other, refs }]);
    // The process died before the link was stored: a new one finds the invoice by the order.
    const again = connector(sb);
    const found = await again.lookup('salesOrder', [
      key,
      again.naturalKey('salesOrder', crmOrder({ number: 'ORD-9999' }), refs)!,
    ]);
    expect(found.size).toBe(1);
    expect(found.get(key)?.id).toBe((r as { targetId: string }).targetId);
    const made = [...sb.store.tables.Invoice.values()].filter((i) =>
      String(i.PrivateNote ?? '').startsWith('CRM order: ORD-1001-1KWBHX\n'),
    );
    expect(made).toHaveLength(1);
    // An order that found its invoice is never written again.
    const [update] = await again.write('salesOrder', [
      { ref: 'o', action: 'update', targetId: found.get(key)!.id, data: order, refs },
    ]);
    expect(update).toMatchObject({ ok: true, action: 'skipped' });
  });

  it('everything we send conforms to the XSD', async () => {
    const sb = await sandbox();
    const c = connector(sb, { orderNumberCustomField: '1' });
    await c.write('customer', [
      {
        ref: 'c',
        action: 'create',
        data: newCustomer({
          currency: 'GBP',
          addresses: [
            {
              kind: 'billing',
              line1: '2 Quay',
              line2: 'Dock 4',
              city: 'Hull',
              region: 'East Riding',
              postalCode: 'HU1 1AA',
              country: 'GB',
            },
            { kind: 'shipping', line1: '3 Quay', country: 'GB' },
          ],
        }),
      },
    ]);
    await c.write('product', [
      {
        ref: 'p',
        action: 'create',
        data: Product.parse({
          sku: 'NEW-01',
          name: 'A new product',
          listPrice: { amount: '12.34', currency: 'USD' },
          standardCost: { amount: '5', currency: 'USD' },
          unit: 'EA',
          updatedAt: new Date().toISOString(),
        }),
      },
    ]);
    const results = await c.write('salesOrder', [
      { ref: 'o', action: 'create', data: crmOrder(), refs: orderRefs(sb) },
    ]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(sb.kit.writeCalls().length).toBe(3);
    expect(sb.kit.violations).toEqual([]);
    // The checker is not blind: what QuickBooks Online does not take is found.
    expect(checkPayload('Customer', { DisplayName: 'X', CreditLimit: 5 }).map((p) => p.element)).toEqual([
      'CreditLimit',
    ]);
    expect(
      checkPayload('Invoice', { Line: [{ DetailType: 'SalesItemLineDetail', Amount: '1' }] }).map(
        (p) => p.element,
      ),
    ).toEqual(['Amount']);
  });
});

describe('QuickBooks Online reads', () => {
  it("the manual's customers and invoices map as the flows expect", async () => {
    const sb = await sandbox();
    const c = connector(sb);
    const [a1] = await c.get('customer', [idOf(sb, 'Customer', 'A1D001')]);
    const customer = Customer.parse(a1!.data);
    expect(customer).toMatchObject({ number: 'A1D001', name: 'A1 Design', status: 'active' });
    expect(customer.addresses[0]).toMatchObject({
      line1: '67a Station',
      city: 'Blackpool',
      postalCode: 'BP12 7HT',
      country: 'GB',
    });
    expect(customer.creditLimit).toBeUndefined();

    const invoices = (await all(c.read('invoice', {}))).map((i) => Invoice.parse(i.data));
    const first = invoices.find((i) => i.customerNumber === idOf(sb, 'Customer', 'A1D001'))!;
    expect(first.lines.map((l) => l.sku)).toEqual(['VID003', 'TAPE002', undefined]);
    expect(first.lines[2]!.description).toMatch(/Blackpool site/);
    for (const inv of invoices) {
      const sum = inv.lines.reduce((s, l) => s.plus(l.total.amount), new Decimal(0));
      expect(sum.plus(inv.taxTotal.amount).equals(inv.total.amount)).toBe(true);
      const tax = inv.lines.reduce((s, l) => s.plus(l.tax.amount), new Decimal(0));
      expect(tax.equals(inv.taxTotal.amount)).toBe(true);
    }
  });

  it("an invoice line's SKU is its item's FullyQualifiedName, and a discount is taken off the lines", async () => {
    const sb = await sandbox();
    const c = connector(sb);
    const parent = sb.store.put('Item', { Name: 'Hardware', Type: 'Category' });
    const cable = sb.store.put('Item', {
      Name: 'CABLE1',
      Type: 'NonInventory',
      ParentRef: { value: parent.Id },
      UnitPrice: 10,
      IncomeAccountRef: { value: '79' },
    }) as QboItem;
    expect(cable.FullyQualifiedName).toBe('Hardware:CABLE1');
    const inv = sb.store.put('Invoice', {
      CustomerRef: { value: idOf(sb, 'Customer', 'ABS001') },
      TxnDate: '2024-06-01',
      Line: [
        {
          DetailType: 'SalesItemLineDetail',
          Amount: 30,
          SalesItemLineDetail: {
            ItemRef: { value: cable.Id! },
            Qty: 3,
            UnitPrice: 10,
            TaxCodeRef: { value: 'TAX' },
          },
        },
        {
          DetailType: 'SalesItemLineDetail',
          Amount: 70,
          SalesItemLineDetail: {
            ItemRef: { value: idOf(sb, 'Item', 'TAPE002') },
            Qty: 25,
            UnitPrice: 2.8,
            TaxCodeRef: { value: 'NON' },
          },
        },
        {
          DetailType: 'DiscountLineDetail',
          Amount: 10,
          DiscountLineDetail: { PercentBased: true, DiscountPercent: 10 },
        },
      ],
    });
    const [item] = await c.get('invoice', [inv.Id!]);
    const parsed = Invoice.parse(item!.data);
    // The 10 of discount comes off the lines in proportion (3 and 7); the tax stays on the taxable line.
    expect(parsed.lines.map((l) => [l.sku, Number(l.total.amount), Number(l.tax.amount)])).toEqual([
      ['Hardware:CABLE1', 27, 2.48],
      ['TAPE002', 63, 0],
    ]);
    expect(new Decimal(parsed.total.amount).equals((inv as QboInvoice).TotalAmt!)).toBe(true);
    // A webhook names an item by its Id; reading it by that Id gives the product under its name.
    const [product] = await all(c.read('product', { ids: [cable.Id!] }));
    expect(product?.id).toBe('Hardware:CABLE1');
  });
});

describe('QuickBooks Online webhooks', () => {
  it('webhook signature verified before parsing', async () => {
    const received: Array<{ headers: Record<string, string | undefined>; rawBody: string }> = [];
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        received.push({
          headers: { [SIGNATURE_HEADER]: req.headers[SIGNATURE_HEADER] as string },
          rawBody: body,
        });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    open.push({ close: () => new Promise((r) => server.close(() => r())) });
    const port = (server.address() as { port: number }).port;
    for (const format of ['legacy', 'cloudevents'] as const) {
      received.length = 0;
      const sb = await sandbox({ webhookUrl: `http://127.0.0.1:${port}/hooks/qbo`, webhookFormat: format });
      const c: QuickBooksConnector = connector(sb);
      const id = idOf(sb, 'Customer', 'A1D001');
      sb.store.edit('Customer', id, { Notes: 'edited' });
      await sb.webhooks.settled();
      const [delivery] = received;
      expect(c.webhook.verify(delivery!)).toBeUndefined();
      expect(c.webhook.parse(delivery!)).toEqual([
        expect.objectContaining({ entity: 'customer', id, kind: 'upsert' }),
      ]);
      // A body changed on the way, or signed with another token, is refused before anyone reads it.
      const forged = { ...delivery!, rawBody: delivery!.rawBody.replace(id, '999') };
      expect(c.webhook.verify(forged)).toMatch(/does not match/);
      expect(
        c.webhook.verify({
          ...delivery!,
          headers: { [SIGNATURE_HEADER]: signBody(delivery!.rawBody, 'other') },
        }),
      ).toMatch(/does not match/);
      expect(c.webhook.verify({ ...delivery!, headers: {} })).toMatch(/no intuit-signature/);
    }
  });
});
