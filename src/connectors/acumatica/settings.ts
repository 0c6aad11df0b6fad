import { configError } from '../sdk/errors.js';
import { readMap } from '../sdk/setting-map.js';
import type { AcumaticaSettings } from './client.js';
import type { CancellationPolicy } from './order-lifecycle.js';

/** A connection's settings, as the manifest's fields validate them. */
export type Settings = AcumaticaSettings & {
  baseCurrency: string;
  pageSize: number;
  defaultItemClass?: string;
  /** Comma-separated order types to read; order numbers are unique across them (an assumption). */
  orderTypes: string;
  defaultOrderType: string;
  guestCustomerId?: string;
  webhookHeaderName: string;
  webhookHeaderValue?: string;
  /** What a web order's cancellation does to its sales order (lifecycle-settings.ts); default cancel. */
  webOrderCancellation?: CancellationPolicy;
  /** Release the prepayments and refunds recorded for web orders; default true. */
  releasePayments?: boolean;
  /** name=View.Field pairs read with $custom beside each customer, kept as its attributes. */
  customerCustomFields?: string;
  /** The attribute or custom field whose value (B2B / B2C) is a customer's type. */
  customerTypeField?: string;
};

/** The custom fields read with customers: attribute name → `View.Field` (readMap's pairs). */
export function customerCustomFieldsOf(s: Pick<Settings, 'customerCustomFields'>): Record<string, string> {
  const fields = readMap(s.customerCustomFields, 'customerCustomFields');
  for (const [name, path] of Object.entries(fields))
    if (!/^\w+\.\w+$/.test(path))
      throw configError(
        `customerCustomFields: "${name}=${path}" must name a custom field as View.Field (e.g. BAccount.UsrEnableKNB)`,
      );
  return fields;
}

/** The order types read, as a list ("SO, IN" → ['SO', 'IN']); SO when none is named. */
export function orderTypesOf(s: Pick<Settings, 'orderTypes'>): string[] {
  const types = (s.orderTypes ?? 'SO')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  return types.length ? types : ['SO'];
}
