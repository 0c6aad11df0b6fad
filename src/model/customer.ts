import { z } from 'zod';
import { Address, Contact } from './common.js';
import { CurrencyCode, Money } from './money.js';
import { IsoDateTime } from './time.js';

export const CustomerStatus = z.enum(['active', 'on_hold', 'credit_hold', 'inactive']);

export const Customer = z.object({
  /** The account number in the system of record (Acumatica CustomerID, Sage account reference). */
  number: z.string().min(1),
  /**
   * `number` is the source's internal id, not an account number a person gave (an iSeller customer
   * without a typed ID): a target that numbers its own customers numbers this one.
   */
  internalNumber: z.boolean().optional(),
  name: z.string().min(1),
  email: z.email({ message: 'is not a valid e-mail address' }).optional(),
  /** B2B or B2C: B2B portals only accept B2B customers. */
  type: z.enum(['B2B', 'B2C']).optional(),
  /** Payment terms code as the source keeps it (Acumatica Terms): a B2B portal's payment methods follow it. */
  terms: z.string().optional(),
  /** Customer class / group, mapped between systems by a value map. */
  class: z.string().optional(),
  status: CustomerStatus.default('active'),
  onHold: z.boolean().default(false),
  creditLimit: Money.optional(),
  annualRevenue: Money.optional(),
  currency: CurrencyCode,
  /**
   * Named values the source keeps beside its fields (Acumatica's attributes and the custom fields a
   * connection reads), for conditions and routing: `attributes.KNB = "True"`.
   */
  attributes: z.record(z.string(), z.string()).optional(),
  contacts: z.array(Contact).default([]),
  addresses: z.array(Address).default([]),
  updatedAt: IsoDateTime,
});
export type Customer = z.infer<typeof Customer>;
