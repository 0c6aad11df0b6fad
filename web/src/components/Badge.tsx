import { humanize } from '../format';

/** Status words the API uses, grouped into the five colours an operator learns once. */
const TONE: Record<string, 'success' | 'failed' | 'skipped' | 'waiting' | 'aborted' | 'neutral'> = {
  success: 'success',
  succeeded: 'success',
  processed: 'success',
  created: 'success',
  updated: 'success',
  ok: 'success',
  yes: 'success',
  create: 'success',
  update: 'success',
  failed: 'failed',
  fail: 'failed',
  rejected: 'failed',
  completed_with_failures: 'failed',
  no: 'failed',
  skipped: 'skipped',
  skip: 'skipped',
  ignored: 'skipped',
  filtered: 'skipped',
  unchanged: 'skipped',
  deleted: 'skipped',
  waiting: 'waiting',
  wait: 'waiting',
  queued: 'waiting',
  running: 'waiting',
  received: 'waiting',
  prepared: 'waiting',
  aborted: 'aborted',
  cancelled: 'aborted',
  // Its process died; the work was taken up again as a new run.
  interrupted: 'aborted',
};

export function Badge({ status, label }: { status: string | null | undefined; label?: string }) {
  const s = status ?? 'none';
  return <span className={`badge badge-${TONE[s] ?? 'neutral'}`}>{label ?? humanize(s)}</span>;
}
