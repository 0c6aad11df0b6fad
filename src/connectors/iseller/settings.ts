/** An iSeller connection's settings, as the manifest's fields validated them (defaults applied). */
export interface IsellerSettings {
  /** authorization_code: a person grants the app once; client_credentials: the app's own grant (PA v2 p.11). */
  authMode: 'authorization_code' | 'client_credentials';
  clientId: string;
  clientSecret: string;
  authorizeUrl: string;
  tokenUrl: string;
  /**
   * The store's own base URL (https://{store}.isellershop.com). The token answer's resource_url wins
   * when it has one; this is for a client-credentials answer that carries none (FACTS.md ⚠).
   */
  storeUrl?: string;
  /** A refresh token to start from (a grant made elsewhere); afterwards the rotating one lives in the store. */
  refreshToken?: string;
  /** Hours east of UTC the store's dates are read and sent in (`time_zone`, required on orders: PA v2). */
  timeZone: number;
  currency: string;
  /** The customer number of a sale made without a customer (a walk-in), as the seed's shop books it. */
  walkInCustomer: string;
  /** The store's API key: iSeller signs webhook notifications with it (adapter guide; FACTS.md). */
  webhookSecret?: string;
  /** signature: iSeller's Signature + Timestamp headers; header: a shared secret in `webhookHeaderName` (⚠). */
  webhookVerification: 'signature' | 'header';
  webhookHeaderName: string;
  pageSize: number;
  timeoutMs: number;
}

/** iSeller's OAuth host (PA v2 pp.4–12): the token comes from here, API calls go to the store's host. */
export const AUTHORIZE_URL = 'https://isellershop.com/oauth/authorize';
export const TOKEN_URL = 'https://isellershop.com/oauth/token';
/** Largest page_size this connector asks for (PA v2 samples use 500; no maximum is stated, FACTS.md ⚠). */
export const MAX_PAGE = 500;

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
const int = (v: unknown, fallback: number): number =>
  v === undefined || v === null || v === '' ? fallback : Number(v);

export function readSettings(raw: Record<string, unknown>): IsellerSettings {
  const out: IsellerSettings = {
    authMode: raw.authMode === 'client_credentials' ? 'client_credentials' : 'authorization_code',
    clientId: str(raw.clientId) ?? '',
    clientSecret: str(raw.clientSecret) ?? '',
    authorizeUrl: str(raw.authorizeUrl) ?? AUTHORIZE_URL,
    tokenUrl: str(raw.tokenUrl) ?? TOKEN_URL,
    timeZone: int(raw.timeZone, 7),
    currency: str(raw.currency) ?? 'IDR',
    walkInCustomer: str(raw.walkInCustomer) ?? 'UMUM',
    webhookVerification: raw.webhookVerification === 'header' ? 'header' : 'signature',
    webhookHeaderName: str(raw.webhookHeaderName) ?? 'X-Ledgerlink-Token',
    pageSize: Math.min(MAX_PAGE, Math.max(1, int(raw.pageSize, 100))),
    timeoutMs: int(raw.timeoutMs, 30_000),
  };
  const store = str(raw.storeUrl);
  if (store) out.storeUrl = store.replace(/\/+$/, '');
  const refresh = str(raw.refreshToken);
  if (refresh) out.refreshToken = refresh;
  const secret = str(raw.webhookSecret);
  if (secret) out.webhookSecret = secret;
  return out;
}
