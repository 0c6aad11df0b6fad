import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { save } from '../../src/connectors/accurate/sandbox/documents.js';
import { type AccurateSandbox, startAccurateSandbox } from '../../src/connectors/accurate/sandbox/index.js';
import { type IsellerSandbox, startIsellerSandbox } from '../../src/connectors/iseller/sandbox/index.js';
import { type Context, openContext } from '../../src/runtime/context.js';
import { batchBetween, nothingWritten } from '../support/batch-run.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import {
  openBooks,
  posBooksConnections,
  salesSides as salesOf,
  stockSides as stockOf,
  WAREHOUSE,
} from '../support/pos-day.js';

const FLOWS = [
  'accurate-iseller.products',
  'iseller-accurate.customers',
  'iseller-accurate.sales',
  'iseller-accurate.payments',
  'iseller-accurate.transfers',
  'iseller-accurate.stock-counts',
  'accurate-iseller.purchases',
];

/** Goods a supplier delivers to Kemang, entered in Accurate (a receive-item): iSeller's stock must follow. */
const RECEIPT = { number: 'RI-KMG-0001', sku: 'KOPI-250', outlet: 'KMG', quantity: 24 };

/** Tea the warehouse sends Senayan, entered in Accurate as a transfer out and its transfer in. */
const MOVE = { out: 'IT-GDG-0001', in: 'IT-SNY-0001', sku: 'TEH-100', from: 'GDG', to: 'SNY', quantity: 10 };

describe.each(['sqlite', 'postgres'] as const)('iSeller ↔ Accurate on %s', (dialect) => {
  let pos: IsellerSandbox;
  let books: AccurateSandbox;
  let db: TestDatabase;
  let ctx: Context;

  beforeAll(async () => {
    pos = await startIsellerSandbox({});
    books = await startAccurateSandbox({});
    openBooks(books);
    db = await createTestDatabase(dialect);
    const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-pos-'));
    const configPath = join(dir, 'ledgerlink.yaml');
    const fast = { retryBaseSeconds: 0.05, retryCapSeconds: 0.5 };
    writeFileSync(
      configPath,
      stringify({
        database: db.url,
        connections: posBooksConnections(pos, books),
        flows: Object.fromEntries(FLOWS.map((f) => [f, { ...fast }])),
      }),
    );
    ctx = await openContext({ configPath });
  }, 120_000);
  afterAll(async () => {
    await ctx?.close();
    await pos?.close();
    await books?.close();
    await db?.drop();
  });

  const stockSides = () => stockOf(pos, books);
  const salesSides = () => salesOf(pos, books);

  it('a day at three outlets lands in both systems: stock equal per item and outlet, sales to the rupiah', async () => {
    const kopiAtKemang = pos.data.productBySku(RECEIPT.sku)!.stock.get(RECEIPT.outlet)!;
    books.store.receiveGoods(RECEIPT.number, 'V-001', '14/03/2025', [
      { itemNo: RECEIPT.sku, quantity: RECEIPT.quantity, warehouseName: WAREHOUSE[RECEIPT.outlet]! },
    ]);
    const tea = (outlet: string) => pos.data.productBySku(MOVE.sku)!.stock.get(outlet)!;
    const [teaFrom, teaTo] = [tea(MOVE.from), tea(MOVE.to)];
    for (const [type, number, here, there] of [
      ['TRANSFER_OUT', MOVE.out, MOVE.from, MOVE.to],
      ['TRANSFER_IN', MOVE.in, MOVE.to, MOVE.from],
    ] as const)
      expect(
        save(books.store, 'item-transfer', {
          number,
          transDate: '14/03/2025',
          itemTransferType: type,
          warehouseName: WAREHOUSE[here],
          referenceWarehouseName: WAREHOUSE[there],
          ...(type === 'TRANSFER_IN' ? { fromItemTransferNo: MOVE.out } : {}),
          detailItem: [{ itemNo: MOVE.sku, quantity: MOVE.quantity, itemUnitName: 'PCS' }],
        }).ok,
      ).toBe(true);
    const { failures, runs } = await batchBetween(ctx, 'iseller,accurate', 30);
    expect(failures).toEqual([]);
    // The till's cash rounding is said on the sale; the refund's money is left to its sales return.
    const said = (flow: string, label: string) =>
      runs.find((r) => r.flow === flow)!.outcomes.find((o) => o.label === label)?.reason;
    expect(said('iseller-accurate.sales', 'KMG-1001')).toMatch(/cash rounding of -175 IDR/);
    expect(said('iseller-accurate.payments', 'KMG-1003-R-Cash')).toMatch(
      /settled by its sales return KMG-1003-R/,
    );
    // From Accurate only the goods received travel: the transfers the till's flow wrote are its echoes.
    const purchases = runs.find((r) => r.flow === 'accurate-iseller.purchases')!;
    expect(
      purchases.outcomes
        .filter((o) => o.status === 'created')
        .map((o) => o.label)
        .sort(),
    ).toEqual([MOVE.in, MOVE.out, RECEIPT.number].sort());
    expect(purchases.counts.unchanged).toBe(3);
    // The receipt raised Kemang's coffee once; the day's sale and transfer out had lowered it.
    expect(pos.data.productBySku(RECEIPT.sku)!.stock.get(RECEIPT.outlet)).toBe(
      kopiAtKemang + RECEIPT.quantity,
    );
    // Its transfer left the warehouse and reached Senayan once.
    expect([tea(MOVE.from), tea(MOVE.to)]).toEqual([teaFrom - MOVE.quantity, teaTo + MOVE.quantity]);
    const stock = stockSides();
    expect(Object.keys(stock).length).toBeGreaterThanOrEqual(16);
    expect(Object.entries(stock).filter(([, [a, b]]) => a !== b)).toEqual([]);
    // 213,500 + 55,500 + 50,000 + 166,500 + 100,000 sold, 50,000 given back.
    expect(salesSides()).toEqual(['535500', '535500']);
  }, 120_000);

  it('Use Id in customer data as the mapping, off (the default): Accurate numbers every customer, Mark too', () => {
    const mark = [...books.store.tables.customer.values()].find((c) => c.name === 'Mark Zuckeberg');
    expect(String(mark?.customerNo)).toMatch(/^C-\d{5}$/);
    expect(books.store.find('customer', 'customerNo', 'MZ-001')).toBeUndefined();
  });

  it('a second batch writes nothing', async () => {
    const before = JSON.stringify([stockSides(), salesSides()]);
    const { failures, runs } = await batchBetween(ctx, 'iseller,accurate', 30);
    expect(failures).toEqual([]);
    expect(runs.map((r) => r.flow).sort()).toEqual([...FLOWS].sort());
    expect(nothingWritten(runs)).toEqual(runs.map((r) => [r.flow, 0, 0, 0]));
    expect(JSON.stringify([stockSides(), salesSides()])).toBe(before);
  }, 120_000);
});
