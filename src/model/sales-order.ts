import { z } from 'zod';
import { Address } from './common.js';
import { CurrencyCode, DecimalString, Money } from './money.js';
import { TaxLine } from './tax.js';
import { IsoDate, IsoDateTime } from './time.js';

/**
 * One order line. `total` is quantity × unitPrice − discount, before tax (Magento's row total less
 * its discount, Acumatica's line Amount).
 */
export const SalesOrderLine = z.object({
  lineNumber: z.number().int().positive(),
  /** For a write-in line, the source's stand-in for a product code (see writeIn). */
  sku: z.string().min(1),
  /**
   * Typed on the order without a product (a CRM write-in product): `description` says what it is and
   * the target books it on its default product (the SYNC Uploader's `sage.defaultproduct`).
   */
  writeIn: z.boolean().optional(),
  description: z.string().optional(),
  quantity: DecimalString,
  unit: z.string().min(1),
  unitPrice: Money,
  discount: Money.optional(),
  tax: Money.optional(),
  /** Rate in percent of the tax charged on this line, when the source states it. */
  taxRate: DecimalString.optional(),
  total: Money,
  warehouse: z.string().optional(),
});

/**
 * Where an order stands in the system it comes from, after it was placed: `open` (to be fulfilled,
 * whatever its progress), `on_hold` (stopped until someone releases it), `canceled` (will not be
 * fulfilled; nothing of it was paid and kept), `closed` (its money was given back in full). A
 * target takes it as the change of state it is; the order itself is written once.
 */
export const ORDER_LIFECYCLES = ['open', 'on_hold', 'canceled', 'closed'] as const;
export const OrderLifecycle = z.enum(ORDER_LIFECYCLES);
export type OrderLifecycle = z.infer<typeof OrderLifecycle>;

/**
 * A sales order. The totals hold as the source computed them:
 * orderTotal = Σ lines.total − discountTotal + shippingTotal + taxTotal, where discountTotal is the
 * document-level discount not already taken off the lines. `shipVia`, `paymentMethod`, `orderType`
 * and `taxLines[].code` are the source's codes; a flow's value maps turn them into the target's.
 */
export const SalesOrder = z.object({
  number: z.string().min(1),
  /**
   * The other system's number for this order (the Magento increment_id kept on an Acumatica order,
   * the Acumatica order number kept on a Magento order), for reconciliation and duplicate checks.
   */
  externalNumber: z.string().optional(),
  /** The marketplace or sales channel the order came from (SellerCloud's Channel: Amazon, Website …). */
  channel: z.string().optional(),
  /** The order's number on that channel (SellerCloud's Channel Order #, e.g. an Amazon order id). */
  channelOrderNumber: z.string().optional(),
  orderType: z.string().optional(),
  status: z.string().min(1),
  /** The customer's id in the source system (Acumatica CustomerID, Magento customer id). */
  customerNumber: z.string().min(1),
  /** Ordered without an account (a Magento guest checkout): there is no customer record to sync first. */
  guest: z.boolean().default(false),
  customerEmail: z.email().optional(),
  customerName: z.string().optional(),
  /** The person who placed the order for the customer, and how to reach them (CRM orders). */
  contactName: z.string().optional(),
  contactPhone: z.string().optional(),
  /** Who took the order (the CRM order's owner), for the invoice's "taken by". */
  takenBy: z.string().optional(),
  orderDate: IsoDate,
  currency: CurrencyCode,
  lines: z.array(SalesOrderLine).min(1, { message: 'an order needs at least one line' }),
  shipVia: z.string().optional(),
  paymentMethod: z.string().optional(),
  billingAddress: Address.optional(),
  shippingAddress: Address.optional(),
  discountTotal: Money.optional(),
  shippingTotal: Money.optional(),
  taxLines: z.array(TaxLine).default([]),
  taxTotal: Money,
  orderTotal: Money,
  /** Money received for the order so far (what the shop captured); refunds do not lower it. */
  paidTotal: Money.optional(),
  /** Money given back so far (credit memos, refunds), at most paidTotal. */
  refundedTotal: Money.optional(),
  unpaidBalance: Money.optional(),
  /** Absent when the source does not say (its orders are taken as open). */
  lifecycle: OrderLifecycle.optional(),
  updatedAt: IsoDateTime,
});
export type SalesOrder = z.infer<typeof SalesOrder>;
export type SalesOrderLine = z.infer<typeof SalesOrderLine>;
