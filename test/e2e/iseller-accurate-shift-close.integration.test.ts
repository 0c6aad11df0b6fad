import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type AccurateSandbox, startAccurateSandbox } from '../../src/connectors/accurate/sandbox/index.js';
import { type IsellerSandbox, startIsellerSandbox } from '../../src/connectors/iseller/sandbox/index.js';
import { wib } from '../../src/connectors/iseller/sandbox/store.js';
import { pollShifts } from '../../src/engine/shifts.js';
import { type Context, openContext } from '../../src/runtime/context.js';
import { processInbox } from '../../src/runtime/webhooks.js';
import { batchBetween } from '../support/batch-run.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { openBooks, posBooksConnections, salesSides, stockSides } from '../support/pos-day.js';

/**
 * Seed 002's Sync Mode "on Register Shift Closing", between the two sandboxes: the sales and
 * payments flows in shift-close mode. An order's notification moves nothing; the poll finds no closed
 * shift while the registers are open; once Kemang's register closes, the poll sends exactly that
 * shift's sales and their payments, and the shift's own notification afterwards sends nothing more.
 */
describe.each(DIALECTS)('iSeller → Accurate on register shift closing on %s', (dialect) => {
  let pos: IsellerSandbox;
  let books: AccurateSandbox;
  let db: TestDatabase;
  let ctx: Context;
  const quiet = pino({ level: 'silent' });
  const invoices = () =>
    [...books.store.tables['sales-invoice'].values()].map((i) => String(i.number)).sort();
  const receipts = () => books.store.tables['sales-receipt'].size;

  beforeAll(async () => {
    pos = await startIsellerSandbox({});
    books = await startAccurateSandbox({});
    openBooks(books);
    db = await createTestDatabase(dialect);
    const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-shift-'));
    const configPath = join(dir, 'ledgerlink.yaml');
    const shiftClose = { syncMode: 'shift-close', schedule: '*/5 * * * *' };
    writeFileSync(
      configPath,
      stringify({
        database: db.url,
        connections: posBooksConnections(pos, books),
        flows: {
          'accurate-iseller.products': {},
          'iseller-accurate.customers': {},
          'iseller-accurate.sales': shiftClose,
          'iseller-accurate.payments': shiftClose,
          'iseller-accurate.transfers': {},
          'iseller-accurate.stock-counts': {},
        },
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

  it('an order notification moves nothing, nor does the poll while every register is open', async () => {
    const order = [...pos.data.orders.values()].find((o) => o.order_reference === 'KMG-1001')!;
    await ctx.store.inbox.store({
      connection: 'iseller',
      headers: {},
      body: '{}',
      verified: true,
      events: [
        { entity: 'invoice', id: order.order_id },
        { entity: 'payment', id: order.order_id },
      ],
    });
    await processInbox(ctx.engine, 'iseller', quiet);
    expect(await pollShifts(ctx.engine, ctx.store, 'iseller')).toEqual([]);
    expect([invoices(), receipts()]).toEqual([[], 0]);
  }, 60_000);

  it('Kemang closes: its shift’s sales and their payments go, once; the other outlets’ wait for theirs', async () => {
    const shiftId = pos.closeShift('REG-KMG-1', wib('2025-03-14 21:00:00'));
    const runs = await pollShifts(ctx.engine, ctx.store, 'iseller');
    expect(runs.map((r) => [r.flow, r.status])).toEqual([
      ['iseller-accurate.sales', 'succeeded'],
      ['iseller-accurate.payments', 'succeeded'],
    ]);
    // The register's own totals against the shift's sales, said on the run that sent them.
    const shiftTotals = pos.data.shifts.get(shiftId)!;
    const said = `shift ${shiftId} of register REG-KMG-1: sold ${shiftTotals.total_sales_amount} IDR, as sent; refunded ${shiftTotals.total_refund_amount} IDR, as sent`;
    expect(runs[0]?.message).toBe(said);
    expect((await ctx.store.runs.get(runs[0]!.runId))?.message).toBe(said);
    expect(invoices()).toEqual(['KMG-1001', 'KMG-1002', 'KMG-1003']);
    expect(books.store.tables['sales-return'].size).toBe(1);
    const paid = receipts();
    expect(paid).toBeGreaterThan(0);
    // The poll again, and the shift's own notification after it: nothing more.
    expect(await pollShifts(ctx.engine, ctx.store, 'iseller')).toEqual([]);
    const shift = pos.data.shifts.get(shiftId)!;
    await ctx.store.inbox.store({
      connection: 'iseller',
      headers: {},
      body: '{"shift":1}',
      verified: true,
      events: [
        {
          entity: 'invoice',
          id: shiftId,
          shift: { id: shiftId, register: shift.register_id, closedAt: shift.closed_date! },
        },
      ],
    });
    await processInbox(ctx.engine, 'iseller', quiet);
    expect([invoices(), receipts()]).toEqual([['KMG-1001', 'KMG-1002', 'KMG-1003'], paid]);
  }, 120_000);

  it('every register closed, the day ends where a batch of it ends: stock equal per item and outlet, sales to the rupiah', async () => {
    // Bumi Serpong Damai's register opened a shift in the morning; Senayan's is open since then too.
    const snyShift = [...pos.data.shifts.values()].find((s) => s.register_id === 'REG-SNY-1')!;
    pos.data.shifts.set('bsd-shift', {
      ...snyShift,
      register_shift_id: 'bsd-shift',
      register_id: 'REG-BSD-1',
      register_name: 'Kasir BSD 1',
      outlet_code: 'BSD',
    });
    pos.closeShift('REG-SNY-1', wib('2025-03-14 21:30:00'));
    pos.closeShift('REG-BSD-1', wib('2025-03-14 21:45:00'));
    expect((await pollShifts(ctx.engine, ctx.store, 'iseller')).map((r) => r.status)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
    // The flows in real time (transfers, stock takes) as their schedule would run them.
    const { failures } = await batchBetween(ctx, 'iseller,accurate', 30);
    expect(failures).toEqual([]);
    expect(Object.entries(stockSides(pos, books)).filter(([, [a, b]]) => a !== b)).toEqual([]);
    // The same 535,500 as the batch of the whole day (iseller-accurate.integration).
    expect(salesSides(pos, books)).toEqual(['535500', '535500']);
  }, 120_000);
});
