import { type ChangeEvent, type FormEvent, useMemo, useState } from 'react';
import { entityTitle } from '../App';
import { api, type BatchRow, type BatchSort, type Flow, type FlowFilter, type ReadQuery } from '../api';
import { Badge } from '../components/Badge';
import { Button, Done, ErrorText } from '../components/Controls';
import {
  type Columns,
  columnHelper,
  DataTable,
  type RowSelectionState,
  type SortingState,
} from '../components/DataTable';
import { RunProgress, useRunEvents } from '../components/RunProgress';
import { Time } from '../components/Time';
import { formatCount, humanize, splitList } from '../format';
import { useAction, useData, useDebounced } from '../hooks';
import { Link, useQueryState } from '../router';
import { useFlows, usePermission } from '../session';

const PAGE = 50;
const enc = encodeURIComponent;

/** Filters of a flow whose API predates `filters`: dates and typed ids still work on every connector. */
const FALLBACK_FILTERS: FlowFilter[] = [
  { name: 'dates', title: 'Filter by dates', kind: 'dates' },
  { name: 'ids', title: 'Filter by specific IDs', kind: 'ids' },
];

export function BatchScreen({ flowName }: { flowName: string }) {
  const { flows, error } = useFlows();
  const flow = flows.find((f) => f.name === flowName);
  if (!flow) {
    return (
      <section>
        <h1>Batch process</h1>
        <ErrorText>{error}</ErrorText>
        {flows.length ? (
          <p>
            There is no flow named <code>{flowName}</code>. <Link to="/flows">See the flows</Link>.
          </p>
        ) : (
          <p className="muted">Loading…</p>
        )}
      </section>
    );
  }
  return <Batch flow={flow} />;
}

interface FilterState {
  on: Record<string, boolean>;
  since: string;
  until: string;
  values: Record<string, string>;
  ids: string;
}

const NO_FILTERS: FilterState = { on: {}, since: '', until: '', values: {}, ids: '' };

const PLAN_TEXT: Record<string, string> = {
  create: 'create',
  update: 'update',
  unchanged: 'unchanged',
  skip: 'skip',
  wait: 'wait',
  fail: 'fail',
};

function planCell(r: BatchRow) {
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
      <Badge status={r.plan} label={PLAN_TEXT[r.plan] ?? r.plan} />
      {detail ? <span className="plan-detail"> {detail}</span> : null}
    </span>
  );
}

const col = columnHelper<BatchRow>();
const COLUMNS = col.columns([
  col.accessor('position', { id: 'position', header: '#', cell: (c) => c.getValue() + 1 }),
  col.accessor('source_id', { id: 'source_id', header: 'ID', cell: (c) => <code>{c.getValue()}</code> }),
  col.accessor('label', { id: 'label', header: 'Label' }),
  col.accessor('updated_at', {
    id: 'updated_at',
    header: 'Updated at',
    cell: (c) => <Time iso={c.getValue()} />,
  }),
  col.accessor('current_state', {
    id: 'current_state',
    header: 'Sync state',
    cell: (c) => {
      const s = c.getValue();
      const target = c.row.original.target_id;
      return (
        <>
          {s ? <Badge status={s} /> : <span className="muted">not synced</span>}
          {target ? <span className="muted"> → {target}</span> : null}
        </>
      );
    },
  }),
  col.accessor('plan', { id: 'plan', header: 'Processing would', cell: (c) => planCell(c.row.original) }),
]) as Columns<BatchRow>;

