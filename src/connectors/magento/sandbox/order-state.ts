import { Decimal } from 'decimal.js';
import type { MagentoOrder, MagentoOrderItem } from '../sales-types.js';

/** States in which Magento neither ships nor invoices. */
const STOPPED = new Set(['canceled', 'holded', 'closed', 'payment_review']);

/** The lines of an order: children of configurable and bundle products travel with their parent. */
export const orderLines = (o: MagentoOrder): MagentoOrderItem[] =>
  o.items.filter((i) => i.parent_item_id === undefined || i.parent_item_id === null);

/** What is still to be delivered of a line: ordered less canceled and refunded. */
const open = (i: MagentoOrderItem) =>
  new Decimal(i.qty_ordered ?? 0).minus(i.qty_canceled ?? 0).minus(i.qty_refunded ?? 0);

export const qtyToShip = (i: MagentoOrderItem): Decimal => Decimal.max(0, open(i).minus(i.qty_shipped ?? 0));
export const qtyToInvoice = (i: MagentoOrderItem): Decimal =>
  Decimal.max(0, open(i).minus(i.qty_invoiced ?? 0));

export const canShip = (o: MagentoOrder): boolean =>
  !STOPPED.has(o.state ?? '') && orderLines(o).some((i) => qtyToShip(i).gt(0));
export const canInvoice = (o: MagentoOrder): boolean =>
  !STOPPED.has(o.state ?? '') && orderLines(o).some((i) => qtyToInvoice(i).gt(0));

/**
 * Magento's order state after a shipment or an invoice: anything shipped or invoiced moves a new
 * order to processing; everything shipped and invoiced completes it. A canceled or held order keeps
 * its state. The status follows the state's default status.
 */
export function settleState(o: MagentoOrder): void {
  if (STOPPED.has(o.state ?? '')) return;
  const lines = orderLines(o);
  const done = lines.every((i) => qtyToShip(i).isZero() && qtyToInvoice(i).isZero());
  const started = lines.some(
    (i) => new Decimal(i.qty_shipped ?? 0).gt(0) || new Decimal(i.qty_invoiced ?? 0).gt(0),
  );
  if (done) {
    o.state = 'complete';
    o.status = 'complete';
  } else if (started && (o.state === 'new' || o.state === 'pending_payment' || o.state === undefined)) {
    o.state = 'processing';
    o.status = 'processing';
  }
}

/** Amounts kept as JSON numbers the way Magento answers them; arithmetic stays in decimals. */
export const num = (d: Decimal.Value): number => Number(new Decimal(d).toFixed());
