import type { WriteResult } from '../sdk/contract.js';
import { isLedgerlinkError, type LedgerlinkError, toErrorData } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import { failed } from './batch-writer.js';
import type { DynamicsClient, Row } from './client.js';
import { chunkForUrl, inValues } from './odata.js';
import type { Reference } from './reference.js';
import type { DynamicsSettings } from './settings.js';

export interface WriteContext {
  client: DynamicsClient;
  ref: Reference;
  s: DynamicsSettings;
}

/** Rows whose column is one of the values, in as few requests as the URL length allows. */
export async function rowsWhere(
  client: DynamicsClient,
  entitySet: string,
  column: string,
  values: readonly string[],
  select: string,
  extra?: string,
): Promise<Row[]> {
  const out: Row[] = [];
  for (const chunk of chunkForUrl([...new Set(values)])) {
    const filter = extra ? `${extra} and ${inValues(column, chunk)}` : inValues(column, chunk);
    out.push(...(await client.all(entitySet, { $select: select, $filter: filter })));
  }
  return out;
}

/**
 * A PATCH that met a stale etag (412): the row is read again and the change sent once more with the
 * fresh etag. A second 412 means someone keeps changing the row: the record fails, to be retried.
 */
export async function patchWithRetry(
  ctx: WriteContext,
  entitySet: string,
  keyColumn: string,
  id: string,
  body: Record<string, unknown>,
  what: string,
): Promise<{ ok: true; exchanges: HttpExchange[] } | { ok: false; result: (ref: string) => WriteResult }> {
  const exchanges: HttpExchange[] = [];
  try {
    const fresh = await ctx.client.get(`${entitySet}(${id})`, { $select: keyColumn }, { record: exchanges });
    await ctx.client.update(entitySet, id, body, fresh.body['@odata.etag'], exchanges);
    return { ok: true, exchanges };
  } catch (e) {
    if (isLedgerlinkError(e) && e.category === 'config') throw e;
    const err = toErrorData(e);
    if (err.httpStatus === 412)
      return {
        ok: false,
        result: (ref) =>
          failed(
            ref,
            {
              code: 'conflict',
              category: 'transient',
              httpStatus: 412,
              message: `${what} changed in Dynamics 365 while we wrote it, twice (its etag was stale again after re-reading it); it will be tried again`,
            },
            exchanges,
          ),
      };
    return { ok: false, result: (ref) => failed(ref, err, exchanges) };
  }
}

/** An update of one row, as sent in a change set: what to send again after a stale etag. */
export interface SentPatch {
  entitySet: string;
  keyColumn: string;
  id: string;
  body: Record<string, unknown>;
  /** The record in a person's words ("account A1D001"). */
  what: string;
}

/**
 * What a record whose change set failed comes to: an update that met a stale etag is read again and
 * sent once more (patchWithRetry); anything else fails the record with the error Dataverse gave.
 */
export async function afterFailedChangeSet(
  ctx: WriteContext,
  ref: string,
  error: LedgerlinkError,
  exchanges: HttpExchange[],
  patch: SentPatch | undefined,
): Promise<WriteResult> {
  if (!patch || error.httpStatus !== 412) return failed(ref, error.toData(), exchanges);
  const again = await patchWithRetry(ctx, patch.entitySet, patch.keyColumn, patch.id, patch.body, patch.what);
  return again.ok
    ? { ref, ok: true, targetId: patch.id, action: 'updated', exchanges: again.exchanges }
    : again.result(ref);
}
