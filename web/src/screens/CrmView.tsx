import { useEffect, useMemo, useState } from 'react';
import { entityTitle } from '../App';
import type { BatchRow, Flow, PreviewRow, ScanLine, ScanResult } from '../api';
import { api } from '../api';
import { gridColumns } from '../components/BatchGrid';
import { Button, Done, ErrorText } from '../components/Controls';
import { type Columns, columnHelper, DataTable } from '../components/DataTable';
import { RunOutcomes } from '../components/RunOutcomes';
import { type FollowRun, RunProgress, useRunEvents } from '../components/RunProgress';
import { formatCount, formatMoney } from '../format';
import { useAction } from '../hooks';
import { Link } from '../router';
import { useFlows } from '../session';
import { orderPairs, plural, useConnectionTitles } from '../views';

/** The most entries a Scan lists per tab (its counts are whole). */
const SCAN_LIMIT = 500;

/** The manual's words for what uploading would do to a customer or product. */
const NEED_WORDS: Record<string, string> = {
  create: 'create',
  update: 'update',
  unchanged: 'already there',
  skip: 'skip',
  wait: 'wait',
  fail: 'fail',
};

/** Orders a Scan finds ready: new to the target, or waiting on what they need. */
const ready = (r: PreviewRow) => r.plan === 'create' || r.plan === 'wait';

/** A Scan's row in the Load grid's shape, so the grid's columns and cells show it the same way. */
const asRow = (r: PreviewRow, i: number): BatchRow => ({
  position: i,
  source_id: r.sourceId,
  label: r.label,
  updated_at: r.updatedAt,
  current_state: r.currentState,
  target_id: r.targetId,
  plan: r.plan,
  reason: r.reason ?? null,
  fields: r.fields ?? null,
  columns: r.columns ?? {},
});

/**
 * The SYNC Uploader's "CRM View" (§7), for any order flow back to an accounting view's source: Scan
 * shows, before anything is written, the customers and products the waiting orders need (and what
 * would happen to each) when the flow syncs them first, the orders, and their lines; Upload processes
 * the ready orders.
 */
export function CrmViewScreen({ source, target }: { source: string; target: string }) {
  const { flows, error } = useFlows();
  const title = useConnectionTitles();
  const pair = orderPairs(flows).find((p) => p.source === source && p.target === target);
  const heading = `${title(source)} View`;
  if (!pair)
    return (
      <section>
        <h1>{heading}</h1>
        <ErrorText>{error}</ErrorText>
        {flows.length ? (
          <p>
            No order flow from <code>{source}</code> to <code>{target}</code> runs back to an accounting view.{' '}
            <Link to="/flows">See the flows</Link>.
          </p>
        ) : (
          <p className="muted">Loading…</p>
        )}
      </section>
    );
  return (
    <CrmView
      key={`${source}/${target}`}
      flows={pair.flows}
      all={flows}
      heading={heading}
      sourceTitle={title(source)}
      targetTitle={title(target)}
    />
  );
}

interface Tab {
  key: string;
  title: string;
  count: number;
  shown: number;
}

