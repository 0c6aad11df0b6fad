import { describe, expect, it } from 'vitest';
import { Shipment } from '../../../model/index.js';
import recorded from '../fixtures/order.json' with { type: 'json' };
import type { VendureOrder } from '../types.js';
import { fulfillmentLines } from './fulfillment-lines.js';

// The recorded order: line 3 is 2 × REC-MUG (1 already in a fulfillment), line 4 is 3 × REC-TEA.
const order = recorded as VendureOrder;
const shipment = (lines: Array<{ sku: string; quantity: string; orderLineNumber?: number }>) =>
  Shipment.parse({
    number: 'SH2',
    status: 'Confirmed',
    shipmentDate: '2026-01-05',
    customerNumber: 'C1',
    orderNumbers: ['SO1'],
    lines: lines.map((l) => ({ orderNumber: 'SO1', orderLineNumber: 1, unit: 'EA', ...l })),
    updatedAt: '2026-01-05T10:00:00Z',
  });
const covered = [{ number: 'SO1', order }];

describe('shipment lines → the order lines a fulfillment takes', () => {
  it('matches by SKU and sums what several shipment lines ship of one order line', () => {
    expect(
      fulfillmentLines(
        shipment([
          { sku: 'REC-TEA', quantity: '1' },
          { sku: 'REC-TEA', quantity: '2' },
          { sku: 'REC-MUG', quantity: '1' },
        ]),
        covered,
      ),
    ).toEqual([
      { orderLineId: '4', quantity: 3 },
      { orderLineId: '3', quantity: 1 },
    ]);
  });

  it('spreads a SKU over the lines that still have it open, the named line first', () => {
    const twice: VendureOrder = {
      ...order,
      lines: [order.lines[0]!, { ...order.lines[0]!, id: '9', quantity: 2 }],
    };
    // Line 3 has 1 open (1 fulfilled), line 9 has 2: shipping 3 takes both.
    expect(
      fulfillmentLines(shipment([{ sku: 'REC-MUG', quantity: '3' }]), [{ number: 'SO1', order: twice }]),
    ).toEqual([
      { orderLineId: '3', quantity: 1 },
      { orderLineId: '9', quantity: 2 },
    ]);
    expect(
      fulfillmentLines(shipment([{ sku: 'REC-MUG', quantity: '1', orderLineNumber: 2 }]), [
        { number: 'SO1', order: twice },
      ]),
    ).toEqual([{ orderLineId: '9', quantity: 1 }]);
  });

  it('more than is open goes to Vendure, which refuses it in its own words', () => {
    expect(fulfillmentLines(shipment([{ sku: 'REC-MUG', quantity: '5' }]), covered)).toEqual([
      { orderLineId: '3', quantity: 5 },
    ]);
  });

  it('a SKU the order does not have, or a fraction, is refused here with the reason', () => {
    expect(() => fulfillmentLines(shipment([{ sku: 'NOPE', quantity: '1' }]), covered)).toThrow(
      'shipment SH2: Vendure order M8BBABQWDLGRMHKH has no line with SKU NOPE (it has REC-MUG, REC-TEA)',
    );
    expect(() => fulfillmentLines(shipment([{ sku: 'REC-TEA', quantity: '1.5' }]), covered)).toThrow(
      'shipment SH2: SKU REC-TEA ships 1.5; Vendure fulfills whole units',
    );
  });
});
