import { useEffect, useState } from 'react';
import { api, type LogEntry, type LogStatus } from '../api';
import { Badge } from '../components/Badge';
import { Button, Done, ErrorText, Facts } from '../components/Controls';
import { type Columns, columnHelper, DataTable } from '../components/DataTable';
import { Drawer } from '../components/Drawer';
import { JsonView } from '../components/JsonView';
import { Pager } from '../components/Pager';
import { RecordActions } from '../components/RecordActions';
import { Time } from '../components/Time';
import { dayEnd, dayStart, formatCount, formatDuration } from '../format';
import { useAction, useData, useDebounced } from '../hooks';
import { Link, useQueryState } from '../router';
import { useFlows } from '../session';

const PAGE = 50;
// `manual`: what a person did to a record (skipped it, marked it processed, linked it).
export const LOG_STATUSES: LogStatus[] = ['success', 'failed', 'skipped', 'waiting', 'aborted', 'manual'];

const both = (id: string | null, number: string | null) =>
  id ? (
    <>
      <code>{id}</code>
      {number && number !== id ? <span className="muted"> ({number})</span> : null}
    </>
  ) : (
    <span className="muted">—</span>
  );

const col = columnHelper<LogEntry>();
const COLUMNS = col.columns([
  col.accessor('created_at', { header: 'When', cell: (c) => <Time iso={c.getValue()} /> }),
  col.accessor('flow', { header: 'Flow' }),
  col.accessor('entity', { header: 'Entity' }),
  col.accessor('source_id', {
    header: 'Source',
    cell: (c) => both(c.getValue(), c.row.original.source_number),
  }),
  col.accessor('target_id', {
    header: 'Target',
    cell: (c) => both(c.getValue(), c.row.original.target_number),
  }),
  col.accessor('action', { header: 'Action' }),
  col.accessor('status', { header: 'Status', cell: (c) => <Badge status={c.getValue()} /> }),
  col.accessor('reason', {
    header: 'Reason',
    cell: (c) => <span className="reason">{c.getValue() ?? ''}</span>,
  }),
  col.accessor('duration_ms', { header: 'Duration', cell: (c) => formatDuration(c.getValue()) }),
]) as Columns<LogEntry>;

