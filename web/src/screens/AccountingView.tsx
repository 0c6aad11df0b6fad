import { type FormEvent, type ReactNode, useMemo, useState } from 'react';
import { entityTitle } from '../App';
import { api, type BatchRow, type Flow, type Listing, type ReadQuery } from '../api';
import { GRID_PAGE, gridColumns, LoadedRows } from '../components/BatchGrid';
import { Done, ErrorText } from '../components/Controls';
import type { RowSelectionState, SortingState } from '../components/DataTable';
import { type EntityChoice, EntityPicker, listingChoice } from '../components/EntityPicker';
import { FindBar } from '../components/FindBar';
import { RunOutcomes } from '../components/RunOutcomes';
import { type FollowRun, RunProgress, useRunEvents } from '../components/RunProgress';
import { formatCount } from '../format';
import { useAction, useData } from '../hooks';
import { Link, useQueryState } from '../router';
import { useFlows } from '../session';
import { accountingPairs, plural, textFilterOf, useConnectionTitles, useListings } from '../views';
import { ListingView } from './ListingView';

/** With nothing typed, Find shows what changed lately: bounded, and what a person usually looks for. */
export const RECENT_DAYS = 30;

const EMPTY: BatchRow[] = [];

/**
 * The SYNC Uploader's "Sage/QuickBooks View" (§6), for any pair of connections: pick an entity (a
 * flow of the pair), type the first letters of a reference, Find, select rows and Upload them; what
 * a record needs (its customer, its products) is synced first by the engine.
 */
export function AccountingViewScreen({ source, target }: { source: string; target: string }) {
  const { flows, error } = useFlows();
  const title = useConnectionTitles();
  const listings = useListings(source);
  const pair = accountingPairs(flows).find((p) => p.source === source && p.target === target);
  const heading = `${title(source)} View`;
  if (!pair)
    return (
      <section>
        <h1>{heading}</h1>
        <ErrorText>{error}</ErrorText>
        {flows.length ? (
          <p>
            No flow from <code>{source}</code> to <code>{target}</code> can be searched here.{' '}
            <Link to="/flows">See the flows</Link>.
          </p>
        ) : (
          <p className="muted">Loading…</p>
        )}
      </section>
    );
  return (
    <AccountingView
      key={`${source}/${target}`}
      source={source}
      flows={pair.flows}
      listings={listings}
      heading={heading}
      sourceTitle={title(source)}
      targetTitle={title(target)}
    />
  );
}

/**
 * The view's entities: the pair's flows, then the source's listings (records shown beside them, such
 * as Sage 50's invoice items and transactions); the one picked is in the address (`flow`).
 */
function AccountingView({
  source,
  flows,
  listings,
  heading,
  sourceTitle,
  targetTitle,
}: {
  source: string;
  flows: Flow[];
  listings: Listing[];
  heading: string;
  sourceTitle: string;
  targetTitle: string;
}) {
  const [query, setQuery] = useQueryState();
  const picked = query.get('flow');
  const listing = listings.find((l) => listingChoice(l.name) === picked);
  const flow = flows.find((f) => f.name === picked) ?? flows[0]!;
  const choices: EntityChoice[] = [
    ...flows.map((f) => ({ value: f.name, title: plural(entityTitle(f.entity)) })),
    ...listings.map((l) => ({ value: listingChoice(l.name), title: plural(l.title) })),
  ];
  const picker = (
    <EntityPicker
      choices={choices}
      value={listing ? listingChoice(listing.name) : flow.name}
      onPick={(value) => setQuery({ flow: value, q: undefined, batch: undefined })}
    />
  );
  return (
    <section className="batch view">
      <div className="title-row">
        <h1>{heading}</h1>
        <p className="muted">
          View the {sourceTitle} records, find some by the first letters of their reference, and upload a
          selection into {targetTitle}. Records already there are only partly updated (the flow&apos;s owned
          fields).
        </p>
      </div>
      {listing ? (
        <ListingView
          key={listing.name}
          connection={source}
          listing={listing}
          flows={flows}
          picker={picker}
          sourceTitle={sourceTitle}
          targetTitle={targetTitle}
        />
      ) : (
        <FlowEntityView
          key={flow.name}
          flow={flow}
          picker={picker}
          sourceTitle={sourceTitle}
          targetTitle={targetTitle}
        />
      )}
    </section>
  );
}

