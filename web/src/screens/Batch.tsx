import {
  type ChangeEvent,
  type FormEvent,
  type KeyboardEvent,
  type ReactNode,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { entityTitle } from '../App';
import {
  api,
  type BatchRow,
  type FilterOption,
  type Flow,
  type FlowFilter,
  type GridColumn,
  type ReadQuery,
} from '../api';
import {
  Cell,
  GRID_PAGE,
  gridColumns,
  LoadedRows,
  PLAN_TEXT,
  planCell,
  stateCell,
} from '../components/BatchGrid';
import { Button, Done, ErrorText } from '../components/Controls';
import type { RowSelectionState, SortingState } from '../components/DataTable';
import { DryRunPanel, type PreviewOf } from '../components/DryRunPanel';
import { type FollowRun, RunProgress, useRunEvents } from '../components/RunProgress';
import { Time } from '../components/Time';
import { formatCount, humanize, splitList } from '../format';
import { useAction, useData, useDebounced } from '../hooks';
import { Link, useQueryState } from '../router';
import { useFlows, usePermission } from '../session';

const PAGE = GRID_PAGE;
const enc = encodeURIComponent;

/** The seed's words: Load with no filter checked. */
export const NOTHING_CHECKED =
  'You need to check at least one of the filters and then click on the [Load] button.';
/** The seed's words: an empty grid. */
export const NO_RECORDS = 'No records found. Try to modify parameters above to see records here.';

/** Filters of a flow whose API predates `filters`: dates and typed ids still work on every connector. */
const FALLBACK_FILTERS: FlowFilter[] = [
  { name: 'dates', title: 'Filter by Dates', kind: 'dates' },
  { name: 'ids', title: 'Filter by Specific IDs', kind: 'ids', idsTitle: 'IDs' },
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

/** What the filter form holds: which checkboxes are on and what each one's inputs say. */
interface FormState {
  on: Record<string, boolean>;
  since: string;
  until: string;
  /** Values picked in each pick list. */
  picked: Record<string, string[]>;
  /** Values typed where a pick list could not be read. */
  typed: Record<string, string>;
  /** Each ID list's textbox. */
  lists: Record<string, string>;
  /** Each text filter's letters (the start of a reference). */
  texts: Record<string, string>;
}

const NO_FILTERS: FormState = {
  on: {},
  since: '',
  until: '',
  picked: {},
  typed: {},
  lists: {},
  texts: {},
};

/** The read query the checked filters describe, or what is missing in a person's words. */
function readQuery(filters: readonly FlowFilter[], f: FormState): ReadQuery | string {
  const q: ReadQuery = {};
  const lists: Record<string, string[]> = {};
  if (!filters.some((filter) => f.on[filter.name])) return NOTHING_CHECKED;
  for (const filter of filters) {
    if (!f.on[filter.name]) continue;
    if (filter.kind === 'dates') {
      if (!f.since && !f.until) return `${filter.title}: enter a From date, a To date or both.`;
      if (f.since && f.until && f.since > f.until)
        return `${filter.title}: the From date (${f.since}) is after the To date (${f.until}).`;
      if (f.since) q.since = f.since;
      if (f.until) q.until = f.until;
    } else if (filter.kind === 'values') {
      const values = f.picked[filter.name]?.length
        ? f.picked[filter.name]!
        : splitList(f.typed[filter.name] ?? '', /,/);
      if (!values.length) return `${filter.title}: pick at least one.`;
      lists[filter.name] = values;
    } else if (filter.kind === 'text') {
      const text = (f.texts[filter.name] ?? '').trim();
      if (!text) return `${filter.title}: type the first letters.`;
      lists[filter.name] = [text];
    } else {
      const ids = splitList(f.lists[filter.name] ?? '');
      if (!ids.length) return `${filter.title}: type ${filter.idsTitle ?? 'IDs'} or browse for a file.`;
      lists[filter.name] = ids;
    }
  }
  if (Object.keys(lists).length) q.filters = lists;
  return q;
}

/** The same query, whatever the order things were typed or picked in. */
function queryKey(q: ReadQuery | string): string {
  if (typeof q === 'string') return q;
  const filters = Object.fromEntries(
    Object.entries(q.filters ?? {})
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, [...v].sort()]),
  );
  return JSON.stringify({ since: q.since ?? '', until: q.until ?? '', filters });
}

