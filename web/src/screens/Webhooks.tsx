import { useState } from 'react';
import { api, type Delivery } from '../api';
import { Badge } from '../components/Badge';
import { Button, Done, ErrorText, Facts } from '../components/Controls';
import { type Columns, columnHelper, DataTable } from '../components/DataTable';
import { Drawer } from '../components/Drawer';
import { JsonView } from '../components/JsonView';
import { Pager } from '../components/Pager';
import { ReplayPeriodForm } from '../components/ReplayPeriodForm';
import { Time } from '../components/Time';
import { formatCount } from '../format';
import { useAction, useData } from '../hooks';
import { Link, useQueryState } from '../router';

const PAGE = 50;
const STATUSES = ['received', 'processed', 'ignored', 'rejected', 'failed'];

const named = (d: Delivery) =>
  d.events?.length ? (
    <span className="ids">
      {d.events
        .slice(0, 4)
        .map((e) => `${e.entity} ${e.id}`)
        .join(', ')}
      {d.events.length > 4 ? ` and ${d.events.length - 4} more` : ''}
    </span>
  ) : (
    <span className="muted">—</span>
  );

const col = columnHelper<Delivery>();
const COLUMNS = col.columns([
  col.accessor('received_at', { header: 'Received at', cell: (c) => <Time iso={c.getValue()} /> }),
  col.accessor('connection', { header: 'Connection' }),
  col.accessor('verified', {
    header: 'Verified',
    cell: (c) => <Badge status={c.getValue() ? 'yes' : 'no'} label={c.getValue() ? 'yes' : 'no'} />,
  }),
  col.accessor('status', { header: 'Status', cell: (c) => <Badge status={c.getValue()} /> }),
  col.accessor('error', {
    header: 'Error',
    cell: (c) => <span className="reason">{c.getValue() ?? ''}</span>,
  }),
  col.display({ id: 'records', header: 'Records', cell: (c) => named(c.row.original) }),
  col.accessor('processed_at', { header: 'Processed at', cell: (c) => <Time iso={c.getValue()} /> }),
]) as Columns<Delivery>;

export function WebhooksScreen() {
  const [q, setQ] = useQueryState();
  const connection = q.get('connection') ?? '';
  const status = q.get('status') ?? '';
  const offset = Number(q.get('offset')) || 0;
  const open = Number(q.get('delivery')) || null;
  const connections = useData(() => api.connections(), []);
  const list = useData(
    () => api.webhooks({ connection, status, limit: PAGE, offset }),
    [connection, status, offset],
    15_000,
  );
  const rows = list.data?.deliveries ?? EMPTY;
  const current = rows.find((d) => d.id === open);

  return (
    <section>
      <div className="title-row">
        <h1>Webhook log</h1>
        <p className="muted">
          Every delivery the webhook intake stored, verified or not.{' '}
          {list.data ? (
            <strong>Inbox depth: {formatCount(list.data.depth)} waiting to be processed.</strong>
          ) : null}
        </p>
      </div>
      <form className="panel filter-bar" aria-label="Webhook filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Connection
          <select
            value={connection}
            onChange={(e) => setQ({ connection: e.target.value, offset: undefined })}
          >
            <option value="">All connections</option>
            {connections.data?.connections.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select value={status} onChange={(e) => setQ({ status: e.target.value, offset: undefined })}>
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </form>
      <ReplayPeriodForm
        connections={connections.data?.connections.map((c) => c.name) ?? []}
        defaultConnection={connection}
        onReplayed={list.reload}
      />
      <ErrorText>{list.error}</ErrorText>
      <DataTable
        label="Webhook deliveries"
        columns={COLUMNS}
        data={rows}
        rowId={(d) => String(d.id)}
        total={list.data?.total ?? rows.length}
        pageIndex={Math.floor(offset / PAGE)}
        pageSize={PAGE}
        onRowOpen={(d) => setQ({ delivery: String(d.id) })}
        openLabel={(d) => `Details of delivery ${d.id}`}
        rowClass={(d) => (d.status === 'failed' || d.status === 'rejected' ? 'row-failed' : undefined)}
        loading={list.loading && !list.data}
        empty="No deliveries match these filters."
      />
      <Pager
        offset={offset}
        limit={PAGE}
        total={list.data?.total}
        shown={rows.length}
        onChange={(o) => setQ({ offset: o ? String(o) : undefined })}
      />
      {open && current ? (
        <DeliveryDetails
          delivery={current}
          onClose={() => setQ({ delivery: undefined })}
          onChanged={list.reload}
        />
      ) : null}
    </section>
  );
}

const EMPTY: Delivery[] = [];

function DeliveryDetails({
  delivery: d,
  onClose,
  onChanged,
}: {
  delivery: Delivery;
  onClose: () => void;
  onChanged: () => void;
}) {
  const replay = useAction();
  const [whole, setWhole] = useState<string | null>(null);
  const fetchWhole = useAction();
  return (
    <Drawer title={`Delivery ${d.id} from ${d.connection}`} onClose={onClose}>
      <Facts
        items={[
          ['Status', <Badge key="s" status={d.status} />],
          ['Verified', d.verified ? 'yes' : 'no'],
          ['Error', d.error],
          ['Received at', <Time key="r" iso={d.received_at} />],
          ['Processed at', <Time key="p" iso={d.processed_at} />],
        ]}
      />
      <div className="actions">
        <Button
          need="operator"
          variant="primary"
          busy={replay.pending}
          disabled={!d.verified || !d.events?.length}
          title={
            !d.verified || !d.events?.length
              ? 'Only verified, readable deliveries can be replayed'
              : undefined
          }
          onClick={() =>
            replay.run(async () => {
              await api.replay(d.id);
              onChanged();
              return 'Replay queued: its records are read again from the source and synced.';
            })
          }
        >
          Replay
        </Button>
      </div>
      <ErrorText>{replay.error}</ErrorText>
      <Done>{replay.done}</Done>
      <section aria-label="Records named">
        <h3>Records it named</h3>
        {d.events?.length ? (
          <ul className="plain-list">
            {d.events.map((e) => (
              <li key={`${e.entity}:${e.id}`}>
                {e.entity} <code>{e.id}</code>{' '}
                <Link to={`/log?record=${encodeURIComponent(e.id)}`} onClick={onClose}>
                  log
                </Link>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">None (the delivery was not read).</p>
        )}
      </section>
      <JsonView label="Headers" value={d.headers} />
      {whole !== null || d.body.complete ? (
        <JsonView label="Body" value={whole ?? d.body.excerpt} />
      ) : (
        <figure className="json">
          <figcaption>
            Body: the first {formatCount(d.body.excerpt.length)} characters of {formatCount(d.body.bytes)}{' '}
            bytes
            {d.body.sha256 ? ` (SHA-256 ${d.body.sha256})` : ''}
          </figcaption>
          <pre>{d.body.excerpt}</pre>
          {d.body.url ? (
            <Button
              busy={fetchWhole.pending}
              onClick={() =>
                fetchWhole.run(async () => {
                  setWhole((await api.webhookBody(d.id)).body);
                  return undefined;
                })
              }
            >
              Show the whole body
            </Button>
          ) : (
            <p className="muted">
              The delivery was refused, so only this excerpt was kept: an unverified sender cannot fill the
              store.
            </p>
          )}
          <ErrorText>{fetchWhole.error}</ErrorText>
        </figure>
      )}
    </Drawer>
  );
}
