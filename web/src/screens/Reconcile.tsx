import { type FormEvent, useState } from 'react';
import { api, type Finding, type ReconcileReport } from '../api';
import { Button, Done, ErrorText } from '../components/Controls';
import { formatCount } from '../format';
import { useAction } from '../hooks';
import { Link, useQueryState } from '../router';

const enc = encodeURIComponent;
/** Findings shown at once; the download has every one. */
const SHOWN = 500;
const DAY = 86_400_000;
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

const KIND: Record<Finding['kind'], string> = {
  missing_in_target: 'only in source',
  target_gone: 'gone from target',
  not_linked: 'not linked',
  differs: 'differs',
  only_in_target: 'only in target',
};

/** A value as people read it: money as "12.50 USD", a line as its SKU and quantity. */
function shown(v: unknown): string {
  if (v === null || v === undefined) return '(none)';
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('amount' in o && 'currency' in o) return `${String(o.amount)} ${String(o.currency)}`;
    if ('sku' in o || 'quantity' in o) return `${String(o.sku ?? 'line')} × ${String(o.quantity ?? '?')}`;
    return JSON.stringify(v);
  }
  return String(v);
}

/**
 * Reconciliation of one flow over a period: both systems compared record by record (the server
 * reads, never writes), findings with what a person can do about each, totals per day and currency,
 * and the whole report as CSV or XLSX.
 */
export function ReconcileScreen({ flowName }: { flowName: string }) {
  const [q, setQ] = useQueryState();
  const [from, setFrom] = useState(q.get('from') ?? isoDay(Date.now() - 7 * DAY));
  const [to, setTo] = useState(q.get('to') ?? isoDay(Date.now()));
  const [report, setReport] = useState<ReconcileReport | null>(null);
  const running = useAction();
  const acting = useAction();

  const run = async (e?: FormEvent) => {
    e?.preventDefault();
    setQ({ from, to });
    await running.run(async () => {
      setReport(await api.reconcile(flowName, { from, to, limit: SHOWN }));
      return undefined;
    });
  };
  const act = (work: () => Promise<string>) =>
    acting.run(async () => {
      const message = await work();
      setReport(await api.reconcile(flowName, { from, to, limit: SHOWN }));
      return message;
    });
  const download = (format: 'csv' | 'xlsx') =>
    `/api/flows/${enc(flowName)}/reconcile?from=${enc(from)}&to=${enc(to)}&format=${format}`;

  return (
    <section>
      <h1>Reconcile {flowName}</h1>
      <p className="muted">
        Compares both systems record by record through the link table over a period: records on one side only,
        linked records that differ field by field (money as decimals), and totals per day and currency. It
        reads both systems and writes nothing. <Link to={`/flows/${enc(flowName)}`}>The flow</Link>
      </p>
      <form className="filters" onSubmit={run}>
        <label>
          From
          <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          To
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <Button variant="primary" busy={running.pending} onClick={() => void run()}>
          Run
        </Button>
      </form>
      <ErrorText>{running.error ?? acting.error}</ErrorText>
      <Done>{acting.done}</Done>
      {report ? (
        <Report report={report} flowName={flowName} act={act} busy={acting.pending} download={download} />
      ) : null}
    </section>
  );
}

