/** A Sage 200 connection's settings, as the manifest's fields validated them (defaults applied). */
export interface Sage200Settings {
  /** The Sage 200 site (X-Site on every call; GET /sites lists those the user may reach). */
  siteId: string;
  /** The company within the site (X-Company on every call). */
  companyId: string;
  clientId: string;
  clientSecret: string;
  /** The API base, up to and including /v1. */
  baseUrl: string;
  authorizeUrl: string;
  tokenUrl: string;
  /** The audience Sage ID issues Sage 200 tokens for (⚠ FACTS.md). */
  audience: string;
  scope: string;
  /** A refresh token to start from (a grant made elsewhere); afterwards the rotating one lives in the store. */
  refreshToken?: string;
  /** The product an order line without a product code is booked on (sage.defaultproduct). */
  defaultProduct: string;
  /** The warehouse SOP order lines are taken from, by name. */
  warehouse: string;
  defaultCurrency: string;
  /** Country of addresses that name none. */
  homeCountry: string;
  pageSize: number;
  timeoutMs: number;
}

/** The API base the published specs name (servers / host + basePath). */
export const API_BASE = 'https://api.columbus.sage.com/uk/sage200extra/accounts/v1';
/** Sage ID (FACTS.md: developer.sage.com/200/guides/authenticating). */
export const AUTHORIZE_URL = 'https://id.sage.com/authorize';
export const TOKEN_URL = 'https://id.sage.com/oauth/token';
/** ⚠ FACTS.md: the audience of the Sage 200 UK API as Sage's guide names it. */
export const AUDIENCE = 's200ukipd/sage200';
export const SCOPE = 'openid profile email offline_access';
/** Largest $top this connector asks for. */
export const MAX_TOP = 500;

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
const int = (v: unknown, fallback: number): number =>
  v === undefined || v === null || v === '' ? fallback : Number(v);

export function readSettings(raw: Record<string, unknown>): Sage200Settings {
  const out: Sage200Settings = {
    siteId: str(raw.siteId) ?? '',
    companyId: str(raw.companyId) ?? '',
    clientId: str(raw.clientId) ?? '',
    clientSecret: str(raw.clientSecret) ?? '',
    baseUrl: (str(raw.baseUrl) ?? API_BASE).replace(/\/+$/, ''),
    authorizeUrl: str(raw.authorizeUrl) ?? AUTHORIZE_URL,
    tokenUrl: str(raw.tokenUrl) ?? TOKEN_URL,
    audience: str(raw.audience) ?? AUDIENCE,
    scope: str(raw.scope) ?? SCOPE,
    defaultProduct: str(raw.defaultProduct) ?? 'MISC',
    warehouse: str(raw.warehouse) ?? 'HOME',
    defaultCurrency: str(raw.defaultCurrency) ?? 'GBP',
    homeCountry: str(raw.homeCountry) ?? 'GB',
    pageSize: Math.min(MAX_TOP, Math.max(1, int(raw.pageSize, 100))),
    timeoutMs: int(raw.timeoutMs, 30_000),
  };
  const refresh = str(raw.refreshToken);
  if (refresh) out.refreshToken = refresh;
  return out;
}
