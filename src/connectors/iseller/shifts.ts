import type { Money } from '../../model/index.js';
import type { IsellerClient } from './client.js';
import { cash, dec } from './mappers/amounts.js';
import { EPOCH_LOCAL, fromLocal, toLocal } from './mappers/time.js';
import type { IsellerSettings } from './settings.js';
import type { IsShift } from './types.js';

/**
 * A register shift that has closed: what a shift-close run needs to read the shift's orders (its
 * register, opened and closed times: Reader's `register` filter) and to check what it sent against
 * the shift's own totals.
 */
export interface ClosedShift {
  id: string;
  register: string;
  registerName?: string;
  outletCode?: string;
  openedAt: string;
  closedAt: string;
  totals: {
    sales?: Money;
    refunds?: Money;
    orders?: number;
    /** Taken per payment method, by the method's name. */
    payments: Record<string, Money>;
  };
}

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
        ...(r.register_name ? { registerName: r.register_name } : {}),
        ...(r.outlet_code ? { outletCode: r.outlet_code } : {}),
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
