import { type RawShipment, referenceTo, text } from '../types.js';
import { dayOf, decimal, stampOf } from './common.js';
import type { SaleLineRef } from './line-numbers.js';

/**
 * stock.shipment.out → canonical shipment:
 *
 * | canonical       | Tryton                                                                     |
 * | --------------- | -------------------------------------------------------------------------- |
 * | (source id)     | shipment.id                                                                |
 * | number          | shipment.number                                                            |
 * | status          | shipment.state (draft, waiting, assigned, picked, packed, done, cancelled) |
 * | shipmentDate    | shipment.effective_date, else planned_date, else the creation day          |
 * | customerNumber  | shipment.customer (the party's id)                                         |
 * | orderNumbers    | the ids of the sales whose lines the outgoing moves come from              |
 * | trackingNumbers | shipment.reference, when set (Tryton 6.0 has no tracking field without    |
 * |                 | the package-shipping modules)                                              |
 * | lines           | outgoing moves not cancelled: product.code, quantity, uom.symbol; the     |
 * |                 | sale's id as orderNumber and the sale line's number as orderLineNumber     |
 * | updatedAt       | the shipment's write/create stamp                                          |
 */
export const SHIPMENT_FIELDS = [
  'number',
  'reference',
  'state',
  'effective_date',
  'planned_date',
  'customer',
  'create_date',
  'write_date',
  'outgoing_moves.state',
  'outgoing_moves.quantity',
  'outgoing_moves.product.code',
  'outgoing_moves.uom.symbol',
  'outgoing_moves.origin',
];

/** The sale lines a page of shipments comes from, so their sales and line numbers can be read. */
export const shipmentSaleLines = (rows: readonly RawShipment[]): number[] =>
  rows.flatMap((r) =>
    (r['outgoing_moves.'] ?? [])
      .map((m) => referenceTo(m.origin, 'sale.line'))
      .filter((id): id is number => id !== undefined),
  );

export function shipmentFromTryton(
  raw: RawShipment,
  saleLines: ReadonlyMap<number, SaleLineRef>,
): Record<string, unknown> {
  const moves = (raw['outgoing_moves.'] ?? []).filter((m) => m.state !== 'cancelled');
  const lines = moves
    .map((m) => {
      const ref = saleLines.get(referenceTo(m.origin, 'sale.line') ?? 0);
      return {
        orderNumber: ref ? String(ref.sale) : undefined,
        orderLineNumber: ref?.lineNumber,
        sku: text(m['product.']?.code),
        quantity: decimal(m.quantity),
        unit: text(m['uom.']?.symbol),
      };
    })
    // In the order's line order (moves come in the order Tryton made them).
    .sort(
      (a, b) =>
        Number(a.orderNumber ?? Infinity) - Number(b.orderNumber ?? Infinity) ||
        (a.orderLineNumber ?? Infinity) - (b.orderLineNumber ?? Infinity),
    );
  const reference = text(raw.reference);
  return {
    number: text(raw.number) ?? String(raw.id),
    status: raw.state,
    shipmentDate: raw.effective_date ?? raw.planned_date ?? dayOf(raw.create_date),
    customerNumber: raw.customer === undefined ? undefined : String(raw.customer),
    orderNumbers: [...new Set(lines.map((l) => l.orderNumber).filter((n): n is string => n !== undefined))],
    trackingNumbers: reference ? [reference] : [],
    lines,
    updatedAt: stampOf([raw]),
  };
}
