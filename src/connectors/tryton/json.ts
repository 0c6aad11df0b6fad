import { Decimal } from 'decimal.js';

/**
 * Tryton's JSON-RPC carries the Python types JSON lacks as tagged objects:
 * `{"__class__": "Decimal", "decimal": "12.50"}`, `{"__class__": "date", "year", "month", "day"}`,
 * datetimes and times with their parts down to the microsecond, timedeltas in seconds and bytes in
 * base64. Amounts must never pass through a JS number, so a Decimal decodes to its decimal string
 * and is encoded from one. Dates and times stay strings for the same reason: a datetime carries
 * microseconds a JS Date would drop.
 */

export interface WireDecimal {
  __class__: 'Decimal';
  decimal: string;
}
export interface WireDate {
  __class__: 'date';
  year: number;
  month: number;
  day: number;
}
export interface WireDateTime {
  __class__: 'datetime';
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  microsecond: number;
}
export interface WireTime {
  __class__: 'time';
  hour: number;
  minute: number;
  second: number;
  microsecond: number;
}
export interface WireTimeDelta {
  __class__: 'timedelta';
  seconds: number;
}
export interface WireBytes {
  __class__: 'bytes';
  base64: string;
}

const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** A decimal string (or a Decimal) as Tryton's Decimal; refuses what is not a finite number. */
export function encodeDecimal(value: string | Decimal): WireDecimal {
  const d = new Decimal(value);
  if (!d.isFinite()) throw new RangeError(`not a finite decimal: ${String(value)}`);
  // Sent as written when it is a plain decimal, so "12.50" keeps its scale on Tryton's side.
  const text = typeof value === 'string' && PLAIN_DECIMAL.test(value) ? value : d.toFixed();
  return { __class__: 'Decimal', decimal: text };
}

/** "2026-03-01" as Tryton's date. */
export function encodeDate(iso: string): WireDate {
  const m = ISO_DATE.exec(iso);
  if (!m) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${iso}`);
  return { __class__: 'date', year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

/**
 * An ISO date-time with its zone as Tryton's naive datetime in UTC: Tryton stamps records
 * (create_date, write_date) with the database's CURRENT_TIMESTAMP in UTC and compares them naively.
 * Fractions beyond the microsecond are cut, never rounded up (a `since` must not move later).
 */
export function encodeDateTime(iso: string): WireDateTime {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms) || !/(Z|[+-]\d{2}:?\d{2})$/i.test(iso))
    throw new RangeError(`not a date-time with a zone: ${iso}`);
  const d = new Date(ms);
  const fraction = /\.(\d+)(?=Z|[+-]\d{2}:?\d{2}$)/i.exec(iso)?.[1] ?? '';
  return {
    __class__: 'datetime',
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    microsecond: Number(fraction.slice(0, 6).padEnd(6, '0')),
  };
}

/** "13:45:00" or "13:45:00.250000" as Tryton's time. */
export function encodeTime(value: string): WireTime {
  const m = TIME.exec(value);
  if (!m) throw new RangeError(`not a time (HH:MM:SS[.ffffff]): ${value}`);
  return {
    __class__: 'time',
    hour: Number(m[1]),
    minute: Number(m[2]),
    second: Number(m[3]),
    microsecond: Number((m[4] ?? '').padEnd(6, '0')),
  };
}

export const encodeTimeDelta = (seconds: number): WireTimeDelta => ({ __class__: 'timedelta', seconds });

export const encodeBytes = (data: Uint8Array): WireBytes => ({
  __class__: 'bytes',
  base64: Buffer.from(data).toString('base64'),
});

function decodeTagged(o: Record<string, unknown>): unknown {
  switch (o.__class__) {
    case 'Decimal': {
      const text = String(o.decimal);
      // Python writes some Decimals in exponent form ("1E+2", "0E-10"); the model wants plain digits.
      return PLAIN_DECIMAL.test(text) ? text : new Decimal(text).toFixed();
    }
    case 'date':
      return `${pad(Number(o.year), 4)}-${pad(Number(o.month))}-${pad(Number(o.day))}`;
    case 'datetime':
      return `${pad(Number(o.year), 4)}-${pad(Number(o.month))}-${pad(Number(o.day))}T${pad(Number(o.hour))}:${pad(Number(o.minute))}:${pad(Number(o.second))}.${pad(Number(o.microsecond ?? 0), 6)}Z`;
    case 'time':
      return `${pad(Number(o.hour))}:${pad(Number(o.minute))}:${pad(Number(o.second))}.${pad(Number(o.microsecond ?? 0), 6)}`;
    case 'timedelta':
      return Number(o.seconds);
    case 'bytes':
      return Buffer.from(String(o.base64), 'base64');
    default:
      return undefined;
  }
}

/**
 * A Tryton answer with every tagged value turned into its JS form: Decimal → decimal string,
 * date → "YYYY-MM-DD", datetime → "YYYY-MM-DDTHH:MM:SS.ffffffZ" (Tryton's naive UTC, made explicit),
 * time → "HH:MM:SS.ffffff", timedelta → seconds, bytes → Buffer.
 */
export function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  if (typeof o.__class__ === 'string') {
    const tagged = decodeTagged(o);
    if (tagged !== undefined) return tagged;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = decode(v);
  return out;
}
