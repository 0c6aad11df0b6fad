import { useMemo, useState } from 'react';
import { api, type WebhookRecord } from '../api';
import { useAction, useData } from '../hooks';
import { Link } from '../router';
import { useFlows } from '../session';
import { Button, Done, ErrorText, Facts } from './Controls';
import { type Columns, columnHelper, DataTable } from './DataTable';
import { Drawer } from './Drawer';
import { Pager } from './Pager';
import { ReasonMark, SyncStatusBadge, statusWord } from './SyncStatus';
import { Time } from './Time';

const PAGE = 20;

/** A row of the log: one record a delivery named, in one flow. */
type Row = WebhookRecord & { delivery: number; receivedAt: string };

const col = columnHelper<Row>();

/**
 * The Integration Data Check's webhook log (seed 002): what `connection`'s webhooks brought, a row per
 * record with its sync status, the exclamation mark opening the reason of a failed one ("the product
 * does not have an SKU"), and Sync refresh retrying the failed records of the flows `flowNames`.
 */
export function WebhookRecordLog({ connection, flowNames }: { connection: string; flowNames: string[] }) {
  const flows = useFlows();
  const [offset, setOffset] = useState(0);
  const [why, setWhy] = useState<string | null>(null);
  const refresh = useAction();
  const page = useData(
    () => api.webhookRecords({ connection, limit: PAGE, offset }),
    [connection, offset],
    3_000,
  );
  const rows = useMemo(
    () =>
      (page.data?.deliveries ?? []).flatMap((d) =>
        d.records.map((r) => ({ ...r, delivery: d.id, receivedAt: d.receivedAt })),
      ),
    [page.data],
  );
  const keyOf = (r: Row) => `${r.delivery}:${r.flow}:${r.sourceId}`;
  const columns = col.columns([
    col.accessor('receivedAt', { header: 'Received at', cell: (c) => <Time iso={c.getValue()} /> }),
    col.accessor('label', { header: 'Document' }),
    col.accessor('flow', { header: 'Flow' }),
    col.accessor('state', { header: 'Status', cell: (c) => <SyncStatusBadge state={c.getValue()} /> }),
    col.display({
      id: 'action',
      header: 'Action',
      cell: (c) => (
        <ReasonMark
          label={c.row.original.label}
          state={c.row.original.state}
          onOpen={() => setWhy(keyOf(c.row.original))}
        />
      ),
    }),
  ]) as Columns<Row>;
  const current = rows.find((r) => keyOf(r) === why);

  return (
    <section className="panel sync-list" aria-label="Webhook log records">
      <div className="actions">
        <Button
          need="operator"
          variant="primary"
          busy={refresh.pending}
          disabled={!flowNames.length}
          onClick={() =>
            refresh.run(async () => {
              for (const f of flowNames) await api.retryFailed(f);
              page.reload();
              flows.reload();
              return 'Sync refreshed: the failed records were sent again, oldest first.';
            })
          }
        >
          Sync refresh
        </Button>
      </div>
      <ErrorText>{refresh.error ?? page.error}</ErrorText>
      <Done>{refresh.done}</Done>
      <DataTable
        label="Webhook log"
        columns={columns}
        data={rows}
        rowId={keyOf}
        total={rows.length}
        pageIndex={0}
        pageSize={rows.length || 1}
        rowClass={(r) => `row-${statusWord(r.state).toLowerCase()}`}
        loading={page.loading && !page.data}
        empty={`No webhook from ${connection} yet.`}
      />
      <Pager
        offset={offset}
        limit={PAGE}
        total={page.data?.total ?? 0}
        shown={page.data?.deliveries.length ?? 0}
        onChange={setOffset}
        label="Webhook log pages"
      />
      {current ? (
        <Drawer title={`${current.label}: ${statusWord(current.state)}`} onClose={() => setWhy(null)}>
          <p className="reason-text" role="note" aria-label="Reason">
            {current.reason ?? 'No reason was recorded.'}
          </p>
          <Facts
            items={[
              ['Status', <SyncStatusBadge key="s" state={current.state} />],
              ['Flow', current.flow],
              ['Source id', current.sourceId],
              ['Delivery', current.delivery],
              ['Last attempt', <Time key="u" iso={current.updatedAt} />],
            ]}
          />
          <p>
            <Link to={`/webhooks?delivery=${current.delivery}&connection=${encodeURIComponent(connection)}`}>
              The delivery in the webhook log
            </Link>
          </p>
        </Drawer>
      ) : null}
    </section>
  );
}
