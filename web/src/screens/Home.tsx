import { lazy, Suspense, useState } from 'react';
import { api } from '../api';
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
        <Link className="tile" to="/records?state=failed,aborted">
          <span className="tile-label">Open failures</span>
          <strong className={stats.data?.openFailures ? 'tile-bad' : ''}>
            {stats.data ? formatCount(stats.data.openFailures) : '…'}
          </strong>
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
