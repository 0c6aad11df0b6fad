import { lazy, Suspense, useState } from 'react';
import { api, type Stats } from '../api';
import { Badge } from '../components/Badge';
import { ErrorText } from '../components/Controls';
import { flowColour, flowFailColour, sum } from '../components/palette';
import { Time } from '../components/Time';
import { formatCount } from '../format';
import { useData } from '../hooks';
import { Link } from '../router';
import { useFlows } from '../session';

const enc = encodeURIComponent;
// chart.js is the largest library here and only this screen draws a chart: it loads with the chart.
const HourlyChart = lazy(() => import('../components/HourlyChart').then((m) => ({ default: m.HourlyChart })));

export function HomeScreen() {
  const stats = useData(() => api.stats(24), [], 30_000);
  const { flows, error: flowsError } = useFlows();
  const [only, setOnly] = useState('');

  return (
    <section className="home">
      <h1>Home</h1>
      <div className="tiles">
        <Link
          className="tile"
          to="/records?state=failed,aborted"
          aria-label={`Open failures: ${stats.data ? stats.data.openFailures : '…'} records that failed and wait for a person`}
        >
          <span className="tile-label">Open failures</span>
          <strong className={stats.data?.openFailures ? 'tile-bad' : ''}>
            {stats.data ? formatCount(stats.data.openFailures) : '…'}
          </strong>
          <span className="tile-label">records that failed and wait for a person</span>
        </Link>
        <Link className="tile" to="/webhooks">
          <span className="tile-label">Webhook inbox depth</span>
          <strong>{stats.data ? formatCount(stats.data.inboxDepth) : '…'}</strong>
        </Link>
        <Link className="tile" to="/flows">
          <span className="tile-label">Flows enabled</span>
          <strong>
            {flows.filter((f) => f.enabled).length} of {flows.length}
          </strong>
        </Link>
      </div>

      {stats.data?.openFailures ? <OpenFailures stats={stats.data} /> : null}

      <section aria-labelledby="chart-title" className="panel">
        <div className="panel-head">
          <h2 id="chart-title">Records synced and failed per hour, last 24 hours</h2>
          <label className="inline">
            Flow{' '}
            <select value={only} onChange={(e) => setOnly(e.target.value)}>
              <option value="">All flows</option>
              {stats.data?.flows.map((f) => (
                <option key={f.name} value={f.name}>
                  {f.name}
                </option>
              ))}
            </select>
          </label>
        </div>
        <p className="muted">
          Records, not attempts: a record counts once an hour, as synced or failed by how it ended the hour.
        </p>
        <ErrorText>{stats.error}</ErrorText>
        {stats.data ? (
          <div className="chart-row">
            <Suspense fallback={<div className="chart" />}>
              <HourlyChart stats={stats.data} only={only || undefined} />
            </Suspense>
            <table className="grid compact legend" aria-label="Totals per flow, last 24 hours">
              <thead>
                <tr>
                  <th scope="col">Flow</th>
                  <th scope="col">Synced</th>
                  <th scope="col">Failed</th>
                  <th scope="col" title="Every failed try, retries included">
                    Failed attempts
                  </th>
                </tr>
              </thead>
              <tbody>
                {stats.data.flows.map((f, i) => (
                  <tr key={f.name}>
                    <td className="flow-name">{f.name}</td>
                    <td>
                      <span className="swatch" style={{ background: flowColour(i) }} />
                      {formatCount(sum(f.success))}
                    </td>
                    <td>
                      <span className="swatch" style={{ background: flowFailColour(i) }} />
                      {formatCount(sum(f.failed))}
                    </td>
                    <td className="muted">{formatCount(sum(f.failedAttempts ?? []))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>

      <section aria-labelledby="runs-title" className="panel">
        <h2 id="runs-title">Last run of each flow</h2>
        <ErrorText>{flowsError}</ErrorText>
        <div className="table-wrap">
          <table className="grid" aria-label="Last run of each flow">
            <thead>
              <tr>
                <th scope="col">Flow</th>
                <th scope="col">Direction</th>
                <th scope="col">Status</th>
                <th scope="col">When</th>
                <th scope="col">Counts</th>
                <th scope="col">Open</th>
              </tr>
            </thead>
            <tbody>
              {flows.map((f) => {
                const r = f.lastRun;
                return (
                  <tr key={f.name}>
                    <td>
                      <Link to={`/flows/${enc(f.name)}`}>{f.name}</Link>
                      {f.enabled ? null : <span className="muted"> (disabled)</span>}
                    </td>
                    <td>
                      {f.source} → {f.target}
                    </td>
                    <td>{r ? <Badge status={r.status} /> : <span className="muted">never run</span>}</td>
                    <td>{r ? <Time iso={r.finishedAt ?? r.startedAt} relative /> : '—'}</td>
                    <td className="counts">
                      {r ? (
                        <>
                          read {r.counts.read} · created {r.counts.created} · updated {r.counts.updated} ·
                          unchanged {r.counts.unchanged} · skipped {r.counts.skipped} · failed{' '}
                          <span className={r.counts.failed ? 'bad' : ''}>{r.counts.failed}</span> · waiting{' '}
                          {r.counts.waiting}
                        </>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td className="links">
                      <Link to={`/batch/${enc(f.name)}`} aria-label={`Batch screen of ${f.name}`}>
                        Batch
                      </Link>{' '}
                      <Link to={`/log?flow=${enc(f.name)}`} aria-label={`Log of ${f.name}`}>
                        Log
                      </Link>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>
    </section>
  );
}

/**
 * What the open failures are: the newest few with their reasons (the demo's are sample records seeded
 * with problems to fix), each a link to its record, and what a person does about them.
 */
function OpenFailures({ stats }: { stats: Stats }) {
  const shown = stats.failures ?? [];
  return (
    <section aria-labelledby="failures-title" className="panel">
      <div className="panel-head">
        <h2 id="failures-title">
          {stats.openFailures === 1
            ? 'One record failed and waits for a person'
            : `${formatCount(stats.openFailures)} records failed and wait for a person`}
        </h2>
        <Link to="/records?state=failed,aborted">See all on the records screen</Link>
      </div>
      <p className="muted">
        Each says why. Fix the data in the source system, then retry it from its record or the{' '}
        <Link to="/log?status=failed,aborted">connector log</Link>; or skip it.
      </p>
      <table className="grid compact" aria-label="Open failures">
        <thead>
          <tr>
            <th scope="col">Record</th>
            <th scope="col">Flow</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((f) => (
            <tr key={f.id}>
              <td>
                <Link
                  to={`/records?flow=${enc(f.flow)}&state=failed,aborted&search=${enc(f.sourceId)}`}
                  aria-label={`Record ${f.sourceId} of ${f.flow}`}
                >
                  <code>{f.sourceId}</code>
                </Link>
              </td>
              <td className="flow-name">{f.flow}</td>
              <td className="reason">{f.reason ?? <span className="muted">no reason recorded</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {stats.openFailures > shown.length ? (
        <p className="muted">
          and {formatCount(stats.openFailures - shown.length)} more —{' '}
          <Link to="/records?state=failed,aborted">see all</Link>
        </p>
      ) : null}
    </section>
  );
}
