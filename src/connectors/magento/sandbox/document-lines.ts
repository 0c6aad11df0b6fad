import { Decimal } from 'decimal.js';
import type { MagentoDocumentItemRequest, MagentoOrderItem } from '../sales-types.js';

/**
 * The quantities a document asks for, per order item, summed; or, when it names none, everything
 * still open (`left`). Problems are worded as Magento's document validators word them.
 */
export function requestedLines(
  lines: readonly MagentoOrderItem[],
  asked: readonly MagentoDocumentItemRequest[] | undefined,
  left: (i: MagentoOrderItem) => Decimal,
  words: { unknown: (id: number) => string; tooMuch: (sku: string) => string; empty: string },
): { picked: Array<{ item: MagentoOrderItem; qty: Decimal }>; problems: string[] } {
  const want = new Map<MagentoOrderItem, Decimal>();
  const problems: string[] = [];
  if (!asked?.length) {
    for (const i of lines) if (left(i).gt(0)) want.set(i, left(i));
  } else {
    for (const a of asked) {
      const item = lines.find((i) => i.item_id === a.order_item_id);
      if (!item) problems.push(words.unknown(a.order_item_id));
      else want.set(item, (want.get(item) ?? new Decimal(0)).plus(a.qty));
    }
  }
  const picked: Array<{ item: MagentoOrderItem; qty: Decimal }> = [];
  for (const [item, qty] of want) {
    if (qty.gt(left(item))) problems.push(words.tooMuch(item.sku));
    else if (qty.gt(0)) picked.push({ item, qty });
  }
  if (picked.length === 0 && problems.length === 0) problems.push(words.empty);
  return { picked, problems };
}
