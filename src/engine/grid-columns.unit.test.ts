import { describe, expect, it } from 'vitest';
import { spec } from '../connectors/acumatica/entities.js';
import { connectorRegistry } from '../connectors/registry.js';
import type { GridColumn } from '../connectors/sdk/manifest.js';
import { type EntityName, entitySchemas } from '../model/index.js';
import { columnProblems, columnValues, decimalSortKey, searchText, sortKey } from './grid-columns.js';

const INVOICE_COLUMNS: GridColumn[] = [
  { name: 'invoiceType', title: 'Invoice Type', path: 'documentType', type: 'text' },
  { name: 'invoiceNbr', title: 'Invoice Nbr', path: '$id', type: 'text' },
  { name: 'status', title: 'Status', path: 'status', type: 'status' },
  { name: 'invoiceDate', title: 'Invoice Date', path: 'invoiceDate', type: 'date' },
  { name: 'orders', title: 'Orders', path: 'lines.orderNumber', type: 'text' },
  { name: 'invoiceTotal', title: 'Invoice Total', path: 'total', type: 'money' },
  { name: 'lastModified', title: 'LastModifiedDateTime', path: '$updatedAt', type: 'datetime' },
];

describe('batch grid columns', () => {
  it("a record's values per column: paths, arrays, money as decimal strings with the currency", () => {
    const values = columnValues(INVOICE_COLUMNS, {
      id: 'AR000007',
      updatedAt: '2026-03-01T10:00:00+02:00',
      data: {
        documentType: 'Debit Memo',
        status: 'Open',
        invoiceDate: '2026-02-28',
        lines: [{ orderNumber: 'SO1' }, { orderNumber: 'SO2' }, { orderNumber: 'SO1' }],
        total: { amount: '1234.50', currency: 'EUR' },
      },
    });
    expect(values).toEqual({
      invoiceType: 'Debit Memo',
      invoiceNbr: 'AR000007',
      status: 'Open',
      invoiceDate: '2026-02-28',
      orders: 'SO1, SO2',
      invoiceTotal: { amount: '1234.50', currency: 'EUR' },
      lastModified: '2026-03-01T08:00:00.000Z',
    });
    expect(searchText(INVOICE_COLUMNS, values)).toBe('Debit Memo · AR000007 · Open · SO1, SO2');
  });

  it('a record that could not be mapped still shows its id and change stamp', () => {
    const values = columnValues(INVOICE_COLUMNS, {
      id: 'AR000008',
      updatedAt: '2026-03-01T00:00:00.000Z',
      error: { code: 'missing_field', category: 'rejected', message: 'no ReferenceNbr' },
    });
    expect(values).toMatchObject({ invoiceNbr: 'AR000008', invoiceTotal: null, status: null });
    expect(values.lastModified).toBe('2026-03-01T00:00:00.000Z');
  });

  it('sort keys order money numerically, dates chronologically and text without regard to case', () => {
    const amounts = ['-10', '-5.5', '-0.01', '0', '0.5', '2', '10', '10.01', '100', '99999999.99'];
    const shuffled = [...amounts].reverse();
    const sorted = shuffled
      .map((a) => [decimalSortKey(a), a] as const)
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
      .map(([, a]) => a);
    expect(sorted).toEqual(amounts);
    expect(decimalSortKey('-0.00')).toBe(decimalSortKey('0'));
    expect(sortKey('money', null)).toBe('');
    expect(sortKey('text', 'Adams') < sortKey('text', 'berg')).toBe(true);
    expect(sortKey('date', '2026-01-09') < sortKey('date', '2026-01-10')).toBe(true);
  });

  it("every connector's declared columns name fields its records have, once each, and no built-in sort", () => {
    for (const [name, def] of Object.entries(connectorRegistry))
      for (const [entity, cap] of Object.entries(def.manifest.entities)) {
        const columns = cap.read?.columns ?? [];
        const shape = (entitySchemas[entity as EntityName] as unknown as { shape: Record<string, unknown> })
          .shape;
        expect(columnProblems(columns, new Set(Object.keys(shape))), `${name} ${entity}`).toEqual([]);
      }
    expect(columnProblems([{ name: 'plan', title: 'x', path: 'nope', type: 'text' }], new Set())).toEqual([
      'column plan takes the name of a built-in sort',
      'column plan: the record has no field nope',
    ]);
  });

  it("the seed's invoice screen: exactly its columns, in its order", () => {
    const invoice = connectorRegistry.acumatica!.manifest.entities.invoice?.read;
    expect(invoice?.columns?.map((c) => c.title)).toEqual([
      'Invoice Type',
      'Invoice Nbr',
      'Status',
      'Invoice Date',
      'Customer',
      'Invoice Total',
      'LastModifiedDateTime',
    ]);
    expect(invoice?.columns?.find((c) => c.title === 'Invoice Total')?.type).toBe('money');
  });

  it('every Acumatica filter a manifest offers is one the connector applies', () => {
    for (const [entity, cap] of Object.entries(connectorRegistry.acumatica!.manifest.entities)) {
      const sp = spec(entity as EntityName);
      for (const f of cap.read?.filters ?? []) {
        if (f.kind === 'dates' || f.name === 'ids') continue;
        expect(
          Boolean(sp.filterFields[f.name] ?? sp.detailFilters?.[f.name] ?? sp.textFields?.[f.name]),
          `${entity}: ${f.name}`,
        ).toBe(true);
      }
    }
  });
});
