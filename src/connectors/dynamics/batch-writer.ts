import type { WriteResult } from '../sdk/contract.js';
import { type ErrorData, isLedgerlinkError, LedgerlinkError, toErrorData } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import type { DynamicsClient } from './client.js';
import type { BatchOperation, BatchResponse } from './odata.js';

/** One record's operations: one change set, so they succeed or fail together. */
export interface Planned {
  ref: string;
  ops: BatchOperation[];
}

export type Sent =
  | { ok: true; responses: BatchResponse[]; exchanges: HttpExchange[] }
  | { ok: false; error: LedgerlinkError; exchanges: HttpExchange[] };

/**
 * Sends a page's planned writes in as few $batch requests as the limit allows (each record its own
 * change set). A configuration problem (credentials, privileges) stops the page by throwing; any other
 * failure of the whole request fails its records with that error, for the engine to retry.
 */
export async function sendPlanned(
  client: DynamicsClient,
  planned: readonly Planned[],
  batchSize: number,
): Promise<Map<string, Sent>> {
  const out = new Map<string, Sent>();
  let chunk: Planned[] = [];
  let ops = 0;
  const flush = async () => {
    if (!chunk.length) return;
    const exchanges: HttpExchange[] = [];
    const groups = chunk;
    chunk = [];
    ops = 0;
    try {
      const answers = await client.batch(
        groups.map((g) => g.ops),
        exchanges,
      );
      groups.forEach((g, i) => {
        const responses = answers[i] ?? [];
        const failed = responses.find((r) => r.status >= 400);
        if (failed) out.set(g.ref, { ok: false, error: client.batchError(failed), exchanges });
        else if (responses.length < g.ops.length)
          out.set(g.ref, {
            ok: false,
            error: new LedgerlinkError({
              code: 'server',
              category: 'transient',
              message: 'Dynamics 365 stopped the $batch before this record',
            }),
            exchanges,
          });
        else out.set(g.ref, { ok: true, responses, exchanges });
      });
    } catch (e) {
      if (isLedgerlinkError(e) && e.category === 'config') throw e;
      const error = isLedgerlinkError(e) ? e : new LedgerlinkError(toErrorData(e));
      for (const g of groups) out.set(g.ref, { ok: false, error, exchanges });
    }
  };
  for (const p of planned) {
    if (ops + p.ops.length > batchSize) await flush();
    chunk.push(p);
    ops += p.ops.length;
  }
  await flush();
  return out;
}

export const failed = (ref: string, error: ErrorData, exchanges?: HttpExchange[]): WriteResult => ({
  ref,
  ok: false,
  error,
  ...(exchanges?.length ? { exchanges } : {}),
});

export const refusal = (message: string, code: ErrorData['code'] = 'invalid_data'): ErrorData => ({
  code,
  category: 'rejected',
  message,
});
