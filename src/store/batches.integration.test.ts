import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../test/support/databases.js';
import type { GridColumn } from '../connectors/sdk/manifest.js';
import { type ColumnValue, searchText, sortKey } from '../engine/grid-columns.js';
import { openStore, type Store } from './index.js';

const COLUMNS: GridColumn[] = [
  { name: 'invoiceNbr', title: 'Invoice Nbr', path: '$id', type: 'text' },
  { name: 'customer', title: 'Customer', path: 'customerNumber', type: 'text' },
  { name: 'invoiceDate', title: 'Invoice Date', path: 'invoiceDate', type: 'date' },
  { name: 'invoiceTotal', title: 'Invoice Total', path: 'total', type: 'money' },
];

const money = (amount: string) => ({ amount, currency: 'USD' });
const ROWS: Array<Record<string, ColumnValue>> = [
  { invoiceNbr: 'AR000001', customer: 'berg', invoiceDate: '2026-01-10', invoiceTotal: money('100.00') },
  { invoiceNbr: 'AR000002', customer: 'Adams', invoiceDate: '2026-01-09', invoiceTotal: money('20.5') },
  { invoiceNbr: 'AR000003', customer: 'Costa', invoiceDate: null, invoiceTotal: money('-5') },
  { invoiceNbr: 'AR000004', customer: 'adams', invoiceDate: '2025-12-31', invoiceTotal: null },
  { invoiceNbr: 'AR000005', customer: 'Dubois', invoiceDate: '2026-02-01', invoiceTotal: money('1000') },
];

// The grid sorts by any declared column on the server, identically on both dialects.
describe.each(DIALECTS)('Load grids on %s', (dialect) => {
  let tdb: TestDatabase;
  let store: Store;
  let id: number;

  beforeAll(async () => {
    tdb = await createTestDatabase(dialect);
    store = await openStore(tdb.url);
    const batch = await store.batches.create(
      { flow: 'f', query: { since: '2026-01-01T00:00:00.000Z' }, columns: COLUMNS },
      ROWS.map((values) => ({
        source_id: values.invoiceNbr as string,
        label: searchText(COLUMNS, values),
        updated_at: '2026-03-01T00:00:00.000Z',
        current_state: null,
        target_id: null,
        plan: 'create',
        reason: null,
        fields: null,
        columns: JSON.stringify(values),
        sortKeys: Object.fromEntries(COLUMNS.map((c) => [c.name, sortKey(c.type, values[c.name] ?? null)])),
      })),
    );
    id = batch.id;
  });
  afterAll(async () => {
    await store.close();
    await tdb.drop();
  });

  const order = async (sort: string, dir: 'asc' | 'desc' = 'asc', extra = {}) =>
    (await store.batches.rows(id, { sort, dir, ...extra })).rows.map((r) => r.source_id);

  it('money by amount (no value first), dates in order, text without regard to case; ties keep the source order', async () => {
    expect(await order('invoiceTotal')).toEqual(['AR000004', 'AR000003', 'AR000002', 'AR000001', 'AR000005']);
    expect(await order('invoiceTotal', 'desc')).toEqual([
      'AR000005',
      'AR000001',
      'AR000002',
      'AR000003',
      'AR000004',
    ]);
    expect(await order('invoiceDate')).toEqual(['AR000003', 'AR000004', 'AR000002', 'AR000001', 'AR000005']);
    expect(await order('customer')).toEqual(['AR000002', 'AR000004', 'AR000001', 'AR000003', 'AR000005']);
    expect(await order('position', 'desc')).toEqual([
      'AR000005',
      'AR000004',
      'AR000003',
      'AR000002',
      'AR000001',
    ]);
  });

  it('pages, searches the text columns and keeps each row’s values and the Load’s columns', async () => {
    const page = await store.batches.rows(id, { sort: 'invoiceTotal', dir: 'desc', limit: 2, offset: 1 });
    expect(page.total).toBe(5);
    expect(page.rows.map((r) => r.source_id)).toEqual(['AR000001', 'AR000002']);
    expect(JSON.parse(page.rows[0]!.columns!)).toEqual(ROWS[0]);
    expect(await order('customer', 'asc', { search: 'ADAMS' })).toEqual(['AR000002', 'AR000004']);
    expect(JSON.parse((await store.batches.get(id))!.columns!)).toEqual(COLUMNS);
  });

  it('pruning a Load takes its sort keys with it', async () => {
    await store.batches.prune(new Date(Date.now() + 60_000).toISOString());
    expect(await store.batches.get(id)).toBeUndefined();
    const left = await store.db.selectFrom('batch_row_keys').selectAll().where('batch_id', '=', id).execute();
    expect(left).toEqual([]);
  });
});