function Batch({ flow }: { flow: Flow }) {
  const filters = flow.filters?.length ? flow.filters : FALLBACK_FILTERS;
  const [query, setQuery] = useQueryState();
  const batchId = Number(query.get('batch')) || null;
  const [f, setF] = useState<FilterState>(NO_FILTERS);
  const [page, setPage] = useState(0);
  const [sorting, setSorting] = useState<SortingState>([{ id: 'position', desc: false }]);
  const [selection, setSelection] = useState<RowSelectionState>({});
  const [planFilter, setPlanFilter] = useState('');
  const [find, setFind] = useState('');
  const search = useDebounced(find.trim());
  const [count, setCount] = useState<number | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [fileNote, setFileNote] = useState<string | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  // Reading an ID file is for those who may process what it names; the server refuses a viewer too.
  const uploadDenied = usePermission().why('operator');
  const loadAction = useAction();
  const processAction = useAction();
  const { run, live } = useRunEvents(flow.name);

  const sort = sorting[0] ?? { id: 'position', desc: false };
  const rows = useData(
    () =>
      batchId
        ? api.batchRows(batchId, {
            offset: page * PAGE,
            limit: PAGE,
            sort: sort.id as BatchSort,
            dir: sort.desc ? 'desc' : 'asc',
            ...(planFilter ? { plan: planFilter } : {}),
            ...(search ? { search } : {}),
          })
        : Promise.resolve({ total: 0, rows: [] as BatchRow[] }),
    [batchId, page, sort.id, sort.desc, planFilter, search],
  );
  const selectedIds = useMemo(() => Object.keys(selection).filter((k) => selection[k]), [selection]);

  const setOn = (name: string, on: boolean) => setF((s) => ({ ...s, on: { ...s.on, [name]: on } }));

  /** The read query the checked filters describe, or an error naming what is missing. */
  const readQuery = (): ReadQuery | string => {
    const q: ReadQuery = {};
    for (const filter of filters) {
      if (!f.on[filter.name]) continue;
      if (filter.kind === 'dates') {
        if (!f.since && !f.until) return `${filter.title}: enter a from date, a to date or both.`;
        if (f.since) q.since = f.since;
        if (f.until) q.until = f.until;
      } else if (filter.kind === 'values') {
        const values = splitList(f.values[filter.name] ?? '', /,/);
        if (!values.length) return `${filter.title}: enter at least one value.`;
        q.filters = { ...q.filters, [filter.name]: values };
      } else {
        const ids = splitList(f.ids);
        if (!ids.length) return `${filter.title}: type IDs or upload a file.`;
        q.ids = ids;
      }
    }
    return q;
  };

  const load = (e?: FormEvent) => {
    e?.preventDefault();
    const q = readQuery();
    setFormError(typeof q === 'string' ? q : null);
    if (typeof q === 'string') return;
    void loadAction.run(async () => {
      const r = await api.load(flow.name, q);
      setSelection({});
      setPage(0);
      setCount(r.count);
      setQuery({ batch: String(r.batchId) });
      return `Loaded ${formatCount(r.count)} record${r.count === 1 ? '' : 's'}.`;
    });
  };

  const process = (all: boolean) => {
    let body: Parameters<typeof api.run>[1];
    if (batchId) body = all ? { batchId } : { batchId, ids: selectedIds };
    else {
      const q = readQuery();
      setFormError(typeof q === 'string' ? q : null);
      if (typeof q === 'string') return;
      body = q;
    }
    void processAction.run(async () => {
      await api.run(flow.name, body);
      const what = all
        ? batchId
          ? `all ${formatCount(rows.data?.total ?? count ?? 0)} loaded records`
          : 'every record the filters select'
        : `${selectedIds.length} selected record${selectedIds.length === 1 ? '' : 's'}`;
      return `Queued: processing ${what}. The progress bar follows the run.`;
    });
  };

  const reset = () => {
    setF(NO_FILTERS);
    setSelection({});
    setPage(0);
    setCount(null);
    setPlanFilter('');
    setFind('');
    setFormError(null);
    setFileNote(null);
    setFileError(null);
    loadAction.clear();
    processAction.clear();
    setQuery({ batch: undefined });
  };

  const upload = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    setFileError(null);
    setFileNote(null);
    try {
      const r = await api.idsFile(flow.name, file);
      setF((s) => ({ ...s, ids: r.ids.join('\n') }));
      setFileNote(`Read ${formatCount(r.count)} ID${r.count === 1 ? '' : 's'} from ${file.name}.`);
    } catch (err) {
      setFileError((err as Error).message);
    }
  };

  const total = rows.data?.total ?? 0;
  return (
    <section className="batch">
      <div className="title-row">
        <h1>
          {entityTitle(flow.entity)} batch process <span className="muted">· {flow.name}</span>
        </h1>
        <p className="muted">
          {flow.source} → {flow.target}
          {flow.description ? ` · ${flow.description}` : ''} ·{' '}
          <Link to={`/log?flow=${enc(flow.name)}`}>Log</Link> ·{' '}
          <Link to={`/flows/${enc(flow.name)}`}>Settings</Link>
        </p>
      </div>

      <form className="panel filters" onSubmit={load} aria-label="Filters">
        {filters.map((filter) => {
          const id = `filter-${filter.name}`;
          const on = Boolean(f.on[filter.name]);
          return (
            <fieldset key={filter.name} className={on ? 'filter on' : 'filter'}>
              <legend className="visually-hidden">{filter.title}</legend>
              <label className="check">
                <input type="checkbox" checked={on} onChange={(e) => setOn(filter.name, e.target.checked)} />
                {filter.title}
              </label>
              {on && filter.kind === 'dates' ? (
                <div className="filter-inputs">
                  <label htmlFor={`${id}-from`}>From</label>
                  <input
                    id={`${id}-from`}
                    type="date"
                    value={f.since}
                    onChange={(e) => setF((s) => ({ ...s, since: e.target.value }))}
                  />
                  <label htmlFor={`${id}-to`}>To</label>
                  <input
                    id={`${id}-to`}
                    type="date"
                    value={f.until}
                    onChange={(e) => setF((s) => ({ ...s, until: e.target.value }))}
                  />
                </div>
              ) : null}
              {on && filter.kind === 'values' ? (
                <div className="filter-inputs">
                  <label htmlFor={id}>{valueLabel(filter.title)}</label>
                  <input
                    id={id}
                    placeholder="comma-separated, e.g. RETAIL, WHOLESALE"
                    value={f.values[filter.name] ?? ''}
                    onChange={(e) =>
                      setF((s) => ({ ...s, values: { ...s.values, [filter.name]: e.target.value } }))
                    }
                  />
                </div>
              ) : null}
              {filter.kind === 'ids' ? (
                <p className="hint">
                  {filter.idFileHeader
                    ? `Upload an Excel or CSV file with the IDs in the first column. The first row must be the header ${filter.idFileHeader}.`
                    : 'Upload an Excel or CSV file with the IDs in the first column; the first row is its header.'}
                </p>
              ) : null}
              {on && filter.kind === 'ids' ? (
                <div className="filter-inputs ids">
                  <label htmlFor={id}>IDs</label>
                  <textarea
                    id={id}
                    rows={4}
                    placeholder="one per line, or separated by commas"
                    value={f.ids}
                    onChange={(e) => setF((s) => ({ ...s, ids: e.target.value }))}
                  />
                  <label htmlFor={`${id}-file`}>Or upload an Excel or CSV file</label>
                  <input
                    id={`${id}-file`}
                    type="file"
                    accept=".xlsx,.csv"
                    disabled={Boolean(uploadDenied)}
                    title={uploadDenied}
                    onChange={upload}
                  />
                  <Done>{fileNote}</Done>
                  <ErrorText>{fileError}</ErrorText>
                </div>
              ) : null}
            </fieldset>
          );
        })}
        <ErrorText>{formError}</ErrorText>
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={loadAction.pending}>
            Load
          </button>
          <Button
            need="operator"
            disabled={!batchId || selectedIds.length === 0 || processAction.pending}
            title={
              !batchId ? 'Load first, then select rows' : selectedIds.length ? undefined : 'Select rows first'
            }
            onClick={() => process(false)}
          >
            Process
          </Button>
          <Button need="operator" disabled={processAction.pending} onClick={() => process(true)}>
            Process All
          </Button>
          <Button onClick={reset}>Reset Filter</Button>
        </div>
        {loadAction.pending ? (
          <p className="muted" role="status">
            Reading the records from {flow.source} and working out what processing would do…
          </p>
        ) : null}
        <ErrorText>{loadAction.error ?? processAction.error}</ErrorText>
        <Done>{processAction.done ?? loadAction.done}</Done>
      </form>

      <RunProgress run={run} live={live} />

      <section className="panel" aria-label="Loaded records">
        <div className="panel-head">
          <h2>
            Records{' '}
            {batchId ? (
              <span className="muted">
                {formatCount(total)} {planFilter ? `that would ${planFilter}` : 'loaded'}
                {selectedIds.length ? ` · ${formatCount(selectedIds.length)} selected` : ''}
              </span>
            ) : null}
          </h2>
          <div className="actions">
            <label className="inline">
              Find{' '}
              <input
                type="search"
                value={find}
                placeholder="id or label"
                disabled={!batchId}
                onChange={(e) => {
                  setFind(e.target.value);
                  setPage(0);
                }}
              />
            </label>
            <label className="inline">
              Show{' '}
              <select
                value={planFilter}
                onChange={(e) => {
                  setPlanFilter(e.target.value);
                  setPage(0);
                }}
                disabled={!batchId}
              >
                <option value="">every record</option>
                {Object.keys(PLAN_TEXT).map((p) => (
                  <option key={p} value={p}>
                    what would {humanize(p)}
                  </option>
                ))}
              </select>
            </label>
            {selectedIds.length ? <Button onClick={() => setSelection({})}>Clear selection</Button> : null}
          </div>
        </div>
        <ErrorText>{rows.error}</ErrorText>
        <DataTable
          label="Loaded records"
          columns={COLUMNS}
          data={rows.data?.rows ?? EMPTY}
          rowId={(r) => r.source_id}
          total={total}
          pageIndex={page}
          pageSize={PAGE}
          sorting={sorting}
          onSortingChange={(s) => {
            setSorting(s);
            setPage(0);
          }}
          selection={selection}
          onSelectionChange={setSelection}
          selectLabel={(r) => `Select ${r.source_id}`}
          loading={rows.loading && Boolean(batchId)}
          empty={
            batchId
              ? 'No records found. Try other filters.'
              : 'No records loaded. Choose filters above and press Load.'
          }
        />
        {batchId ? <Pager page={page} total={total} onChange={setPage} /> : null}
        {batchId ? (
          <p className="hint">
            The sync state and plan are as of the Load; press Load again after processing to see them change.
          </p>
        ) : null}
      </section>
    </section>
  );
}

const EMPTY: BatchRow[] = [];

function Pager({ page, total, onChange }: { page: number; total: number; onChange: (p: number) => void }) {
  const pages = Math.max(1, Math.ceil(total / PAGE));
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

/** "Filter by customer classes" → "Customer classes". */
function valueLabel(title: string): string {
  const t = title.replace(/^filter by\s+/i, '');
  return t.charAt(0).toUpperCase() + t.slice(1);
}
