import { type FormEvent, useCallback, useEffect, useMemo, useState } from 'react';
import { api, messageOf, type SyncRecord } from '../api';
import { Badge } from '../components/Badge';
import { Button, Done, ErrorText, Facts } from '../components/Controls';
import { type Columns, columnHelper, DataTable } from '../components/DataTable';
import { Drawer } from '../components/Drawer';
import { JsonView } from '../components/JsonView';
import { Pager } from '../components/Pager';
import { RecordActions } from '../components/RecordActions';
import { Time } from '../components/Time';
import { formatCount } from '../format';
import { useAction, useData, useDebounced } from '../hooks';
import { Link, useQueryState } from '../router';
import { useFlows, usePermission } from '../session';

const PAGE = 50;
const STATES = ['prepared', 'processed', 'failed', 'skipped', 'filtered', 'waiting', 'aborted', 'deleted'];

const why = (r: SyncRecord) =>
  r.reason ?? r.error_message ?? (r.waiting_on ? `waiting on ${r.waiting_on}` : '');

function UnlinkButton({
  record,
  onResult,
}: {
  record: SyncRecord;
  onResult: (done: string | null, error: string | null) => void;
}) {
  const [busy, setBusy] = useState(false);
  const unlink = async () => {
    setBusy(true);
    try {
      await api.unlink(record.id);
      onResult(`Unlinked ${record.source_id} from ${record.target_id}.`, null);
    } catch (e) {
      onResult(null, messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button
      need="operator"
      busy={busy}
      disabled={!record.target_id}
      title={record.target_id ? `Forget that ${record.source_id} is ${record.target_id}` : 'Not linked'}
      onClick={() => void unlink()}
    >
      Unlink
    </Button>
  );
}

const col = columnHelper<SyncRecord>();

function recordColumns(onResult: (done: string | null, error: string | null) => void): Columns<SyncRecord> {
  return col.columns([
    col.accessor('flow', { header: 'Flow' }),
    col.accessor('source_id', { header: 'Source id', cell: (c) => <code>{c.getValue()}</code> }),
    col.accessor('target_id', {
      header: 'Target id',
      cell: (c) => (c.getValue() ? <code>{c.getValue()}</code> : <span className="muted">—</span>),
    }),
    col.accessor('target_number', { header: 'Target number', cell: (c) => c.getValue() ?? '' }),
    col.accessor('state', { header: 'State', cell: (c) => <Badge status={c.getValue()} /> }),
    col.accessor('last_synced_at', { header: 'Last synced', cell: (c) => <Time iso={c.getValue()} /> }),
    col.display({
      id: 'reason',
      header: 'Reason',
      cell: (c) => <span className="reason">{why(c.row.original)}</span>,
    }),
    col.display({
      id: 'unlink',
      header: () => <span className="visually-hidden">Unlink</span>,
      cell: (c) => <UnlinkButton record={c.row.original} onResult={onResult} />,
    }),
  ]) as Columns<SyncRecord>;
}

export function RecordsScreen() {
  const { flows } = useFlows();
  const { canOperate } = usePermission();
  const [q, setQ] = useQueryState();
  const flow = q.get('flow') ?? '';
  const states = (q.get('state') ?? '').split(',').filter(Boolean);
  const offset = Number(q.get('offset')) || 0;
  const open = Number(q.get('record')) || null;
  const [search, setSearch] = useState(q.get('search') ?? '');
  const debounced = useDebounced(search);
  const [note, setNote] = useState<{ done: string | null; error: string | null }>({
    done: null,
    error: null,
  });

  // biome-ignore lint/correctness/useExhaustiveDependencies: only a settled search text changes the URL
  useEffect(() => {
    if ((q.get('search') ?? '') !== debounced) setQ({ search: debounced, offset: undefined });
  }, [debounced]);

  const list = useData(
    () => api.records({ flow, state: states.join(','), search: debounced, limit: PAGE, offset }),
    [flow, states.join(','), debounced, offset],
    15_000,
  );

  const toggle = (s: string, on: boolean) => {
    const next = on ? [...states, s] : states.filter((x) => x !== s);
    setQ({ state: STATES.filter((x) => next.includes(x)).join(','), offset: undefined });
  };

  const reload = list.reload;
  const onResult = useCallback(
    (done: string | null, error: string | null) => {
      setNote({ done, error });
      reload();
    },
    [reload],
  );
  const columns = useMemo(() => recordColumns(onResult), [onResult]);

  return (
    <section>
      <div className="title-row">
        <h1>Sync status</h1>
        <p className="muted">
          Each record a flow touched: the link between the two systems' ids, and its state.
        </p>
      </div>
      <form
        className="panel filter-bar"
        aria-label="Sync status filters"
        onSubmit={(e) => e.preventDefault()}
      >
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
        <fieldset className="checks">
          <legend>State</legend>
          {STATES.map((s) => (
            <label key={s} className="check">
              <input
                type="checkbox"
                checked={states.includes(s)}
                onChange={(e) => toggle(s, e.target.checked)}
              />
              {s}
            </label>
          ))}
        </fieldset>
        <label>
          Search
          <input
            type="search"
            value={search}
            placeholder="source id, target id or number"
            onChange={(e) => setSearch(e.target.value)}
          />
        </label>
      </form>

      <LinkForm
        flows={flows.map((f) => f.name)}
        defaultFlow={flow}
        disabled={!canOperate}
        onLinked={list.reload}
      />

      <ErrorText>{list.error ?? note.error}</ErrorText>
      <Done>{note.done}</Done>
      <p className="muted">{list.data ? `${formatCount(list.data.total)} records` : ''}</p>
      <DataTable
        label="Sync records"
        columns={columns}
        data={list.data?.records ?? EMPTY}
        rowId={(r) => String(r.id)}
        total={list.data?.total ?? 0}
        pageIndex={Math.floor(offset / PAGE)}
        pageSize={PAGE}
        onRowOpen={(r) => setQ({ record: String(r.id) })}
        openLabel={(r) => `Details of ${r.flow} ${r.source_id}`}
        rowClass={(r) => `row-${r.state}`}
        loading={list.loading && !list.data}
        empty="No records match these filters."
      />
      <Pager
        offset={offset}
        limit={PAGE}
        total={list.data?.total ?? 0}
        shown={list.data?.records.length ?? 0}
        onChange={(o) => setQ({ offset: o ? String(o) : undefined })}
      />
      {open ? (
        <RecordDetails id={open} onClose={() => setQ({ record: undefined })} onChanged={list.reload} />
      ) : null}
    </section>
  );
}

const EMPTY: SyncRecord[] = [];

function LinkForm({
  flows,
  defaultFlow,
  disabled,
  onLinked,
}: {
  flows: string[];
  defaultFlow: string;
  disabled: boolean;
  onLinked: () => void;
}) {
  const [flow, setFlow] = useState(defaultFlow);
  const [sourceId, setSourceId] = useState('');
  const [targetId, setTargetId] = useState('');
  const action = useAction();
  useEffect(() => {
    if (defaultFlow) setFlow(defaultFlow);
  }, [defaultFlow]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.run(async () => {
      await api.link(flow, sourceId.trim(), targetId.trim());
      onLinked();
      const message = `Linked ${sourceId.trim()} to ${targetId.trim()} in ${flow}.`;
      setSourceId('');
      setTargetId('');
      return message;
    });
  };
  return (
    <form className="panel link-form" aria-label="Link a pair by hand" onSubmit={submit}>
      <h2>Link a pair by hand</h2>
      <label>
        Flow
        <select value={flow} required onChange={(e) => setFlow(e.target.value)}>
          <option value="">Choose a flow</option>
          {flows.map((f) => (
            <option key={f} value={f}>
              {f}
            </option>
          ))}
        </select>
      </label>
      <label>
        Source id
        <input value={sourceId} required onChange={(e) => setSourceId(e.target.value)} />
      </label>
      <label>
        Target id
        <input value={targetId} required onChange={(e) => setTargetId(e.target.value)} />
      </label>
      <button
        type="submit"
        className="btn btn-primary"
        disabled={disabled || action.pending}
        title={
          disabled
            ? 'Your role (viewer) can look but not change anything; an operator or admin can do this.'
            : undefined
        }
      >
        Link
      </button>
      <ErrorText>{action.error}</ErrorText>
      <Done>{action.done}</Done>
    </form>
  );
}

function RecordDetails({
  id,
  onClose,
  onChanged,
}: {
  id: number;
  onClose: () => void;
  onChanged: () => void;
}) {
  const rec = useData(() => api.record(id), [id]);
  const r = rec.data;
  return (
    <Drawer title={r ? `${r.flow} · ${r.source_id}` : `Record ${id}`} onClose={onClose}>
      <ErrorText>{rec.error}</ErrorText>
      {r ? (
        <>
          <Facts
            items={[
              ['State', <Badge key="s" status={r.state} />],
              ['Flow', r.flow],
              ['Source id', r.source_id],
              ['Target id', r.target_id],
              ['Target number', r.target_number],
              ['Natural key', r.natural_key],
              ['Attempts', r.attempts],
              ['Last synced', <Time key="l" iso={r.last_synced_at} />],
              ['Next attempt', <Time key="n" iso={r.next_attempt_at} />],
              ['Waiting on', r.waiting_on],
              ['Error', r.error_code ? `${r.error_code}: ${r.error_message ?? ''}` : r.error_message],
              ['Reason', r.reason],
              ['Data edited by a person', r.edited ? 'yes' : 'no'],
              ['Updated', <Time key="u" iso={r.updated_at} />],
            ]}
          />
          <p>
            <Link to={`/log?record=${encodeURIComponent(r.source_id)}&flow=${encodeURIComponent(r.flow)}`}>
              Its connector log
            </Link>
          </p>
          <RecordActions
            record={r}
            onChanged={() => {
              rec.reload();
              onChanged();
            }}
          />
          <JsonView label="Record data" value={r.data} />
        </>
      ) : (
        <p className="muted">Loading…</p>
      )}
    </Drawer>
  );
}
