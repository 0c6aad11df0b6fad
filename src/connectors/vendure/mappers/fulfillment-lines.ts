import { Decimal } from 'decimal.js';
import type { Shipment } from '../../../model/index.js';
import { rejected } from '../../sdk/errors.js';
import type { VendureOrder } from '../types.js';

/** Fulfillments that no longer hold their lines (Vendure's own rule when it counts what is left). */
const RELEASED = 'Cancelled';

interface OpenLine {
  id: string;
  sku: string;
  /** 1-based position on the order, the line number the order was read with. */
  position: number;
  open: number;
}

/** Each order line with the quantity no live fulfillment holds yet. */
function openLines(o: VendureOrder): OpenLine[] {
  const held = new Map<string, number>();
  for (const f of o.fulfillments ?? []) {
    if (f.state === RELEASED) continue;
    for (const l of f.lines) held.set(l.orderLineId, (held.get(l.orderLineId) ?? 0) + l.quantity);
  }
  return o.lines.map((l, i) => ({
    id: l.id,
    sku: l.productVariant.sku,
    position: i + 1,
    open: l.quantity - (held.get(l.id) ?? 0),
  }));
}

/**
 * The order lines a shipment's lines fulfill, matched by SKU. When an order has the SKU on several
 * lines, the line at the shipment line's orderLineNumber goes first, then the others in order, each
 * taking what it still has open; what no line has open goes to the first candidate, so that Vendure
 * refuses it in its own words (ItemsAlreadyFulfilledError). A SKU the order does not have, or a
 * quantity Vendure cannot count (a fraction), refuses the shipment here.
 */
export function fulfillmentLines(
  s: Shipment,
  orders: ReadonlyArray<{ number: string; order: VendureOrder }>,
): Array<{ orderLineId: string; quantity: number }> {
  const what = `shipment ${s.number}`;
  const open = new Map(orders.map((o) => [o.number, openLines(o.order)]));
  const out = new Map<string, number>();
  for (const line of s.lines) {
    const q = new Decimal(line.quantity);
    if (!q.isInteger() || q.lte(0))
      throw rejected(
        'invalid_data',
        `${what}: SKU ${line.sku} ships ${line.quantity}; Vendure fulfills whole units`,
      );
    const target = orders.length === 1 ? orders[0] : orders.find((o) => o.number === line.orderNumber);
    if (!target)
      throw rejected(
        'invalid_data',
        `${what}: line ${line.sku} names order ${line.orderNumber}, which the shipment does not cover`,
      );
    const lines = open.get(target.number) ?? [];
    let candidates = lines.filter((l) => l.sku === line.sku);
    if (!candidates.length) candidates = lines.filter((l) => l.sku.toLowerCase() === line.sku.toLowerCase());
    if (!candidates.length)
      throw rejected(
        'not_found',
        `${what}: Vendure order ${target.order.code} has no line with SKU ${line.sku} (it has ${lines.map((l) => l.sku).join(', ') || 'no lines'})`,
      );
    candidates.sort(
      (a, b) => Number(b.position === line.orderLineNumber) - Number(a.position === line.orderLineNumber),
    );
    let left = q.toNumber();
    for (const c of candidates) {
      const take = Math.min(left, Math.max(0, c.open));
      if (take <= 0) continue;
      c.open -= take;
      left -= take;
      out.set(c.id, (out.get(c.id) ?? 0) + take);
      if (left === 0) break;
    }
    if (left > 0) out.set(candidates[0]!.id, (out.get(candidates[0]!.id) ?? 0) + left);
  }
  return [...out].map(([orderLineId, quantity]) => ({ orderLineId, quantity }));
}
