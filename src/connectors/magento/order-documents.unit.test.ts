import { describe, expect, it } from 'vitest';
import { allocate, documentKey, leftTo } from './order-documents.js';
import type { MagentoOrder, MagentoOrderItem } from './sales-types.js';

const item = (item_id: number, sku: string, qty_ordered: number, patch: Partial<MagentoOrderItem> = {}) => ({
  item_id,
  sku,
  qty_ordered,
  qty_shipped: 0,
  qty_invoiced: 0,
  ...patch,
});
const order: MagentoOrder = {
  entity_id: 9,
  increment_id: '000000009',
  customer_email: 'a@b.c',
  grand_total: 0,
  base_grand_total: 0,
  items: [
    item(1, 'CHAIR', 2),
    item(2, 'DESK', 1, { qty_shipped: 1, qty_invoiced: 1 }),
    item(3, 'chair', 4),
    item(4, 'CHAIR-KIT', 4, { parent_item_id: 1 }),
  ],
};
const what = { what: 'shipment 000123', verb: 'ship' as const };

describe('matching ERP document lines to order items', () => {
  it('by SKU regardless of case, spilling over to the next item with the SKU', () => {
    expect(
      allocate([{ lineNumber: 1, sku: 'chair', quantity: '5' }], order, leftTo('shipment'), what),
    ).toEqual([
      { order_item_id: 1, qty: 2 },
      { order_item_id: 3, qty: 3 },
    ]);
  });

  it("the line's order line number breaks the tie between items with the same SKU", () => {
    expect(
      allocate(
        [{ lineNumber: 1, sku: 'CHAIR', quantity: '1', orderLineNumber: 3 }],
        order,
        leftTo('shipment'),
        what,
      ),
    ).toEqual([{ order_item_id: 3, qty: 1 }]);
  });

  it('refuses a SKU the order lacks and more than remains, with the numbers', () => {
    expect(() =>
      allocate([{ lineNumber: 1, sku: 'LAMP', quantity: '1' }], order, leftTo('shipment'), what),
    ).toThrow('shipment 000123: order 000000009 has no line with SKU LAMP');
    expect(() =>
      allocate([{ lineNumber: 2, sku: 'DESK', quantity: '1' }], order, leftTo('shipment'), what),
    ).toThrow(
      'shipment 000123: line 2 would ship 1 of SKU DESK, but order 000000009 has only 0 left to ship',
    );
    // A child item is not a line of its own.
    expect(() =>
      allocate([{ lineNumber: 1, sku: 'CHAIR-KIT', quantity: '1' }], order, leftTo('shipment'), what),
    ).toThrow(/has no line with SKU CHAIR-KIT/);
    expect(() =>
      allocate([{ lineNumber: 1, sku: 'CHAIR', quantity: '0' }], order, leftTo('invoice'), {
        ...what,
        verb: 'invoice',
      }),
    ).toThrow('shipment 000123 has nothing to invoice on order 000000009');
  });

  it('the key names every order the document covers, once they are all in Magento', () => {
    const refs = { salesOrder: { SO1: '9', SO2: '12' } };
    expect(documentKey(['SO1'], 'SH1', refs)).toBe('9:SH1');
    expect(documentKey(['SO1', 'SO2', 'SO1'], 'SH1', refs)).toBe('9,12:SH1');
    expect(documentKey(['SO1', 'SO3'], 'SH1', refs)).toBeUndefined();
    expect(documentKey(['SO1'], 'SH1')).toBeUndefined();
  });
});
