import { z } from 'zod';
import { CurrencyCode, DecimalString, Money } from './money.js';
import { TaxLine } from './tax.js';
import { IsoDate, IsoDateTime } from './time.js';

export const InvoiceLine = z.object({
  lineNumber: z.number().int().positive(),
  /** Absent for write-in lines (Sage S1/S2/S3/M codes, free-text CRM products). */
  sku: z.string().optional(),
  description: z.string().optional(),
  quantity: DecimalString,
  unit: z.string().optional(),
  unitPrice: Money,
  taxCode: z.string().optional(),
  tax: Money,
  total: Money,
  /** Taken off this line before tax (a POS line discount); `total` is after it. */
  discount: Money.optional(),
  orderNumber: z.string().optional(),
  orderLineNumber: z.number().int().optional(),
});

export const Invoice = z.object({
  number: z.string().min(1),
  /** The other system's number for this invoice, when it has one. */
  externalNumber: z.string().optional(),
  type: z.enum(['invoice', 'credit_note']).default('invoice'),
  /** The source's own name for the kind of document (Acumatica's Invoice, Debit Memo, Cash Sale…). */
  documentType: z.string().optional(),
  status: z.string().min(1),
  invoiceDate: IsoDate,
  /** When the sale happened, to the second (a POS sale): oldest-first processing orders by it. */
  occurredAt: IsoDateTime.optional(),
  /** Where the goods left from: a POS sale's outlet or a warehouse, as the source codes it. */
  warehouse: z.string().min(1).optional(),
  dueDate: IsoDate.optional(),
  customerNumber: z.string().min(1),
  /**
   * A sale to nobody in particular (a walk-in at a till): `customerNumber` is then the target's own
   * walk-in customer, as configured, not a customer of the source to sync first.
   */
  walkIn: z.boolean().optional(),
  /** The customer as the source shows it to people, where `customerNumber` is an internal id. */
  customerName: z.string().optional(),
  orderNumbers: z.array(z.string()).default([]),
  currency: CurrencyCode,
  lines: z.array(InvoiceLine).min(1),
  taxLines: z.array(TaxLine).default([]),
  netTotal: Money,
  taxTotal: Money,
  total: Money,
  /** Cash rounding the total includes (IDR sales rounded to the shop's step); 0 or absent: none. */
  rounding: Money.optional(),
  balance: Money.optional(),
  updatedAt: IsoDateTime,
});
export type Invoice = z.infer<typeof Invoice>;
