import { z } from 'zod';

export const Address = z.object({
  kind: z.enum(['main', 'billing', 'shipping']).default('main'),
  /** The addressee, where a document names one (an order's ship-to person). */
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  company: z.string().optional(),
  email: z.string().optional(),
  line1: z.string().min(1),
  line2: z.string().optional(),
  city: z.string().optional(),
  region: z.string().optional(),
  postalCode: z.string().optional(),
  /** ISO 3166-1 alpha-2 */
  country: z.string().regex(/^[A-Z]{2}$/, { message: 'expected a two-letter ISO country code' }),
  phone: z.string().optional(),
});
export type Address = z.infer<typeof Address>;

export const Contact = z.object({
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  email: z.email().optional(),
  phone: z.string().optional(),
  isPrimary: z.boolean().default(false),
});
export type Contact = z.infer<typeof Contact>;

/** A quantity of something in an explicit unit of measure. */
export const Quantity = z.object({
  value: z.string().regex(/^-?\d+(\.\d+)?$/),
  unit: z.string().min(1),
});
export type Quantity = z.infer<typeof Quantity>;
