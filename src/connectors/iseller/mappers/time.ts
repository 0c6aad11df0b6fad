/**
 * iSeller writes dates without a zone (`yyyy-MM-dd HH:mm:ss` or ISO without offset), in the zone the
 * call's `time_zone` names (hours; PA v2). These turn them into ISO 8601 with that offset, to the
 * second, and instants back into what iSeller's filters take.
 */
const pad = (n: number) => String(n).padStart(2, '0');

export function offsetOf(hours: number): string {
  const sign = hours < 0 ? '-' : '+';
  const abs = Math.abs(hours);
  return `${sign}${pad(Math.floor(abs))}:${pad(Math.round((abs % 1) * 60))}`;
}

/** `2025-03-14 09:15:12` (store time) → `2025-03-14T09:15:12+07:00`; a value with a zone is moved into it. */
export function fromLocal(value: string, hours: number): string {
  const v = value.trim();
  if (/(Z|[+-]\d\d:?\d\d)$/i.test(v)) return toOffset(new Date(v), hours);
  const m = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d(?::\d\d)?)/.exec(v);
  if (!m) throw new RangeError(`"${value}" is not an iSeller date`);
  const time = m[2]!.length === 5 ? `${m[2]}:00` : m[2];
  return `${m[1]}T${time}${offsetOf(hours)}`;
}

/** An instant as ISO 8601 in the store's offset, to the second. */
export function toOffset(at: Date, hours: number): string {
  if (Number.isNaN(at.getTime())) throw new RangeError('not a date');
  const shifted = new Date(at.getTime() + hours * 3_600_000);
  return `${shifted.toISOString().slice(0, 19)}${offsetOf(hours)}`;
}

/** An instant as iSeller's filters take it: store time, `yyyy-MM-dd HH:mm:ss` (seconds floored). */
export function toLocal(iso: string, hours: number): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) throw new RangeError(`not a date-time: ${iso}`);
  return toOffset(t, hours).slice(0, 19).replace('T', ' ');
}

/** The calendar date of a store-time ISO value. */
export const dateOf = (iso: string): string => iso.slice(0, 10);

/** Far enough back for `created_after`, which GetOrders requires even when reading by modified date. */
export const EPOCH_LOCAL = '2000-01-01 00:00:00';
