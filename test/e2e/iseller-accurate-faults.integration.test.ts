import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/output.js';
import { type AccurateSandbox, startAccurateSandbox } from '../../src/connectors/accurate/sandbox/index.js';
import { type IsellerSandbox, startIsellerSandbox } from '../../src/connectors/iseller/sandbox/index.js';
import { addOrder, transfer, wib } from '../../src/connectors/iseller/sandbox/store.js';
import { sandboxRegistry } from '../../src/connectors/sandboxes.js';
import type { Context } from '../../src/runtime/context.js';
import type { SyncRecord } from '../../src/store/index.js';
import { batchBetween } from '../support/batch-run.js';
import { type E2eContext, openE2eContext } from '../support/e2e-context.js';
import { openBooks, WAREHOUSE } from '../support/pos-day.js';

const FLOWS = [
  'accurate-iseller.products',
  'iseller-accurate.customers',
  'iseller-accurate.sales',
  'iseller-accurate.payments',
  'iseller-accurate.transfers',
  'iseller-accurate.stock-counts',
  'accurate-iseller.purchases',
];
const SALES = 'iseller-accurate.sales';
const PAYMENTS = 'iseller-accurate.payments';
const TRANSFERS = 'iseller-accurate.transfers';

/**
 * Outlets opened in iSeller after the day the shop began with: Pantai Indah Kapuk and Cibubur are in
 * the Accurate connection's warehouseMap, but nobody has made their warehouses in Accurate yet;
 * Bintaro is in neither.
 */
const NEW_OUTLETS = [
  ['PIK', 'Outlet PIK'],
  ['CBB', 'Outlet Cibubur'],
  ['BTR', 'Outlet Bintaro'],
] as const;
const WAREHOUSE_MAP = `${Object.entries(WAREHOUSE)
  .map(([code, name]) => `${code}=${name}`)
  .join(',')},PIK=Outlet PIK,CBB=Outlet Cibubur`;

/** An item of Accurate's for each case, so no case's failure holds back another's stock positions. */
const ITEMS = ['SES-01', 'RL-01', 'BLK-01', 'ST-01', 'MV-01', 'BAD-01'] as const;
/** Every item's price: 10,000 IDR, PPN 11 % on top. */
const PRICE = 10_000;
const TAX = 1_100;

/**
 * Faults and bad input between the iSeller and Accurate sandboxes, through the engine and the batch
 * over loopback, on both stores: an Accurate session that dies mid-run, a 429 storm, one sale refused
 * in a bulk-save of 100, an iSeller read answered with status false, a transfer-out that fails before
 * its transfer-in, and bad records (an unknown outlet, a negative count, a customer ID Accurate
 * refuses) — each failure with the system's words as its reason, and nothing written twice.
 */
