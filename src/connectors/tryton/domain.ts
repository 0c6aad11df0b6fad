import { configError } from '../sdk/errors.js';
import { encodeDateTime } from './json.js';

/**
 * Tryton domains: a list of clauses that must all hold, a clause being [field, operator, value] or a
 * nested list (['OR', clause, clause…] for any of them). A dotted field ("addresses.write_date")
 * reaches related records; on an x2Many it holds when any related record matches.
 */
export type Clause = readonly unknown[];
export type Domain = readonly Clause[];

/** A record's change stamp: write_date, or create_date for a record never written since. */
function stampAtLeast(path: string, at: unknown): Clause {
  return [
    'OR',
    [`${path}write_date`, '>=', at],
    [
      [`${path}write_date`, '=', null],
      [`${path}create_date`, '>=', at],
    ],
  ];
}

/**
 * Records changed in the window. `since` is inclusive and holds when the record or any related record
 * the paths name ("addresses." for a party's addresses) changed at or after it, as the record's
 * updatedAt is the latest of those stamps. `until` bounds the record's own stamp (a domain cannot
 * say "every address"); the connector drops what a related record moved past it. Tryton keeps
 * microseconds and updatedAt milliseconds, so `until` reaches to the end of its millisecond.
 */
export function windowDomain(relatedPaths: readonly string[], since?: string, until?: string): Domain {
  const out: Clause[] = [];
  if (since) {
    const at = encodeDateTime(since);
    out.push(['OR', ...['', ...relatedPaths].map((p) => stampAtLeast(p, at))]);
  }
  if (until) {
    const end = encodeDateTime(new Date(Date.parse(until) + 1).toISOString());
    out.push([
      'OR',
      ['write_date', '<', end],
      [
        ['write_date', '=', null],
        ['create_date', '<', end],
      ],
    ]);
  }
  return out;
}

/** Record ids as Tryton has them; a source id that is no id (a typo, another system's number) matches nothing. */
export function recordIds(ids: readonly string[]): number[] {
  return [...new Set(ids.filter((i) => /^\d{1,15}$/.test(i.trim())).map((i) => Number(i.trim())))];
}

export const idsDomain = (ids: readonly string[]): Domain => [['id', 'in', recordIds(ids)]];

/** The manifest's value filters as clauses on the fields they name. */
export function filtersDomain(
  fields: Readonly<Record<string, string>>,
  filters: Readonly<Record<string, readonly string[]>> | undefined,
  what: string,
): Domain {
  const out: Clause[] = [];
  for (const [name, values] of Object.entries(filters ?? {})) {
    const field = fields[name];
    if (!field)
      throw configError(
        `Tryton has no "${name}" filter for ${what}; it has: ${Object.keys(fields).join(', ') || 'none'}`,
      );
    if (values.length) out.push([field, 'in', [...values]]);
  }
  return out;
}
