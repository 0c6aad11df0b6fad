import { useState } from 'react';
import { api, type DryRunRow, type FieldChange, type Flow, type Plan } from '../api';
import { formatCount, formatMoney } from '../format';
import { useData } from '../hooks';
import { Badge } from './Badge';
import { Button, ErrorText } from './Controls';
import { Pager } from './Pager';

/** Rows of the plan per page: the API pages its answer (at most 1000); a small panel shows fewer. */
export const PREVIEW_PAGE = 50;

/** What a preview covers: the rows selected in a Load (what Process acts on), or all of it (Process All). */
export interface PreviewOf {
  batchId: number;
  ids?: string[];
}

const PLAN_ORDER: Plan[] = ['create', 'update', 'unchanged', 'skip', 'wait', 'fail'];
const COUNT_WORDS: Record<Plan, string> = {
  create: 'to create',
  update: 'to update',
  unchanged: 'unchanged',
  skip: 'to skip',
  wait: 'to wait',
  fail: 'would fail',
};

/** A field's value as a person reads it: money to the cent as its decimal string, empty said so. */
export function valueText(v: unknown): string {
  if (v === null || v === undefined || v === '') return '(empty)';
  if (typeof v === 'object' && v !== null && 'amount' in v && 'currency' in v) {
    const m = v as { amount: unknown; currency: unknown };
    if (typeof m.amount === 'string' && typeof m.currency === 'string')
      return formatMoney({ amount: m.amount, currency: m.currency });
  }
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** "customer:acumatica:C000001" → "customer C000001 (acumatica)". */
function waitText(key: string): string {
  const [entity, connection, ...id] = key.split(':');
  return id.length ? `${entity} ${id.join(':')} (${connection})` : key;
}

function Change({ c }: { c: FieldChange }) {
  return (
    <li className="change">
      <span className="change-field">{c.field}</span>:{' '}
      {c.oldKnown ? (
        <span
          className="change-old"
          title={c.from === 'last written' ? 'as Ledgerlink last wrote it' : 'as the target has it now'}
        >
          {valueText(c.old)}
        </span>
      ) : (
        <span className="change-old muted" title={c.note}>
          not known
        </span>
      )}{' '}
      → <span className="change-new">{valueText(c.new)}</span>
      {!c.oldKnown && c.note ? <span className="change-note muted"> ({c.note})</span> : null}
    </li>
  );
}

function Detail({ r }: { r: DryRunRow }) {
  if (r.plan === 'update')
    return r.changes?.length ? (
      <ul className="changes">
        {r.changes.map((c) => (
          <Change key={c.field} c={c} />
        ))}
      </ul>
    ) : (
      <span className="muted">fields changed</span>
    );
  if (r.plan === 'wait')
    return (
      <span>
        {r.reason ?? ''}
        {r.waitingOn ? <span className="muted"> · waits on {waitText(r.waitingOn)}</span> : null}
      </span>
    );
  return <span>{r.reason ?? ''}</span>;
}

/**
 * A dry run of what Process (the selected rows) or Process All (the whole Load) would do, record by
 * record, with each update's fields old → new. The server reads both systems and writes nothing;
 * from here the operator can process exactly what was previewed.
 */
export function DryRunPanel({
  flow,
  of,
  processing,
  onProcess,
  onClose,
}: {
  flow: Flow;
  of: PreviewOf;
  processing: boolean;
  onProcess: () => void;
  onClose: () => void;
}) {
  const [offset, setOffset] = useState(0);
  const idsKey = of.ids?.join('\n') ?? '';
  const plan = useData(
    () =>
      api.preview(flow.name, of.ids ? { batchId: of.batchId, ids: of.ids } : { batchId: of.batchId }, {
        limit: PREVIEW_PAGE,
        offset,
      }),
    [flow.name, of.batchId, idsKey, offset],
  );
  const d = plan.data;
  const what = of.ids
    ? `the ${formatCount(of.ids.length)} selected record${of.ids.length === 1 ? '' : 's'} (Process)`
    : 'all the loaded records (Process All)';
  const total = d?.total ?? 0;
  return (
    <section className="panel dry-run" aria-label="Preview">
      <div className="panel-head">
        <h2>
          Preview <span className="muted">· what processing would do to {what} · nothing is written</span>
        </h2>
        <div className="actions">
          <Button
            variant="primary"
            need="operator"
            busy={processing}
            disabled={!d || total === 0}
            onClick={onProcess}
          >
            Process {of.ids ? 'these' : 'all'} {formatCount(total)} record{total === 1 ? '' : 's'}
          </Button>
          <Button onClick={onClose}>Close preview</Button>
        </div>
      </div>
      <ErrorText>{plan.error}</ErrorText>
      {plan.loading && !d ? (
        <p className="muted" role="status">
          Reading the records from {flow.source} and {flow.target} (reads only)…
        </p>
      ) : null}
      {d ? (
        <>
          <p className="dry-run-counts">
            {PLAN_ORDER.filter((p) => d.counts[p])
              .map((p) => `${formatCount(d.counts[p])} ${COUNT_WORDS[p]}`)
              .join(' · ') || 'Nothing to process.'}
          </p>
          <div className="table-wrap">
            <table className="grid" aria-label="Plan of each record">
              <thead>
                <tr>
                  <th scope="col">Record</th>
                  <th scope="col">Plan</th>
                  <th scope="col">Changes, or why</th>
                </tr>
              </thead>
              <tbody>
                {d.rows.map((r) => (
                  <tr key={r.sourceId}>
                    <td>
                      <code>{r.sourceId}</code>
                      {r.label && r.label !== r.sourceId ? <span className="muted"> {r.label}</span> : null}
                    </td>
                    <td>
                      <Badge status={r.plan} />
                    </td>
                    <td>
                      <Detail r={r} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {total > PREVIEW_PAGE ? (
            <Pager
              offset={offset}
              limit={PREVIEW_PAGE}
              total={total}
              shown={d.rows.length}
              onChange={setOffset}
              label="Preview pages"
            />
          ) : null}
        </>
      ) : null}
    </section>
  );
}