describe.each(['sqlite', 'postgres'] as const)('iSeller → Accurate faults on %s', (dialect) => {
  let pos: IsellerSandbox;
  let books: AccurateSandbox;
  let env: E2eContext;
  let ctx: Context;

  beforeAll(async () => {
    pos = await startIsellerSandbox({});
    books = await startAccurateSandbox({});
    openBooks(books);
    for (const [code, name] of NEW_OUTLETS)
      pos.data.outlets.push({
        outlet_id: randomUUID(),
        outlet_code: code,
        outlet_name: name,
        is_warehouse: false,
      });
    for (const no of ITEMS) {
      books.store.insert('item', {
        no,
        name: `Barang ${no}`,
        unitPrice: PRICE,
        cost: 6_000,
        itemType: 'INVENTORY',
        unit1Name: 'PCS',
        suspended: false,
      });
      for (const name of Object.values(WAREHOUSE)) books.store.moveStock(no, name, 500);
    }
    env = await openE2eContext({
      dialect,
      connections: {
        iseller: {
          connector: 'iseller',
          settings: { ...sandboxRegistry.iseller!.settings(pos as never), walkInCustomer: 'C-00001' },
        },
        accurate: {
          connector: 'accurate',
          settings: { ...sandboxRegistry.accurate!.settings(books as never), warehouseMap: WAREHOUSE_MAP },
        },
      },
      flows: {
        ...Object.fromEntries(FLOWS.map((f) => [f, {}])),
        // The seed's "Use Id in customer data as the mapping", on.
        'iseller-accurate.customers': { idMapping: 'source' },
        // A busy till's page: more sales than one bulk-save takes.
        [SALES]: { pageSize: 200 },
      },
    });
    ctx = env.ctx;
    // The day the shop began with lands clean: the case items reach iSeller, every cursor moves past it.
    const { failures } = await batchBetween(ctx, 'iseller,accurate', 30);
    expect(failures).toEqual([]);
    for (const no of ITEMS) expect(pos.data.productBySku(no), no).toBeDefined();
  }, 120_000);
  afterAll(async () => {
    await env?.close();
    await pos?.close();
    await books?.close();
  });

  /** Walk-in sales of one item each, paid in cash, a minute apart from `from` (WIB). */
  const sell = (refs: readonly string[], from: string, at: (ref: string) => string, sku: string) =>
    refs.forEach((ref, i) => {
      const when = new Date(Date.parse(wib(from)) + i * 60_000).toISOString();
      addOrder(
        pos.data,
        ref,
        at(ref),
        `REG-${at(ref)}-1`,
        when,
        undefined,
        [{ sku, qty: 1, price: PRICE, tax: TAX }],
        { pays: [{ method: 'Cash', gateway: 'cash', amount: PRICE + TAX, at: when }] },
      );
    });
  const numbered = (prefix: string, n: number, width = 3) =>
    Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(width, '0')}`);
  /** Accurate's documents of a kind whose number starts with `prefix`, by number. */
  const docs = (doc: 'sales-invoice' | 'sales-receipt' | 'item-transfer', prefix: string) =>
    [...books.store.tables[doc].values()].filter((r) => String(r.number).startsWith(prefix));
  const numbers = (doc: 'sales-invoice' | 'sales-receipt', prefix: string) =>
    docs(doc, prefix)
      .map((r) => String(r.number))
      .sort();
  /** Data calls Accurate answered from now on, by path and status. */
  const callsFrom = (start: number) => books.kit.calls.slice(start);
  /** The batch's failures of a case's own records: those whose label starts with one of `prefixes`. */
  const mine = (failures: readonly string[], ...prefixes: string[]) =>
    failures.filter((f) => prefixes.some((p) => f.split(' ')[1]?.startsWith(p)));
  /** How the store states a record that did not succeed: "<number> <state>: <reason>". */
  const said = (r: SyncRecord) => {
    const number = r.data ? (JSON.parse(r.data) as { number?: string }).number : undefined;
    return `${number ?? r.source_id} ${r.state}: ${r.reason ?? r.error_message}`;
  };
  const notDone = async (flow: string, prefix: string) =>
    (await ctx.store.records.list({ flow, states: ['failed', 'aborted', 'waiting'], limit: 500 })).rows
      .map(said)
      .filter((s) => s.startsWith(prefix))
      .sort();

  it('the Accurate session ends mid-run: the run reopens it once, and each of 150 sales lands once', async () => {
    const refs = numbered('SES-', 150, 4);
    sell(refs, '2025-03-15 08:00:00', () => 'KMG', 'SES-01');
    // The session dies as Accurate answers the run's look-up of the sales by number: both bulk-saves
    // (100 and 50, sent side by side) meet it dead.
    books.expireSessionsAfter(1, 'sales-invoice/list.do');
    const start = books.kit.calls.length;
    const { failures, runs } = await batchBetween(ctx, 'iseller,accurate', 30);
    expect(mine(failures, 'SES-')).toEqual([]);
    const calls = callsFrom(start);
    // Each refused for its session, then sent again, once; the database was opened again once.
    const saves = calls.filter((c) => c.path.endsWith('sales-invoice/bulk-save.do'));
    expect(saves.map((c) => c.status).sort()).toEqual([200, 200, 401, 401]);
    expect(calls.filter((c) => c.status === 401).length).toBe(2);
    expect(calls.filter((c) => c.path.endsWith('/open-db.do')).length).toBe(1);
    const sales = runs.find((r) => r.flow === SALES)!;
    expect([sales.status, sales.counts.created, sales.counts.failed]).toEqual(['succeeded', 150, 0]);
    // Every sale once, and its payment once.
    expect(docs('sales-invoice', 'SES-').length).toBe(150);
    expect(numbers('sales-invoice', 'SES-')).toEqual(refs);
    expect(numbers('sales-receipt', 'SES-')).toEqual(refs.map((r) => `${r}-Cash`));
  }, 120_000);

  it('a 429 storm on the sales’ bulk-save: it waits and is sent again; 0 records fail, each of 12 sales lands once', async () => {
    const refs = numbered('RL-', 12);
    sell(refs, '2025-03-16 08:00:00', () => 'SNY', 'RL-01');
    // Five in a row, a second apart: more than the call's own retries take, so the sales wait in the
    // store for the rate limit and the batch's retry sends them.
    books.kit.injectFault({
      kind: 'status',
      status: 429,
      retryAfterSeconds: 1,
      times: 5,
      match: { path: 'sales-invoice/bulk-save' },
    });
    const start = books.kit.calls.length;
    const { failures, runs } = await batchBetween(ctx, 'iseller,accurate', 30);
    expect(mine(failures, 'RL-')).toEqual([]);
    expect(books.kit.faults).toEqual([]);
    const saves = callsFrom(start).filter((c) => c.path.endsWith('sales-invoice/bulk-save.do'));
    // The first sale waits in the store for the rate limit, the others for it (oldest first); the
    // batch's retries send it, then them: two more bulk-saves, and nothing failed.
    expect(saves.map((c) => c.status)).toEqual([429, 429, 429, 429, 429, 200, 200]);
    const storm = 'Accurate answered 429: Terlalu banyak permintaan API: maksimal 8 per detik';
    const sales = runs.find((r) => r.flow === SALES)!;
    expect(sales.counts).toMatchObject({ created: 0, failed: 0, waiting: 12 });
    expect(
      sales.outcomes
        .filter((o) => o.label.startsWith('RL-'))
        .map((o) => `${o.label} ${o.status}: ${o.reason}`),
    ).toEqual([
      `RL-001 waiting: ${storm}`,
      ...refs
        .slice(1)
        .map((r) => `${r} waiting: waiting for invoice RL-001 to succeed (its own answer: ${storm})`),
    ]);
    expect(await notDone(SALES, 'RL-')).toEqual([]);
    expect(await notDone(PAYMENTS, 'RL-')).toEqual([]);
    // A 429 is "not processed": nothing was saved twice.
    expect(numbers('sales-invoice', 'RL-')).toEqual(refs);
    expect(numbers('sales-receipt', 'RL-')).toEqual(refs.map((r) => `${r}-Cash`));
  }, 120_000);

  it('one sale refused in a bulk-save of 100: 99 land, it fails with Accurate’s words; fixed and refreshed, it lands, nothing twice', async () => {
    const refs = numbered('BLK-', 100);
    // BLK-042 was sold at the new Pantai Indah Kapuk outlet, whose warehouse Accurate does not have yet.
    sell(refs, '2025-03-17 08:00:00', (ref) => (ref === 'BLK-042' ? 'PIK' : 'KMG'), 'BLK-01');
    const start = books.kit.calls.length;
    const { code, failures } = await batchBetween(ctx, 'iseller,accurate', 30);
    const refusal = 'Accurate refused it: Gudang "Outlet PIK" tidak ditemukan';
    expect(mine(failures, 'BLK-')).toEqual([`${SALES} BLK-042: ${refusal}`]);
    expect(code).toBe(EXIT.recordFailures);
    // One bulk-save carried the 100; Accurate saved the other 99, and their payments.
    const saves = callsFrom(start).filter((c) => c.path.endsWith('sales-invoice/bulk-save.do'));
    expect(saves.map((c) => c.status)).toEqual([200]);
    const others = refs.filter((r) => r !== 'BLK-042');
    expect(numbers('sales-invoice', 'BLK-')).toEqual(others);
    expect(numbers('sales-receipt', 'BLK-')).toEqual(others.map((r) => `${r}-Cash`));
    // Its payment waits for it, oldest first.
    expect(await notDone(SALES, 'BLK-')).toEqual([`BLK-042 failed: ${refusal}`]);
    expect(await notDone(PAYMENTS, 'BLK-')).toEqual([
      'BLK-042-Cash waiting: waiting for invoice BLK-042 to succeed',
    ]);

    // The repair: the warehouse is made in Accurate. Then Sync refresh of the sales flow.
    books.store.insert('warehouse', { name: 'Outlet PIK', suspended: false });
    const [retried] = await ctx.engine.retry({ allFailed: true, flow: SALES });
    expect(retried).toMatchObject({ flow: SALES, status: 'succeeded', counts: { created: 1, failed: 0 } });
    await ctx.engine.settle(PAYMENTS, Date.now() + 10_000);
    expect(await notDone(SALES, 'BLK-')).toEqual([]);
    expect(await notDone(PAYMENTS, 'BLK-')).toEqual([]);
    expect(numbers('sales-invoice', 'BLK-')).toEqual(refs);
    expect(numbers('sales-receipt', 'BLK-')).toEqual(refs.map((r) => `${r}-Cash`));
    expect(callsFrom(start).filter((c) => c.path.endsWith('sales-invoice/bulk-save.do')).length).toBe(2);
  }, 120_000);

  it('iSeller answers a read with status false: the run fails with iSeller’s message; the next run lands everything', async () => {
    const refs = numbered('STF-', 5);
    sell(refs, '2025-03-18 08:00:00', () => 'BSD', 'ST-01');
    const message = 'Object reference not set to an instance of an object.';
    pos.failNext('GetOrders', message);
    const first = await batchBetween(ctx, 'iseller,accurate', 30);
    const sales = first.runs.find((r) => r.flow === SALES)!;
    expect(sales).toMatchObject({
      status: 'failed',
      message: `iSeller GetOrders answered status false: ${message}`,
    });
    expect(first.code).toBe(EXIT.error);
    expect(numbers('sales-invoice', 'STF-')).toEqual([]);
    // Their payments, read without them, went alone: Accurate has no sale for them to pay.
    expect(mine(first.failures, 'STF-')).toEqual(
      refs.map((r) => `${PAYMENTS} ${r}-Cash: Accurate refused it: Faktur Penjualan "${r}" tidak ditemukan`),
    );
    expect((await ctx.store.runs.get(sales.runId))?.message).toBe(
      `iSeller GetOrders answered status false: ${message}`,
    );

    // The next run reads the sales; the payments, read again (the flow reads 5 minutes back), go after
    // them — not held back by their own failed try, which once left sale and payment waiting for each
    // other.
    const next = await batchBetween(ctx, 'iseller,accurate', 30);
    expect(mine(next.failures, 'STF-')).toEqual([]);
    expect(next.runs.filter((r) => r.status === 'failed')).toEqual([]);
    expect(numbers('sales-invoice', 'STF-')).toEqual(refs);
    expect(numbers('sales-receipt', 'STF-')).toEqual(refs.map((r) => `${r}-Cash`));
    expect(await notDone(SALES, 'STF-')).toEqual([]);
    expect(await notDone(PAYMENTS, 'STF-')).toEqual([]);
  }, 120_000);

  it('a transfer-out Accurate refuses holds its transfer-in back; repaired and refreshed, out lands before in', async () => {
    const [out, into] = ['TO-CBB-0001', 'TI-SNY-0101'];
    const senayan = () => books.store.stockOf('MV-01', 'Outlet Senayan');
    const before = senayan();
    transfer(pos.data, out, 'out', 'CBB', 'SNY', wib('2025-03-19 10:00:00'), [['MV-01', 4]]);
    transfer(pos.data, into, 'in', 'CBB', 'SNY', wib('2025-03-19 12:00:00'), [['MV-01', 4]], out);
    const { failures } = await batchBetween(ctx, 'iseller,accurate', 30);
    const refusal = 'Accurate refused it: Gudang "Outlet Cibubur" tidak ditemukan';
    expect(mine(failures, out, into)).toEqual([`${TRANSFERS} ${out}: ${refusal}`]);
    expect(await notDone(TRANSFERS, 'T')).toEqual([
      `${into} waiting: waiting for stock transfer ${out} to succeed`,
      `${out} failed: ${refusal}`,
    ]);
    expect(docs('item-transfer', 'T').filter((t) => [out, into].includes(String(t.number)))).toEqual([]);

    books.store.insert('warehouse', { name: 'Outlet Cibubur', suspended: false });
    await ctx.engine.retry({ allFailed: true, flow: TRANSFERS });
    await ctx.engine.settle(TRANSFERS, Date.now() + 10_000);
    expect(await notDone(TRANSFERS, 'T')).toEqual([]);
    const moved = [...books.store.tables['item-transfer'].values()].filter((t) =>
      [out, into].includes(String(t.number)),
    );
    // Once each, the out first; the in names it.
    expect(moved.map((t) => [t.number, t.itemTransferType])).toEqual([
      [out, 'TRANSFER_OUT'],
      [into, 'TRANSFER_IN'],
    ]);
    expect(moved[1]).toMatchObject({ fromItemTransferNo: out, warehouseName: 'Outlet Senayan' });
    expect([books.store.stockOf('MV-01', 'Outlet Cibubur'), senayan()]).toEqual([-4, before + 4]);
  }, 120_000);

  describe('bad input: a failed record with a reason a person can act on, the rest of the batch landing', () => {
    it('a sale at an outlet Accurate has no warehouse for (not in warehouseMap)', async () => {
      sell(['BTR-001'], '2025-03-20 09:00:00', () => 'BTR', 'BAD-01');
      sell(['BDI-001', 'BDI-002'], '2025-03-20 09:30:00', () => 'KMG', 'BAD-01');
      const { failures } = await batchBetween(ctx, 'iseller,accurate', 30);
      const refusal = 'Accurate refused it: Gudang "BTR" tidak ditemukan';
      expect(mine(failures, 'BTR-', 'BDI-')).toEqual([`${SALES} BTR-001: ${refusal}`]);
      expect(await notDone(SALES, 'BTR-')).toEqual([`BTR-001 failed: ${refusal}`]);
      expect(await notDone(PAYMENTS, 'BTR-')).toEqual([
        'BTR-001-Cash waiting: waiting for invoice BTR-001 to succeed',
      ]);
      expect(numbers('sales-invoice', 'BTR-')).toEqual([]);
      expect(numbers('sales-invoice', 'BDI-')).toEqual(['BDI-001', 'BDI-002']);
      expect(numbers('sales-receipt', 'BDI-')).toEqual(['BDI-001-Cash', 'BDI-002-Cash']);
    }, 120_000);

    it('a stock take with a negative count', async () => {
      // What the till held when it counted, as Accurate books it.
      const book = (outlet: string) => books.store.stockOf('BAD-01', WAREHOUSE[outlet]!);
      const take = (reference: string, outlet: string, counted: number) => {
        const at = wib('2025-03-21 18:00:00');
        const id = randomUUID();
        pos.data.adjustments.set(id, {
          adjustment_id: id,
          reference,
          outlet_code: outlet,
          action: 'opname',
          status: 'completed',
          adjustment_date: at,
          modified_date: at,
          items: [{ sku: 'BAD-01', system_stock: book(outlet), actual_stock: counted }],
        });
      };
      take('SO-BAD-0001', 'SNY', -3);
      take('SO-BAD-0002', 'BSD', 480);
      const senayan = book('SNY');
      const { failures } = await batchBetween(ctx, 'iseller,accurate', 30);
      const reason = 'stock take SO-BAD-0001 line 1 (BAD-01): a count of -3 is negative';
      // A record the till's data cannot make is known by its iSeller id; the reason names it.
      expect(
        failures.filter((f) => f.includes('SO-BAD-')).map((f) => f.replace(/ [0-9a-f-]{36}:/, ':')),
      ).toEqual([`iseller-accurate.stock-counts: ${reason}`]);
      expect(
        (
          await ctx.store.records.list({ flow: 'iseller-accurate.stock-counts', states: ['failed'] })
        ).rows.map((r) => r.error_message),
      ).toEqual([reason]);
      // The other count is booked: Bumi Serpong Damai's stock of the item is what was counted.
      expect(books.store.find('item-adjustment', 'number', 'SO-BAD-0001')).toBeUndefined();
      expect(books.store.find('item-adjustment', 'number', 'SO-BAD-0002')).toMatchObject({
        detailItem: [expect.objectContaining({ itemAdjustmentType: 'ADJUSTMENT_OUT', quantity: 20 })],
      });
      expect([book('BSD'), book('SNY')]).toEqual([480, senayan]);
    }, 120_000);

    it('a customer whose ID has characters Accurate refuses, with "Use Id in customer data as the mapping" on', async () => {
      expect(ctx.engine.flow('iseller-accurate.customers').idMapping).toBe('source');
      const at = wib('2025-03-22 10:00:00');
      for (const [ext, first, last] of [
        ['ISL 10#01', 'Budi', 'Santoso'],
        ['ISL-2001', 'Siti', 'Rahayu'],
      ] as const) {
        const id = randomUUID();
        pos.data.customers.set(id, {
          customer_id: id,
          external_customer_id: ext,
          first_name: first,
          last_name: last,
          email: `${first.toLowerCase()}@example.co.id`,
          phone: '+62 812 0000 000',
          modified_date: at,
        });
      }
      const { failures } = await batchBetween(ctx, 'iseller,accurate', 30);
      const refusal =
        'Accurate refused it: Nomor Pelanggan "ISL 10#01" mengandung karakter yang tidak diperbolehkan (hanya huruf, angka, titik, strip, garis bawah, garis miring; maksimal 30)';
      expect(mine(failures, 'ISL')).toEqual([`iseller-accurate.customers ISL 10#01: ${refusal}`]);
      expect(await notDone('iseller-accurate.customers', 'ISL')).toEqual([`ISL 10#01 failed: ${refusal}`]);
      expect(books.store.find('customer', 'customerNo', 'ISL-2001')).toMatchObject({ name: 'Siti Rahayu' });
      expect(books.store.find('customer', 'name', 'Budi Santoso')).toBeUndefined();
    }, 120_000);
  });
});
