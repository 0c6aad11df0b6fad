import { api, type LogEntry, type RunEvent } from '../api';
import { useData } from '../hooks';
import { Badge } from './Badge';

const ACTIVE = new Set(['queued', 'running']);

/** "created", "updated", "unchanged" for a success; otherwise the log's status (failed, waiting…). */
const resultOf = (e: LogEntry): string =>
  e.status !== 'success'
    ? e.status
    : e.action === 'create'
      ? 'created'
      : e.action === 'update'
        ? 'updated'
        : 'unchanged';

/**
 * What a finished run did to each of its records, from the connector log (the newest entry per
 * record): created, updated, unchanged, failed with its reason. Nothing while the run is going.
 */
export function RunOutcomes({ flow, run, word }: { flow: string; run: RunEvent | null; word: string }) {
  const ended = run?.id && !ACTIVE.has(run.status) ? run.id : null;
  const log = useData(
    () =>
      ended
        ? api.log({ run: ended, flow, limit: 1000 })
        : Promise.resolve({ total: 0, entries: [] as LogEntry[] }),
    [ended, flow],
  );
  if (!ended) return null;
  const seen = new Set<string>();
  const entries = (log.data?.entries ?? []).filter((e) => {
    if (seen.has(e.source_id)) return false;
    seen.add(e.source_id);
    return true;
  });
  return (
    <section className="panel" aria-label={`Outcome of run #${ended}`}>
      <h2>
        Outcome of run #{ended}{' '}
        <span className="muted">
          · {entries.length} {word}
        </span>
      </h2>
      {log.error ? <p className="error">{log.error}</p> : null}
      <div className="table-wrap">
        <table className="grid" aria-label="Outcome of each record">
          <thead>
            <tr>
              <th scope="col">Record</th>
              <th scope="col">Result</th>
              <th scope="col">In the target</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td>
                  <code>{e.source_id}</code>
                </td>
                <td>
                  <Badge status={resultOf(e)} />
                </td>
                <td>{e.target_number ?? e.target_id ?? <span className="muted">—</span>}</td>
                <td>{e.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
