import { afterEach, describe, expect, it } from 'vitest';
import type { Invoice, Payment, StockCount, StockTransfer } from '../../model/index.js';
import type { SourceItem, WriteResult } from '../sdk/contract.js';
import { type AccurateSandbox, startAccurateSandbox } from './sandbox/index.js';
import { connect } from './test-support.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (open.length) {
    const o = open.pop()!;
    await o.close();
    const kit = (o as Partial<AccurateSandbox>).kit;
    if (kit) expect(kit.violations, 'traffic that departs from the published spec').toEqual([]);
  }
});

async function sandbox(o: Parameters<typeof startAccurateSandbox>[0] = {}): Promise<AccurateSandbox> {
  const sb = await startAccurateSandbox({ conformance: true, ...o });
  open.unshift(sb);
  return sb;
}

function connector(
  sb: AccurateSandbox,
  o: Record<string, unknown> = {},
  mode: 'oauth2' | 'apiToken' = 'oauth2',
) {
  const c = connect(sb, o, mode);
  open.push(c);
  return c;
}

async function all(it: AsyncIterable<SourceItem[]>): Promise<{ items: SourceItem[]; pages: number }> {
  const items: SourceItem[] = [];
  let pages = 0;
  for await (const page of it) {
    items.push(...page);
    pages++;
  }
  return { items, pages };
}

const idr = (amount: string) => ({ amount, currency: 'IDR' });

/** A sale at Outlet Kemang: 3 × Kopi at 85,000 less 5,000, 2 × Gula at 18,500, PPN 11 % on the lot. */
function sale(number: string, patch: Partial<Invoice> = {}, tax = '31570'): Invoice {
  return {
    number,
    type: 'invoice',
    status: 'paid',
    invoiceDate: '2026-01-05',
    occurredAt: '2026-01-05T10:15:00+07:00',
    warehouse: 'KMG',
    customerNumber: 'C-00001',
    orderNumbers: [],
    currency: 'IDR',
    lines: [
      {
        lineNumber: 1,
        sku: 'KOPI-250',
        quantity: '3',
        unit: 'PCS',
        unitPrice: idr('85000'),
        discount: idr('5000'),
        tax: idr('27500'),
        total: idr('250000'),
      },
      {
        lineNumber: 2,
        sku: 'GULA-1KG',
        quantity: '2',
        unit: 'PCS',
        unitPrice: idr('18500'),
        tax: idr(String(Number(tax) - 27500)),
        total: idr('37000'),
      },
    ],
    taxLines: [],
    netTotal: idr('287000'),
    taxTotal: idr(tax),
    total: idr(String(287000 + Number(tax))),
    updatedAt: '2026-01-05T10:15:00+07:00',
    ...patch,
  };
}

const okCount = (rs: WriteResult[]) => rs.filter((r) => r.ok).length;