function CrmView({
  flows,
  all,
  heading,
  sourceTitle,
  targetTitle,
}: {
  flows: Flow[];
  all: Flow[];
  heading: string;
  sourceTitle: string;
  targetTitle: string;
}) {
  const [name, setName] = useState(flows[0]!.name);
  const flow = flows.find((f) => f.name === name) ?? flows[0]!;
  const [result, setResult] = useState<ScanResult | null>(null);
  const [tab, setTab] = useState('');
  const [follow, setFollow] = useState<FollowRun | null>(null);
  const scan = useAction();
  const upload = useAction();
  const { run, live } = useRunEvents(flow.name, follow);
  const docs = plural(entityTitle(flow.entity));
  const toUpload = (result?.records ?? []).filter(ready).map((r) => r.sourceId);

  const doScan = () =>
    scan.run(async () => {
      const r = await api.scan(flow.name, {}, SCAN_LIMIT);
      setResult(r);
      const waiting = r.records.filter(ready).length;
      return `${formatCount(waiting)} ${waiting === 1 ? entityTitle(flow.entity).toLowerCase() : docs.toLowerCase()} ready to upload; nothing was written.`;
    });

  // When the upload ends, scan again: the tabs then show what is now in the target.
  const ended = run?.id && !['queued', 'running'].includes(run.status) ? run.id : null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: scan again only when a run ends
  useEffect(() => {
    if (!ended) return;
    upload.clear();
    void doScan();
  }, [ended]);

  const onUpload = () =>
    void upload.run(async () => {
      const r = await api.run(flow.name, { ids: toUpload });
      if (r.request) setFollow({ request: r.request });
      return `Uploading ${formatCount(toUpload.length)} ${docs.toLowerCase()} into ${targetTitle}; their customers and products go first.`;
    });

  const tabs: Tab[] = result
    ? [
        ...result.needs.map((n) => ({
          key: n.entity,
          title: plural(entityTitle(n.entity)),
          count: result.counts[n.entity] ?? n.rows.length,
          shown: n.flow ? n.rows.length : n.ids.length,
        })),
        { key: '$records', title: docs, count: result.counts.records ?? 0, shown: result.records.length },
        {
          key: '$lines',
          title: `${entityTitle(flow.entity)} items`,
          count: result.counts.lines ?? 0,
          shown: result.lines.length,
        },
      ]
    : [];
  const current = tabs.find((t) => t.key === tab) ?? tabs[0];

  return (
    <section className="batch view">
      <div className="title-row">
        <h1>{heading}</h1>
        <p className="muted">
          The {docs.toLowerCase()} in {sourceTitle} waiting to go into {targetTitle}. Scan shows every
          customer, product, {entityTitle(flow.entity).toLowerCase()} and line uploading them would create or
          change, before anything is written.
        </p>
      </div>
      <div className="panel inline-form">
        {flows.length > 1 ? (
          <label className="inline">
            Flow{' '}
            <select
              value={flow.name}
              onChange={(e) => {
                setName(e.target.value);
                setResult(null);
              }}
            >
              {flows.map((f) => (
                <option key={f.name} value={f.name}>
                  {f.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <Button variant="primary" busy={scan.pending} onClick={() => void doScan()}>
          Scan
        </Button>
        <Button
          need="operator"
          disabled={!result || toUpload.length === 0 || upload.pending}
          title={result ? (toUpload.length ? undefined : `No ${docs.toLowerCase()} ready`) : 'Scan first'}
          onClick={onUpload}
        >
          Upload
        </Button>
        <span className="muted">{flow.name}</span>
      </div>
      {scan.pending ? (
        <p className="muted" role="status">
          Reading the {docs.toLowerCase()} from {sourceTitle} and what they need from {targetTitle}…
        </p>
      ) : null}
      <ErrorText>{scan.error ?? upload.error}</ErrorText>
      <Done>{upload.done ?? scan.done}</Done>

      <RunProgress run={run} live={live} empty="Nothing uploaded from this screen yet." />
      <RunOutcomes flow={flow.name} run={run} word={docs.toLowerCase()} />

      {result && current ? (
        <section className="panel">
          <div role="tablist" aria-label="What the scan found" className="tabs">
            {tabs.map((t) => (
              <button
                key={t.key}
                type="button"
                role="tab"
                id={`tab-${t.key}`}
                aria-selected={t.key === current.key}
                aria-controls="scan-panel"
                className={t.key === current.key ? 'btn btn-primary' : 'btn'}
                onClick={() => setTab(t.key)}
              >
                {t.title} ({formatCount(t.count)})
              </button>
            ))}
          </div>
          <div role="tabpanel" id="scan-panel" aria-labelledby={`tab-${current.key}`}>
            {current.shown < current.count ? (
              <p className="hint">
                The first {formatCount(current.shown)} of {formatCount(current.count)}.
              </p>
            ) : null}
            <ScanTab tab={current} result={result} flow={flow} all={all} />
          </div>
        </section>
      ) : null}
    </section>
  );
}

function ScanTab({ tab, result, flow, all }: { tab: Tab; result: ScanResult; flow: Flow; all: Flow[] }) {
  if (tab.key === '$lines') return <Lines lines={result.lines} />;
  if (tab.key === '$records')
    return (
      <Previews
        label={tab.title}
        rows={result.records}
        declared={flow.columns ?? []}
        words={{ create: 'upload', wait: 'upload (after what it needs)', fail: 'not uploadable' }}
      />
    );
  const need = result.needs.find((n) => n.entity === tab.key);
  const declared = all.find((f) => f.name === need?.flow)?.columns ?? [];
  if (need?.onTarget)
    return (
      <p className="muted">
        No flow brings {tab.title.toLowerCase()} over: the {entityTitle(flow.entity).toLowerCase()}s to upload
        need them in the target already, and it has them ({need.ids.join(', ')}). An{' '}
        {entityTitle(flow.entity).toLowerCase()} naming one it lacks is not uploaded; its reason is beside it.
      </p>
    );
  return need?.flow ? (
    <Previews label={tab.title} rows={need.rows} declared={declared} words={NEED_WORDS} />
  ) : (
    <p className="muted">
      No flow brings {tab.title.toLowerCase()} over; the {entityTitle(flow.entity).toLowerCase()}s that need
      them wait ({need?.ids.join(', ')}).
    </p>
  );
}

function Previews({
  label,
  rows,
  declared,
  words,
}: {
  label: string;
  rows: PreviewRow[];
  declared: Flow['columns'];
  words: Record<string, string>;
}) {
  // An older server scans without the grid's values: show the ids rather than empty columns.
  const valued = rows.some((r) => r.columns && Object.keys(r.columns).length > 0);
  const columns = useMemo(
    () =>
      gridColumns(valued ? (declared ?? []) : [], {
        planHeader: 'Uploading would',
        planWords: { ...NEED_WORDS, ...words },
      }),
    [declared, words, valued],
  );
  const data = useMemo(() => rows.map(asRow), [rows]);
  return (
    <DataTable
      label={label}
      columns={columns}
      data={data}
      rowId={(r) => r.source_id}
      total={data.length}
      pageIndex={0}
      pageSize={Math.max(1, data.length)}
      empty={`No ${label.toLowerCase()}.`}
    />
  );
}

type LineRow = ScanLine & { key: string };
const line = columnHelper<LineRow>();
const text = (v: string | undefined) => v ?? '';

/** The manual's invoice items grid: account, order, product (or write-in), description, price, units. */
const LINE_COLUMNS = [
  line.accessor((l) => text(l.customer), { id: 'account', header: 'Account' }),
  line.accessor('record', { id: 'order', header: 'Order', cell: (c) => <code>{c.getValue()}</code> }),
  line.accessor((l) => (l.writeIn ? 'write-in' : text(l.sku)), {
    id: 'product',
    header: 'Product',
    cell: (c) => (c.row.original.writeIn ? <em>write-in</em> : <code>{c.getValue()}</code>),
  }),
  line.accessor((l) => text(l.description), { id: 'description', header: 'Description' }),
  line.accessor((l) => (l.unitPrice ? formatMoney(l.unitPrice) : ''), {
    id: 'unitPrice',
    header: 'Unit price',
  }),
  line.accessor((l) => text(l.unit), { id: 'unit', header: 'Units' }),
  line.accessor((l) => text(l.quantity), { id: 'quantity', header: 'Quantity' }),
  line.accessor((l) => (l.discount ? formatMoney(l.discount) : ''), { id: 'discount', header: 'Discount' }),
] as Columns<LineRow>;

function Lines({ lines }: { lines: ScanLine[] }) {
  const data = useMemo(
    () => lines.map((l, i) => ({ ...l, key: `${l.record}#${l.lineNumber ?? i}:${i}` })),
    [lines],
  );
  return (
    <DataTable
      label="Items"
      columns={LINE_COLUMNS}
      data={data}
      rowId={(l) => l.key}
      total={data.length}
      pageIndex={0}
      pageSize={Math.max(1, data.length)}
      empty="No lines."
    />
  );
}
