import type { WriteItem, WriteResult } from './contract.js';
import { isLedgerlinkError, toErrorData } from './errors.js';

/**
 * A connector's write whose call failed as a whole: a configuration error stops the run (no record
 * could do better), any other failure is every item's outcome with that reason, so that each record
 * is retried or shown on its own and the run goes on.
 */
export async function writeEach(
  items: readonly WriteItem[],
  write: () => Promise<WriteResult[]>,
): Promise<WriteResult[]> {
  try {
    return await write();
  } catch (e) {
    if (isLedgerlinkError(e) && e.category === 'config') throw e;
    const error = toErrorData(e);
    return items.map((i) => ({ ref: i.ref, ok: false as const, error }));
  }
}
