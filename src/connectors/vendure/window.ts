import type { ReadQuery } from '../sdk/contract.js';

/**
 * The time window of an incremental read. On SQLite, Vendure stores most timestamps to the second
 * ("2026-01-05 10:00:00") and compares them as text with the filter's value, which carries
 * milliseconds ("2026-01-05 10:00:00.000"): a record stamped exactly at `since` would sort before
 * it and be missed. So the server is asked for one second more on each side, and the rows outside
 * the exact window are dropped here by the time Vendure reports. (A change made after `since`
 * within the same second is stamped with the start of that second, before `since`: the engine's
 * overlap window, which re-reads minutes behind its cursor, is what picks it up.)
 */
const SLACK_MS = 1000;
const EARLIEST = '1970-01-01T00:00:00.000Z';
const LATEST = '9999-12-31T23:59:59.999Z';

export const hasWindow = (q: ReadQuery): boolean => q.since !== undefined || q.until !== undefined;

/** The DateOperators of the widened window. */
export function dateRange(q: ReadQuery): { between: { start: string; end: string } } {
  const start = q.since ? new Date(Date.parse(q.since) - SLACK_MS).toISOString() : EARLIEST;
  const end = q.until ? new Date(Date.parse(q.until) + SLACK_MS).toISOString() : LATEST;
  return { between: { start, end } };
}

/** Whether a record's time lies in the exact window (inclusive at both ends). */
export function inWindow(q: ReadQuery, stamp: string): boolean {
  const t = Date.parse(stamp);
  if (q.since && t < Date.parse(q.since)) return false;
  if (q.until && t > Date.parse(q.until)) return false;
  return true;
}

/** The later of two timestamps (either may be missing). */
export function latest(a: string | null | undefined, b: string | null | undefined): string {
  if (!a) return b ?? EARLIEST;
  if (!b) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

/** A Vendure timestamp as canonical ISO-8601 UTC. */
export function isoFrom(value: string | null | undefined): string {
  if (!value) return EARLIEST;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new RangeError(`not a Vendure timestamp: ${value}`);
  return new Date(t).toISOString();
}
