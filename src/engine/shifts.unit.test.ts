import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { MemoryConnector } from '../connectors/memory/index.js';
import type { ShiftClosed } from '../connectors/sdk/contract.js';
import { processInbox } from '../runtime/webhooks.js';
import { openStore, type Store } from '../store/index.js';
import { Engine } from './engine.js';
import { type Flow, flowDefaults } from './flow.js';
import { pollShifts, runShift } from './shifts.js';

const IDR = (amount: string) => ({ amount, currency: 'IDR' });
const sale = (number: string) => ({
  number,
  status: 'paid',
  invoiceDate: '2026-03-01',
  customerNumber: 'UMUM',
  currency: 'IDR',
  lines: [
    { lineNumber: 1, sku: 'A', quantity: '1', unitPrice: IDR('15000'), tax: IDR('0'), total: IDR('15000') },
  ],
  netTotal: IDR('15000'),
  taxTotal: IDR('0'),
  total: IDR('15000'),
});

/** A point of sale that closes register shifts (the memory connector, plus its shifts). */
class Register extends MemoryConnector {
  shifts: ShiftClosed[] = [];
  async closedShifts(since: string | undefined): Promise<ShiftClosed[]> {
    return this.shifts.filter((s) => !since || s.closedAt >= since);
  }
}

const SHIFT_1: ShiftClosed = {
  id: 'S1',
  register: 'R1',
  outlet: 'KMG',
  openedAt: '2026-03-01T08:00:00.000Z',
  closedAt: '2026-03-01T16:00:00.000Z',
};
const SHIFT_2: ShiftClosed = {
  ...SHIFT_1,
  id: 'S2',
  openedAt: SHIFT_1.closedAt,
  closedAt: '2026-03-01T23:00:00.000Z',
};

/**
 * Seed 002's "on Register Shift Closing": nothing of a shift-close flow moves until a shift closes;
 * then that shift's sales go, once, whether the notification or the poll brings the shift.
 */
describe('shift-close flows', () => {
  let tdb: TestDatabase;
  let store: Store;
  let pos: Register;
  let books: MemoryConnector;
  let engine: Engine;
  const flow: Flow = {
    ...flowDefaults,
    name: 'pos-books.sales',
    entity: 'invoice',
    source: 'pos',
    target: 'books',
    ownedFields: ['status'],
    syncMode: 'shift-close',
  };
  const sold = () =>
    [...(books.records.get('invoice')?.values() ?? [])]
      .map((r) => (r.data as { number: string }).number)
      .sort();

  beforeEach(async () => {
    tdb = await createTestDatabase('sqlite');
    store = await openStore(tdb.url);
    pos = new Register('POS');
    books = new MemoryConnector('Books');
    engine = new Engine(
      store,
      new Map([[flow.name, flow]]),
      { get: (n) => (n === 'pos' ? pos : books) },
      pino({ level: 'silent' }),
    );
    pos.put('invoice', sale('INV-1'), '2026-03-01T09:00:00.000Z');
    pos.put('invoice', sale('INV-2'), '2026-03-01T15:59:00.000Z');
    pos.put('invoice', sale('INV-3'), '2026-03-01T17:30:00.000Z');
  });
  afterEach(async () => {
    await store.close();
    await tdb.drop();
  });

  it('a closed shift sends its own sales, once', async () => {
    const [r] = await runShift(engine, store, 'pos', SHIFT_1);
    expect(r?.status).toBe('succeeded');
    expect((await store.runs.list({ flow: flow.name }))[0]).toMatchObject({ trigger: 'shift-close' });
    expect(sold()).toEqual(['INV-1', 'INV-2']);
    // The same shift announced again runs nothing.
    expect(await runShift(engine, store, 'pos', SHIFT_1)).toEqual([]);
  });

  it('the poll finds shifts closed since the last it saw, and skips one the notification already ran', async () => {
    pos.shifts = [SHIFT_1];
    await runShift(engine, store, 'pos', SHIFT_1);
    expect(await pollShifts(engine, store, 'pos')).toEqual([]);
    pos.shifts = [SHIFT_1, SHIFT_2];
    const runs = await pollShifts(engine, store, 'pos');
    expect(runs.map((r) => r.status)).toEqual(['succeeded']);
    expect(sold()).toEqual(['INV-1', 'INV-2', 'INV-3']);
    expect(await pollShifts(engine, store, 'pos')).toEqual([]);
  });

  it('a shift-closed notification in the inbox runs the shift; record events do not move a shift-close flow', async () => {
    await store.inbox.store({
      connection: 'pos',
      headers: {},
      body: '{}',
      verified: true,
      events: [{ entity: 'invoice', id: 'INV-3' }],
    });
    await processInbox(engine, 'pos', pino({ level: 'silent' }));
    expect(sold()).toEqual([]);
    await store.inbox.store({
      connection: 'pos',
      headers: {},
      body: '{"shift":"S1"}',
      verified: true,
      events: [{ entity: 'invoice', id: 'S1', shift: SHIFT_1 }],
    });
    await processInbox(engine, 'pos', pino({ level: 'silent' }));
    expect(sold()).toEqual(['INV-1', 'INV-2']);
  });

  it('the register’s totals are checked against the shift’s sales: a difference is said on the run', async () => {
    const agreed = await runShift(engine, store, 'pos', { ...SHIFT_1, totals: { sales: IDR('30000') } });
    expect(agreed[0]?.message).toBe('shift S1 of register R1: sold 30000 IDR, as sent');
    const [r] = await runShift(engine, store, 'pos', { ...SHIFT_2, totals: { sales: IDR('16000') } });
    expect(r?.message).toBe(
      "shift S2 of register R1: sold 16000 IDR but the shift's records make 15000 (-1000) — check the register against the sales sent",
    );
    expect((await store.runs.get(r!.runId))?.message).toBe(r?.message);
  });
});
