import { z } from 'zod';
import { Address } from './common.js';
import { CurrencyCode, DecimalString, Money } from './money.js';
import { IsoDate, IsoDateTime } from './time.js';

export const SalesOrderLine = z.object({
  lineNumber: z.number().int().positive(),
  sku: z.string().min(1),
  description: z.string().optional(),
  quantity: DecimalString,
  unit: z.string().min(1),
  unitPrice: Money,
  discount: Money.optional(),
  tax: Money.optional(),
  total: Money,
  warehouse: z.string().optional(),
});

export const SalesOrder = z.object({
  number: z.string().min(1),
  /** The other system's order number, kept for reconciliation (Magento increment_id, CRM order no.). */
  externalNumber: z.string().optional(),
  orderType: z.string().optional(),
  status: z.string().min(1),
  customerNumber: z.string().min(1),
  customerEmail: z.email().optional(),
  orderDate: IsoDate,
  currency: CurrencyCode,
  lines: z.array(SalesOrderLine).min(1, { message: 'an order needs at least one line' }),
  shipVia: z.string().optional(),
  paymentMethod: z.string().optional(),
  billingAddress: Address.optional(),
  shippingAddress: Address.optional(),
  discountTotal: Money.optional(),
  shippingTotal: Money.optional(),
  taxTotal: Money,
  orderTotal: Money,
  unpaidBalance: Money.optional(),
  updatedAt: IsoDateTime,
});
export type SalesOrder = z.infer<typeof SalesOrder>;
export type SalesOrderLine = z.infer<typeof SalesOrderLine>;
