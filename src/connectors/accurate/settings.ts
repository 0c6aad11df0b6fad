import { readMap } from '../sdk/setting-map.js';

/** An Accurate Online connection's settings, as the manifest's fields validated them (defaults applied). */
export interface AccurateSettings {
  /** oauth2: a person's grant, refreshed; apiToken: an API token from the Developer Area, signed per call. */
  authMode: 'oauth2' | 'apiToken';
  /** The Accurate database (data usaha) id, as db-list.do lists it; open-db.do opens it. */
  databaseId: string;
  /** The "API Dasar" host: OAuth, db-list, open-db, webhooks (FACTS.md). */
  accountUrl: string;
  clientId?: string;
  clientSecret?: string;
  scope: string;
  refreshToken?: string;
  apiToken?: string;
  signatureSecret?: string;
  /** Branch of every document written, unless `branchByWarehouse` names one for its warehouse. */
  branch?: string;
  /** canonical warehouse (an outlet code) → Accurate warehouse name; a warehouse not listed keeps its name. */
  warehouseMap: Readonly<Record<string, string>>;
  /** Accurate warehouse name → branch name. */
  branchByWarehouse: Readonly<Record<string, string>>;
  /** canonical payment method → Accurate cash/bank account number (sales-receipt bankNo). */
  bankByPaymentMethod: Readonly<Record<string, string>>;
  /** The bank account of a payment method the map does not name. */
  defaultBankNo?: string;
  /** canonical payment method → Accurate paymentMethod enum (QRIS, EDC, CASH_OTHER …). */
  paymentMethodMap: Readonly<Record<string, string>>;
  /** The tax charged on taxed lines (tax/list.do), e.g. PPN. */
  taxName?: string;
  /** The account stock take differences are booked to (item-adjustment adjustmentAccountNo). */
  adjustmentAccountNo?: string;
  /** The account a sale's cash rounding is booked to (a sales invoice's or return's detailExpense). */
  roundingAccountNo?: string;
  /**
   * record: a customer is written with its own number as Accurate's customerNo (the seed's "Use Id
   * in customer data as the mapping" on); accurate: Accurate numbers it. Either way a customer
   * without a number is numbered by Accurate.
   */
  customerNumbers: 'record' | 'accurate';
  currency: string;
  /** The header Accurate's webhook deliveries carry, and its value (FACTS.md: Accurate signs nothing). */
  webhookHeaderName: string;
  webhookSecret?: string;
  /**
   * Hourly, compare what Accurate's webhook-history.do says it sent with the inbox and take in any
   * delivery that never arrived (the token must be a developer's of the application, FACTS.md).
   */
  webhookHistory: boolean;
  pageSize: number;
  timeoutMs: number;
}

export const ACCOUNT_URL = 'https://account.accurate.id';
/** The scopes issue 17 needs (FACTS.md, names from the spec's scope list). */
export const SCOPE = [
  'customer_view customer_save item_view warehouse_view branch_view unit_view tax_view vendor_view',
  'sales_invoice_view sales_invoice_save sales_receipt_view sales_receipt_save sales_return_view sales_return_save',
  'item_transfer_view item_transfer_save item_adjustment_view item_adjustment_save',
  'purchase_invoice_view receive_item_view',
].join(' ');
/** The largest page list.do is asked for (FACTS.md ⚠: undocumented; public clients use 100). */
export const MAX_PAGE = 100;
/** The most records one bulk-save.do takes (spec, every bulk-save's description). */
export const BULK_MAX = 100;

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
const int = (v: unknown, fallback: number): number =>
  v === undefined || v === null || v === '' ? fallback : Number(v);

/**
 * Accurate warehouse name → canonical warehouse (outlet code): the warehouseMap reversed, so what is
 * read speaks the codes that are written; a name the map does not hold is kept as it is. Where two
 * codes map to one name, the first written in the map wins.
 */
export function warehouseCodes(s: Pick<AccurateSettings, 'warehouseMap'>): (name: string) => string {
  const back = new Map<string, string>();
  for (const [code, name] of Object.entries(s.warehouseMap)) if (!back.has(name)) back.set(name, code);
  return (name) => back.get(name) ?? name;
}

export function readSettings(raw: Record<string, unknown>): AccurateSettings {
  const out: AccurateSettings = {
    authMode: raw.authMode === 'apiToken' ? 'apiToken' : 'oauth2',
    databaseId: str(raw.databaseId) ?? '',
    accountUrl: (str(raw.accountUrl) ?? ACCOUNT_URL).replace(/\/+$/, ''),
    scope: str(raw.scope) ?? SCOPE,
    warehouseMap: readMap(raw.warehouseMap, 'warehouseMap'),
    branchByWarehouse: readMap(raw.branchByWarehouse, 'branchByWarehouse'),
    bankByPaymentMethod: readMap(raw.bankByPaymentMethod, 'bankByPaymentMethod'),
    paymentMethodMap: readMap(raw.paymentMethodMap, 'paymentMethodMap'),
    customerNumbers: raw.customerNumbers === 'accurate' ? 'accurate' : 'record',
    currency: str(raw.currency) ?? 'IDR',
    webhookHeaderName: str(raw.webhookHeaderName) ?? 'X-Ledgerlink-Webhook-Secret',
    webhookHistory: raw.webhookHistory !== false && raw.webhookHistory !== 'false',
    pageSize: Math.min(MAX_PAGE, Math.max(1, int(raw.pageSize, MAX_PAGE))),
    timeoutMs: int(raw.timeoutMs, 30_000),
  };
  const optional = [
    'clientId',
    'clientSecret',
    'refreshToken',
    'apiToken',
    'signatureSecret',
    'branch',
    'defaultBankNo',
    'taxName',
    'adjustmentAccountNo',
    'roundingAccountNo',
    'webhookSecret',
  ] as const;
  for (const k of optional) {
    const v = str(raw[k]);
    if (v) out[k] = v;
  }
  return out;
}
