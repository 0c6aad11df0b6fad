import type { z } from 'zod';
import { Customer } from './customer.js';
import { Invoice } from './invoice.js';
import { Payment } from './payment.js';
import { Product } from './product.js';
import { SalesOrder } from './sales-order.js';
import { Shipment } from './shipment.js';
import { StockCount, StockTransfer } from './stock.js';

export * from './common.js';
export * from './customer.js';
export * from './invoice.js';
export * from './invoice-totals.js';
export * from './money.js';
export * from './payment.js';
export * from './product.js';
export * from './sales-order.js';
export * from './shipment.js';
export * from './stock.js';
export * from './tax.js';
export * from './time.js';

/** Every canonical entity, by the name flows and connector manifests use. */
export const entitySchemas = {
  customer: Customer,
  product: Product,
  salesOrder: SalesOrder,
  shipment: Shipment,
  invoice: Invoice,
  payment: Payment,
  stockTransfer: StockTransfer,
  stockCount: StockCount,
} as const;

export type EntityName = keyof typeof entitySchemas;
export type EntityOf<E extends EntityName> = z.infer<(typeof entitySchemas)[E]>;
export type AnyEntity = EntityOf<EntityName>;
export const entityNames = Object.keys(entitySchemas) as EntityName[];

/** The field of each entity that names it to a person (shown in logs and grids). */
export const entityKeyField: Record<EntityName, string> = {
  customer: 'number',
  product: 'sku',
  salesOrder: 'number',
  shipment: 'number',
  invoice: 'number',
  payment: 'number',
  stockTransfer: 'number',
  stockCount: 'number',
};
