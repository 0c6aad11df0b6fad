import { z } from 'zod';
import { Money } from './money.js';
import { IsoDate, IsoDateTime } from './time.js';

export const PaymentApplication = z.object({
  documentType: z.enum(['invoice', 'order']),
  documentNumber: z.string().min(1),
  amount: Money,
});

export const Payment = z.object({
  number: z.string().min(1),
  type: z.enum(['payment', 'prepayment', 'refund']).default('payment'),
  status: z.string().min(1),
  customerNumber: z.string().min(1),
  /** Taken from nobody in particular (see Invoice.walkIn). */
  walkIn: z.boolean().optional(),
  paymentDate: IsoDate,
  occurredAt: IsoDateTime.optional(),
  /** Where it was taken (a POS outlet), as the source codes it. */
  warehouse: z.string().min(1).optional(),
  paymentMethod: z.string().optional(),
  reference: z.string().optional(),
  amount: Money,
  applications: z.array(PaymentApplication).default([]),
  updatedAt: IsoDateTime,
});
export type Payment = z.infer<typeof Payment>;
