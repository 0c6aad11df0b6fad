import { Decimal } from 'decimal.js';
import type { StockCount } from '../../../model/index.js';
import { toAccurateDate } from '../dates.js';

/**
 * A stock take as an item-adjustment save.do body (FACTS.md: why not stock-opname-result): each line
 * the difference between what was counted and the book quantity — the count's own when it carries one
 * (the quantity the POS held at the count), else Accurate's stock now — IN with the item's cost when
 * more was found, OUT when less; equal lines are left out, and a count equal everywhere is no document
 * (undefined). Numbered as the stock take, so a retry finds it.
 */
export async function stockCountTo(
  c: StockCount,
  o: {
    warehouse: string;
    adjustmentAccountNo: string;
    branch?: string;
    bookQuantity: (sku: string) => Promise<string>;
    unitCost: (sku: string) => Promise<string>;
  },
): Promise<Record<string, unknown> | undefined> {
  const detailItem: Array<Record<string, unknown>> = [];
  for (const l of c.lines) {
    const book = new Decimal(l.bookQuantity ?? (await o.bookQuantity(l.sku)));
    const diff = new Decimal(l.quantity).minus(book);
    if (diff.isZero()) continue;
    const inbound = diff.isPositive();
    detailItem.push({
      itemAdjustmentType: inbound ? 'ADJUSTMENT_IN' : 'ADJUSTMENT_OUT',
      itemNo: l.sku,
      quantity: diff.abs().toNumber(),
      itemUnitName: l.unit,
      warehouseName: o.warehouse,
      // Spec: the cost is given only when quantity is added.
      ...(inbound ? { unitCost: new Decimal(await o.unitCost(l.sku)).toNumber() } : {}),
      detailNotes: `counted ${l.quantity}, book ${book.toFixed()}`,
    });
  }
  if (!detailItem.length) return undefined;
  return {
    number: c.number,
    transDate: toAccurateDate(c.date),
    adjustmentAccountNo: o.adjustmentAccountNo,
    description: `Stock take ${c.number} in ${o.warehouse}`,
    ...(o.branch ? { branchName: o.branch } : {}),
    detailItem,
  };
}
