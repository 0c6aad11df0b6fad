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
};

/** The order types read, as a list ("SO, IN" → ['SO', 'IN']); SO when none is named. */
export function orderTypesOf(s: Pick<Settings, 'orderTypes'>): string[] {
  const types = (s.orderTypes ?? 'SO')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  return types.length ? types : ['SO'];
}
