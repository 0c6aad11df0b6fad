/** A Sage 50 connection's settings, as the manifest's fields validated them (defaults applied). */
export interface Sage50Settings {
  /**
   * A full ODBC connection string (a DSN-less `Driver=…;…` or `DSN=…`). When set it wins over the
   * folder, user and password: the hosted schema of the tests and the demo is reached this way.
   */
  connectionString?: string;
  /** The company's data folder, ACCDATA (the manual's sage.folder). */
  folder: string;
  /** The Sage 50 user the ODBC driver logs in as (sage.user). */
  user: string;
  /** That user's password (sage.password). */
  password: string;
  /** Sage Instant Accounts rather than Sage 50 Accounts (sage.instant.connection). */
  instant: boolean;
  /** The ODBC driver's name as the Windows ODBC administrator lists it. */
  driver: string;
  /** Who writes: Sage Data Objects on Windows, or the hosted schema's writer (tests and the demo). */
  writer: 'sdo' | 'hosted';
  /** The ProgID SDO's engine is registered under (it follows Sage's version; FACTS.md ⚠). */
  sdoProgId: string;
  /** The product an order line without a product code is booked on (sage.defaultproduct). */
  defaultProduct: string;
  defaultCurrency: string;
  homeCountry: string;
  /** The tax code and its rate invoices written from CRM orders carry (T1, the standard rate). */
  taxCode: string;
  taxRate: string;
  pageSize: number;
}

/** ⚠ FACTS.md: the names Sage's installer gives its ODBC drivers (the version follows the release). */
export const SAGE50_DRIVER = 'Sage Line 50 v30';
export const INSTANT_DRIVER = 'Sage Instant Accounts v30';
/** ⚠ FACTS.md: the version-independent ProgID Sage registers for SDO's engine. */
export const SDO_PROG_ID = 'SDOEngine.32';

/** The stock codes Sage 50 keeps for non-product lines (S1/S2/S3 service items, M a message line). */
export const SPECIAL_CODES: ReadonlySet<string> = new Set(['S1', 'S2', 'S3', 'M']);

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
const int = (v: unknown, fallback: number): number =>
  v === undefined || v === null || v === '' ? fallback : Number(v);

export function readSettings(raw: Record<string, unknown>): Sage50Settings {
  const instant = raw.instant === true || raw.instant === 'true';
  const out: Sage50Settings = {
    folder: str(raw.folder) ?? '',
    user: str(raw.user) ?? 'manager',
    password: str(raw.password) ?? '',
    instant,
    driver: str(raw.driver) ?? (instant ? INSTANT_DRIVER : SAGE50_DRIVER),
    writer: raw.writer === 'hosted' ? 'hosted' : 'sdo',
    sdoProgId: str(raw.sdoProgId) ?? SDO_PROG_ID,
    defaultProduct: str(raw.defaultProduct) ?? 'MISC',
    defaultCurrency: str(raw.defaultCurrency) ?? 'GBP',
    homeCountry: str(raw.homeCountry) ?? 'GB',
    taxCode: str(raw.taxCode) ?? 'T1',
    taxRate: str(raw.taxRate) ?? '17.5',
    pageSize: Math.min(1000, Math.max(1, int(raw.pageSize, 200))),
  };
  const cs = str(raw.connectionString);
  if (cs) out.connectionString = cs;
  return out;
}

/** A value inside an ODBC connection string: braced when it holds a separator (ODBC's rule). */
const odbcValue = (v: string): string => (/[;{}=\s]/.test(v) ? `{${v.replace(/}/g, '}}')}}` : v);

/**
 * The ODBC connection string: as given, or Sage's driver with the data folder, user and password
 * (DIR, UID, PWD are the attributes Sage's driver reads; FACTS.md ⚠).
 */
export function connectionString(s: Sage50Settings): string {
  if (s.connectionString) return s.connectionString;
  return `Driver=${odbcValue(s.driver)};DIR=${odbcValue(s.folder)};UID=${odbcValue(s.user)};PWD=${odbcValue(s.password)}`;
}
