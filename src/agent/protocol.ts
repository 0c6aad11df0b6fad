import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { entityNames } from '../model/index.js';

/**
 * The wire between `ledgerlink serve`/`worker` and a `ledgerlink agent` on the machine a local-only
 * system runs on (Sage 50: its ODBC driver and Sage Data Objects exist only there). JSON over HTTP
 * (HTTPS off loopback), a bearer token, one request per connector call. Reads are sessions of pages
 * that can be asked for again (a dropped answer is fetched anew, not lost); writes carry an
 * idempotency key (a retried write after a lost answer returns the first answer, never writes twice).
 */
export const AGENT_PROTOCOL = 1;
export const AGENT_BASE = '/agent/v1';

export const PATHS = {
  hello: `${AGENT_BASE}/hello`,
  check: `${AGENT_BASE}/check`,
  read: `${AGENT_BASE}/read`,
  list: `${AGENT_BASE}/list`,
  next: `${AGENT_BASE}/read/next`,
  close: `${AGENT_BASE}/read/close`,
  count: `${AGENT_BASE}/count`,
  changed: `${AGENT_BASE}/changed`,
  filterOptions: `${AGENT_BASE}/filter-options`,
  get: `${AGENT_BASE}/get`,
  lookup: `${AGENT_BASE}/lookup`,
  write: `${AGENT_BASE}/write`,
  knownCodes: `${AGENT_BASE}/known-codes`,
} as const;

/** The header a write's idempotency key travels in. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** A token shorter than this is refused at start: it must not be guessable by trying. */
export const MIN_TOKEN_LENGTH = 32;

/** The largest request body the agent takes (a page of orders to write, with their lines). */
export const AGENT_BODY_LIMIT = 16 * 1024 * 1024;

/** Ids or keys in one get / lookup call. */
export const MAX_KEYS = 5000;

const entity = z.enum(entityNames as [string, ...string[]]);
const id = z.string().min(1).max(512);

export const readQuery = z
  .object({
    since: z.string().max(64).optional(),
    until: z.string().max(64).optional(),
    ids: z.array(id).max(MAX_KEYS).optional(),
    filters: z.record(z.string().max(64), z.array(z.string().max(512)).max(MAX_KEYS)).optional(),
    pageSize: z.number().int().min(1).max(5000).optional(),
  })
  .strict();

export const bodies = {
  check: z.object({}).strict(),
  read: z.object({ entity, query: readQuery, skipPages: z.number().int().min(0).default(0) }).strict(),
  list: z
    .object({
      listing: z.string().min(1).max(64),
      query: readQuery,
      skipPages: z.number().int().min(0).default(0),
    })
    .strict(),
  next: z.object({ session: z.string().uuid(), seq: z.number().int().min(1) }).strict(),
  close: z.object({ session: z.string().uuid() }).strict(),
  count: z.object({ entity, query: readQuery }).strict(),
  changed: z
    .object({
      entity,
      token: z
        .string()
        .max(64 * 1024)
        .optional(),
    })
    .strict(),
  filterOptions: z.object({ entity, filter: z.string().min(1).max(64) }).strict(),
  get: z.object({ entity, ids: z.array(id).max(MAX_KEYS) }).strict(),
  lookup: z.object({ entity, keys: z.array(id).max(MAX_KEYS) }).strict(),
  write: z
    .object({
      entity,
      items: z
        .array(
          z
            .object({
              ref: id,
              action: z.enum(['create', 'update']),
              targetId: id.optional(),
              data: z.unknown(),
              fields: z.array(z.string().max(128)).max(500).optional(),
              existing: z.object({ id, snapshot: z.unknown().optional() }).strict().optional(),
              lastWritten: z.record(z.string().max(128), z.string().max(128)).optional(),
              refs: z.record(z.string(), z.record(z.string(), z.string())).optional(),
            })
            .strict(),
        )
        .max(MAX_KEYS),
    })
    .strict(),
  knownCodes: z.object({ field: z.string().min(1).max(128) }).strict(),
} as const;

/** What /hello answers: enough for the server to know it reached the agent it expects. */
export interface Hello {
  protocol: number;
  connector: string;
  title: string;
  connection: string;
  version: string;
}

/** A page of a read session. `items` is empty only on the last page of an empty read. */
export interface ReadPage {
  session: string;
  seq: number;
  items: unknown[];
  done: boolean;
}

/** Constant-time comparison of a presented token with the agent's (by digest: lengths may differ). */
export function sameToken(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
