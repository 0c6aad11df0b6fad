import type { WriteItem, WriteResult } from '../sdk/contract.js';
import { type ErrorData, isLedgerlinkError, toErrorData } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import type { AccurateClient } from './client.js';
import { classifyMessage, isEnvelope, messagesOf } from './faults.js';
import { BULK_MAX } from './settings.js';
import type { BulkOutcome } from './types.js';

/** One record ready for bulk-save, and what to say about it once saved. */
export interface Prepared {
  item: WriteItem;
  body: Record<string, unknown>;
  action: 'created' | 'updated';
  /** The target id a person and the link table know it by, from the saved record. */
  targetId: (r: NonNullable<BulkOutcome['r']>) => string | undefined;
  targetNumber?: (r: NonNullable<BulkOutcome['r']>) => string | undefined;
  /** A note on the saved record (totals that differ to the rupiah), for the log. */
  check?: (r: NonNullable<BulkOutcome['r']>) => string | undefined;
}

export const failed = (ref: string, error: ErrorData, exchanges?: HttpExchange[]): WriteResult => ({
  ref,
  ok: false,
  error,
  ...(exchanges ? { exchanges } : {}),
});

/**
 * Saves records through `<doc>/bulk-save.do`, at most 100 a call (spec). Each record's own `s`/`d`
 * in the answer is its outcome (FACTS.md ⚠: in request order): one bad record fails alone with
 * Accurate's words, the others are saved. A call that fails as a whole is every one of its records'
 * outcome, except a configuration error, which stops the write (nothing would do better).
 */
/**
 * Documents whose order among themselves does not change what they leave (sales, receipts, returns
 * add up the same in any order): their chunks go at once, within the connection's budget (8 in
 * flight, 8 a second), so a busy day uses the allowance instead of waiting on each answer. Transfers,
 * adjustments and customers go one chunk after another.
 */
const ORDER_FREE = new Set(['sales-invoice', 'sales-receipt', 'sales-return']);

export async function bulkSave(
  client: AccurateClient,
  doc: string,
  records: readonly Prepared[],
): Promise<WriteResult[]> {
  const chunks: Prepared[][] = [];
  for (let i = 0; i < records.length; i += BULK_MAX) chunks.push(records.slice(i, i + BULK_MAX));
  if (ORDER_FREE.has(doc)) return (await Promise.all(chunks.map((c) => saveChunk(client, doc, c)))).flat();
  const out: WriteResult[] = [];
  for (const c of chunks) out.push(...(await saveChunk(client, doc, c)));
  return out;
}

/**
 * A bulk-save's calls as one record's connector log keeps them: its own element of the request's
 * `data` and of the answer's `d`, named by its place in the call. A person reads what was sent and
 * answered for this record; and 10,000 sales no longer store the whole call's bodies 10,000 times.
 */
function ownPart(exchanges: readonly HttpExchange[], k: number, n: number, doc: string): HttpExchange[] {
  return exchanges.map((x) => {
    const req = x.requestBody as { data?: unknown[] } | undefined;
    const res = x.responseBody as { d?: unknown[] } | undefined;
    return {
      ...x,
      requestBody:
        Array.isArray(req?.data) && req.data.length === n
          ? { bulkSave: `record ${k + 1} of ${n} in this ${doc} bulk-save`, data: [req.data[k]] }
          : x.requestBody,
      responseBody:
        isEnvelope(res) && Array.isArray(res.d) && res.d.length === n
          ? { ...res, d: [res.d[k]] }
          : x.responseBody,
    };
  });
}

/** One bulk-save call of at most 100 records, and each record's outcome. */
async function saveChunk(
  client: AccurateClient,
  doc: string,
  chunk: readonly Prepared[],
): Promise<WriteResult[]> {
  const out: WriteResult[] = [];
  const exchanges: HttpExchange[] = [];
  let outcomes: unknown[];
  try {
    const b = await client.call<unknown[]>(
      { method: 'POST', path: `${doc}/bulk-save.do`, body: { data: chunk.map((c) => c.body) }, raw: true },
      { record: exchanges },
    );
    if (!Array.isArray(b.d) || b.d.length !== chunk.length || !b.d.every(isEnvelope)) {
      // The whole call was refused (too many records, a bad session…): every record's outcome.
      const text = messagesOf(b.d) || 'no reason given';
      const error = { ...classifyMessage(text), message: `Accurate refused the ${doc} bulk save: ${text}` };
      out.push(...chunk.map((c, k) => failed(c.item.ref, error, ownPart(exchanges, k, chunk.length, doc))));
      return out;
    }
    outcomes = b.d;
  } catch (e) {
    if (isLedgerlinkError(e) && e.category === 'config') throw e;
    const error = toErrorData(e);
    out.push(...chunk.map((c, k) => failed(c.item.ref, error, ownPart(exchanges, k, chunk.length, doc))));
    return out;
  }
  chunk.forEach((c, k) => {
    const own = ownPart(exchanges, k, chunk.length, doc);
    const o = outcomes[k] as BulkOutcome;
    if (!o.s) {
      const text = messagesOf(o.d) || 'no reason given';
      out.push(
        failed(c.item.ref, { ...classifyMessage(text), message: `Accurate refused it: ${text}` }, own),
      );
      return;
    }
    const r = o.r ?? {};
    const targetId = c.targetId(r);
    if (!targetId) {
      out.push(
        failed(
          c.item.ref,
          {
            code: 'parse',
            category: 'transient',
            message: `Accurate saved the ${doc} but its answer names no id; the next run finds it by number`,
          },
          own,
        ),
      );
      return;
    }
    const number = c.targetNumber?.(r);
    const reason = c.check?.(r);
    out.push({
      ref: c.item.ref,
      ok: true,
      action: c.action,
      targetId,
      ...(number ? { targetNumber: number } : {}),
      ...(reason ? { reason } : {}),
      exchanges: own,
    });
  });
  return out;
}
