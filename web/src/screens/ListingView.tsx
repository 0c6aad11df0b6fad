import { type FormEvent, type ReactNode, useMemo, useState } from 'react';
import { entityTitle } from '../App';
import { api, type Flow, type ListedRow, type Listing, type ReadQuery } from '../api';
import { Cell, GRID_PAGE, Pager } from '../components/BatchGrid';
import { Done, ErrorText } from '../components/Controls';
import { type Columns, columnHelper, DataTable, type RowSelectionState } from '../components/DataTable';
import { FindBar } from '../components/FindBar';
import { RunOutcomes } from '../components/RunOutcomes';
import { type FollowRun, RunProgress, useRunEvents } from '../components/RunProgress';
import { formatCount } from '../format';
import { useAction } from '../hooks';
import { plural } from '../views';

/** The most rows one Find shows (its count is whole). */
const FIND_LIMIT = 1000;
/** With nothing typed, Find shows what changed lately, as for the flows' entities. */
const RECENT_DAYS = 30;

const col = columnHelper<ListedRow>();

/**
 * What uploading the rows brings, by flow: the ids of each entity the rows name, less those another
 * of the rows' flows brings first itself (an invoice brings its customer: its customer is not sent
 * twice, side by side).
 */
export function uploadsOf(rows: readonly ListedRow[], flows: readonly Flow[]) {
  const byEntity = new Map<string, Set<string>>();
  const missing = new Set<string>();
  for (const r of rows) {
    const entities = Object.keys(r.uploads ?? {});
    const brought = new Set(
      entities.flatMap((e) => flows.find((f) => f.entity === e)?.dependencies?.map((d) => d.entity) ?? []),
    );
    for (const e of entities) {
      if (brought.has(e)) continue;
      if (!flows.some((f) => f.entity === e)) missing.add(e);
      const ids = byEntity.get(e) ?? new Set<string>();
      for (const id of r.uploads?.[e] ?? []) ids.add(id);
      byEntity.set(e, ids);
    }
  }
  const runs = [...byEntity]
    .filter(([e, ids]) => ids.size && flows.some((f) => f.entity === e))
    .map(([e, ids]) => ({ flow: flows.find((f) => f.entity === e)!, ids: [...ids] }));
  return { runs, missing: [...missing] };
}

/**
 * A listing on the accounting view (the Sage View's Invoice Items and Transactions, §6): found by the
 * first letters of its reference like the entities, read straight from the source; Upload sends what
 * the selected rows refer to through the pair's flows (what those need goes first), and a view-only
 * listing says so instead of offering Upload.
 */
