import { SalesOrder } from '../../model/index.js';
import type { WriteItem, WriteResult } from './contract.js';

/**
 * The orders of a write to a system that only creates from them (an accounting system taking CRM
 * orders as invoices or SOP orders): an update is skipped, saying `what` is never changed from here;
 * an item that is no valid order fails with the reason; the rest are the orders to create.
 */
export function ordersToCreate(
  items: readonly WriteItem[],
  what: string,
): { results: WriteResult[]; creates: Array<{ item: WriteItem; order: SalesOrder }> } {
  const results: WriteResult[] = [];
  const creates: Array<{ item: WriteItem; order: SalesOrder }> = [];
  for (const item of items) {
    if (item.action === 'update') {
      results.push({
        ref: item.ref,
        ok: true,
        action: 'skipped',
        ...(item.targetId ? { targetId: item.targetId } : {}),
        reason: `${what} made from a CRM order is never changed from here`,
      });
      continue;
    }
    const parsed = SalesOrder.safeParse(item.data);
    if (!parsed.success) {
      results.push({
        ref: item.ref,
        ok: false,
        error: { code: 'invalid_data', category: 'rejected', message: parsed.error.message },
      });
      continue;
    }
    creates.push({ item, order: parsed.data });
  }
  return { results, creates };
}
