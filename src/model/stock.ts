import { z } from 'zod';
import { DecimalString } from './money.js';
import { IsoDate, IsoDateTime } from './time.js';

const StockLine = z.object({
  sku: z.string().min(1),
  quantity: DecimalString,
  unit: z.string().min(1),
});

/** Goods moved between warehouses or outlets (iSeller outlet → outlet, Accurate item-transfer). */
export const StockTransfer = z.object({
  number: z.string().min(1),
  date: IsoDate,
  fromWarehouse: z.string().min(1),
  toWarehouse: z.string().min(1),
  status: z.string().min(1),
  lines: z.array(StockLine).min(1),
  /** When it happened, to the second: oldest-first processing orders by it. */
  occurredAt: IsoDateTime.optional(),
  /** A transfer-in's transfer-out (the two halves of one move), when the source records them apart. */
  outNumber: z.string().min(1).optional(),
  updatedAt: IsoDateTime,
});
export type StockTransfer = z.infer<typeof StockTransfer>;

/** A stock take (stock opname): counted quantities that replace the book quantities. */
export const StockCount = z.object({
  number: z.string().min(1),
  date: IsoDate,
  warehouse: z.string().min(1),
  status: z.string().min(1),
  lines: z.array(StockLine.extend({ bookQuantity: DecimalString.optional() })).min(1),
  occurredAt: IsoDateTime.optional(),
  updatedAt: IsoDateTime,
});
export type StockCount = z.infer<typeof StockCount>;
