import { type ReactNode, useEffect, useState } from 'react';
import { api, type Counts, type RunEvent, runEventOf } from '../api';
import { formatCount } from '../format';
import { Badge } from './Badge';
import { Time } from './Time';

const enc = encodeURIComponent;
const ACTIVE = new Set(['queued', 'running']);

/** Which run a progress bar follows: the one a request queued (this person's), or a given run. */
export interface FollowRun {
  request?: string;
  run?: number;
}

/**
 * A run of a flow, live: the flow's server-sent events for the run `follow` names — the run this
 * person started, so a reload shows the same run and not whichever webhook or schedule run came last.
 * Without `follow`, nothing is followed (null). Where the stream is not available it asks /api/runs.
 */
export function useRunEvents(
  flow: string,
  follow?: FollowRun | null,
): { run: RunEvent | null; live: boolean } {
  const [run, setRun] = useState<RunEvent | null>(null);
  const [live, setLive] = useState(false);
  const request = follow?.request;
  const runId = follow?.run;
  useEffect(() => {
    setRun(null);
    if (!request && runId === undefined) return;
    let poll: ReturnType<typeof setInterval> | undefined;
    let closed = false;
    const ask = () =>
      api.runs({ flow, limit: 50 }).then(
        (r) => {
          const mine = r.runs.find((x) => (runId !== undefined ? x.id === runId : x.request === request));
          if (!closed && mine) setRun(runEventOf(mine));
        },
        () => {},
      );
    const query = runId !== undefined ? `run=${runId}` : `request=${enc(request!)}`;
    const es = new EventSource(`/api/flows/${enc(flow)}/events?${query}`, { withCredentials: true });
    const onRun = (e: MessageEvent<string>) => {
      setLive(true);
      try {
        const data = JSON.parse(e.data) as RunEvent | null;
        setRun(data && typeof data === 'object' && 'status' in data ? data : null);
      } catch {
        /* a malformed event: keep what we have */
      }
    };
    es.addEventListener('run', onRun);
    es.onopen = () => setLive(true);
    es.onerror = () => {
      setLive(false);
      // CLOSED: the server refused the stream (older server, or no session): fall back to asking.
      if (es.readyState === EventSource.CLOSED && !poll) {
        void ask();
        poll = setInterval(ask, 3000);
      }
    };
    return () => {
      closed = true;
      es.close();
      if (poll) clearInterval(poll);
    };
  }, [flow, request, runId]);
  return { run, live };
}

const NONE: Counts = { read: 0, created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0, waiting: 0 };

export const doneOf = (c: Counts | null): number =>
  c ? c.created + c.updated + c.unchanged + c.skipped + c.failed + c.waiting : 0;

const PARTS: [keyof Counts, string][] = [
  ['created', 'created'],
  ['updated', 'updated'],
  ['unchanged', 'unchanged'],
  ['skipped', 'skipped'],
  ['failed', 'failed'],
  ['waiting', 'waiting'],
];

/** A run's progress bar with its counts: role=progressbar, aria-valuenow of aria-valuemax, "n of m". */
export function RunProgress({
  run,
  live,
  empty = 'No run of this flow yet.',
}: {
  run: RunEvent | null;
  live?: boolean;
  /** What to say when there is no run to show. */
  empty?: ReactNode;
}) {
  if (!run) {
    return (
      <section className="run-progress" aria-label="Progress">
        <p className="muted">{empty}</p>
      </section>
    );
  }
  const counts = run.counts ?? NONE;
  const done = doneOf(counts);
  const max = Math.max(run.total ?? counts.read, done);
  const name = run.id ? `Run #${run.id}` : 'Next run';
  const pct = max ? Math.min(100, Math.round((done / max) * 100)) : ACTIVE.has(run.status) ? 0 : 100;
  const active = ACTIVE.has(run.status);
  return (
    <section className="run-progress" aria-label="Progress">
      <div className="run-head">
        <strong>{name}</strong> <Badge status={run.status} />
        <span className="muted">
          {run.trigger ? `${run.trigger} · ` : ''}
          {run.startedBy ? `by ${run.startedBy} · ` : ''}
          {run.startedAt ? (
            <>
              started <Time iso={run.startedAt} />
            </>
          ) : (
            'waiting to start'
          )}
          {run.finishedAt ? (
            <>
              {' '}
              · finished <Time iso={run.finishedAt} />
            </>
          ) : null}
        </span>
        {live === false && active ? <span className="muted"> (checking every few seconds)</span> : null}
      </div>
      <div
        className={`bar${active ? ' bar-active' : ''}${counts.failed ? ' bar-failures' : ''}`}
        role="progressbar"
        aria-label={`${name} progress`}
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={done}
        aria-valuetext={`${done} of ${max}`}
      >
        <div className="bar-fill" style={{ width: `${pct}%` }} />
      </div>
      <p className="run-counts">
        <strong>
          {formatCount(done)} of {formatCount(max)}
        </strong>
        {PARTS.map(([k, label]) => (
          <span key={k} className={`count count-${k}`}>
            {label} {formatCount(counts[k])}
          </span>
        ))}
      </p>
      {run.message ? <p className="muted">{run.message}</p> : null}
    </section>
  );
}
