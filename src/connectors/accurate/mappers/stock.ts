import { type StockTransfer, toDecimalString } from '../../../model/index.js';
import { fromAccurateDate, fromAccurateDateTime, toAccurateDate } from '../dates.js';
import { type AccDocLine, type AccDocument, field, text } from '../types.js';

/** The three kinds of Accurate document read as stock moves, and the prefix of their source ids. */
export const STOCK_DOCS = ['item-transfer', 'receive-item', 'purchase-invoice'] as const;
export type StockDoc = (typeof STOCK_DOCS)[number];

export const sourceId = (doc: StockDoc, id: number | string) => `${doc}:${id}`;
export function parseSourceId(id: string): { doc: StockDoc; id: string } | undefined {
  const at = id.lastIndexOf(':');
  const doc = id.slice(0, at) as StockDoc;
  const n = id.slice(at + 1);
  return STOCK_DOCS.includes(doc) && /^\d+$/.test(n) ? { doc, id: n } : undefined;
}

/** The fields list.do is asked for: the lines too, so no detail.do per record (FACTS.md ⚠; detail.do fills in when absent). */
export const DOC_FIELDS: Record<StockDoc, string> = {
  'item-transfer':
    'id,number,transDate,itemTransferType,warehouseName,referenceWarehouseName,fromItemTransferNo,lastUpdate,detailItem',
  'receive-item': 'id,number,transDate,vendorNo,lastUpdate,detailItem',
  'purchase-invoice': 'id,number,transDate,vendorNo,lastUpdate,detailItem',
};

const lineOf = (l: AccDocLine) => {
  const sku = text(field(l, 'itemNo', ['item', 'no']));
  if (!sku) throw new Error('a line names no item');
  return {
    sku,
    quantity: toDecimalString(Number(field(l, 'quantity') ?? 0)),
    unit: text(field(l, 'itemUnitName', ['itemUnit', 'name'])) ?? 'PCS',
  };
};

const stamp = (d: AccDocument) =>
  d.lastUpdate ? fromAccurateDateTime(d.lastUpdate) : new Date(0).toISOString();

const dateOf = (d: AccDocument) => {
  const t = text(d.transDate);
  if (!t) throw new Error(`document ${d.number ?? d.id} has no date`);
  return fromAccurateDate(t);
};

/**
 * An item transfer (warehouses as `code` names them: the outlet codes the connector writes with): a TRANSFER_OUT leaves its warehouse for the reference warehouse (status `out`);
 * a TRANSFER_IN arrives in its warehouse from the reference one and names its out (status `in`).
 */
export function transferFrom(d: AccDocument, code: (warehouse: string) => string): StockTransfer {
  const type = text(d.itemTransferType);
  const here = text(field(d, 'warehouseName', ['warehouse', 'name']));
  const there = text(field(d, 'referenceWarehouseName', ['referenceWarehouse', 'name']));
  if (!here || !there)
    throw new Error(`item transfer ${d.number} names no warehouse or no reference warehouse`);
  const inbound = type === 'TRANSFER_IN';
  const out = text(field(d, 'fromItemTransferNo', ['fromItemTransfer', 'number']));
  return {
    number: text(d.number) ?? String(d.id),
    date: dateOf(d),
    fromWarehouse: code(inbound ? there : here),
    toWarehouse: code(inbound ? here : there),
    status: inbound ? 'in' : 'out',
    lines: (d.detailItem ?? []).map(lineOf),
    ...(inbound && out ? { outNumber: out } : {}),
    occurredAt: stamp(d),
    updatedAt: stamp(d),
  };
}

/**
 * Goods received from a supplier (receive-item, or a purchase invoice's lines not received through one)
 * as a transfer into the warehouse from `vendor:<vendor no>` (FACTS.md: so iSeller's stock follows).
 * A canonical transfer has one destination: a document whose lines go to several warehouses is refused.
 */
export function receiptFrom(
  d: AccDocument,
  doc: StockDoc,
  code: (warehouse: string) => string,
): StockTransfer | undefined {
  const lines = (d.detailItem ?? []).filter(
    (l) => doc !== 'purchase-invoice' || !text(field(l, 'receiveItemNumber', ['receiveItem', 'number'])),
  );
  // A purchase invoice billing goods that came with a receive-item moves no stock itself.
  if (!lines.length) return undefined;
  const warehouses = [
    ...new Set(lines.map((l) => text(field(l, 'warehouseName', ['warehouse', 'name'])) ?? '')),
  ];
  if (warehouses.length !== 1 || !warehouses[0])
    throw new Error(
      `${doc} ${d.number}: its lines go to ${warehouses.filter(Boolean).join(', ') || 'no warehouse'}; a stock move takes exactly one warehouse`,
    );
  const vendor = text(field(d, 'vendorNo', ['vendor', 'vendorNo'], ['vendor', 'no'])) ?? 'unknown';
  return {
    number: text(d.number) ?? String(d.id),
    date: dateOf(d),
    fromWarehouse: `vendor:${vendor}`,
    toWarehouse: code(warehouses[0]),
    status: 'received',
    lines: lines.map(lineOf),
    occurredAt: stamp(d),
    updatedAt: stamp(d),
  };
}

/**
 * A canonical transfer as an item-transfer save.do body. A transfer naming its out half (`outNumber`)
 * is the in half: TRANSFER_IN into its destination, from that out; any other is TRANSFER_OUT from its
 * source to its destination (Accurate holds the goods in transit until the in).
 */
export function transferTo(
  t: StockTransfer,
  o: { warehouse: (w: string) => string; branch?: string },
): Record<string, unknown> {
  const inbound = t.outNumber !== undefined;
  return {
    number: t.number,
    transDate: toAccurateDate(t.date),
    itemTransferType: inbound ? 'TRANSFER_IN' : 'TRANSFER_OUT',
    warehouseName: o.warehouse(inbound ? t.toWarehouse : t.fromWarehouse),
    referenceWarehouseName: o.warehouse(inbound ? t.fromWarehouse : t.toWarehouse),
    ...(inbound ? { fromItemTransferNo: t.outNumber } : {}),
    ...(o.branch ? { branchName: o.branch } : {}),
    detailItem: t.lines.map((l) => ({ itemNo: l.sku, quantity: Number(l.quantity), itemUnitName: l.unit })),
  };
}
