/** A QuickBooks Online connection's settings, as the manifest's fields validated them (defaults applied). */
export interface QuickBooksSettings {
  /** The company (realm) id; when absent, the one the authorization's callback named (kept in the credential store). */
  realmId?: string;
  clientId: string;
  clientSecret: string;
  environment: 'sandbox' | 'production';
  /** Overrides the API base the environment implies (our sandbox, a proxy). */
  baseUrl?: string;
  authorizeUrl: string;
  tokenUrl: string;
  /** Pinned, so a new default minor version never changes the shapes we read. */
  minorVersion: number;
  /** A refresh token to start from (a grant made elsewhere, e.g. Intuit's OAuth Playground). */
  refreshToken?: string;
  defaultProduct: string;
  /** Id of the income account new items post to (the manual's sage.defaultsalesnominal). */
  defaultIncomeAccount?: string;
  /** Sales tax code of new items and invoice lines (US companies: TAX or NON). */
  defaultTaxCode: string;
  defaultCurrency: string;
  /** DefinitionId (1–3) of the invoice's string custom field that shows the CRM order number, if any. */
  orderNumberCustomField?: string;
  webhookVerifierToken?: string;
  pageSize: number;
  timeoutMs: number;
  /** How long a 429 that names no wait pauses the connection (Intuit: 60 s). */
  throttleWaitSeconds: number;
}

export const API_BASE = {
  sandbox: 'https://sandbox-quickbooks.api.intuit.com',
  production: 'https://quickbooks.api.intuit.com',
} as const;

export const AUTHORIZE_URL = 'https://appcenter.intuit.com/connect/oauth2';
export const TOKEN_URL = 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer';
export const SCOPE = 'com.intuit.quickbooks.accounting';
/** Minor version 75 is the one Intuit makes the only supported one from August 2025 (⚠ FACTS.md). */
export const MINOR_VERSION = 75;
/** QuickBooks answers at most 1000 rows per query. */
export const MAX_RESULTS = 1000;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const int = (v: unknown, fallback: number): number =>
  v === undefined || v === null || v === '' ? fallback : Number(v);

/** Reads settings the manifest's schema validated, applying its defaults again for connectors made directly. */
export function readSettings(raw: Record<string, unknown>): QuickBooksSettings {
  const environment = raw.environment === 'production' ? 'production' : 'sandbox';
  const out: QuickBooksSettings = {
    clientId: str(raw.clientId) ?? '',
    clientSecret: str(raw.clientSecret) ?? '',
    environment,
    authorizeUrl: str(raw.authorizeUrl) ?? AUTHORIZE_URL,
    tokenUrl: str(raw.tokenUrl) ?? TOKEN_URL,
    minorVersion: int(raw.minorVersion, MINOR_VERSION),
    defaultProduct: str(raw.defaultProduct) ?? 'MISC',
    defaultTaxCode: str(raw.defaultTaxCode) ?? 'TAX',
    defaultCurrency: str(raw.defaultCurrency) ?? 'USD',
    pageSize: Math.min(MAX_RESULTS, Math.max(1, int(raw.pageSize, 100))),
    timeoutMs: int(raw.timeoutMs, 30_000),
    throttleWaitSeconds: int(raw.throttleWaitSeconds, 60),
  };
  const optional = [
    'realmId',
    'baseUrl',
    'refreshToken',
    'defaultIncomeAccount',
    'orderNumberCustomField',
    'webhookVerifierToken',
  ] as const;
  for (const k of optional) {
    const v = str(raw[k]);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

export const apiBase = (s: QuickBooksSettings): string => s.baseUrl ?? API_BASE[s.environment];
