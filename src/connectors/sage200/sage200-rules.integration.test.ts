import { Decimal } from 'decimal.js';
import { afterEach, describe, expect, it } from 'vitest';
import { Customer, Invoice, Product, SalesOrder } from '../../model/index.js';
import type { SourceItem } from '../sdk/contract.js';
import { isLedgerlinkError } from '../sdk/errors.js';
import { STORED } from './auth.js';
import type { Sage200Connector } from './connector.js';
import { SAGE200_SANDBOX, type Sage200Sandbox, startSage200Sandbox } from './sandbox/index.js';
import { connect, MemoryCredentials } from './test-support.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (open.length) {
    const o = open.pop()!;
    await o.close();
    const kit = (o as Partial<Sage200Sandbox>).kit;
    if (kit) expect(kit.violations, 'traffic that departs from the published specs').toEqual([]);
  }
});

async function sandbox(o: Parameters<typeof startSage200Sandbox>[0] = {}): Promise<Sage200Sandbox> {
  const sb = await startSage200Sandbox({ conformance: true, ...o });
  open.unshift(sb);
  return sb;
}

function connector(
  sb: Sage200Sandbox,
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

const crmOrder = (patch: Partial<SalesOrder> = {}): SalesOrder =>
  SalesOrder.parse({
    number: 'ORD-1001-1KWBHX',
    status: 'ready',
    customerNumber: 'A1D001',
    takenBy: 'Sally Sales',
    orderDate: '2024-05-02',
    currency: 'GBP',
    lines: [
      {
        lineNumber: 1,
        sku: 'VID003',
        quantity: '3',
        unit: 'Each',
        unitPrice: { amount: '55', currency: 'GBP' },
        total: { amount: '165', currency: 'GBP' },
      },
      {
        lineNumber: 2,
        sku: 'TAPE002',
        quantity: '22',
        unit: 'Each',
        unitPrice: { amount: '2.80', currency: 'GBP' },
        total: { amount: '61.60', currency: 'GBP' },
      },
      {
        lineNumber: 3,
        sku: 'test Product',
        writeIn: true,
        description: 'test Product',
        quantity: '3',
        unit: 'Each',
        unitPrice: { amount: '33', currency: 'GBP' },
        total: { amount: '99', currency: 'GBP' },
      },
    ],
    taxTotal: { amount: '0', currency: 'GBP' },
    orderTotal: { amount: '325.60', currency: 'GBP' },
    updatedAt: '2024-05-02T10:00:00Z',
    ...patch,
  });

const sopOrders = (sb: Sage200Sandbox) => [...sb.store.tables.sop_orders.values()];

describe('Sage 200 connector rules', () => {
  it('reads the manual records: A1D001 and ABS001 with their credit limits, VID003 at its Standard price', async () => {
    const sb = await sandbox();
    const c = connector(sb);
    const customers = await all(c.read('customer', {}));
    const a1 = Customer.parse(customers.find((i) => i.id === 'A1D001')?.data);
    expect(a1.name).toBe('A1 Design');
    expect(a1.creditLimit?.amount).toBe('1000');
    expect(a1.addresses[0]).toMatchObject({
      line1: '67a Station',
      city: 'Blackpool',
      postalCode: 'BP12 7HT',
      country: 'GB',
    });
    // No turnover in the API: annualRevenue is left out rather than sent as nothing.
    expect(a1.annualRevenue).toBeUndefined();
    const abs = Customer.parse(customers.find((i) => i.id === 'ABS001')?.data);
    expect(abs.creditLimit?.amount).toBe('4000');
    const products = await all(c.read('product', {}));
    const vid = Product.parse(products.find((i) => i.id === 'VID003')?.data);
    expect(vid.name).toBe('32mb PCI Video Card');
    expect(vid.listPrice).toEqual({ amount: '55', currency: 'GBP' });
    expect(Product.parse(products.find((i) => i.id === 'TAPE002')?.data).listPrice.amount).toBe('2.8');
  });

  it('posted invoices are read with their customer reference and totals to the cent; credit notes as credit notes', async () => {
    const sb = await sandbox();
    const a1 = [...sb.store.tables.customers.values()].find((r) => r.reference === 'A1D001')!;
    sb.store.insert('sales_posted_transactions', {
      customer_id: a1.id,
      trader_transaction_type: 'TradingAccountEntryTypeCreditNote',
      reference: 'CN000001',
      transaction_date: '2024-02-25T00:00:00Z',
      document_goods_value: -10,
      document_tax_value: -1.75,
      document_gross_value: -11.75,
      document_outstanding_value: 0,
    });
    const c = connector(sb);
    const invoices = (await all(c.read('invoice', {}))).map((i) => Invoice.parse(i.data));
    const first = invoices.find((i) => i.number === '0000000101')!;
    expect(first.customerNumber).toBe('A1D001');
    const is = (a: string, b: string) => new Decimal(a).equals(b);
    expect(is(first.netTotal.amount, '325.60')).toBe(true);
    expect(is(first.taxTotal.amount, '56.99')).toBe(true);
    expect(is(first.total.amount, '382.59')).toBe(true);
    expect(
      new Decimal(first.total.amount).equals(new Decimal(first.netTotal.amount).plus(first.taxTotal.amount)),
    ).toBe(true);
    const credit = invoices.find((i) => i.number === 'CN000001')!;
    expect(credit.type).toBe('credit_note');
    expect(is(credit.total.amount, '11.75')).toBe(true);
  });

  it('a SOP invoice carries its lines from customer_sop_invoice_credit_line_views: product, quantity, price, net and Sage’s tax per line', async () => {
    const sb = await sandbox();
    const c = connector(sb);
    const invoices = (await all(c.read('invoice', {}))).map((i) => Invoice.parse(i.data));
    const penny = invoices.find((i) => i.number === '0000000101')!;
    const f = (v: string) => new Decimal(v).toFixed(2);
    expect(
      penny.lines.map((l) => [
        l.sku,
        l.description,
        f(l.quantity),
        f(l.unitPrice.amount),
        f(l.total.amount),
        f(l.tax.amount),
      ]),
    ).toEqual([
      ['VID003', '32mb PCI Video Card', '3.00', '55.00', '165.00', '28.88'],
      ['TAPE002', 'Adhesive Tape – Brown (50mm x 66m)', '22.00', '2.80', '61.60', '10.78'],
      ['MISC', 'Miscellaneous', '3.00', '33.00', '99.00', '17.33'],
    ]);
    expect([penny.netTotal, penny.taxTotal, penny.total].map((m) => f(m.amount))).toEqual([
      '325.60',
      '56.99',
      '382.59',
    ]);
    // 0000000102 was entered in the sales ledger: no SOP lines, one line of its totals without a product.
    const ledger = invoices.find((i) => i.number === '0000000102')!;
    expect(ledger.lines).toHaveLength(1);
    expect(ledger.lines[0]?.sku).toBeUndefined();
    expect(f(ledger.lines[0]!.total.amount)).toBe('110.00');
    // The lines were asked for by document number, in line order, within the published API.
    const asked = sb.requests.filter((r) => r.path === '/customer_sop_invoice_credit_line_views');
    expect(asked.length).toBeGreaterThan(0);
    expect(asked[0]?.query.$filter).toMatch(/sop_invoice_credit_document_no eq '0000000101'/);
    expect(asked[0]?.query.$orderby).toBe('sop_invoice_credit_line_id');
  });

  it('a line sold from two profit analysis entries is one line, its quantities added; lines that do not add up to the posted totals fail the invoice, naming both', async () => {
    const sb = await sandbox();
    const views = sb.store.tables.customer_sop_invoice_credit_line_views;
    const tape = [...views.values()].find((v) => v.product_code === 'TAPE002')!;
    // TAPE002's 22 as 20 + 2 from two bins: two rows of the view for the one line.
    tape.invoice_line_profit_analysis_line_quantity = 20;
    sb.store.insert('customer_sop_invoice_credit_line_views', {
      ...tape,
      invoice_line_profit_analysis_id: Number(tape.invoice_line_profit_analysis_id) + 50,
      invoice_line_profit_analysis_line_quantity: 2,
    });
    const a1 = [...sb.store.tables.customers.values()].find((r) => r.reference === 'A1D001')!;
    const bad = sb.store.insert('sales_posted_transactions', {
      customer_id: a1.id,
      trader_transaction_type: 'TradingAccountEntryTypeInvoice',
      reference: '0000000103',
      transaction_date: '2024-02-22T00:00:00Z',
      document_goods_value: 100,
      document_tax_value: 17.5,
      document_gross_value: 117.5,
      document_outstanding_value: 117.5,
    });
    sb.store.insert('customer_sop_invoice_credit_line_views', {
      ...tape,
      sop_invoice_credit_id: 9103,
      sop_invoice_credit_document_no: '0000000103',
      sop_invoice_credit_line_id: 910301,
      sop_invoice_credit_line_total_value: 55,
      sop_invoice_credit_line_tax_value: 9.63,
      invoice_line_profit_analysis_line_quantity: 1,
    });
    const c = connector(sb);
    const items = await all(c.read('invoice', {}));
    const penny = Invoice.parse(
      items.find(
        (i) => i.id === String(sb.store.find('sales_posted_transactions', 'reference', '0000000101')?.id),
      )?.data,
    );
    expect(penny.lines.map((l) => [l.sku, l.quantity])).toEqual([
      ['VID003', '3'],
      ['TAPE002', '22'],
      ['MISC', '3'],
    ]);
    const failed = items.find((i) => i.id === String(bad.id));
    expect(failed?.data).toBeUndefined();
    expect(failed?.error).toMatchObject({ code: 'invalid_data', category: 'rejected' });
    expect(failed?.error?.message).toBe(
      "invoice 0000000103: its lines' net comes to 55.00 but its net total is 100.00; its lines' tax comes to 9.63 but its tax total is 17.50. Its SOP invoice lines and its posted transaction in Sage 200 disagree (a line the API's invoice line view does not list, such as an additional charge, or damaged data)",
    );
  });

  it('every call carries the bearer token, X-Site and X-Company', async () => {
    const sb = await sandbox();
    const c = connector(sb);
    await all(c.read('customer', {}));
    expect(sb.requests.length).toBeGreaterThan(0);
    for (const r of sb.requests)
      expect(r.headers).toEqual({ 'x-site': SAGE200_SANDBOX.siteId, 'x-company': SAGE200_SANDBOX.companyId });
  });

  it('a wrong X-Company is refused by Sage and check() names the site and company', async () => {
    const sb = await sandbox();
    const c = connector(sb, { companyId: '99' });
    const results = await c.check();
    const site = results.find((r) => r.name === 'site');
    expect(site?.ok).toBe(false);
    expect(site?.message).toMatch(/company 99 is not among the sites/);
    await expect(all(c.read('customer', {}))).rejects.toMatchObject({ code: 'auth', category: 'config' });
  });

  it('pages with $top and $skip until a short page', async () => {
    const sb = await sandbox({ manualRecords: false, customers: 25 });
    const c = connector(sb);
    const pages: number[] = [];
    for await (const page of c.read('customer', { pageSize: 10 })) pages.push(page.length);
    expect(pages).toEqual([10, 10, 5]);
    const asked = sb.requests
      .filter((r) => r.path === '/customers')
      .map((r) => [r.query.$top, r.query.$skip]);
    expect(asked).toEqual([
      ['10', undefined],
      ['10', '10'],
      ['10', '20'],
    ]);
  });

  it('ids are read with an or-group in $filter, a quote in a reference doubled', async () => {
    const sb = await sandbox();
    sb.store.insert('customers', { reference: "O'NEIL1", name: "O'Neil & Co", on_hold: false });
    const c = connector(sb);
    const got = await all(c.read('customer', { ids: ["O'NEIL1", 'ABS001', 'NOSUCH'] }));
    expect(got.map((i) => i.id).sort()).toEqual(['ABS001', "O'NEIL1"]);
    expect(sb.requests.at(-1)?.query.$filter).toBe(
      "(reference eq 'O''NEIL1' or reference eq 'ABS001' or reference eq 'NOSUCH')",
    );
  });

  it('an incremental read filters date_time_updated ge the window start, inclusive', async () => {
    const sb = await sandbox({ manualRecords: false, customers: 9 });
    const c = connector(sb);
    const everything = await all(c.read('customer', {}));
    const since = everything[4]!.updatedAt;
    const got = await all(c.read('customer', { since }));
    expect(got.map((i) => i.id)).toEqual(everything.filter((i) => i.updatedAt >= since).map((i) => i.id));
    const last = sb.requests.filter((r) => r.path === '/customers').at(-1);
    expect(last?.query.$filter).toBe(`date_time_updated ge ${since}`);
  });

  it('a price changed in the window brings its product, though the product row did not change', async () => {
    const sb = await sandbox();
    const c = connector(sb);
    const since = new Date(Date.now() - 1000).toISOString();
    expect(await all(c.read('product', { since }))).toEqual([]);
    const view = [...sb.store.tables.product_price_views.values()].find((v) => v.product_code === 'TAPE002')!;
    view.product_price_price = 3.15;
    view.date_time_updated = new Date().toISOString();
    const got = await all(c.read('product', { since }));
    expect(got.map((i) => i.id)).toEqual(['TAPE002']);
    expect(Product.parse(got[0]!.data).listPrice.amount).toBe('3.15');
  });

  it('the refresh token Sage ID rotates is stored before the access token is used', async () => {
    const sb = await sandbox();
    const creds = new MemoryCredentials();
    const c = connector(sb, {}, creds);
    await all(c.read('customer', { ids: ['A1D001'] }));
    const stored = creds.values.get(STORED.refreshToken);
    expect(stored).toMatch(/^s200-rt-/);
    const firstWrite = creds.writes[0];
    expect(firstWrite?.name).toBe(STORED.refreshToken);
    // The initial token is retired only if it is not the sandbox's permanent one; the rotated one is.
    sb.sageId.expireAccessTokens();
    await all(c.read('customer', { ids: ['A1D001'] }));
    expect(creds.values.get(STORED.refreshToken)).not.toBe(stored);
    expect(sb.sageId.refreshTokens.get(stored!)?.retired).toBe(true);
    expect(sb.sageId.grants.refresh_token).toBe(2);
  });

  it('when the new refresh token cannot be stored, the access token is not used', async () => {
    const sb = await sandbox();
    const creds = new MemoryCredentials();
    creds.failWrites = true;
    const c = connector(sb, {}, creds);
    const err = await all(c.read('customer', {})).catch((e) => e);
    expect(isLedgerlinkError(err)).toBe(true);
    expect(err.message).toMatch(/refresh token could not be stored/);
    expect(sb.requests).toEqual([]);
  });

  it('a 401 renews the access token once and repeats the call', async () => {
    const sb = await sandbox();
    const c = connector(sb);
    await all(c.read('customer', { ids: ['A1D001'] }));
    sb.sageId.expireAccessTokens();
    const got = await all(c.read('customer', { ids: ['ABS001'] }));
    expect(got.map((i) => i.id)).toEqual(['ABS001']);
    expect(sb.kit.calls.filter((x) => x.status === 401)).toHaveLength(1);
  });

  it('the authorization URL names the Sage 200 audience; the code is exchanged and its refresh token kept', async () => {
    const sb = await sandbox();
    const creds = new MemoryCredentials();
    const c = connector(sb, { refreshToken: undefined }, creds) as Sage200Connector;
    const url = new URL(c.authorization.authorizeUrl('http://127.0.0.1/callback', 'st-1'));
    expect(url.searchParams.get('audience')).toBe('s200ukipd/sage200');
    expect(url.searchParams.get('scope')).toContain('offline_access');
    const res = await fetch(url, { redirect: 'manual' });
    const back = new URL(res.headers.get('location')!);
    expect(back.searchParams.get('state')).toBe('st-1');
    await c.authorization.complete(back.searchParams.get('code')!, 'http://127.0.0.1/callback');
    expect(creds.values.get(STORED.refreshToken)).toMatch(/^s200-rt-/);
    expect(await all(c.read('customer', { ids: ['A1D001'] }))).toHaveLength(1);
  });

  it('a CRM order becomes a SOP order: the CRM number as customer document number, the SOP number back', async () => {
    const sb = await sandbox();
    const c = connector(sb);
    const order = crmOrder();
    expect(c.naturalKey('salesOrder', order)).toBe('ORD-1001-1KWBHX');
    expect((await c.lookup('salesOrder', ['ORD-1001-1KWBHX'])).size).toBe(0);
    const [r] = await c.write('salesOrder', [{ ref: 'o1', action: 'create', data: order }]);
    expect(r?.ok && r.action).toBe('created');
    const saved = sopOrders(sb)[0]!;
    expect(r?.ok && 'targetNumber' in r && r.targetNumber).toBe(saved.document_no);
    expect(saved.customer_document_no).toBe('ORD-1001-1KWBHX');
    expect(saved.document_created_by).toBe('Sally Sales');
    expect(
      (saved.lines as Array<Record<string, unknown>>).map((l) => [
        l.code,
        l.line_quantity,
        l.selling_unit_price,
      ]),
    ).toEqual([
      ['VID003', 3, 55],
      ['TAPE002', 22, 2.8],
      ['MISC', 3, 33],
    ]);
    const found = await c.lookup('salesOrder', ['ORD-1001-1KWBHX']);
    expect(found.get('ORD-1001-1KWBHX')?.id).toBe(String(saved.id));
  });

  it('an order is never changed from here: an update is skipped with the reason', async () => {
    const sb = await sandbox();
    const c = connector(sb);
    const [r] = await c.write('salesOrder', [
      { ref: 'o1', action: 'update', targetId: '1', data: crmOrder() },
    ]);
    expect(r).toMatchObject({ ok: true, action: 'skipped', reason: expect.stringMatching(/never changed/) });
    expect(sb.kit.writeCalls()).toEqual([]);
  });

  it('bad orders fail with a reason and the batch goes on', async () => {
    const sb = await sandbox();
    const c = connector(sb);
    const results = await c.write('salesOrder', [
      { ref: 'long', action: 'create', data: crmOrder({ number: 'ORD-THIS-NUMBER-IS-LONGER-THAN-THIRTY' }) },
      { ref: 'nobody', action: 'create', data: crmOrder({ number: 'ORD-2', customerNumber: 'XXX001' }) },
      {
        ref: 'noproduct',
        action: 'create',
        data: crmOrder({ number: 'ORD-3', lines: [{ ...crmOrder().lines[0]!, sku: 'NOSUCH' }] }),
      },
      { ref: 'good', action: 'create', data: crmOrder({ number: 'ORD-4' }) },
    ]);
    const by = new Map(results.map((r) => [r.ref, r]));
    const reason = (ref: string) => {
      const r = by.get(ref);
      return r && !r.ok ? `${r.error.category}: ${r.error.message}` : 'ok';
    };
    expect(reason('long')).toMatch(/^rejected: .*customer document number takes 30/);
    expect(reason('nobody')).toMatch(/^rejected: .*customer XXX001 is not a Sage 200 account/);
    expect(reason('noproduct')).toMatch(/^rejected: .*product NOSUCH is not a Sage 200 product/);
    expect(by.get('good')?.ok).toBe(true);
    expect(sopOrders(sb).map((o) => o.customer_document_no)).toEqual(['ORD-4']);
  });

  it('a refusal of Sage 200 ({statusCode, message}) is the record’s, with Sage’s message', async () => {
    const sb = await sandbox();
    const a1 = [...sb.store.tables.customers.values()].find((r) => r.reference === 'A1D001')!;
    a1.on_hold = true;
    const c = connector(sb);
    const [r] = await c.write('salesOrder', [{ ref: 'o1', action: 'create', data: crmOrder() }]);
    expect(r?.ok).toBe(false);
    if (r && !r.ok) {
      expect(r.error).toMatchObject({ code: 'invalid_data', category: 'rejected', httpStatus: 400 });
      expect(r.error.message).toMatch(/A1D001 is on hold/);
    }
  });

  it('a 429 is a rate limit and a 5xx is transient', async () => {
    const sb = await sandbox();
    const c = connector(sb);
    sb.kit.injectFault({ kind: 'status', status: 503, match: { path: '/sop_orders' } });
    sb.kit.injectFault({ kind: 'status', status: 503, match: { path: '/sop_orders' } });
    sb.kit.injectFault({ kind: 'status', status: 503, match: { path: '/sop_orders' } });
    sb.kit.injectFault({ kind: 'status', status: 503, match: { path: '/sop_orders' } });
    const [r] = await c.write('salesOrder', [{ ref: 'o1', action: 'create', data: crmOrder() }]);
    expect(r?.ok === false && r.error.category).toBe('transient');
    sb.kit.clearFaults();
    sb.kit.injectFault({
      kind: 'status',
      status: 429,
      retryAfterSeconds: 120,
      match: { path: '/customers' },
    });
    await expect(all(c.read('customer', {}))).rejects.toMatchObject({ category: 'rate_limited' });
  });
});
