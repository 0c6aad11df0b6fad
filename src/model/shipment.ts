import { z } from 'zod';
import { DecimalString } from './money.js';
import { IsoDate, IsoDateTime } from './time.js';

export const ShipmentLine = z.object({
  orderNumber: z.string().min(1),
  orderLineNumber: z.number().int().positive(),
  sku: z.string().min(1),
  quantity: DecimalString,
  unit: z.string().min(1),
});

export const Shipment = z.object({
  number: z.string().min(1),
  status: z.string().min(1),
  shipmentDate: IsoDate,
  customerNumber: z.string().min(1),
  orderNumbers: z.array(z.string()).min(1),
  carrier: z.string().optional(),
  shipVia: z.string().optional(),
  trackingNumbers: z.array(z.string()).default([]),
  lines: z.array(ShipmentLine).min(1),
  updatedAt: IsoDateTime,
});
export type Shipment = z.infer<typeof Shipment>;
