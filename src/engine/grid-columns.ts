import type { SourceItem } from '../connectors/sdk/contract.js';
import type { ConnectorManifest, GridColumn, GridColumnType } from '../connectors/sdk/manifest.js';
import type { EntityName } from '../model/index.js';

/** A grid cell: text, a date (YYYY-MM-DD), an instant (ISO UTC), money with its currency, or nothing. */
export type ColumnValue = string | { amount: string; currency: string } | null;

/** The built-in sorts of a Load's grid; a declared column may not take one of these names. */
export const BUILT_IN_SORTS = [
  'position',
  'source_id',
  'label',
  'updated_at',
  'current_state',
  'plan',
] as const;

const TYPES: readonly GridColumnType[] = ['text', 'date', 'datetime', 'money', 'status'];

/** The grid columns a flow's source declares for its entity (none: the grid shows the id and the change stamp). */
export const columnsOf = (
  manifest: ConnectorManifest | undefined,
  entity: EntityName,
): readonly GridColumn[] => manifest?.entities[entity]?.read?.columns ?? [];

/** What is wrong with a manifest's column declarations (for the manifests' own test and for connector authors). */
export function columnProblems(columns: readonly GridColumn[], fields: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.name)) problems.push(`column ${c.name} is declared twice`);
    seen.add(c.name);
    if ((BUILT_IN_SORTS as readonly string[]).includes(c.name))
      problems.push(`column ${c.name} takes the name of a built-in sort`);
    if (!TYPES.includes(c.type)) problems.push(`column ${c.name} has no type ${c.type}`);
    const head = c.path.split('.')[0] ?? '';
    if (c.path !== '$id' && c.path !== '$updatedAt' && !fields.has(head))
      problems.push(`column ${c.name}: the record has no field ${head}`);
  }
  return problems;
}

/** Every value at a dotted path; arrays on the way contribute each element's value. */
function valuesAt(data: unknown, path: readonly string[]): unknown[] {
  if (path.length === 0) return data === undefined || data === null ? [] : [data];
  if (Array.isArray(data)) return data.flatMap((d) => valuesAt(d, path));
  if (data === null || typeof data !== 'object') return [];
  return valuesAt((data as Record<string, unknown>)[path[0]!], path.slice(1));
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

function cell(type: GridColumnType, found: unknown[]): ColumnValue {
  const flat = found.flatMap((v) => (Array.isArray(v) ? v : [v]));
  if (type === 'money') {
    const m = flat[0] as { amount?: unknown; currency?: unknown } | undefined;
    if (!m || typeof m !== 'object') return null;
    const amount =
      typeof m.amount === 'string' ? m.amount : typeof m.amount === 'number' ? String(m.amount) : '';
    if (!DECIMAL.test(amount) || typeof m.currency !== 'string') return null;
    return { amount, currency: m.currency };
  }
  const texts = flat.filter((v) => ['string', 'number', 'boolean'].includes(typeof v)).map(String);
  if (texts.length === 0) return null;
  if (type === 'date') {
    const t = texts[0]!;
    if (/^\d{4}-\d{2}-\d{2}/.test(t)) return t.slice(0, 10);
    const d = new Date(t);
    return Number.isNaN(d.getTime()) ? t : d.toISOString().slice(0, 10);
  }
  if (type === 'datetime') {
    const d = new Date(texts[0]!);
    return Number.isNaN(d.getTime()) ? texts[0]! : d.toISOString();
  }
  return [...new Set(texts)].join(', ');
}

/** The values of a record read for each declared column: `$id` and `$updatedAt` even when it could not be mapped. */
export function columnValues(columns: readonly GridColumn[], item: SourceItem): Record<string, ColumnValue> {
  const out: Record<string, ColumnValue> = {};
  for (const c of columns) {
    if (c.path === '$id') out[c.name] = cell(c.type, [item.id]);
    else if (c.path === '$updatedAt') out[c.name] = cell(c.type, [item.updatedAt]);
    else out[c.name] = cell(c.type, valuesAt(item.data, c.path.split('.')));
  }
  return out;
}

const INT_DIGITS = 24;
const FRACTION_DIGITS = 12;

/**
 * A decimal string as text that sorts in numeric order on any database: sign mark, then fixed-width
 * digits ("N" + nines' complement for negatives, so -10 sorts before -5; "P" for the rest).
 */
export function decimalSortKey(amount: string): string {
  const negative = amount.startsWith('-');
  const [int = '0', frac = ''] = (negative ? amount.slice(1) : amount).split('.');
  const digits =
    int
      .replace(/^0+(?=\d)/, '')
      .padStart(INT_DIGITS, '0')
      .slice(-INT_DIGITS) + frac.padEnd(FRACTION_DIGITS, '0').slice(0, FRACTION_DIGITS);
  if (!negative || /^0+$/.test(digits)) return `P${digits}`;
  return `N${[...digits].map((d) => String(9 - Number(d))).join('')}`;
}

/** The text a column's value sorts by on the server ('' for no value, which sorts first). */
export function sortKey(type: GridColumnType, value: ColumnValue): string {
  if (value === null) return '';
  if (typeof value === 'object') return decimalSortKey(value.amount);
  if (type === 'date' || type === 'datetime') return value;
  return value.toLowerCase().slice(0, 200);
}

/** What a person searches a Load by: the row's text values, joined (stored as the row's label). */
export function searchText(columns: readonly GridColumn[], values: Record<string, ColumnValue>): string {
  return columns
    .filter((c) => c.type === 'text' || c.type === 'status')
    .map((c) => values[c.name])
    .filter((v): v is string => typeof v === 'string' && v !== '')
    .join(' · ');
}

/** Preview rows with their values for the grid columns, from the records read (a Load's, a Scan's). */
export function withColumns<R extends { sourceId: string; columns?: Record<string, ColumnValue> }>(
  rows: R[],
  page: readonly SourceItem[],
  columns: readonly GridColumn[],
): R[] {
  if (!columns.length) return rows;
  const items = new Map(page.map((item) => [item.id, item]));
  for (const row of rows) {
    const item = items.get(row.sourceId);
    if (item) row.columns = columnValues(columns, item);
  }
  return rows;
}
