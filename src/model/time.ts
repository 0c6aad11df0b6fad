import { z } from 'zod';

/** ISO-8601 date-time that always carries its zone ("Z" or "+02:00"). */
export const IsoDateTime = z.iso.datetime({
  offset: true,
  message: 'expected an ISO-8601 date-time with a zone',
});
export type IsoDateTime = z.infer<typeof IsoDateTime>;

/** A calendar date with no time (invoice date, ship date), as the source system states it. */
export const IsoDate = z.iso.date();

/** Normalises any zone-carrying timestamp into UTC with millisecond precision (sortable as text). */
export function toUtcIso(value: string | Date): string {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) throw new RangeError(`not a date-time: ${String(value)}`);
  return d.toISOString();
}

export function nowIso(): string {
  return new Date().toISOString();
}
