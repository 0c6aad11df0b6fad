/**
 * Accurate writes dates as `dd/MM/yyyy` and times as `dd/MM/yyyy HH:mm:ss` (spec examples for
 * transDate and filter.lastUpdate.val). The zone is not stated; we read and write them in
 * Asia/Jakarta (WIB, UTC+7, no daylight saving), the zone of Accurate's screens (FACTS.md ⚠).
 */
const WIB_OFFSET_MS = 7 * 60 * 60 * 1000;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** An instant as Accurate's `dd/MM/yyyy HH:mm:ss` in WIB, to the second (rounded down). */
export function toAccurateDateTime(instant: string | Date): string {
  const t = (instant instanceof Date ? instant.getTime() : Date.parse(instant)) + WIB_OFFSET_MS;
  if (Number.isNaN(t)) throw new RangeError(`not a date-time: ${String(instant)}`);
  const d = new Date(t);
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** A calendar date (ISO yyyy-mm-dd) as `dd/MM/yyyy`. */
export function toAccurateDate(isoDate: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(isoDate);
  if (!m) throw new RangeError(`not a date: ${isoDate}`);
  return `${m[3]}/${m[2]}/${m[1]}`;
}

/** `dd/MM/yyyy` (a time after it is ignored) as ISO yyyy-mm-dd. */
export function fromAccurateDate(v: string): string {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})/.exec(v.trim());
  if (!m) throw new RangeError(`"${v}" is not an Accurate date (dd/MM/yyyy)`);
  return `${m[3]}-${m[2]}-${m[1]}`;
}

/** `dd/MM/yyyy HH:mm:ss` in WIB as an ISO instant with its +07:00 zone. */
export function fromAccurateDateTime(v: string): string {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(v.trim());
  if (!m) throw new RangeError(`"${v}" is not an Accurate time (dd/MM/yyyy HH:mm:ss)`);
  return `${m[3]}-${m[2]}-${m[1]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}+07:00`;
}

/** An instant's calendar date in WIB (a sale at 23:30 UTC is the next day in Jakarta). */
export function wibDate(instant: string): string {
  return fromAccurateDate(toAccurateDateTime(instant));
}
