import { backoffMs, callForLog, forLog } from '../connectors/sdk/http.js';
import type { LogEntryWrite, Store, SyncRecordWrite } from '../store/index.js';
import type { Flow } from './flow.js';
import type { RecordOutcome } from './outcome.js';
import type { WorkItem } from './pipeline.js';

const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));

/** When the automatic retry of a transient failure happens, or undefined when it waits for a person. */
export function nextAttempt(
  flow: Flow,
  attempts: number,
  now: number,
  retryAfterMs?: number,
): string | undefined {
  if (attempts >= flow.maxAttempts) return undefined;
  const wait = Math.max(retryAfterMs ?? 0, backoffMs(attempts - 1, flow.retryBaseMs, flow.retryCapMs));
  return new Date(now + wait).toISOString();
}

/**
 * Turns outcomes into link-table rows and connector-log entries and stores both. Unchanged records
 * cost nothing here either: their row is left alone unless it needs to leave a failed state.
 */
export async function persistOutcomes(
  store: Store,
  flow: Flow,
  work: readonly WorkItem[],
  outcomes: RecordOutcome[],
  runId: number | undefined,
): Promise<void> {
  const now = Date.now();
  const nowIso = new Date(now).toISOString();
  const rows: SyncRecordWrite[] = [];
  const logs: LogEntryWrite[] = [];
  work.forEach((w, i) => {
    const o = outcomes[i]!;
    const prev = w.prev;
    const base: SyncRecordWrite = {
      flow: flow.name,
      source_id: w.sourceId,
      target_id: o.targetId ?? prev?.target_id ?? null,
      target_number:
        o.targetNumber ??
        (o.targetId && o.targetId !== prev?.target_id ? null : (prev?.target_number ?? null)),
      natural_key: w.naturalKey ?? prev?.natural_key ?? null,
      state: 'processed',
      last_hash: prev?.last_hash ?? null,
      source_updated_at: w.updatedAt,
      attempts: 0,
      error_code: null,
      error_category: null,
      error_message: null,
      reason: null,
      waiting_on: null,
      edited: 0,
      next_attempt_at: null,
      last_attempt_at: prev?.last_attempt_at ?? null,
      last_synced_at: prev?.last_synced_at ?? null,
      data: null,
    };
    let logStatus: LogEntryWrite['status'] | undefined;
    switch (o.status) {
      case 'unchanged':
        // A target that found an update already done settles its hashes; other unchanged records cost nothing.
        if (prev?.state === 'processed' && prev.target_id === (o.targetId ?? null) && !w.settledHash) return;
        rows.push({
          ...base,
          last_hash: w.settledHash ?? w.ownedHash ?? base.last_hash,
          last_synced_at: nowIso,
        });
        return;
      case 'created':
      case 'updated':
        rows.push({
          ...base,
          last_hash: w.ownedHash ?? null,
          last_attempt_at: nowIso,
          last_synced_at: nowIso,
        });
        logStatus = 'success';
        break;
      case 'skipped':
        rows.push({
          ...base,
          state: 'skipped',
          reason: o.reason ?? null,
          data: json(w.data),
          // A target that skipped a change may have settled some owned fields all the same.
          last_hash: w.settledHash ?? base.last_hash,
        });
        if (prev?.state !== 'skipped' || prev.reason !== o.reason) logStatus = 'skipped';
        break;
      case 'waiting': {
        const plan = w.plan.kind === 'wait' ? w.plan : undefined;
        rows.push({
          ...base,
          state: 'waiting',
          reason: o.reason ?? null,
          waiting_on: plan?.waitingOn ?? null,
          data: json(w.data),
          edited: prev?.edited ?? 0,
        });
        if (prev?.state !== 'waiting' || prev.reason !== o.reason) logStatus = 'waiting';
        break;
      }
      case 'failed':
      case 'aborted': {
        const err = { ...o.error! };
        o.error = err;
        const data = prev?.edited ? prev.data : json(w.data);
        const row: SyncRecordWrite = {
          ...base,
          state: 'failed',
          error_code: err.code,
          error_category: err.category,
          error_message: err.message,
          last_attempt_at: nowIso,
          data,
          edited: prev?.edited ?? 0,
        };
        if (err.category === 'rate_limited') {
          // Throttling is not the record's fault: it waits for the window the target named.
          row.state = 'waiting';
          row.reason = `${err.message}; waiting for the rate limit`;
          row.attempts = prev?.attempts ?? 0;
          row.next_attempt_at = new Date(now + (err.retryAfterMs ?? flow.retryBaseMs)).toISOString();
          o.status = 'waiting';
          o.retryAt = row.next_attempt_at;
          rows.push(row);
          logStatus = 'waiting';
          break;
        }
        if (o.action === 'update' && err.code === 'not_found') {
          // The linked target record was deleted there: forget the link so the retry matches or re-creates it.
          row.target_id = null;
          row.last_hash = null;
          row.error_category = 'transient';
          err.category = 'transient';
        }
        row.attempts = (prev?.state === 'failed' ? prev.attempts : 0) + 1;
        const retryable = err.category === 'transient';
        const at = retryable ? nextAttempt(flow, row.attempts, now, err.retryAfterMs) : undefined;
        if (retryable && !at) {
          row.state = 'aborted';
          o.status = 'aborted';
          o.reason = `${err.message} (gave up after ${row.attempts} attempts; retry it when the cause is fixed)`;
          row.error_message = o.reason;
        }
        row.next_attempt_at = at ?? null;
        if (at) o.retryAt = at;
        rows.push(row);
        logStatus = o.status === 'aborted' ? 'aborted' : 'failed';
        break;
      }
    }
    if (logStatus) {
      // The call that carried the record is the first that changed something; every call is kept.
      const calls = o.exchanges ?? [];
      const main = calls.find((x) => x.method !== 'GET') ?? calls.at(-1);
      const logged = main ? forLog(main) : undefined;
      logs.push({
        run_id: runId ?? null,
        flow: flow.name,
        entity: flow.entity,
        source_id: w.sourceId,
        target_id: o.targetId ?? prev?.target_id ?? null,
        source_number: w.label !== w.sourceId ? w.label : null,
        target_number: o.targetNumber ?? prev?.target_number ?? null,
        related: w.related?.length ? ` ${[...new Set(w.related)].join(' ')} ` : null,
        action: o.action,
        status: logStatus,
        reason: o.reason ?? null,
        error_code: o.error?.code ?? null,
        error_category: o.error?.category ?? null,
        request: logged?.request ?? null,
        response: logged?.response ?? null,
        calls: calls.length > 1 ? JSON.stringify(calls.map(callForLog)) : null,
        duration_ms: o.durationMs ?? 0,
        attempt: (prev?.attempts ?? 0) + 1,
        created_at: nowIso,
      });
    }
  });
  // A person's skip: adopted by the copy it first meets, forgotten once the source record changed.
  const clear = work.filter((w) => w.manualSkip?.kind === 'clear').map((w) => w.sourceId);
  const adopt = work.flatMap((w) =>
    w.manualSkip?.kind === 'adopt' ? [{ sourceId: w.sourceId, hash: w.manualSkip.hash }] : [],
  );
  // The rows and the log lines together: one statement on PostgreSQL (both or neither), side by side
  // on SQLite (see storeWithLog). A failure fails the page, whose retry finds what it wrote on the
  // target by its natural key.
  await store.records.storeWithLog(rows, logs, store.log, nowIso);
  if (clear.length || adopt.length) await store.records.skipMarks(flow.name, { clear, adopt });
}