/** One flow's entity: Find makes a Load (planned as processing would), Upload runs the selection. */
function FlowEntityView({
  flow,
  picker,
  sourceTitle,
  targetTitle,
}: {
  flow: Flow;
  picker: ReactNode;
  sourceTitle: string;
  targetTitle: string;
}) {
  const [query, setQuery] = useQueryState();
  const search = textFilterOf(flow);
  const batchId = Number(query.get('batch')) || null;
  const [text, setText] = useState(query.get('q') ?? '');
  const [page, setPage] = useState(0);
  const [sorting, setSorting] = useState<SortingState>([{ id: 'position', desc: false }]);
  const [selection, setSelection] = useState<RowSelectionState>({});
  const [follow, setFollow] = useState<FollowRun | null>(null);
  const find = useAction();
  const upload = useAction();
  const { run, live } = useRunEvents(flow.name, follow);
  const words = plural(entityTitle(flow.entity)).toLowerCase();

  const sort = sorting[0] ?? { id: 'position', desc: false };
  const rows = useData(
    () =>
      batchId
        ? api.batchRows(batchId, {
            offset: page * GRID_PAGE,
            limit: GRID_PAGE,
            sort: sort.id,
            dir: sort.desc ? 'desc' : 'asc',
          })
        : Promise.resolve({ total: 0, rows: EMPTY, batch: undefined }),
    [batchId, page, sort.id, sort.desc],
  );
  // The rows of another Load (the one before this Find) are never shown as this one's while it loads.
  const current = batchId !== null && rows.data?.batch?.id === batchId ? rows.data : undefined;
  const batch = current?.batch;
  const declared = batch?.columns?.length ? batch.columns : (flow.columns ?? []);
  const columns = useMemo(() => gridColumns(declared), [declared]);
  const selected = Object.keys(selection).filter((k) => selection[k]);
  const total = current?.total ?? 0;

  const onFind = (e: FormEvent) => {
    e.preventDefault();
    const letters = text.trim();
    const q: ReadQuery =
      letters && search
        ? { filters: { [search.name]: [letters] } }
        : { since: new Date(Date.now() - RECENT_DAYS * 86_400_000).toISOString() };
    void find.run(async () => {
      const r = await api.load(flow.name, q);
      setSelection({});
      setPage(0);
      setQuery({ flow: flow.name, q: letters || undefined, batch: String(r.batchId) });
      const what = letters
        ? `whose ${search?.field ?? 'reference'} starts with “${letters}”`
        : `changed in the last ${RECENT_DAYS} days`;
      return `Found ${formatCount(r.count)} ${r.count === 1 ? entityTitle(flow.entity).toLowerCase() : words} ${what}.`;
    });
  };

  const onUpload = () =>
    void upload.run(async () => {
      if (!batchId) return undefined;
      const r = await api.run(flow.name, { batchId, ids: selected });
      if (r.request) setFollow({ request: r.request });
      return `Uploading ${formatCount(selected.length)} selected ${selected.length === 1 ? entityTitle(flow.entity).toLowerCase() : words} to ${targetTitle}; what they need goes first.`;
    });

  return (
    <>
      <FindBar
        picker={picker}
        field={search?.field ?? 'Reference'}
        text={text}
        onText={setText}
        onFind={onFind}
        finding={find.pending}
        upload={{
          disabled: !batchId || selected.length === 0 || upload.pending,
          title: batchId ? (selected.length ? undefined : 'Select rows first') : 'Find first',
          onClick: onUpload,
        }}
        hint={
          <>
            Nothing typed: the {words} changed in the last {RECENT_DAYS} days.{' '}
            <Link to={`/batch/${encodeURIComponent(flow.name)}`}>Batch screen</Link>
          </>
        }
      />
      {find.pending ? (
        <p className="muted" role="status">
          Reading the {words} from {sourceTitle}…
        </p>
      ) : null}
      <ErrorText>{find.error ?? upload.error}</ErrorText>
      <Done>{upload.done ?? find.done}</Done>

      <RunProgress run={run} live={live} empty="Nothing uploaded from this screen yet." />
      <RunOutcomes flow={flow.name} run={run} word={words} />

      <section className="panel" aria-label={plural(entityTitle(flow.entity))}>
        <div className="panel-head">
          <h2>
            {plural(entityTitle(flow.entity))}{' '}
            {batchId ? (
              <span className="muted">
                {formatCount(total)} found
                {selected.length ? ` · ${formatCount(selected.length)} selected` : ''}
              </span>
            ) : null}
          </h2>
        </div>
        <ErrorText>{rows.error}</ErrorText>
        <LoadedRows
          label="Found records"
          columns={columns}
          rows={current?.rows ?? EMPTY}
          total={total}
          page={page}
          onPage={setPage}
          sorting={sorting}
          onSorting={setSorting}
          selection={selection}
          onSelection={setSelection}
          loading={(rows.loading || !current) && Boolean(batchId)}
          loaded={Boolean(batchId)}
          empty={batchId ? `No ${words} found.` : `Type a few letters and press Find.`}
        />
      </section>
    </>
  );
}
