import { afterEach, describe, expect, it } from 'vitest';
import { Invoice, Payment } from '../../model/index.js';
import type { SourceItem } from '../sdk/contract.js';
import type { IsellerConnector } from './connector.js';
import { type IsellerSandbox, startIsellerSandbox, wib } from './sandbox/index.js';
import { connect } from './test-support.js';
import { signIsellerBody } from './webhook.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

async function shop(
  o: Parameters<typeof startIsellerSandbox>[0] = {},
): Promise<{ sb: IsellerSandbox; c: IsellerConnector }> {
  const sb = await startIsellerSandbox(o);
  open.push(sb);
  const c = connect(sb);
  open.push(c);
  return { sb, c };
}

async function all(it: AsyncIterable<SourceItem[]>): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const page of it) out.push(...page);
  return out;
}

const byNumber = (items: SourceItem[], n: string) =>
  items.find((i) => (i.data as { number?: string })?.number === n);

describe('iSeller connector rules', { timeout: 30_000 }, () => {
  it('pages by has_next_item: page after page until iSeller says there is none', async () => {
    const { sb, c } = await shop({ shop: false, count: 7 });
    const items = await all(c.read('stockTransfer', { pageSize: 3 }));
    expect(items).toHaveLength(7);
    const pages = sb.requests.filter((r) => r.call === 'GetTransfer').map((r) => Number(r.body.page));
    expect(pages).toEqual([1, 2, 3]);
  });

  it('a 200 with status false is a failure with iSeller’s message and its category', async () => {
    const { sb, c } = await shop();
    sb.failNext('GetTransfer', 'The parameter page_size must not exceed 500');
    await expect(all(c.read('stockTransfer', {}))).rejects.toMatchObject({
      category: 'rejected',
      message: 'iSeller GetTransfer answered status false: The parameter page_size must not exceed 500',
    });
    sb.failNext('GetTransfer', 'Too many requests, slow down');
    await expect(all(c.read('stockTransfer', {}))).rejects.toMatchObject({ category: 'rate_limited' });
    // A message naming the token: renewed once and repeated, then config if it persists.
    sb.failNext('GetTransfer', 'Invalid access token');
    sb.failNext('GetTransfer', 'Invalid access token');
    await expect(all(c.read('stockTransfer', {}))).rejects.toMatchObject({
      category: 'config',
      code: 'auth',
    });
    const [bad] = await c.write('product', [
      {
        ref: 'x',
        action: 'create',
        data: {
          sku: 'KOPI-250',
          name: 'again',
          listPrice: { amount: '1', currency: 'IDR' },
          unit: 'PCS',
          updatedAt: '2025-03-14T10:00:00+07:00',
        },
      },
    ]);
    expect(bad).toMatchObject({ ok: false, error: { category: 'rejected', code: 'duplicate' } });
  });

  it('reads a sale to the rupiah: lines, line and order discounts, PPN, rounding, outlet and time', async () => {
    const { sb, c } = await shop();
    // A sale names its customer by iSeller's id (how the customers flow reads it); Mark typed MZ-001.
    const mark = [...sb.data.customers.values()].find((x) => x.external_customer_id === 'MZ-001')!;
    const items = await all(c.read('invoice', {}));
    const k1 = Invoice.parse(byNumber(items, 'KMG-1001')?.data);
    expect(k1).toMatchObject({
      type: 'invoice',
      warehouse: 'KMG',
      occurredAt: '2025-03-14T09:15:12+07:00',
      invoiceDate: '2025-03-14',
      customerNumber: mark.customer_id,
      netTotal: { amount: '192500', currency: 'IDR' },
      taxTotal: { amount: '21175', currency: 'IDR' },
      rounding: { amount: '-175', currency: 'IDR' },
      total: { amount: '213500', currency: 'IDR' },
    });
    expect(k1.lines[0]).toMatchObject({
      sku: 'KOPI-250',
      quantity: '2',
      discount: { amount: '10000' },
      total: { amount: '160000' },
    });
    expect(k1.taxLines).toEqual([
      {
        code: '11%',
        rate: '11',
        taxable: { amount: '192500', currency: 'IDR' },
        tax: { amount: '21175', currency: 'IDR' },
      },
    ]);
    const k2 = Invoice.parse(byNumber(items, 'KMG-1002')?.data);
    expect(k2.customerNumber).toBe('UMUM');
    expect(k2.lines.at(-1)).toMatchObject({ description: 'Order discount', total: { amount: '-4000' } });
    expect(k2.total.amount).toBe('55500');
    const refund = Invoice.parse(byNumber(items, 'KMG-1003-R')?.data);
    expect(refund).toMatchObject({
      type: 'credit_note',
      total: { amount: '50000' },
      rounding: { amount: '50' },
    });
    // Elon has no ID in iSeller: his sales carry iSeller's own customer id.
    expect(Invoice.parse(byNumber(items, 'KMG-1003')?.data).customerNumber).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a sale whose figures do not make its total fails with the figures', async () => {
    const { sb, c } = await shop();
    const o = [...sb.data.orders.values()].find((x) => x.order_reference === 'SNY-2001')!;
    o.total_amount = '166501.0000';
    const item = (await all(c.read('invoice', {}))).find((i) => i.id === o.order_id)!;
    expect(item.error?.message).toBe(
      'order SNY-2001: net 150000 + tax 16500 + rounding 0 = 166500, but its total is 166501 (a difference of 1 IDR)',
    );
  });

  it('payments: one per method, applied to the sale, at its outlet and time', async () => {
    const { c } = await shop();
    const items = await all(c.read('payment', {}));
    const cash = Payment.parse(byNumber(items, 'KMG-1001-Cash')?.data);
    const qris = Payment.parse(byNumber(items, 'KMG-1001-QRIS')?.data);
    expect(cash.amount.amount).toBe('100000');
    expect(qris).toMatchObject({
      amount: { amount: '113500' },
      warehouse: 'KMG',
      occurredAt: '2025-03-14T09:15:55+07:00',
    });
    expect(qris.applications).toEqual([
      { documentType: 'invoice', documentNumber: 'KMG-1001', amount: { amount: '113500', currency: 'IDR' } },
    ]);
    expect(Payment.parse(byNumber(items, 'KMG-1003-R-Cash')?.data)).toMatchObject({
      type: 'refund',
      amount: { amount: '50000' },
    });
  });

  it('a product without an SKU fails with the seed’s reason, read or written', async () => {
    const { c } = await shop();
    const products = await all(c.read('product', {}));
    expect(products.find((p) => p.error)?.error?.message).toMatch(
      /Tas Kanvas.*the product does not have an SKU$/,
    );
    const [w] = await c.write('product', [
      { ref: 'p', action: 'create', data: { sku: '', name: 'Tas Kanvas' } },
    ]);
    expect(w).toMatchObject({
      ok: false,
      error: { message: 'product "Tas Kanvas": the product does not have an SKU' },
    });
    const [t] = await c.write('stockTransfer', [
      {
        ref: 't',
        action: 'create',
        data: {
          number: 'RI-0001',
          date: '2025-03-14',
          fromWarehouse: 'vendor:V001',
          toWarehouse: 'KMG',
          status: 'received',
          lines: [{ sku: 'NOPE-1', quantity: '3', unit: 'PCS' }],
          updatedAt: '2025-03-14T10:00:00+07:00',
        },
      },
    ]);
    expect(t).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('the product does not have an SKU') },
    });
  });

  it('goods received into an outlet raise its stock once; a retry finds the transfer', async () => {
    const { sb, c } = await shop();
    const data = {
      number: 'RI-0002',
      date: '2025-03-14',
      fromWarehouse: 'vendor:V001',
      toWarehouse: 'SNY',
      status: 'received',
      lines: [{ sku: 'TEH-100', quantity: '12', unit: 'PCS' }],
      updatedAt: '2025-03-14T10:00:00+07:00',
    };
    const before = sb.data.productBySku('TEH-100')!.stock.get('SNY')!;
    const [r] = await c.write('stockTransfer', [{ ref: 'r', action: 'create', data }]);
    expect(r?.ok).toBe(true);
    expect(sb.data.productBySku('TEH-100')!.stock.get('SNY')).toBe(before + 12);
    expect((await c.lookup('stockTransfer', ['RI-0002'])).size).toBe(1);
  });

  it("a transfer's out half entered elsewhere leaves its outlet; a retry finds it among the outs", async () => {
    const { sb, c } = await shop();
    const data = {
      number: 'IT-0009',
      date: '2025-03-14',
      fromWarehouse: 'GDG',
      toWarehouse: 'SNY',
      status: 'out',
      lines: [{ sku: 'TEH-100', quantity: '10', unit: 'PCS' }],
      updatedAt: '2025-03-14T10:00:00+07:00',
    };
    const stock = (o: string) => sb.data.productBySku('TEH-100')!.stock.get(o)!;
    const before = [stock('GDG'), stock('SNY')];
    expect(c.naturalKey('stockTransfer', data)).toBe('out:IT-0009');
    const [r] = await c.write('stockTransfer', [{ ref: 'r', action: 'create', data }]);
    expect(r?.ok).toBe(true);
    expect([stock('GDG'), stock('SNY')]).toEqual([before[0]! - 10, before[1]]);
    expect([...(await c.lookup('stockTransfer', ['out:IT-0009', 'IT-0009'])).keys()]).toEqual([
      'out:IT-0009',
    ]);
  });

  it('webhooks: a signed notification names its order; a forged one is refused', async () => {
    const { sb, c } = await shop();
    const o = [...sb.data.orders.values()][0]!;
    const raw = JSON.stringify({
      order_id: o.order_id,
      order_reference: o.order_reference,
      payment_status: 'paid',
      modified_date: '2025-03-14 09:15:12',
    });
    const ts = '2025-03-14T02:15:13.0000000Z';
    const good = {
      headers: { Timestamp: ts, Signature: signIsellerBody('iseller-sandbox-api-key', raw, ts) },
      rawBody: raw,
    };
    expect(c.webhook.verify(good)).toBeUndefined();
    expect(c.webhook.parse(good).map((e) => [e.entity, e.id])).toEqual([
      ['invoice', o.order_id],
      ['payment', o.order_id],
    ]);
    expect((await c.get('payment', [o.order_id])).length).toBeGreaterThan(0);
    const forged = {
      headers: { ...good.headers, Signature: signIsellerBody('guessed', raw, ts) },
      rawBody: raw,
    };
    expect(c.webhook.verify(forged)).toMatch(/does not match/);
    expect(c.webhook.verify({ headers: good.headers, rawBody: raw.replace('paid', 'void') })).toMatch(
      /does not match/,
    );
    expect(c.webhook.verify({ headers: {}, rawBody: raw })).toMatch(/lacks/);
  });

  it('closed shifts are listed with their window, and the shift’s orders read by register', async () => {
    const { sb, c } = await shop();
    const id = sb.closeShift('REG-KMG-1', wib('2025-03-14 21:00:00'));
    const shifts = await c.closedShifts('2025-03-14T00:00:00+07:00');
    expect(shifts).toHaveLength(1);
    expect(shifts[0]).toMatchObject({
      id,
      register: 'REG-KMG-1',
      outlet: 'KMG',
      openedAt: '2025-03-14T08:00:00+07:00',
      closedAt: '2025-03-14T21:00:00+07:00',
      totals: { sales: { amount: '319000' }, orders: 3 },
    });
    const s = shifts[0]!;
    const sales = await all(
      c.read('invoice', { since: s.openedAt, until: s.closedAt, filters: { register: [s.register!] } }),
    );
    expect(sales.map((i) => (i.data as { number: string }).number).sort()).toEqual([
      'KMG-1001',
      'KMG-1002',
      'KMG-1003',
      'KMG-1003-R',
    ]);
    expect(await c.closedShifts('2025-03-14T21:00:01+07:00')).toEqual([]);
    // The shift-closed notification carries the shift and names no record.
    const raw = JSON.stringify({
      register_shift_id: id,
      register_id: 'REG-KMG-1',
      outlet_code: 'KMG',
      open_date: '2025-03-14 08:00:00',
      closed_date: '2025-03-14 21:00:00',
    });
    expect(c.webhook.parse({ headers: {}, rawBody: raw })).toEqual([
      {
        entity: 'invoice',
        id,
        occurredAt: '2025-03-14T14:00:00.000Z',
        shift: {
          id,
          register: 'REG-KMG-1',
          outlet: 'KMG',
          openedAt: '2025-03-14T01:00:00.000Z',
          closedAt: '2025-03-14T14:00:00.000Z',
        },
      },
    ]);
  });
});
