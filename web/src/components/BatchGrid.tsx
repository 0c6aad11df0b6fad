// The grid of a Load as the batch screens and the accounting view show it: the source's columns in
// its order, then the sync state and what processing would do; and the pager under it.
import type { BatchRow, CellValue, GridColumn } from '../api';
import { formatMoney } from '../format';
import { Badge } from './Badge';
import {
  type Columns,
  columnHelper,
  DataTable,
  type RowSelectionState,
  type SortingState,
} from './DataTable';
import { Time } from './Time';

/** Rows a page of a Load shows. */
export const GRID_PAGE = 50;

export const PLAN_TEXT: Record<string, string> = {
  create: 'create',
  update: 'update',
  unchanged: 'unchanged',
  skip: 'skip',
  wait: 'wait',
  fail: 'fail',
};

/** What processing would do, in a screen's words (the CRM View says "already there" for unchanged). */
export function planCell(
  r: Pick<BatchRow, 'plan' | 'fields' | 'reason'>,
  words: Record<string, string> = PLAN_TEXT,
) {
  const detail =
    r.plan === 'update'
      ? r.fields?.length
        ? r.fields.join(', ')
        : (r.reason ?? '').replace(/^update /, '')
      : r.plan === 'create' || r.plan === 'unchanged'
        ? ''
        : (r.reason ?? '');
  return (
    <span className="plan">
      <Badge status={r.plan} label={words[r.plan] ?? r.plan} />
      {detail ? <span className="plan-detail"> {detail}</span> : null}
    </span>
  );
}

export function stateCell(state: string | null, target: string | null) {
  return (
    <>
      {state ? <Badge status={state} /> : <span className="muted">not synced</span>}
      {target ? <span className="muted"> → {target}</span> : null}
    </>
  );
}

/** One grid cell as its column's type shows it: money with its currency, instants in local time. */
export function Cell({ column, value }: { column: GridColumn; value: CellValue | undefined }) {
  if (value === null || value === undefined || value === '') return <span className="muted">—</span>;
  if (typeof value === 'object') return <span className="money">{formatMoney(value)}</span>;
  if (column.type === 'datetime') return <Time iso={value} />;
  if (column.type === 'status') return <span className="source-status">{value}</span>;
  if (column.path === '$id') return <code>{value}</code>;
  return <>{value}</>;
}

const col = columnHelper<BatchRow>();

/** The source's columns first, in its order, then ours: the sync state and what processing would do. */
export function gridColumns(
  declared: readonly GridColumn[],
  o: { planHeader?: string; planWords?: Record<string, string> } = {},
): Columns<BatchRow> {
  const source = (
    declared.length
      ? declared.map((c) =>
          col.accessor((r) => r.columns?.[c.name] ?? null, {
            id: c.name,
            header: c.title,
            // Ascending first for every type (a money cell is an object, which would start descending).
            sortDescFirst: false,
            cell: (x) => <Cell column={c} value={x.getValue() as CellValue} />,
          }),
        )
      : col.columns([
          col.accessor('source_id', {
            id: 'source_id',
            header: 'ID',
            cell: (c) => <code>{c.getValue()}</code>,
          }),
          col.accessor('updated_at', {
            id: 'updated_at',
            header: 'Updated at',
            cell: (c) => <Time iso={c.getValue()} />,
          }),
        ])
  ) as Columns<BatchRow>;
  const ours = col.columns([
    col.accessor('current_state', {
      id: 'current_state',
      header: 'Sync state',
      cell: (c) => stateCell(c.getValue(), c.row.original.target_id),
    }),
    col.accessor('plan', {
      id: 'plan',
      header: o.planHeader ?? 'Processing would',
      cell: (c) => planCell(c.row.original, o.planWords),
    }),
  ]) as Columns<BatchRow>;
  return [...source, ...ours];
}

export function Pager({
  page,
  total,
  onChange,
  pageSize = GRID_PAGE,
}: {
  page: number;
  total: number;
  onChange: (p: number) => void;
  pageSize?: number;
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <nav className="pager" aria-label="Pages of loaded records">
      <span>
        Page {page + 1} of {pages}
      </span>
      <button type="button" className="btn" disabled={page === 0} onClick={() => onChange(0)}>
        First page
      </button>
      <button type="button" className="btn" disabled={page === 0} onClick={() => onChange(page - 1)}>
        Previous page
      </button>
      <button type="button" className="btn" disabled={page + 1 >= pages} onClick={() => onChange(page + 1)}>
        Next page
      </button>
      <button type="button" className="btn" disabled={page + 1 >= pages} onClick={() => onChange(pages - 1)}>
        Last page
      </button>
    </nav>
  );
}

/** A Load's rows, a page at a time, sorted on the server, selectable; and the pager under them. */
export function LoadedRows(o: {
  label: string;
  columns: Columns<BatchRow>;
  rows: BatchRow[];
  total: number;
  page: number;
  onPage: (page: number) => void;
  sorting: SortingState;
  onSorting: (s: SortingState) => void;
  selection: RowSelectionState;
  onSelection: (s: RowSelectionState) => void;
  loading: boolean;
  /** Whether a Load is shown (the pager only then). */
  loaded: boolean;
  empty: string;
}) {
  return (
    <>
      <DataTable
        label={o.label}
        columns={o.columns}
        data={o.rows}
        rowId={(r) => r.source_id}
        total={o.total}
        pageIndex={o.page}
        pageSize={GRID_PAGE}
        sorting={o.sorting}
        onSortingChange={(s) => {
          o.onSorting(s);
          o.onPage(0);
        }}
        selection={o.selection}
        onSelectionChange={o.onSelection}
        selectLabel={(r) => `Select ${r.source_id}`}
        loading={o.loading}
        empty={o.empty}
      />
      {o.loaded ? <Pager page={o.page} total={o.total} onChange={o.onPage} /> : null}
    </>
  );
}
