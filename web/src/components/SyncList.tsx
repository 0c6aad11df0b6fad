import { useState } from 'react';
import { api, type Flow, type SyncRecord } from '../api';
import { useAction, useData } from '../hooks';
import { Link } from '../router';
import { useFlows } from '../session';
import { Button, Done, ErrorText, Facts } from './Controls';
import { type Columns, columnHelper, DataTable } from './DataTable';
import { Drawer } from './Drawer';
import { Pager } from './Pager';
import { RecordActions } from './RecordActions';
import { ReasonMark, SyncStatusBadge, statusWord } from './SyncStatus';
import { Time } from './Time';

const PAGE = 20;

/** What a person calls a record: its document number (a transfer's TO-1), else the ids. */
export function recordLabel(r: SyncRecord): string {
  const d = (r.data ?? {}) as { number?: unknown; name?: unknown };
  if (typeof d.number === 'string' && d.number) return d.number;
  if (typeof d.name === 'string' && d.name) return d.name;
  return r.target_number ?? r.source_id;
}

/** Why a record failed or waits, in the engine's words ("waiting for stock transfer TO-1 to succeed"). */
export const reasonOf = (r: Pick<SyncRecord, 'reason' | 'error_message' | 'waiting_on'>): string =>
  r.reason ?? r.error_message ?? (r.waiting_on ? `waiting on ${r.waiting_on}` : 'No reason was recorded.');

/** What Sync refresh answered, in a sentence. */
function describeRefresh(results: unknown): string {
  const list = (Array.isArray(results) ? results : []) as {
    status?: string;
    message?: string;
    counts?: { created?: number; updated?: number; unchanged?: number; failed?: number; waiting?: number };
  }[];
  if (!list.length) return 'Nothing to refresh: no record has failed or waits.';
  const queued = list.find((r) => r.status === 'queued');
  if (queued?.message) return `Queued: ${queued.message}.`;
  const c = list.reduce(
    (a, r) => ({
      ok: a.ok + (r.counts?.created ?? 0) + (r.counts?.updated ?? 0) + (r.counts?.unchanged ?? 0),
      failed: a.failed + (r.counts?.failed ?? 0),
      waiting: a.waiting + (r.counts?.waiting ?? 0),
    }),
    { ok: 0, failed: 0, waiting: 0 },
  );
  return `Sync refreshed: ${c.ok} succeeded, ${c.failed} failed, ${c.waiting} waiting.`;
}

const col = columnHelper<SyncRecord>();

/**
 * One synchronization of the Integration Data Check (one flow): its counts, View Details with its
 * records (Success / Failed / Waiting, the exclamation mark opening the reason) and Sync refresh,
 * which retries the flow's failed and waiting records — the engine takes them oldest first.
 */
export function SyncList({
  flow,
  title,
  open,
  onOpen,
}: {
  flow: Flow;
  title: string;
  open: boolean;
  onOpen: (open: boolean) => void;
}) {
  const flows = useFlows();
  const [offset, setOffset] = useState(0);
  const [why, setWhy] = useState<number | null>(null);
  const refresh = useAction();
  // Open, the list follows what retries and released waiters do meanwhile.
  const list = useData(
    () => (open ? api.records({ flow: flow.name, limit: PAGE, offset }) : Promise.resolve(undefined)),
    [open, flow.name, offset],
    open ? 3_000 : undefined,
  );
  const rows = list.data?.records ?? EMPTY;
  const count = (...states: string[]) => states.reduce((n, s) => n + (flow.states[s] ?? 0), 0);
  const columns = col.columns([
    col.accessor('updated_at', { header: 'Date', cell: (c) => <Time iso={c.getValue()} /> }),
    col.display({ id: 'document', header: 'Document', cell: (c) => recordLabel(c.row.original) }),
    col.accessor('target_number', {
      header: 'Number in target',
      cell: (c) => c.getValue() ?? c.row.original.target_id ?? '',
    }),
    col.accessor('state', { header: 'Status', cell: (c) => <SyncStatusBadge state={c.getValue()} /> }),
    col.display({
      id: 'action',
      header: 'Action',
      cell: (c) => (
        <ReasonMark
          label={recordLabel(c.row.original)}
          state={c.row.original.state}
          onOpen={() => setWhy(c.row.original.id)}
        />
      ),
    }),
  ]) as Columns<SyncRecord>;
  const current = rows.find((r) => r.id === why);

  return (
    <section className="panel sync-list" aria-label={`${title} synchronization`}>
      <div className="panel-head">
        <h3>{title}</h3>
        <span className="muted">{flow.description ?? flow.name}</span>
      </div>
      <p className="counts">
        <span>Success: {count('processed')}</span> · <span>Failed: {count('failed', 'aborted')}</span> ·{' '}
        <span>Waiting: {count('waiting', 'prepared')}</span>
      </p>
      <div className="actions">
        <Button onClick={() => onOpen(!open)} aria-expanded={open}>
          {open ? 'Hide details' : 'View Details'}
        </Button>
        <Button
          need="operator"
          variant="primary"
          busy={refresh.pending}
          onClick={() =>
            refresh.run(async () => {
              const message = describeRefresh((await api.retryFailed(flow.name)).results);
              list.reload();
              flows.reload();
              return message;
            })
          }
        >
          Sync refresh
        </Button>
      </div>
      <ErrorText>{refresh.error ?? list.error}</ErrorText>
      <Done>{refresh.done}</Done>
      {open ? (
        <>
          <DataTable
            label={`${title} records`}
            columns={columns}
            data={rows}
            rowId={(r) => String(r.id)}
            total={list.data?.total ?? 0}
            pageIndex={Math.floor(offset / PAGE)}
            pageSize={PAGE}
            rowClass={(r) => `row-${statusWord(r.state).toLowerCase()}`}
            loading={list.loading && !list.data}
            empty="Nothing synchronized yet."
          />
          <Pager
            offset={offset}
            limit={PAGE}
            total={list.data?.total ?? 0}
            shown={rows.length}
            onChange={setOffset}
            label={`${title} pages`}
          />
        </>
      ) : null}
      {current ? (
        <Drawer title={`${recordLabel(current)}: ${statusWord(current.state)}`} onClose={() => setWhy(null)}>
          <p className="reason-text" role="note" aria-label="Reason">
            {reasonOf(current)}
          </p>
          <Facts
            items={[
              ['Status', <SyncStatusBadge key="s" state={current.state} />],
              ['Flow', flow.name],
              ['Source id', current.source_id],
              ['Attempts', current.attempts],
              ['Last attempt', <Time key="u" iso={current.updated_at} />],
            ]}
          />
          <p>
            <Link
              to={`/log?record=${encodeURIComponent(current.source_id)}&flow=${encodeURIComponent(flow.name)}`}
            >
              Its connector log
            </Link>
          </p>
          <RecordActions
            record={current}
            onChanged={() => {
              list.reload();
              flows.reload();
            }}
          />
        </Drawer>
      ) : null}
    </section>
  );
}

const EMPTY: SyncRecord[] = [];
