import { configError } from '../sdk/errors.js';

/** A connection's settings, as the manifest's fields validated them (defaults applied). */
export interface VendureSettings {
  /** The Admin API endpoint, e.g. https://shop.example.com/admin-api. */
  url: string;
  username: string;
  password: string;
  /** Sent as the vendure-token header; absent: the default channel. */
  channelToken?: string;
  /** The language names and descriptions are written in. */
  languageCode: string;
  /** Order states a read returns. */
  orderStates: string[];
  /** Canonical warehouses whose stock adds up to a variant's stock on hand; empty = all. */
  stockWarehouses: string[];
  /** The method a payment recorded from the ERP carries. */
  paymentMethod: string;
  pageSize: number;
  timeoutMs: number;
}

/**
 * The states an order is read in by default: waiting for payment (a B2B order the ERP invoices)
 * and every placed state Vendure's default order process has. Carts (AddingItems), drafts,
 * modifications in progress and cancelled orders are left alone.
 */
export const DEFAULT_ORDER_STATES = [
  'ArrangingPayment',
  'PaymentAuthorized',
  'PaymentSettled',
  'PartiallyShipped',
  'Shipped',
  'PartiallyDelivered',
  'Delivered',
  'ArrangingAdditionalPayment',
] as const;

export const DEFAULT_PAYMENT_METHOD = 'erp-invoice';

/** Vendure's adminListQueryLimit default: a list query may not take more. */
export const MAX_PAGE_SIZE = 1000;

const list = (v: unknown): string[] =>
  (typeof v === 'string' ? v : '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const int = (v: unknown, fallback: number): number => (v === undefined || v === null ? fallback : Number(v));
const str = (v: unknown, fallback: string): string => (typeof v === 'string' && v ? v : fallback);

/**
 * Reads settings that settingsSchema already validated, applying the same defaults again so that a
 * connector created directly (tests) behaves the same way.
 */
export function readSettings(raw: Record<string, unknown>): VendureSettings {
  if (typeof raw.url !== 'string' || !raw.url)
    throw configError('Vendure needs the Admin API URL (url), e.g. https://shop.example.com/admin-api');
  const orderStates = list(raw.orderStates);
  const out: VendureSettings = {
    url: raw.url,
    username: str(raw.username, ''),
    password: str(raw.password, ''),
    languageCode: str(raw.languageCode, 'en'),
    orderStates: orderStates.length ? orderStates : [...DEFAULT_ORDER_STATES],
    stockWarehouses: list(raw.stockWarehouses),
    paymentMethod: str(raw.paymentMethod, DEFAULT_PAYMENT_METHOD),
    pageSize: Math.min(MAX_PAGE_SIZE, Math.max(1, int(raw.pageSize, 100))),
    timeoutMs: int(raw.timeoutMs, 30_000),
  };
  if (typeof raw.channelToken === 'string' && raw.channelToken) out.channelToken = raw.channelToken;
  return out;
}