export function LogScreen() {
  const { flows } = useFlows();
  const [q, setQ] = useQueryState();
  const flow = q.get('flow') ?? '';
  const entity = q.get('entity') ?? '';
  const statuses = (q.get('status') ?? '').split(',').filter(Boolean);
  const since = q.get('since') ?? '';
  const until = q.get('until') ?? '';
  const record = q.get('record') ?? '';
  const offset = Number(q.get('offset')) || 0;
  const open = Number(q.get('entry')) || null;
  const [text, setText] = useState(q.get('text') ?? '');
  const debounced = useDebounced(text);
  const retryAll = useAction();

  // biome-ignore lint/correctness/useExhaustiveDependencies: only a settled search text changes the URL
  useEffect(() => {
    if ((q.get('text') ?? '') !== debounced) setQ({ text: debounced, offset: undefined });
  }, [debounced]);

  const entries = useData(
    () =>
      api.log({
        flow,
        entity,
        status: statuses.join(','),
        since: dayStart(since),
        until: dayEnd(until),
        text: debounced,
        record,
        limit: PAGE,
        offset,
      }),
    [flow, entity, statuses.join(','), since, until, debounced, record, offset],
    15_000,
  );

  const entities = [...new Set(flows.map((f) => f.entity))];
  const toggle = (s: string, on: boolean) => {
    const next = on ? [...statuses, s] : statuses.filter((x) => x !== s);
    setQ({ status: LOG_STATUSES.filter((x) => next.includes(x)).join(','), offset: undefined });
  };

  return (
    <section>
      <div className="title-row">
        <h1>Connector log</h1>
        <div className="actions">
          <Button
            need="operator"
            busy={retryAll.pending}
            onClick={() =>
              retryAll.run(async () => {
                const r = await api.retryFailed(flow || undefined);
                entries.reload();
                const list = Array.isArray(r.results)
                  ? (r.results as { status?: string; message?: string }[])
                  : [];
                const waits = list.filter((x) => x.status === 'queued').map((x) => x.message);
                const n = list.length - waits.length;
                return `Retried the failed records${flow ? ` of ${flow}` : ''}${n ? ` (${n} run${n === 1 ? '' : 's'})` : ''}.${waits.length ? ` ${waits.join('; ')}.` : ''}`;
              })
            }
            title={flow ? `Retry every failed record of ${flow}` : 'Retry every failed record of every flow'}
          >
            Retry all failed
          </Button>
        </div>
      </div>
      <ErrorText>{retryAll.error}</ErrorText>
      <Done>{retryAll.done}</Done>

      <form className="panel filter-bar" aria-label="Log filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Flow
          <select value={flow} onChange={(e) => setQ({ flow: e.target.value, offset: undefined })}>
            <option value="">All flows</option>
            {flows.map((f) => (
              <option key={f.name} value={f.name}>
                {f.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Entity
          <select value={entity} onChange={(e) => setQ({ entity: e.target.value, offset: undefined })}>
            <option value="">All entities</option>
            {entities.map((x) => (
              <option key={x} value={x}>
                {x}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="checks">
          <legend>Status</legend>
          {LOG_STATUSES.map((s) => (
            <label key={s} className="check">
              <input
                type="checkbox"
                checked={statuses.includes(s)}
                onChange={(e) => toggle(s, e.target.checked)}
              />
              {s}
            </label>
          ))}
        </fieldset>
        <label>
          From
          <input
            type="date"
            value={since}
            onChange={(e) => setQ({ since: e.target.value, offset: undefined })}
          />
        </label>
        <label>
          To
          <input
            type="date"
            value={until}
            onChange={(e) => setQ({ until: e.target.value, offset: undefined })}
          />
        </label>
        <label>
          Text
          <input
            type="search"
            value={text}
            placeholder="reason, id, number…"
            onChange={(e) => setText(e.target.value)}
          />
        </label>
        <label>
          Record
          <input
            type="search"
            value={record}
            placeholder="any id or number"
            title="One record's whole story, under any id or number either system knows it by"
            onChange={(e) => setQ({ record: e.target.value, offset: undefined })}
          />
        </label>
        <Button
          onClick={() => {
            setText('');
            setQ({
              flow: undefined,
              entity: undefined,
              status: undefined,
              since: undefined,
              until: undefined,
              text: undefined,
              record: undefined,
              offset: undefined,
            });
          }}
        >
          Clear filters
        </Button>
      </form>

      <ErrorText>{entries.error}</ErrorText>
      <p className="muted">
        {entries.data ? `${formatCount(entries.data.total)} entries, newest first` : ''}
      </p>
      <DataTable
        label="Connector log"
        columns={COLUMNS}
        data={entries.data?.entries ?? EMPTY}
        rowId={(r) => String(r.id)}
        total={entries.data?.total ?? 0}
        pageIndex={Math.floor(offset / PAGE)}
        pageSize={PAGE}
        onRowOpen={(r) => setQ({ entry: String(r.id) })}
        openLabel={(r) => `Details of ${r.source_id} at ${r.created_at}`}
        rowClass={(r) => `row-${r.status}`}
        loading={entries.loading && !entries.data}
        empty="No log entries match these filters."
      />
      <Pager
        offset={offset}
        limit={PAGE}
        total={entries.data?.total ?? 0}
        shown={entries.data?.entries.length ?? 0}
        onChange={(o) => setQ({ offset: o ? String(o) : undefined })}
      />
      {open ? (
        <LogDetails id={open} onClose={() => setQ({ entry: undefined })} onChanged={entries.reload} />
      ) : null}
    </section>
  );
}

const EMPTY: LogEntry[] = [];

function LogDetails({ id, onClose, onChanged }: { id: number; onClose: () => void; onChanged: () => void }) {
  const entry = useData(() => api.logEntry(id), [id]);
  const e = entry.data;
  const r = e?.record ?? null;
  return (
    <Drawer title={e ? `${e.entity} ${e.source_number ?? e.source_id}` : `Log entry ${id}`} onClose={onClose}>
      <ErrorText>{entry.error}</ErrorText>
      {e ? (
        <>
          <Facts
            items={[
              ['Status', <Badge key="s" status={e.status} />],
              ['Reason', e.reason],
              [
                'Error',
                e.error_code ? `${e.error_code}${e.error_category ? ` (${e.error_category})` : ''}` : null,
              ],
              ['Flow', e.flow],
              ['Action', e.action],
              ['Source id', e.source_id],
              ['Source number', e.source_number],
              ['Target id', e.target_id],
              ['Target number', e.target_number],
              ['Attempt', e.attempt],
              ['Duration', formatDuration(e.duration_ms)],
              ['When', <Time key="t" iso={e.created_at} />],
              ['Run', e.run_id ? `#${e.run_id}` : null],
            ]}
          />
          <p>
            <Link to={`/log?record=${encodeURIComponent(e.source_id)}`} onClick={onClose}>
              This record's whole story
            </Link>
          </p>
          <section aria-label="Sync record">
            <h3>Sync record</h3>
            {r ? (
              <>
                <Facts
                  items={[
                    ['State', <Badge key="s" status={r.state} />],
                    ['Attempts', r.attempts],
                    [
                      'Target',
                      r.target_id ? `${r.target_id}${r.target_number ? ` (${r.target_number})` : ''}` : null,
                    ],
                    ['Last synced', <Time key="l" iso={r.last_synced_at} />],
                    ['Next attempt', <Time key="n" iso={r.next_attempt_at} />],
                    ['Waiting on', r.waiting_on],
                    ['Last error', r.error_message],
                    ['Reason', r.reason],
                    ['Data edited by a person', r.edited ? 'yes' : 'no'],
                  ]}
                />
                <RecordActions
                  record={r}
                  onChanged={() => {
                    entry.reload();
                    onChanged();
                  }}
                />
              </>
            ) : (
              <p className="muted">This entry has no sync record (it may have been unlinked).</p>
            )}
          </section>
          <JsonView label="Request" value={e.request} />
          <JsonView label="Response" value={e.response} />
          {e.calls?.length ? (
            <section aria-label="Every call of the attempt">
              <h3>Every call of the attempt ({e.calls.length})</h3>
              {e.calls.map((c, i) => (
                <JsonView
                  // biome-ignore lint/suspicious/noArrayIndexKey: the calls of an attempt are a fixed list in order; a call's place is its identity
                  key={i}
                  label={`${i + 1}. ${c.method} ${c.url} → ${c.status ?? 'no answer'} (${c.durationMs} ms)`}
                  value={{ request: c.request, response: c.response }}
                />
              ))}
            </section>
          ) : null}
          {r ? <JsonView label="Record data" value={r.data} /> : null}
        </>
      ) : (
        <p className="muted">Loading…</p>
      )}
    </Drawer>
  );
}