function Report(o: {
  report: ReconcileReport;
  flowName: string;
  act: (work: () => Promise<string>) => Promise<boolean>;
  busy: boolean;
  download: (format: 'csv' | 'xlsx') => string;
}) {
  const { report: r } = o;
  const c = r.counts;
  return (
    <>
      <p role="status" aria-label="Reconcile summary" className={c.drift ? 'error' : 'done'}>
        {c.drift === 0
          ? `0 drift${c.accepted ? ` (${formatCount(c.accepted)} accepted)` : ''}`
          : `${formatCount(c.drift)} ${c.drift === 1 ? 'finding' : 'findings'} of drift${c.accepted ? `, ${formatCount(c.accepted)} accepted` : ''}`}
        {' — '}
        {formatCount(c.source)} in {r.sourceTitle} ({formatCount(c.notSent)} not sent by the flow),{' '}
        {formatCount(c.target)} on {r.targetTitle}, {formatCount(c.matched)} matching
      </p>
      {r.notes.map((n) => (
        <p key={n} className="muted">
          {n}
        </p>
      ))}
      <p>
        Download: <a href={o.download('csv')}>CSV</a> · <a href={o.download('xlsx')}>XLSX</a>
      </p>
      {r.findings.length ? (
        <table className="grid" aria-label="Findings">
          <thead>
            <tr>
              <th>Kind</th>
              <th>{r.sourceTitle}</th>
              <th>{r.targetTitle}</th>
              <th>What</th>
              <th>
                Fields ({r.sourceTitle} → {r.targetTitle})
              </th>
              <th>Action</th>
            </tr>
          </thead>
          <tbody>
            {r.findings.map((f) => (
              <FindingRow key={f.key} f={f} flowName={o.flowName} act={o.act} busy={o.busy} />
            ))}
          </tbody>
        </table>
      ) : null}
      {r.total > r.findings.length ? (
        <p className="muted">
          The first {formatCount(r.findings.length)} of {formatCount(r.total)} findings; the download has all.
        </p>
      ) : null}
      {r.totals.length ? (
        <table className="grid compact" aria-label="Totals per day and currency">
          <thead>
            <tr>
              <th>Day</th>
              <th>Currency</th>
              <th>{r.sourceTitle} records</th>
              <th>{r.sourceTitle} amount</th>
              <th>{r.targetTitle} records</th>
              <th>{r.targetTitle} amount</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {r.totals.map((t) => (
              <tr key={`${t.day}|${t.currency}`} className={t.differs ? 'row-failed' : undefined}>
                <td>{t.day}</td>
                <td>{t.currency}</td>
                <td>{t.source.count}</td>
                <td>{t.source.amount}</td>
                <td>{t.target.count}</td>
                <td>{t.target.amount}</td>
                <td>{t.differs ? 'differs' : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}

function FindingRow(o: {
  f: Finding;
  flowName: string;
  act: (work: () => Promise<string>) => Promise<boolean>;
  busy: boolean;
}) {
  const { f, flowName, act, busy } = o;
  const [linking, setLinking] = useState(false);
  const [other, setOther] = useState('');
  const [accepting, setAccepting] = useState(false);
  const [why, setWhy] = useState('');
  const label = f.sourceId ?? f.targetId ?? '';
  const link = async (sourceId: string, targetId: string) =>
    act(async () => {
      await api.link(flowName, sourceId, targetId);
      return `${sourceId} linked to ${targetId}`;
    });
  return (
    <tr className={f.accepted ? undefined : 'row-failed'}>
      <td>{KIND[f.kind]}</td>
      <td>{f.sourceId ?? ''}</td>
      <td>{f.targetId ?? ''}</td>
      <td>
        {f.message}
        {f.accepted ? (
          <div className="muted">
            accepted by {f.accepted.by}
            {f.accepted.reason ? `: ${f.accepted.reason}` : ''}
          </div>
        ) : null}
      </td>
      <td>
        {f.diffs.map((d) => (
          <div key={d.path}>
            <code>{d.path}</code>: {shown(d.source)} → {shown(d.target)}
          </div>
        ))}
      </td>
      <td>
        {f.accepted ? null : (
          <>
            {f.actions.includes('resync') && f.sourceId ? (
              <Button
                need="operator"
                busy={busy}
                title={`Sync ${f.sourceId} again now`}
                onClick={() =>
                  void act(async () => {
                    const res = await api.resync(flowName, [f.sourceId!]);
                    return res.outcomes.map((x) => `${x.sourceId}: ${x.status}`).join(', ');
                  })
                }
              >
                Re-sync
              </Button>
            ) : null}
            {f.actions.includes('link') ? (
              f.sourceId && f.targetId && f.kind === 'not_linked' ? (
                <Button need="operator" busy={busy} onClick={() => void link(f.sourceId!, f.targetId!)}>
                  Link
                </Button>
              ) : (
                <Button need="operator" onClick={() => setLinking(!linking)}>
                  Link…
                </Button>
              )
            ) : null}
            {f.actions.includes('accept') ? (
              <Button
                need="operator"
                title={`Accept the finding for ${label} as it is, with why`}
                onClick={() => setAccepting(!accepting)}
              >
                Accept…
              </Button>
            ) : null}
            {accepting ? (
              // Why a difference is accepted is what the next person reading the report needs.
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  void act(async () => {
                    const reason = why.trim() || undefined;
                    await api.acceptFinding(flowName, { key: f.key, fingerprint: f.fingerprint, reason });
                    return `accepted: ${label}`;
                  });
                }}
              >
                <input
                  aria-label={`Why the finding for ${label} is accepted`}
                  placeholder="why (kept with the acceptance)"
                  value={why}
                  onChange={(e) => setWhy(e.target.value)}
                />
                <button type="submit" className="btn" disabled={busy}>
                  Accept
                </button>
              </form>
            ) : null}
            {linking ? (
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  if (other.trim())
                    void link(f.sourceId ?? other.trim(), f.sourceId ? other.trim() : f.targetId!);
                }}
              >
                <input
                  aria-label={f.sourceId ? `Target id for ${f.sourceId}` : `Source id for ${f.targetId}`}
                  value={other}
                  onChange={(e) => setOther(e.target.value)}
                />
                <button type="submit" className="btn">
                  Link
                </button>
              </form>
            ) : null}
          </>
        )}
      </td>
    </tr>
  );
}
