import { IDS_FILE_LIMITS } from '../../engine/ids-file-limits.js';

/** JSON schemas shared by routes (they also document the API in OpenAPI). */
export const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        /** A configuration change that does not validate: every problem, each with its place in the file. */
        problems: { type: 'array', items: { type: 'string' } },
      },
      required: ['code', 'message'],
    },
  },
} as const;

export const countsSchema = {
  type: 'object',
  properties: Object.fromEntries(
    ['read', 'created', 'updated', 'unchanged', 'skipped', 'failed', 'waiting'].map((k) => [
      k,
      { type: 'integer' },
    ]),
  ),
} as const;

/**
 * The id of a stored row (a run, a log entry, a delivery): a positive integer the stores can hold
 * (PostgreSQL's integer), so a made-up one is a 400 or a 404, never a database error.
 */
export const rowId = { type: 'integer', minimum: 1, maximum: 2_147_483_647 } as const;

/** Every list is paged: at most 1,000 rows a page, from an offset a store can use. */
export const paging = {
  limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  offset: { type: 'integer', minimum: 0, maximum: 1_000_000_000, default: 0 },
} as const;

/**
 * An id or filter value as long as an ID file allows (256 characters): each goes into the source's
 * URL, and a longer one (the fuzz suite's 20,000 characters) made the source refuse the request,
 * answered 502 as though the source had failed.
 */
const idText = { type: 'string', maxLength: IDS_FILE_LIMITS.maxIdLength } as const;

export const readQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    since: { type: 'string', description: 'YYYY-MM-DD or ISO date-time with zone' },
    until: { type: 'string' },
    ids: { type: 'array', items: idText, maxItems: 100000 },
    filters: {
      type: 'object',
      description:
        "the source's batch filters by name: the values picked in a pick list, an ID list, or the one text a text filter compares the start of its field with (e.g. { status: ['Open'], customer: ['C000001'], search: ['AB'] }); the list named ids is the records' own ids",
      additionalProperties: { type: 'array', items: idText, maxItems: 100000 },
    },
    incremental: { type: 'boolean' },
  },
} as const;

/**
 * A sync record as the API shows it: the link between the two ids, its state, and a person's sticky
 * skip (migration 014: who, why, when; the source record's hash then stays inside). The other columns
 * (attempts, errors, times, the record's data) pass through as stored.
 */
export const syncRecordSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    id: { type: 'integer' },
    flow: { type: 'string' },
    source_id: { type: 'string' },
    target_id: { type: ['string', 'null'] },
    state: { type: 'string' },
    reason: { type: ['string', 'null'] },
    skipped_by: {
      type: ['string', 'null'],
      description:
        'who skipped the record by hand: it stays skipped while the source sends it unchanged (POST /api/records/{id}/unskip takes it back); null when no person skipped it',
    },
    skip_reason: { type: ['string', 'null'], description: 'why, as that person wrote it (optional)' },
    skipped_at: { type: ['string', 'null'], description: 'when it was skipped' },
  },
} as const;

/** What a person's action on one record answers: the record as it is now. */
export const recordAnswerSchema = {
  type: 'object',
  properties: { record: syncRecordSchema },
} as const;
