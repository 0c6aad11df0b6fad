import {
  type ColumnDef,
  createColumnHelper,
  type RowData,
  type RowSelectionState,
  rowPaginationFeature,
  rowSelectionFeature,
  rowSortingFeature,
  type SortingState,
  tableFeatures,
  type Updater,
  useTable,
} from '@tanstack/react-table';
import type { ReactNode } from 'react';

// Every table pages and sorts on the server: the table keeps columns, sort and selection state;
// the screen fetches the page the state asks for.
export const features = tableFeatures({ rowSortingFeature, rowPaginationFeature, rowSelectionFeature });
export type Features = typeof features;
export type Columns<T extends RowData> = ColumnDef<Features, T, unknown>[];
export const columnHelper = <T extends RowData>() => createColumnHelper<Features, T>();
export type { RowSelectionState, SortingState };

const apply = <S,>(u: Updater<S>, old: S): S => (typeof u === 'function' ? (u as (o: S) => S)(old) : u);

interface Props<T extends RowData> {
  label: string;
  columns: Columns<T>;
  data: T[];
  rowId: (row: T) => string;
  total: number;
  pageSize: number;
  pageIndex: number;
  sorting?: SortingState;
  onSortingChange?: (s: SortingState) => void;
  /** With selection, a checkbox column comes first; the state is kept by row id across pages. */
  selection?: RowSelectionState;
  onSelectionChange?: (s: RowSelectionState) => void;
  selectLabel?: (row: T) => string;
  onRowOpen?: (row: T) => void;
  openLabel?: (row: T) => string;
  rowClass?: (row: T) => string | undefined;
  empty?: ReactNode;
  loading?: boolean;
}

export function DataTable<T extends RowData>(props: Props<T>) {
  const { columns, data, sorting = [], selection } = props;
  const table = useTable({
    features,
    columns,
    data,
    getRowId: props.rowId,
    manualSorting: true,
    manualPagination: true,
    rowCount: props.total,
    enableRowSelection: Boolean(selection),
    enableMultiSort: false,
    enableSortingRemoval: false,
    state: {
      sorting,
      pagination: { pageIndex: props.pageIndex, pageSize: props.pageSize },
      rowSelection: selection ?? {},
    },
    onSortingChange: (u) => props.onSortingChange?.(apply(u, sorting)),
    onRowSelectionChange: (u) => props.onSelectionChange?.(apply(u, selection ?? {})),
  });
  const rows = table.getRowModel().rows;
  const allOnPage = rows.length > 0 && rows.every((r) => r.getIsSelected());
  const someOnPage = rows.some((r) => r.getIsSelected());

  return (
    <div className="table-wrap" aria-busy={props.loading || undefined}>
      <table className="grid" aria-label={props.label}>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {selection ? (
                <th className="select-col" scope="col">
                  <input
                    type="checkbox"
                    aria-label="Select all rows on this page"
                    checked={allOnPage}
                    ref={(el) => {
                      if (el) el.indeterminate = someOnPage && !allOnPage;
                    }}
                    onChange={(e) => table.toggleAllPageRowsSelected(e.target.checked)}
                  />
                </th>
              ) : null}
              {group.headers.map((header) => {
                const canSort = Boolean(props.onSortingChange) && header.column.getCanSort();
                const dir = header.column.getIsSorted();
                return (
                  <th
                    key={header.id}
                    scope="col"
                    aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : undefined}
                  >
                    {header.isPlaceholder ? null : canSort ? (
                      <button
                        type="button"
                        className="sort"
                        onClick={header.column.getToggleSortingHandler()}
                        title="Sort by this column"
                      >
                        <table.FlexRender header={header} />
                        <span aria-hidden="true" className="sort-mark">
                          {dir === 'asc' ? '▲' : dir === 'desc' ? '▼' : '↕'}
                        </span>
                      </button>
                    ) : (
                      <table.FlexRender header={header} />
                    )}
                  </th>
                );
              })}
              {props.onRowOpen ? (
                <th scope="col">
                  <span className="visually-hidden">Details</span>
                </th>
              ) : null}
            </tr>
          ))}
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td
                colSpan={columns.length + (selection ? 1 : 0) + (props.onRowOpen ? 1 : 0)}
                className="empty-row"
              >
                {props.loading ? 'Loading…' : (props.empty ?? 'No records found.')}
              </td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr
                key={row.id}
                className={[
                  row.getIsSelected() ? 'selected' : '',
                  props.onRowOpen ? 'clickable' : '',
                  props.rowClass?.(row.original) ?? '',
                ]
                  .join(' ')
                  .trim()}
                onClick={
                  props.onRowOpen
                    ? (e) => {
                        // Controls in the row do their own thing; anywhere else opens the details.
                        if ((e.target as HTMLElement).closest('button, a, input, select, textarea, label'))
                          return;
                        props.onRowOpen?.(row.original);
                      }
                    : undefined
                }
              >
                {selection ? (
                  <td className="select-col">
                    <input
                      type="checkbox"
                      aria-label={props.selectLabel?.(row.original) ?? `Select ${row.id}`}
                      checked={row.getIsSelected()}
                      onChange={row.getToggleSelectedHandler()}
                    />
                  </td>
                ) : null}
                {row.getAllCells().map((cell) => (
                  <td key={cell.id}>
                    <table.FlexRender cell={cell} />
                  </td>
                ))}
                {props.onRowOpen ? (
                  <td className="open-col">
                    <button
                      type="button"
                      className="btn btn-plain"
                      aria-label={props.openLabel?.(row.original) ?? `Details of ${row.id}`}
                      onClick={() => props.onRowOpen?.(row.original)}
                    >
                      Details
                    </button>
                  </td>
                ) : null}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