export function ListingView({
  connection,
  listing,
  flows,
  picker,
  sourceTitle,
  targetTitle,
}: {
  connection: string;
  listing: Listing;
  flows: Flow[];
  picker: ReactNode;
  sourceTitle: string;
  targetTitle: string;
}) {
  const search = listing.filters.find((f) => f.kind === 'text');
  const words = plural(listing.title).toLowerCase();
  const [text, setText] = useState('');
  const [rows, setRows] = useState<ListedRow[] | null>(null);
  const [count, setCount] = useState(0);
  const [page, setPage] = useState(0);
  const [selection, setSelection] = useState<RowSelectionState>({});
  const [follow, setFollow] = useState<{ flow: string; run: FollowRun } | null>(null);
  const find = useAction();
  const upload = useAction();
  const { run, live } = useRunEvents(follow?.flow ?? '', follow?.run ?? null);
  const viewOnly = !listing.uploads?.length;
  const chosen = (rows ?? []).filter((r) => selection[r.id]);

  const columns = useMemo(
    () =>
      [
        ...listing.columns.map((c) =>
          col.accessor((r) => r.columns[c.name] ?? null, {
            id: c.name,
            header: c.title,
            enableSorting: false,
            cell: (x) => <Cell column={c} value={x.getValue()} />,
          }),
        ),
        ...(viewOnly
          ? []
          : [
              col.accessor((r) => r.note ?? '', {
                id: 'uploads',
                header: 'Uploading would send',
                enableSorting: false,
                cell: (x) => {
                  const r = x.row.original;
                  const sent = Object.entries(r.uploads ?? {}).map(
                    ([e, ids]) => `${entityTitle(e).toLowerCase()} ${ids.join(', ')}`,
                  );
                  return (
                    <span className="plan">
                      {sent.length ? sent.join(' · ') : <span className="muted">nothing</span>}
                      {r.note ? <span className="plan-detail"> ({r.note})</span> : null}
                    </span>
                  );
                },
              }),
            ]),
      ] as Columns<ListedRow>,
    [listing.columns, viewOnly],
  );

  const onFind = (e: FormEvent) => {
    e.preventDefault();
    const letters = text.trim();
    // A listing without a modified window (iSeller's outlet stock) is only found by its letters.
    if (!letters && !listing.filters.some((f) => f.kind === 'dates')) {
      void find.run(async () => {
        throw new Error(`Type the first letters of the ${search?.field ?? 'reference'} to find ${words}.`);
      });
      return;
    }
    const q: ReadQuery =
      letters && search
        ? { filters: { [search.name]: [letters] } }
        : { since: new Date(Date.now() - RECENT_DAYS * 86_400_000).toISOString() };
    void find.run(async () => {
      const r = await api.findListed(connection, listing.name, q, FIND_LIMIT);
      setRows(r.rows);
      setCount(r.count);
      setSelection({});
      setPage(0);
      const what = letters
        ? `whose ${search?.field ?? 'reference'} starts with “${letters}”`
        : `changed in the last ${RECENT_DAYS} days`;
      const shown = r.count > r.rows.length ? ` (the first ${formatCount(r.rows.length)} shown)` : '';
      const word = r.count === 1 ? words.replace(/s$/, '') : words;
      return `Found ${formatCount(r.count)} ${word} ${what}${shown}.`;
    });
  };

  const onUpload = () =>
    void upload.run(async () => {
      const { runs, missing } = uploadsOf(chosen, flows);
      if (missing.length)
        throw new Error(
          `No flow uploads ${missing.map((e) => plural(entityTitle(e)).toLowerCase()).join(' or ')} to ${targetTitle}; see the flows.`,
        );
      if (!runs.length) return `Nothing to upload: the selected ${words} bring no records to ${targetTitle}.`;
      let last: { flow: string; run: FollowRun } | null = null;
      for (const r of runs) {
        const q = await api.run(r.flow.name, { ids: r.ids });
        if (q.request) last = { flow: r.flow.name, run: { request: q.request } };
      }
      setFollow(last);
      const what = runs.map((r) => `${plural(entityTitle(r.flow.entity)).toLowerCase()} ${r.ids.join(', ')}`);
      return `Uploading ${what.join(' and ')} to ${targetTitle}; what they need goes first.`;
    });

  const shown = (rows ?? []).slice(page * GRID_PAGE, (page + 1) * GRID_PAGE);
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
          disabled: viewOnly || !rows || chosen.length === 0 || upload.pending,
          title: viewOnly
            ? listing.viewOnly
            : rows
              ? chosen.length
                ? undefined
                : 'Select rows first'
              : 'Find first',
          onClick: onUpload,
        }}
        hint={
          <>
            Nothing typed: the {words} changed in the last {RECENT_DAYS} days.
          </>
        }
      />
      {viewOnly ? (
        <p className="hint" role="note">
          {listing.viewOnly ?? `${plural(listing.title)} are view-only.`}
        </p>
      ) : null}
      {find.pending ? (
        <p className="muted" role="status">
          Reading the {words} from {sourceTitle}…
        </p>
      ) : null}
      <ErrorText>{find.error ?? upload.error}</ErrorText>
      <Done>{upload.done ?? find.done}</Done>
      {follow ? (
        <>
          <RunProgress run={run} live={live} empty="Nothing uploaded from this screen yet." />
          <RunOutcomes flow={follow.flow} run={run} word="records" />
        </>
      ) : null}
      <section className="panel" aria-label={plural(listing.title)}>
        <div className="panel-head">
          <h2>
            {plural(listing.title)}{' '}
            {rows ? (
              <span className="muted">
                {formatCount(count)} found
                {chosen.length ? ` · ${formatCount(chosen.length)} selected` : ''}
              </span>
            ) : null}
          </h2>
        </div>
        <DataTable
          label="Found records"
          columns={columns}
          data={shown}
          rowId={(r) => r.id}
          total={rows?.length ?? 0}
          pageIndex={0}
          pageSize={GRID_PAGE}
          {...(viewOnly ? {} : { selection, onSelectionChange: setSelection })}
          selectLabel={(r) => `Select ${r.id}`}
          empty={rows ? `No ${words} found.` : 'Type a few letters and press Find.'}
        />
        {rows ? <Pager page={page} total={rows.length} onChange={setPage} /> : null}
      </section>
    </>
  );
}