/** The form a Load was made with, from the query the server kept (after a reload, or from a link). */
function formOf(filters: readonly FlowFilter[], q: ReadQuery): FormState {
  const f: FormState = { ...NO_FILTERS, on: {}, picked: {}, typed: {}, lists: {}, texts: {} };
  for (const filter of filters) {
    if (filter.kind === 'dates' && (q.since || q.until)) {
      f.on[filter.name] = true;
      f.since = q.since?.slice(0, 10) ?? '';
      f.until = q.until?.slice(0, 10) ?? '';
    } else if (filter.kind === 'values' && q.filters?.[filter.name]?.length) {
      f.on[filter.name] = true;
      f.picked[filter.name] = [...q.filters[filter.name]!];
    } else if (filter.kind === 'text' && q.filters?.[filter.name]?.[0]) {
      f.on[filter.name] = true;
      f.texts[filter.name] = q.filters[filter.name]![0]!;
    } else if (filter.kind === 'ids') {
      const ids = filter.name === 'ids' ? q.ids : q.filters?.[filter.name];
      if (ids?.length) {
        f.on[filter.name] = true;
        f.lists[filter.name] = ids.join('\n');
      }
    }
  }
  return f;
}

/** The run this person started from this flow's screen: kept for the tab, so a reload follows it. */
const RUN_KEY = (flow: string) => `ledgerlink.run.${flow}`;

function rememberedRun(flow: string): FollowRun | null {
  try {
    const v = JSON.parse(sessionStorage.getItem(RUN_KEY(flow)) ?? 'null') as FollowRun | null;
    return v && (typeof v.request === 'string' || typeof v.run === 'number') ? v : null;
  } catch {
    return null;
  }
}

function remember(flow: string, follow: FollowRun): void {
  try {
    sessionStorage.setItem(RUN_KEY(flow), JSON.stringify(follow));
  } catch {
    /* private mode: the bar still follows the run until a reload */
  }
}

