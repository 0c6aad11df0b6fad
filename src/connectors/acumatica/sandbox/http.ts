import type { FastifyReply } from 'fastify';
import type { RawEntity } from '../types.js';
import { type FilterNode, FilterSyntaxError, matches, parseFilter } from './filter.js';
import { type Problem, withErrors } from './problems.js';
import { linkedPaths, shape } from './shape.js';

/** HttpError as Acumatica writes it; Default/23.200.001 documents the exception fields as plain strings, so absent ones are omitted. */
export const httpError = (message: string, exceptionMessage?: string) =>
  exceptionMessage ? { message, exceptionMessage, exceptionType: 'PX.Data.PXException' } : { message };

export type EntityQuery = {
  $filter?: string;
  $top?: string;
  $skip?: string;
  $expand?: string;
  $select?: string;
  $custom?: string;
};

export interface ParsedQuery {
  filter?: FilterNode;
  expand: Set<string>;
  select?: Set<string>;
  /** $custom: the custom fields asked for, as `View.Field`. */
  custom?: Set<string>;
}

const names = (s: string | undefined): string[] =>
  (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** $filter, $expand and $select of a request; throws FilterSyntaxError for a filter it cannot read. */
export function parseQuery(q: EntityQuery): ParsedQuery {
  const out: ParsedQuery = { expand: new Set(names(q.$expand)) };
  if (q.$filter) out.filter = parseFilter(q.$filter);
  if (q.$select) out.select = new Set(names(q.$select));
  if (q.$custom) out.custom = new Set(names(q.$custom));
  return out;
}

/** Answers a list request: filtered, paged by $skip/$top, shaped by $expand/$select; 400 for a bad filter. */
export function listAnswer(
  reply: FastifyReply,
  rows: readonly RawEntity[],
  resource: string,
  version: string,
  q: EntityQuery,
): RawEntity[] | FastifyReply {
  let p: ParsedQuery;
  try {
    p = parseQuery(q);
  } catch (e) {
    if (e instanceof FilterSyntaxError)
      return reply.code(400).send(httpError(`The $filter parameter is invalid: ${e.message}`));
    throw e;
  }
  const found = rows.filter((r) => !p.filter || matches(p.filter, r));
  const skip = Number(q.$skip ?? 0);
  const top = q.$top !== undefined ? Number(q.$top) : found.length;
  return found
    .slice(skip, skip + top)
    .map((r, i) => shape(r, resource, version, p.expand, p.select, skip + i + 1, p.custom));
}

/** The 422 of a refused save: the record as it would have been, every part shown, errors on the fields. */
export function refusal(
  reply: FastifyReply,
  resource: string,
  version: string,
  record: RawEntity,
  problems: readonly Problem[],
): FastifyReply {
  const shaped = shape(record, resource, version, new Set(linkedPaths(record)));
  return reply.code(422).send(withErrors(shaped, problems));
}
