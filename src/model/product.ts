import { z } from 'zod';
import { Quantity } from './common.js';
import { DecimalString, Money } from './money.js';
import { IsoDateTime } from './time.js';

export const WarehouseStock = z.object({
  warehouse: z.string().min(1),
  onHand: DecimalString,
});

export const Product = z.object({
  sku: z.string().min(1),
  name: z.string().min(1),
  description: z.string().optional(),
  status: z.enum(['active', 'inactive']).default('active'),
  listPrice: Money,
  standardCost: Money.optional(),
  /** Base unit of measure, e.g. "EA". */
  unit: z.string().min(1),
  weight: Quantity.optional(),
  stock: z.array(WarehouseStock).default([]),
  updatedAt: IsoDateTime,
});
export type Product = z.infer<typeof Product>;
export type WarehouseStock = z.infer<typeof WarehouseStock>;
