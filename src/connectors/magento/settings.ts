import { configError } from '../sdk/errors.js';
import { readMap } from '../sdk/setting-map.js';

/** A connection's settings, as the manifest's fields validated them (defaults applied). */
export interface MagentoSettings {
  baseUrl: string;
  storeCode: string;
  authMode: 'token' | 'admin';
  accessToken?: string;
  username?: string;
  password?: string;
  websiteId: number;
  storeId: number;
  defaultGroupId: number;
  attributeSetId: number;
  baseCurrency: string;
  stockApi: 'source-items' | 'stock-item';
  stockSource: string;
  /** Canonical warehouses whose stock adds up to Magento's quantity; empty = all. */
  stockWarehouses: string[];
  pageSize: number;
  timeoutMs: number;
  /** PEM public key Adobe Commerce signs webhook bodies with; verification by signature when set. */
  webhookPublicKey?: string;
  /** A shared token the webhook's configured headers carry; used when there is no public key. */
  webhookSecret?: string;
  /** The header carrying webhookSecret (lower case). */
  webhookSecretHeader: string;
  /** Customers are written as Adobe Commerce B2B companies (write-companies.ts). */
  b2bCompanies: boolean;
  /** The company role every company user gets. */
  companyRole: string;
  /** ERP payment terms → the Adobe Commerce payment method codes a company may use. */
  companyPaymentMethods: Record<string, string[]>;
}

/** The header a webhook's shared token travels in, unless the connection names another. */
export const DEFAULT_SECRET_HEADER = 'x-ledgerlink-webhook-token';

const int = (v: unknown, fallback: number): number => (v === undefined || v === null ? fallback : Number(v));
const str = (v: unknown, fallback: string): string => (typeof v === 'string' && v ? v : fallback);

/**
 * Reads settings that settingsSchema already validated, applying the same defaults again so that a
 * connector created directly (tests, the CLI's sandbox wiring) behaves the same way.
 */
export function readSettings(raw: Record<string, unknown>): MagentoSettings {
  if (typeof raw.baseUrl !== 'string' || !raw.baseUrl)
    throw configError('Magento needs a store URL (baseUrl)');
  const authMode = raw.authMode === 'admin' ? 'admin' : 'token';
  const out: MagentoSettings = {
    baseUrl: raw.baseUrl,
    storeCode: str(raw.storeCode, 'default'),
    authMode,
    websiteId: int(raw.websiteId, 1),
    storeId: int(raw.storeId, 1),
    defaultGroupId: int(raw.defaultGroupId, 1),
    attributeSetId: int(raw.attributeSetId, 4),
    baseCurrency: str(raw.baseCurrency, 'USD'),
    stockApi: raw.stockApi === 'stock-item' ? 'stock-item' : 'source-items',
    stockSource: str(raw.stockSource, 'default'),
    stockWarehouses: str(raw.stockWarehouses, '')
      .split(',')
      .map((w) => w.trim())
      .filter(Boolean),
    pageSize: int(raw.pageSize, 100),
    timeoutMs: int(raw.timeoutMs, 30_000),
    webhookSecretHeader: str(raw.webhookSecretHeader, DEFAULT_SECRET_HEADER).toLowerCase(),
    b2bCompanies: raw.b2bCompanies === true || raw.b2bCompanies === 'true',
    companyRole: str(raw.companyRole, 'Default User'),
    companyPaymentMethods: paymentMethodsOf(raw.companyPaymentMethods),
  };
  if (typeof raw.webhookPublicKey === 'string' && raw.webhookPublicKey.trim())
    out.webhookPublicKey = raw.webhookPublicKey;
  if (typeof raw.webhookSecret === 'string' && raw.webhookSecret) out.webhookSecret = raw.webhookSecret;
  if (typeof raw.accessToken === 'string') out.accessToken = raw.accessToken;
  if (typeof raw.username === 'string') out.username = raw.username;
  if (typeof raw.password === 'string') out.password = raw.password;
  return out;
}

/** terms=method|method pairs (or JSON with comma-separated methods) → methods per terms code. */
function paymentMethodsOf(v: unknown): Record<string, string[]> {
  let map: Record<string, string>;
  try {
    map = readMap(v, 'companyPaymentMethods');
  } catch (e) {
    throw configError((e as Error).message);
  }
  const out: Record<string, string[]> = {};
  for (const [terms, methods] of Object.entries(map)) {
    const list = methods
      .split(/[|,\s]+/)
      .map((m) => m.trim())
      .filter(Boolean);
    if (list.length) out[terms] = list;
  }
  return out;
}
