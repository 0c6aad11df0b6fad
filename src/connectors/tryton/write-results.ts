import type { WriteItem, WriteResult } from '../sdk/contract.js';
import { toErrorData } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';

/**
 * Writes each item on its own and turns what it throws into a result: a record Tryton refuses is an
 * outcome with Tryton's words after the record's name, never an exception. Only a configuration
 * problem (credentials, a missing company) stops the batch: no record succeeds until it is fixed.
 *
 * One record at a time: Tryton numbers parties and sales from sequences it reads and increments in
 * the writing transaction, and on a SQLite database two sales quoted at the same moment were seen to
 * get the same number (three sales numbered "1" in one run). Correct numbers are worth the speed.
 */
export async function writeEach(
  items: readonly WriteItem[],
  label: (item: WriteItem) => string,
  one: (item: WriteItem, exchanges: HttpExchange[]) => Promise<WriteResult>,
): Promise<WriteResult[]> {
  const results: WriteResult[] = [];
  for (const item of items) {
    const exchanges: HttpExchange[] = [];
    try {
      results.push(await one(item, exchanges));
    } catch (e) {
      const error = toErrorData(e);
      if (error.category === 'config') throw e;
      const what = label(item);
      if (!error.message.startsWith(what)) error.message = `${what}: ${error.message}`;
      results.push({ ref: item.ref, ok: false, error, exchanges });
    }
  }
  return results;
}
