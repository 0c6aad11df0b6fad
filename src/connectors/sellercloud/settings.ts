/** A SellerCloud connection's settings, as the manifest's fields validated them (defaults applied). */
export interface SellerCloudSettings {
  /** The REST base, https://{server}.api.sellercloud.com/rest/api (FACTS.md: Authentication). */
  baseUrl: string;
  username: string;
  password: string;
  /** The company orders and customers are created in (CompanyID, required on both: FACTS.md). */
  companyId: number;
  /** The channel a created order is booked on: Local_Store 0, Website 6, Wholesale 21. */
  channel: number;
  /** SellerCloud converts international orders to USD on creation (Get Single Order). */
  currency: string;
  /**
   * The code an order's tax is booked under: SellerCloud gives one tax total per order, the ERP
   * wants a tax line; a flow's taxClass value map turns the code into the ERP's tax.
   */
  taxCode: string;
  pageSize: number;
  timeoutMs: number;
}

/** Largest pageSize Get All Orders and Get Inventory Info take (FACTS.md). */
export const MAX_PAGE = 50;

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
const int = (v: unknown, fallback: number): number =>
  v === undefined || v === null || v === '' ? fallback : Number(v);

/** The REST base of a team's server: its id (`tt`) or a whole URL (a `.us` host, the sandbox). */
export function restBase(server: string): string {
  if (/^https?:\/\//.test(server)) return server.replace(/\/+$/, '');
  return `https://${server}.api.sellercloud.com/rest/api`;
}

export function readSettings(raw: Record<string, unknown>): SellerCloudSettings {
  return {
    baseUrl: restBase(str(raw.server) ?? ''),
    username: str(raw.username) ?? '',
    password: str(raw.password) ?? '',
    companyId: int(raw.companyId, 1),
    channel: int(raw.channel, 0),
    currency: str(raw.currency) ?? 'USD',
    taxCode: str(raw.taxCode) ?? 'SALESTAX',
    pageSize: Math.min(MAX_PAGE, Math.max(1, int(raw.pageSize, MAX_PAGE))),
    timeoutMs: int(raw.timeoutMs, 30_000),
  };
}