function Batch({ flow }: { flow: Flow }) {
  const filters = flow.filters?.length ? flow.filters : FALLBACK_FILTERS;
  const [query, setQuery] = useQueryState();
  const batchId = Number(query.get('batch')) || null;
  const [f, setF] = useState<FormState>(NO_FILTERS);
  /** The form's query when the Load shown was made: Process All asks before acting on other filters. */
  const [loadedKey, setLoadedKey] = useState<string | null>(null);
  const [page, setPage] = useState(0);
  const [sorting, setSorting] = useState<SortingState>([{ id: 'position', desc: false }]);
  const [selection, setSelection] = useState<RowSelectionState>({});
  const [planFilter, setPlanFilter] = useState('');
  const [find, setFind] = useState('');
  const search = useDebounced(find.trim());
  const [formError, setFormError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  /** The dry run shown: of the rows selected when Preview was pressed, or of the whole Load. */
  const [previewing, setPreviewing] = useState<PreviewOf | null>(null);
  const [follow, setFollow] = useState<FollowRun | null>(() => rememberedRun(flow.name));
  const loadAction = useAction();
  const processAction = useAction();
  const { run, live } = useRunEvents(flow.name, follow);

  const sort = sorting[0] ?? { id: 'position', desc: false };
  const rows = useData(
    () =>
      batchId
        ? api.batchRows(batchId, {
            offset: page * PAGE,
            limit: PAGE,
            sort: sort.id,
            dir: sort.desc ? 'desc' : 'asc',
            ...(planFilter ? { plan: planFilter } : {}),
            ...(search ? { search } : {}),
          })
        : Promise.resolve({ total: 0, rows: [] as BatchRow[], batch: undefined }),
    [batchId, page, sort.id, sort.desc, planFilter, search],
  );
  const selectedIds = useMemo(() => Object.keys(selection).filter((k) => selection[k]), [selection]);
  const batch = rows.data?.batch;

  // A Load opened by a reload or a link: its filters come back into the form, as they were.
  const restored = useRef<number | null>(null);
  useEffect(() => {
    if (!batch || batch.id !== batchId || restored.current === batch.id || loadedKey !== null) return;
    restored.current = batch.id;
    const form = formOf(filters, batch.query ?? {});
    setF(form);
    setLoadedKey(queryKey(readQuery(filters, form)));
  }, [batch, batchId, filters, loadedKey]);

  const declared = batch?.columns?.length ? batch.columns : (flow.columns ?? []);
  const columns = useMemo(() => gridColumns(declared), [declared]);
  const currentKey = queryKey(readQuery(filters, f));
  const changed = Boolean(batchId) && loadedKey !== null && currentKey !== loadedKey;
  const loadedCount = batch?.count ?? 0;

  const edit = (change: (s: FormState) => FormState) => {
    setF(change);
    setConfirming(false);
  };
  const setOn = (name: string, on: boolean) => edit((s) => ({ ...s, on: { ...s.on, [name]: on } }));

  const load = (e?: FormEvent) => {
    e?.preventDefault();
    const q = readQuery(filters, f);
    setFormError(typeof q === 'string' ? q : null);
    setConfirming(false);
    if (typeof q === 'string') return;
    void loadAction.run(async () => {
      const r = await api.load(flow.name, q);
      setSelection({});
      setPage(0);
      restored.current = r.batchId;
      setLoadedKey(queryKey(q));
      setQuery({ batch: String(r.batchId) });
      return r.count ? `Loaded ${formatCount(r.count)} record${r.count === 1 ? '' : 's'}.` : undefined;
    });
  };

  /** Queues a run and follows it: the progress bar shows this run, also after a reload. */
  const start = (body: Parameters<typeof api.run>[1], what: string) =>
    processAction.run(async () => {
      const r = await api.run(flow.name, body);
      if (r.request) {
        const next = { request: r.request };
        remember(flow.name, next);
        setFollow(next);
      }
      return `Queued: processing ${what}. The progress bar follows the run.`;
    });

  const process = (all: boolean) => {
    setFormError(null);
    if (!batchId) return;
    if (!all) {
      void start(
        { batchId, ids: selectedIds },
        `${selectedIds.length} selected record${selectedIds.length === 1 ? '' : 's'}`,
      );
      return;
    }
    // The grid shows a Load made with other filters than the form's now: say so before acting.
    if (changed && !confirming) {
      setConfirming(true);
      return;
    }
    setConfirming(false);
    void start({ batchId }, `all ${formatCount(loadedCount)} loaded record${loadedCount === 1 ? '' : 's'}`);
  };

  /** Processes exactly what the preview showed (its rows, not the selection as it is now). */
  const processPreviewed = async (of: PreviewOf) => {
    const n = of.ids?.length;
    const ok = await start(
      of.ids ? { batchId: of.batchId, ids: of.ids } : { batchId: of.batchId },
      n
        ? `${n} previewed record${n === 1 ? '' : 's'}`
        : `all ${formatCount(loadedCount)} loaded record${loadedCount === 1 ? '' : 's'}`,
    );
    if (ok) setPreviewing(null);
  };

  const syncOne = (id: string) => start({ ids: [id] }, `${entityTitle(flow.entity).toLowerCase()} ${id}`);

  const reset = () => {
    setF(NO_FILTERS);
    setLoadedKey(null);
    restored.current = null;
    setSelection({});
    setPage(0);
    setPlanFilter('');
    setFind('');
    setFormError(null);
    setConfirming(false);
    setPreviewing(null);
    loadAction.clear();
    processAction.clear();
    setQuery({ batch: undefined });
  };

  const total = rows.data?.total ?? 0;
  const word = entityTitle(flow.entity).toLowerCase();
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

      <FindRecord flow={flow} declared={flow.columns ?? []} word={word} onSync={syncOne} run={run} />

      <form className="panel filters" onSubmit={load} aria-label="Filters" noValidate>
        {filters.map((filter) => (
          <FilterBox
            key={filter.name}
            flow={flow}
            filter={filter}
            form={f}
            on={Boolean(f.on[filter.name])}
            setOn={(on) => setOn(filter.name, on)}
            edit={edit}
          />
        ))}
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
          <Button
            need="operator"
            disabled={!batchId || processAction.pending}
            title={batchId ? `Process the ${formatCount(loadedCount)} records of the Load` : 'Load first'}
            onClick={() => process(true)}
          >
            Process All
          </Button>
          <Button
            disabled={!batchId}
            title={
              !batchId
                ? 'Load first'
                : selectedIds.length
                  ? `What Process would do to the ${formatCount(selectedIds.length)} selected records; writes nothing`
                  : `What Process All would do to the ${formatCount(loadedCount)} loaded records; writes nothing`
            }
            onClick={() => {
              if (!batchId) return;
              setPreviewing(selectedIds.length ? { batchId, ids: [...selectedIds] } : { batchId });
            }}
          >
            Preview
          </Button>
          {!batchId ? <span className="muted load-first">Load first</span> : null}
          <Button onClick={reset}>Reset Filter</Button>
        </div>
        {confirming ? (
          <div className="confirm-panel" role="alertdialog" aria-label="Process All with other filters">
            <p>
              The filters above changed since the Load. Process All processes the{' '}
              <strong>{formatCount(loadedCount)}</strong> record{loadedCount === 1 ? '' : 's'} the grid shows
              (the Load), not what the new filters select; press Load to see those first.
            </p>
            <div className="actions">
              <Button variant="primary" need="operator" onClick={() => process(true)}>
                Process the {formatCount(loadedCount)} loaded record{loadedCount === 1 ? '' : 's'}
              </Button>
              <Button onClick={() => setConfirming(false)}>Cancel</Button>
            </div>
          </div>
        ) : null}
        {loadAction.pending ? (
          <p className="muted" role="status">
            Reading the records from {flow.source} and working out what processing would do…
          </p>
        ) : null}
        <ErrorText>{loadAction.error ?? processAction.error}</ErrorText>
        <Done>{processAction.done ?? loadAction.done}</Done>
      </form>

      {previewing && previewing.batchId === batchId ? (
        <DryRunPanel
          key={`${previewing.batchId}:${previewing.ids?.join(',') ?? '*'}`}
          flow={flow}
          of={previewing}
          processing={processAction.pending}
          onProcess={() => void processPreviewed(previewing)}
          onClose={() => setPreviewing(null)}
        />
      ) : null}

      <RunProgress
        run={run}
        live={live}
        empty={
          <>
            You have not processed anything from this screen yet.
            {flow.lastRun ? (
              <>
                {' '}
                The flow&apos;s last run, #{flow.lastRun.id}, {humanize(flow.lastRun.status)}{' '}
                <Time iso={flow.lastRun.startedAt} />.
              </>
            ) : null}
          </>
        }
      />

      <section className="panel" aria-label="Loaded records">
        <div className="panel-head">
          <h2>
            All Records{' '}
            {batchId ? (
              <span className="muted">
                {formatCount(total)} {planFilter ? `that would ${planFilter}` : 'loaded'}
                {selectedIds.length ? ` · ${formatCount(selectedIds.length)} selected` : ''}
                {changed ? ' · loaded with other filters than those above' : ''}
              </span>
            ) : null}
          </h2>
          <div className="actions">
            <label className="inline">
              Find{' '}
              <input
                type="search"
                value={find}
                placeholder="text in any column"
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
        <LoadedRows
          label="Loaded records"
          columns={columns}
          rows={rows.data?.rows ?? EMPTY}
          total={total}
          page={page}
          onPage={setPage}
          sorting={sorting}
          onSorting={setSorting}
          selection={selection}
          onSelection={setSelection}
          loading={rows.loading && Boolean(batchId)}
          loaded={Boolean(batchId)}
          empty={NO_RECORDS}
        />
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

/** One of the seed's checkboxes, and the inputs it reveals. */
function FilterBox({
  flow,
  filter,
  form,
  on,
  setOn,
  edit,
}: {
  flow: Flow;
  filter: FlowFilter;
  form: FormState;
  on: boolean;
  setOn: (on: boolean) => void;
  edit: (change: (s: FormState) => FormState) => void;
}) {
  const id = `filter-${filter.name}`;
  return (
    <fieldset className={on ? 'filter on' : 'filter'}>
      <legend className="visually-hidden">{filter.title}</legend>
      <label className="check">
        <input type="checkbox" checked={on} onChange={(e) => setOn(e.target.checked)} />
        {filter.title}
      </label>
      {on && filter.kind === 'dates' ? (
        <div className="filter-inputs">
          <label htmlFor={`${id}-from`}>From</label>
          <input
            id={`${id}-from`}
            type="date"
            value={form.since}
            max={form.until || undefined}
            onChange={(e) => edit((s) => ({ ...s, since: e.target.value }))}
          />
          <label htmlFor={`${id}-to`}>To</label>
          <input
            id={`${id}-to`}
            type="date"
            value={form.until}
            min={form.since || undefined}
            onChange={(e) => edit((s) => ({ ...s, until: e.target.value }))}
          />
        </div>
      ) : null}
      {on && filter.kind === 'values' ? (
        <PickList flow={flow} filter={filter} form={form} edit={edit} />
      ) : null}
      {on && filter.kind === 'text' ? (
        <div className="filter-inputs">
          <label htmlFor={id}>{filter.field ?? 'Text'} starts with</label>
          <input
            id={id}
            type="search"
            maxLength={100}
            value={form.texts[filter.name] ?? ''}
            onChange={(e) => edit((s) => ({ ...s, texts: { ...s.texts, [filter.name]: e.target.value } }))}
          />
        </div>
      ) : null}
      {filter.kind === 'ids' ? <IdList flow={flow} filter={filter} form={form} on={on} edit={edit} /> : null}
    </fieldset>
  );
}

/** "Filter by Customer Classes" → "Customer Classes". */
function valueLabel(title: string): string {
  const t = title.replace(/^filter by\s+/i, '');
  return t.charAt(0).toUpperCase() + t.slice(1);
}

/** A pick list: the values the source offers, several at a time; typed where they cannot be read. */
function PickList({
  flow,
  filter,
  form,
  edit,
}: {
  flow: Flow;
  filter: FlowFilter;
  form: FormState;
  edit: (change: (s: FormState) => FormState) => void;
}) {
  const options = useData(
    () =>
      filter.options?.length
        ? Promise.resolve({ options: filter.options.map((value) => ({ value })) })
        : api.filterOptions(flow.name, filter.name),
    [flow.name, filter.name],
  );
  const picked = form.picked[filter.name] ?? [];
  const label = valueLabel(filter.title);
  const toggle = (value: string, yes: boolean) =>
    edit((s) => {
      const now = s.picked[filter.name] ?? [];
      return {
        ...s,
        picked: { ...s.picked, [filter.name]: yes ? [...now, value] : now.filter((v) => v !== value) },
      };
    });
  const list: FilterOption[] = options.data?.options ?? [];
  if (options.loading && !options.data)
    return (
      <p className="filter-inputs muted" role="status">
        Reading the {label.toLowerCase()} from {flow.source}…
      </p>
    );
  if (!list.length) {
    return (
      <div className="filter-inputs">
        <label htmlFor={`filter-${filter.name}`}>{label}</label>
        <input
          id={`filter-${filter.name}`}
          placeholder="comma-separated"
          value={form.typed[filter.name] ?? ''}
          onChange={(e) => edit((s) => ({ ...s, typed: { ...s.typed, [filter.name]: e.target.value } }))}
        />
        {options.error ? (
          <span className="error">
            {flow.source} did not list them ({options.error}); type them instead.
          </span>
        ) : null}
      </div>
    );
  }
  // Values kept from a Load that the list no longer offers stay visible, so nothing is picked unseen.
  const extra: FilterOption[] = picked
    .filter((v) => !list.some((o) => o.value === v))
    .map((value) => ({ value }));
  return (
    <fieldset className="filter-inputs picklist">
      <legend className="visually-hidden">{label}</legend>
      {[...list, ...extra].map((o) => (
        <label key={o.value} className="check">
          <input
            type="checkbox"
            checked={picked.includes(o.value)}
            onChange={(e) => toggle(o.value, e.target.checked)}
          />
          {o.value}
          {o.title ? <span className="muted"> {o.title}</span> : null}
        </label>
      ))}
    </fieldset>
  );
}

/** An ID list: an Excel or CSV file whose first row is its header, or the IDs typed in. */
function IdList({
  flow,
  filter,
  form,
  on,
  edit,
}: {
  flow: Flow;
  filter: FlowFilter;
  form: FormState;
  on: boolean;
  edit: (change: (s: FormState) => FormState) => void;
}) {
  // Reading an ID file is for those who may process what it names; the server refuses a viewer too.
  const uploadDenied = usePermission().why('operator');
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const what = filter.idsTitle ?? 'IDs';
  const id = `filter-${filter.name}`;
  const upload = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    setError(null);
    setNote(null);
    try {
      const r = await api.idsFile(flow.name, file, filter.name);
      edit((s) => ({ ...s, lists: { ...s.lists, [filter.name]: r.ids.join('\n') } }));
      setNote(`Read ${formatCount(r.count)} ID${r.count === 1 ? '' : 's'} from ${file.name}.`);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <>
      <p className="hint">
        {filter.idFileHeader
          ? `Upload an Excel or CSV file with the IDs in the first column. The first row must be the header ${filter.idFileHeader}.`
          : 'Upload an Excel or CSV file with the IDs in the first column; the first row is its header.'}
      </p>
      {on ? (
        <div className="filter-inputs ids">
          <label htmlFor={`${id}-file`}>Browse</label>
          <input
            id={`${id}-file`}
            type="file"
            accept=".xlsx,.csv,.txt"
            aria-label={`Browse an Excel or CSV file of ${what}`}
            disabled={Boolean(uploadDenied)}
            title={uploadDenied}
            onChange={upload}
          />
          <label htmlFor={id}>Or {what}:</label>
          <textarea
            id={id}
            rows={3}
            placeholder="one per line, or separated by commas"
            value={form.lists[filter.name] ?? ''}
            onChange={(e) => edit((s) => ({ ...s, lists: { ...s.lists, [filter.name]: e.target.value } }))}
          />
          <span />
          <div>
            <Done>{note}</Done>
            <ErrorText>{error}</ErrorText>
          </div>
        </div>
      ) : null}
    </>
  );
}

/**
 * The seed's "Search for the customer ID" and "Sync Data": one record found in the source by its id,
 * shown with the grid's columns, its sync state and what processing would do, and synced on its own.
 */
function FindRecord({
  flow,
  declared,
  word,
  onSync,
  run,
}: {
  flow: Flow;
  declared: readonly GridColumn[];
  word: string;
  onSync: (id: string) => Promise<boolean>;
  run: { id: number | null; status: string } | null;
}) {
  const [id, setId] = useState('');
  const [found, setFound] = useState<Omit<BatchRow, 'position'> | null>(null);
  const search = useAction();
  const [menu, setMenu] = useState(false);
  const title = `Search for the ${word} ID`;

  const lookUp = (wanted: string) =>
    search.run(async () => {
      setFound(null);
      setFound(await api.sourceRecord(flow.name, wanted));
      return undefined;
    });

  // When the run this screen follows ends, the record found shows its new state.
  const foundId = found?.source_id;
  const ended = run && !['queued', 'running'].includes(run.status) ? `${run.id}:${run.status}` : null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: look again only when a run ends
  useEffect(() => {
    if (ended && foundId) void lookUp(foundId);
  }, [ended]);

  return (
    <section className="panel find-record" aria-label={`One ${word} from ${flow.source}`}>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (id.trim()) void lookUp(id.trim());
        }}
      >
        <label htmlFor="find-record-id" className="find-title">
          {title}
        </label>
        <input
          id="find-record-id"
          type="search"
          value={id}
          maxLength={200}
          placeholder={`the ${word} ID in ${flow.source}`}
          onChange={(e) => setId(e.target.value)}
        />
        <button type="submit" className="btn" disabled={search.pending || !id.trim()}>
          Search
        </button>
      </form>
      <ErrorText>{search.error}</ErrorText>
      {found ? (
        <div className="table-wrap">
          <table className="grid" aria-label={`${entityTitle(flow.entity)} ${found.source_id}`}>
            <thead>
              <tr>
                {(declared.length ? declared.map((c) => c.title) : ['ID']).map((t) => (
                  <th key={t} scope="col">
                    {t}
                  </th>
                ))}
                <th scope="col">Sync state</th>
                <th scope="col">Processing would</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              <tr>
                {declared.length ? (
                  declared.map((c) => (
                    <td key={c.name}>
                      <Cell column={c} value={found.columns?.[c.name]} />
                    </td>
                  ))
                ) : (
                  <td>
                    <code>{found.source_id}</code>
                  </td>
                )}
                <td>{stateCell(found.current_state, found.target_id)}</td>
                <td>{planCell(found)}</td>
                <td className="menu-cell">
                  <Menu
                    label={`Actions for ${found.source_id}`}
                    open={menu}
                    setOpen={setMenu}
                    items={[
                      {
                        label: 'Sync Data',
                        need: 'operator',
                        onSelect: () => void onSync(found.source_id),
                      },
                    ]}
                  />
                </td>
              </tr>
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

/** A drop-down of actions (the seed's "Select Sync Data from the drop-down menu"). */
function Menu({
  label,
  open,
  setOpen,
  items,
}: {
  label: string;
  open: boolean;
  setOpen: (open: boolean) => void;
  items: Array<{ label: string; need?: 'operator' | 'admin'; onSelect: () => void }>;
}): ReactNode {
  const { why } = usePermission();
  const close = (e: KeyboardEvent) => {
    if (e.key === 'Escape') setOpen(false);
  };
  return (
    <div className="menu">
      <button
        type="button"
        className="btn"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={label}
        onClick={() => setOpen(!open)}
        onKeyDown={close}
      >
        Actions ▾
      </button>
      {open ? (
        <div role="menu" aria-label={label} className="menu-list">
          {items.map((item) => {
            const denied = item.need ? why(item.need) : undefined;
            return (
              <button
                key={item.label}
                type="button"
                role="menuitem"
                disabled={Boolean(denied)}
                title={denied}
                onKeyDown={close}
                onClick={() => {
                  setOpen(false);
                  item.onSelect();
                }}
              >
                {item.label}
              </button>
            );
          })}
        </div>
      ) : null}
    </div>
  );
}
