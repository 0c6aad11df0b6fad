import type { ShiftClosed } from '../sdk/contract.js';
import type { IsellerClient } from './client.js';
import { cash, dec } from './mappers/amounts.js';
import { EPOCH_LOCAL, fromLocal, toLocal } from './mappers/time.js';
import type { IsellerSettings } from './settings.js';
import type { IsShift } from './types.js';

/** A register shift that has closed, as the contract has it (its totals to check what was sent). */
export type ClosedShift = ShiftClosed;

/**
 * The shifts closed at or after `since`, oldest close first: GetRegisterShifts by modified date (a
 * shift is modified when it closes; PA v2 pp.39–40), keeping those with a closed_date. The engine
 * polls this behind the shift-closed webhook, so a notification lost does not hold a shift's sales.
 */
export async function closedShifts(
  client: IsellerClient,
  s: IsellerSettings,
  since: string,
  signal?: AbortSignal,
): Promise<ClosedShift[]> {
  const tz = s.timeZone;
  const from = Date.parse(since);
  const out: ClosedShift[] = [];
  for await (const rows of client.pages<IsShift>(
    'public',
    'GetRegisterShifts',
    {
      time_zone: tz,
      created_after: EPOCH_LOCAL,
      modified_date: toLocal(since, tz),
      sort: 'ModifiedDate',
      sort_direction: 'ASC',
    },
    'register_shifts',
    s.pageSize,
    signal ? { signal } : {},
  ))
    for (const r of rows) {
      if (!r.closed_date) continue;
      const closedAt = fromLocal(r.closed_date, tz);
      if (Date.parse(closedAt) < from) continue;
      const currency = s.currency;
      out.push({
        id: r.register_shift_id,
        register: r.register_id,
        ...(r.outlet_code ? { outlet: r.outlet_code } : {}),
        openedAt: fromLocal(r.open_date, tz),
        closedAt,
        totals: {
          ...(r.total_sales_amount !== undefined ? { sales: cash(dec(r.total_sales_amount), currency) } : {}),
          ...(r.total_refund_amount !== undefined
            ? { refunds: cash(dec(r.total_refund_amount), currency) }
            : {}),
          ...(r.total_order_count !== undefined ? { orders: r.total_order_count } : {}),
          payments: Object.fromEntries(
            (r.payments ?? []).map((p) => [p.payment_type_name, cash(dec(p.amount), currency)]),
          ),
        },
      });
    }
  return out.sort((a, b) => Date.parse(a.closedAt) - Date.parse(b.closedAt));
}