describe('Accurate rules', () => {
  it('a session that expires mid-batch is reopened once and the call sent again; nothing is lost', async () => {
    const sb = await sandbox({ customers: 250 });
    const c = connector(sb);
    let pages = 0;
    const ids: string[] = [];
    for await (const page of c.read('customer', {})) {
      ids.push(...page.map((i) => i.id));
      if (++pages === 1) sb.account.expireSessions();
    }
    expect(ids.length).toBe(253);
    expect(new Set(ids).size).toBe(253);
    expect(c.client.sessionsOpened).toBe(2);
    expect(sb.kit.calls.filter((x) => x.status === 401).length).toBe(1);
    // And inside a write: the bulk-save refused for its session is sent again, once.
    sb.account.expireSessions();
    const rs = await c.write(
      'invoice',
      Array.from({ length: 3 }, (_, i) => ({
        ref: `s${i}`,
        action: 'create' as const,
        data: sale(`POS-S-${i}`),
      })),
    );
    expect(okCount(rs)).toBe(3);
    expect(c.client.sessionsOpened).toBe(3);
    expect(sb.kit.calls.filter((x) => x.path.endsWith('/bulk-save.do')).map((x) => x.status)).toEqual([
      401, 200,
    ]);
  });

  it('a 429 storm makes calls wait, not fail: 100 sales land once each, within 8 in flight', async () => {
    const sb = await sandbox({ latencyMs: 20 });
    const c = connector(sb);
    sb.kit.injectFault({
      kind: 'status',
      status: 429,
      retryAfterSeconds: 1,
      times: 3,
      match: { path: 'bulk-save' },
    });
    const items = Array.from({ length: 100 }, (_, i) => ({
      ref: `r${i}`,
      action: 'create' as const,
      data: sale(`POS-429-${i}`),
    }));
    const started = Date.now();
    const rs = await c.write('invoice', items);
    expect(okCount(rs)).toBe(100);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2500);
    expect(sb.store.tables['sales-invoice'].size).toBe(100);
    // A burst of 40 reads at once: the connection's budget keeps them at 8 a second, 8 in flight.
    sb.kit.calls.length = 0;
    const found = await Promise.all(
      Array.from({ length: 40 }, () => c.lookup('invoice', ['invoice:POS-429-7'])),
    );
    expect(found.every((m) => m.size === 1)).toBe(true);
    expect(sb.kit.calls.filter((x) => x.status === 429).length).toBe(0);
    expect(sb.peakInFlight).toBeLessThanOrEqual(8);
  });

  it('one bad record in a bulk-save of 100: 99 land, 1 fails alone with Accurate’s message', async () => {
    const sb = await sandbox();
    const c = connector(sb);
    const items = Array.from({ length: 100 }, (_, i) => ({
      ref: `r${i}`,
      action: 'create' as const,
      data:
        i === 42
          ? sale('POS-B-42', { lines: [{ ...sale('x').lines[0]!, sku: 'NOPE-1' }] })
          : sale(`POS-B-${i}`),
    }));
    const rs = await c.write('invoice', items);
    expect(okCount(rs)).toBe(99);
    const bad = rs.find((r) => !r.ok);
    expect(bad?.ref).toBe('r42');
    if (bad?.ok === false) {
      expect(bad.error.category).toBe('rejected');
      expect(bad.error.message).toBe('Accurate refused it: Barang "NOPE-1" tidak ditemukan (baris 1)');
      // Its connector log keeps its own part of the call: what was sent for it and what came back.
      const [x] = bad.exchanges ?? [];
      expect(x?.requestBody).toMatchObject({
        bulkSave: 'record 43 of 100 in this sales-invoice bulk-save',
        data: [expect.objectContaining({ number: 'POS-B-42' })],
      });
      expect((x?.responseBody as { d?: unknown[] } | undefined)?.d).toEqual([
        expect.objectContaining({ s: false, d: ['Barang "NOPE-1" tidak ditemukan (baris 1)'] }),
      ]);
    }
    const good = rs.find((r) => r.ref === 'r7');
    expect((good?.exchanges?.[0]?.requestBody as { data?: unknown[] } | undefined)?.data).toEqual([
      expect.objectContaining({ number: 'POS-B-7' }),
    ]);
    expect(sb.kit.calls.filter((x) => x.path.endsWith('/bulk-save.do')).length).toBe(1);
    expect(sb.store.tables['sales-invoice'].size).toBe(99);
    // Retried after the fix: found by number, the 99 are not written twice.
    const keys = items.map((i) => c.naturalKey('invoice', i.data)!);
    expect((await c.lookup('invoice', keys)).size).toBe(99);
  });

  it('the {"s": false, "d": [...]} convention: refusals become our error classes with Accurate’s words', async () => {
    const sb = await sandbox();
    const c = connector(sb);
    const [first] = await c.write('invoice', [{ ref: 'a', action: 'create', data: sale('POS-DUP') }]);
    expect(first?.ok).toBe(true);
    const [again] = await c.write('invoice', [{ ref: 'b', action: 'create', data: sale('POS-DUP') }]);
    expect(again?.ok === false && again.error).toMatchObject({ code: 'duplicate', category: 'rejected' });
    expect(again?.ok === false && again.error.message).toMatch(/POS-DUP" sudah digunakan/);
    // An unknown outlet is the record's failure naming the warehouse.
    const [outlet] = await c.write('invoice', [
      { ref: 'c', action: 'create', data: sale('POS-X', { warehouse: 'PIK' }) },
    ]);
    expect(outlet?.ok === false && outlet.error.message).toMatch(/Gudang "PIK" tidak ditemukan/);
    // detail.do of an unknown id answers s:false: get() simply leaves it out.
    expect(await c.get('customer', ['999999'])).toEqual([]);
    // A database that open-db does not know is a configuration problem, said by check().
    const wrong = connector(sb, { databaseId: '7' });
    const verdicts = await wrong.check();
    expect(verdicts[0]).toMatchObject({ ok: false });
    expect(verdicts[0]?.message).toMatch(/Data usaha dengan id 7 tidak ditemukan/);
  });

  it('pages by the lastUpdate cursor: GREATER_EQUAL_THAN in WIB to the second, 100 a page, sorted by id', async () => {
    const sb = await sandbox({ shop: false, customers: 260 });
    const c = connector(sb);
    const { items } = await all(c.read('customer', {}));
    const boundary = items[30]!.updatedAt;
    sb.requests.length = 0;
    const { items: since, pages } = await all(c.read('customer', { since: boundary }));
    expect(since.map((i) => i.id)).toEqual(items.slice(30).map((i) => i.id));
    expect(pages).toBe(3);
    const q = sb.requests[0]!.query;
    expect(q['filter.lastUpdate.op']).toBe('GREATER_EQUAL_THAN');
    // boundary is +07:00 already: the value sent is its wall time in Jakarta.
    const wall = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2}:\d{2})\+07:00$/.exec(boundary)!;
    expect(q['filter.lastUpdate.val']).toBe(`${wall[3]}/${wall[2]}/${wall[1]} ${wall[4]}`);
    expect(q['sp.pageSize']).toBe('100');
    expect(q['sp.sort']).toBe('id|asc');
    // A UTC instant is the same second in WIB: 01:00Z is 08:00 in Jakarta.
    sb.requests.length = 0;
    await all(c.read('customer', { since: '2026-01-05T01:00:00Z' }));
    expect(sb.requests[0]!.query['filter.lastUpdate.val']).toBe('05/01/2026 08:00:00');
  });

  it('IDR to the rupiah: Accurate’s total equals the sale’s; a rupiah of difference is a reason on the record', async () => {
    const sb = await sandbox();
    const c = connector(sb);
    const [exact, off] = await c.write('invoice', [
      { ref: 'a', action: 'create', data: sale('POS-RP-1') },
      { ref: 'b', action: 'create', data: sale('POS-RP-2', {}, '31571') },
    ]);
    expect(exact?.ok && 'reason' in exact ? exact.reason : undefined).toBeUndefined();
    const inv = sb.store.find('sales-invoice', 'number', 'POS-RP-1')!;
    expect(inv.totalAmount).toBe(318570);
    expect(inv.taxAmount).toBe(31570);
    expect(off?.ok && off.action === 'created' && off.reason).toBe(
      "Accurate's total of POS-RP-2 is 318570 IDR, the sale's is 318571 (a difference of -1): check the tax and discounts",
    );
    // Stock left the outlet's warehouse, line by line.
    expect(sb.store.stockOf('KOPI-250', 'Outlet Kemang')).toBe(40 - 6);
    expect(sb.store.find('sales-invoice', 'number', 'POS-RP-1')!.branchName).toBe('Jakarta');
  });

  it('both auth schemes: OAuth with a database session; an API token with its signature checked by the sandbox', async () => {
    const sb = await sandbox();
    const oauth = connector(sb);
    expect((await oauth.check()).every((v) => v.ok)).toBe(true);
    expect(sb.requests.at(-1)?.session).toBeTruthy();
    expect(sb.account.grants.refresh_token).toBe(1);
    sb.requests.length = 0;
    const token = connector(sb, {}, 'apiToken');
    const { items } = await all(token.read('customer', {}));
    expect(items.length).toBe(3);
    expect(sb.requests.every((r) => r.signed && !r.session)).toBe(true);
    const forged = connector(sb, { signatureSecret: 'not-the-secret' }, 'apiToken');
    const verdicts = await forged.check();
    expect(verdicts[0]?.ok).toBe(false);
    expect(verdicts[0]?.message).toMatch(/X-Api-Signature invalid/);
    expect(sb.account.refusedSignatures).toBeGreaterThan(0);
  });

  it('customers: a given ID becomes the customer number, none lets Accurate number it, refused characters fail with a reason', async () => {
    const sb = await sandbox();
    const c = connector(sb);
    const cust = (number: string | undefined, name: string) => ({
      ...(number !== undefined ? { number } : {}),
      name,
      currency: 'IDR',
      updatedAt: '2026-01-05T10:00:00+07:00',
    });
    const rs = await c.write('customer', [
      { ref: 'mark', action: 'create', data: cust('ISL-1001', 'Mark Zuckeberg') },
      { ref: 'elon', action: 'create', data: cust(undefined, 'Elon Mask 2') },
      { ref: 'bad', action: 'create', data: cust('ISL 10#01', 'Bad Id') },
    ]);
    expect(rs[0]).toMatchObject({ ok: true, targetId: 'ISL-1001' });
    expect(rs[1]).toMatchObject({ ok: true, targetId: 'C-00004' });
    expect(rs[2]?.ok === false && rs[2].error.message).toMatch(
      /mengandung karakter yang tidak diperbolehkan/,
    );
    const numbered = connector(sb, { customerNumbers: 'accurate' });
    const [steve] = await numbered.write('customer', [
      { ref: 's', action: 'create', data: cust('ISL-2002', 'Steve J') },
    ]);
    expect(steve).toMatchObject({ ok: true, targetId: 'C-00005' });
    expect(numbered.naturalKey('customer', cust('ISL-2002', 'Steve J'))).toBe('name:Steve J');
    expect((await numbered.lookup('customer', ['name:Steve J'])).get('name:Steve J')?.id).toBe('C-00005');
  });

  it('payments are sales receipts applied to the invoice by number; transfers go out, then in; stock takes adjust to the count', async () => {
    const sb = await sandbox();
    const c = connector(sb);
    await c.write('invoice', [{ ref: 'i', action: 'create', data: sale('POS-P-1') }]);
    const pay = (number: string, method: string, amount: string): Payment => ({
      number,
      type: 'payment',
      status: 'paid',
      customerNumber: 'C-00001',
      paymentDate: '2026-01-05',
      paymentMethod: method,
      amount: idr(amount),
      applications: [{ documentType: 'invoice', documentNumber: 'POS-P-1', amount: idr(amount) }],
      updatedAt: '2026-01-05T10:16:00+07:00',
    });
    const paid = await c.write('payment', [
      { ref: 'cash', action: 'create', data: pay('PAY-1', 'CASH', '100000') },
      { ref: 'qris', action: 'create', data: pay('PAY-2', 'QRIS', '218570') },
      { ref: 'gift', action: 'create', data: pay('PAY-3', 'GIFTCARD', '1') },
    ]);
    const byRef = new Map(paid.map((r) => [r.ref, r]));
    expect([byRef.get('cash')?.ok, byRef.get('qris')?.ok]).toEqual([true, true]);
    const gift = byRef.get('gift');
    expect(gift?.ok === false && gift.error.message).toMatch(/bankByPaymentMethod/);
    expect(sb.store.find('sales-receipt', 'number', 'PAY-2')).toMatchObject({
      paymentMethod: 'QRIS',
      bankNo: '1103',
    });
    expect(sb.store.find('sales-invoice', 'number', 'POS-P-1')!.outstanding).toBe(0);

    const move = (number: string, outNumber?: string): StockTransfer => ({
      number,
      date: '2026-01-05',
      fromWarehouse: 'KMG',
      toWarehouse: 'SNY',
      status: outNumber ? 'in' : 'out',
      lines: [{ sku: 'TEH-100', quantity: '5', unit: 'PCS' }],
      ...(outNumber ? { outNumber } : {}),
      updatedAt: '2026-01-05T11:00:00+07:00',
    });
    const [early] = await c.write('stockTransfer', [
      { ref: 'in', action: 'create', data: move('TI-1', 'TO-1') },
    ]);
    expect(early?.ok === false && early.error.message).toMatch(/Pemindahan keluar "TO-1" tidak ditemukan/);
    const moved = await c.write('stockTransfer', [{ ref: 'out', action: 'create', data: move('TO-1') }]);
    const landed = await c.write('stockTransfer', [
      { ref: 'in', action: 'create', data: move('TI-1', 'TO-1') },
    ]);
    expect([moved[0]?.ok, landed[0]?.ok]).toEqual([true, true]);
    // Its target id is the id the reader gives it as a source: the flow back knows it as an echo.
    const out = sb.store.find('item-transfer', 'number', 'TO-1')!;
    expect(moved[0]).toMatchObject({ targetId: `item-transfer:${out.id}`, targetNumber: 'TO-1' });
    expect(sb.store.stockOf('TEH-100', 'Outlet Kemang')).toBe(35);
    expect(sb.store.stockOf('TEH-100', 'Outlet Senayan')).toBe(45);

    const count = (number: string, qty: string, book?: string): StockCount => ({
      number,
      date: '2026-01-05',
      warehouse: 'BSD',
      status: 'done',
      lines: [{ sku: 'CUP-12', quantity: qty, unit: 'PCS', ...(book ? { bookQuantity: book } : {}) }],
      updatedAt: '2026-01-05T18:00:00+07:00',
    });
    const counted = await c.write('stockCount', [
      { ref: 'neg', action: 'create', data: count('SO-0', '-3') },
      { ref: 'ok', action: 'create', data: count('SO-1', '37') },
      { ref: 'more', action: 'create', data: count('SO-2', '40', '37') },
    ]);
    const neg = counted.find((r) => r.ref === 'neg');
    expect(neg?.ok === false && neg.error.message).toMatch(/counted as -3; a count cannot be below zero/);
    expect(counted.filter((r) => r.ref !== 'neg').every((r) => r.ok)).toBe(true);
    expect(sb.store.stockOf('CUP-12', 'Outlet BSD')).toBe(40);
    expect(sb.store.find('item-adjustment', 'number', 'SO-2')!.detailItem).toEqual([
      expect.objectContaining({ itemAdjustmentType: 'ADJUSTMENT_IN', quantity: 3, unitCost: 6000 }),
    ]);
    // A refund gives the goods back to the outlet against its sale.
    const [refund] = await c.write('invoice', [
      { ref: 'rf', action: 'create', data: sale('RF-1', { type: 'credit_note', orderNumbers: ['POS-P-1'] }) },
    ]);
    expect(refund?.ok).toBe(true);
    expect(sb.store.find('sales-return', 'number', 'RF-1')).toMatchObject({
      returnType: 'INVOICE',
      invoiceNumber: 'POS-P-1',
    });
    expect((await c.lookup('invoice', ['return:RF-1'])).size).toBe(1);
  });

  it('goods received in Accurate reach the inbox by webhook and read back as a transfer from the vendor', async () => {
    const sb = await sandbox({ receipts: 2 });
    const c = connector(sb);
    const [first] = [...sb.store.tables['receive-item'].values()];
    const d = sb.delivery('RECEIVE_ITEM', [first!.id]);
    expect(c.webhook.verify(d)).toBeUndefined();
    expect(c.webhook.verify({ ...d, headers: { 'x-ledgerlink-webhook-secret': 'guess' } })).toMatch(
      /does not carry/,
    );
    expect(c.webhook.deliveryId(d)).toBeTruthy();
    const events = c.webhook.parse(d);
    expect(events).toEqual([
      expect.objectContaining({ entity: 'stockTransfer', id: `receive-item:${first!.id}` }),
    ]);
    const [item] = await c.get('stockTransfer', [events[0]!.id]);
    expect(item?.data).toMatchObject({
      number: 'RI-0001',
      fromWarehouse: 'vendor:V-001',
      // Read back as the outlet code the connection writes Outlet BSD with (warehouseMap reversed).
      toWarehouse: 'BSD',
      status: 'received',
    });
    const history = await c.webhookHistory(new Date(Date.now() - 3600_000), new Date());
    expect(history.length).toBe(1);
    await expect(c.webhookHistory(new Date(Date.now() - 25 * 3600_000), new Date())).rejects.toThrow(
      /at most 24 hours/,
    );
    const renewal = await c.renewWebhook();
    expect(renewal.activeUntil).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(sb.account.renewals).toBe(1);
    // The hourly upkeep: renews when the end is unknown or near, otherwise leaves it; and hands the
    // history's deliveries to the inbox, which says how many it lacked.
    const handed: string[] = [];
    const upkeepCtx = {
      recoverDeliveries: async (ds: readonly { rawBody: string }[]) => {
        handed.push(...ds.map((d) => d.rawBody));
        return ds.length;
      },
    };
    const kept = await c.upkeep(undefined, upkeepCtx);
    const state = JSON.parse(kept.state!) as { activeUntil: string; historyTo: string };
    expect(state.activeUntil).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(sb.account.renewals).toBe(2);
    expect(kept.message).toMatch(/1 of 1 deliveries Accurate sent never arrived/);
    // The history's row is the delivery as pushed: the same uuid, so the inbox knows it if it came.
    expect(handed.map((b) => (JSON.parse(b) as { uuid: string }).uuid)).toEqual([
      (JSON.parse(d.rawBody) as { uuid: string }).uuid,
    ]);
    expect(c.webhook.parse({ headers: {}, rawBody: handed[0]! })).toEqual(events);
    const again = await c.upkeep(kept.state, upkeepCtx);
    expect(again.message).toMatch(new RegExp(`^the webhook runs until ${state.activeUntil}`));
    expect(sb.account.renewals).toBe(2);
    // An earlier version's state (the last day alone) is read; a lapsed end renews.
    expect(JSON.parse((await c.upkeep('2020-01-01', upkeepCtx)).state!).activeUntil).toBe(state.activeUntil);
    expect(sb.account.renewals).toBe(3);
    // History refused (not a developer's token): the renewal's state is kept and the problem said.
    sb.kit.injectFault({ kind: 'status', status: 403, match: { path: 'webhook-history' } });
    const refused = await c.upkeep('2020-01-01', upkeepCtx);
    expect(sb.account.renewals).toBe(4);
    expect(JSON.parse(refused.state!).activeUntil).toBe(state.activeUntil);
    expect(refused.problem).toMatch(/only a token of a developer of the application/);
  });
});
