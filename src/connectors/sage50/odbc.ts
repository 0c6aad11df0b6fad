import { configError, LedgerlinkError } from '../sdk/errors.js';

export type Row = Record<string, unknown>;

/**
 * The odbc package, loaded when a Sage 50 connection is first used: it is an optional dependency
 * (a native addon built against unixODBC's headers), so an installation without unixODBC still
 * installs and runs every other connector, and only a Sage 50 connection says what is missing.
 */
async function loadOdbc(): Promise<DriverManager> {
  try {
    // By a name the compiler does not resolve: without unixODBC's headers the package is absent, and
    // its types with it; the build of every other connector must not depend on them.
    const name = 'odbc';
    return ((await import(name)) as { default: DriverManager }).default;
  } catch (e) {
    throw configError(
      `the odbc package is not installed (${e instanceof Error ? e.message : String(e)}): install unixODBC and its headers (Debian: apt-get install unixodbc unixodbc-dev; Windows has its ODBC driver manager already), then run npm install again`,
      'connection',
    );
  }
}

/** What we use of the odbc package (its README's Connection and Cursor), typed here: see loadOdbc. */
interface DriverManager {
  connect(connectionString: string): Promise<OdbcConnection>;
}
interface OdbcConnection {
  query<T>(sql: string, params: unknown[]): Promise<T[]>;
  query(sql: string, params: unknown[], options: { cursor: true; fetchSize: number }): Promise<OdbcCursor>;
  beginTransaction(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  close(): Promise<void>;
}
interface OdbcCursor {
  readonly noData: boolean;
  fetch<T>(): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * SQLSTATE classes that no retry mends: a table or column the data file lacks (42S02, 42S22; 42P01,
 * 42703 from PostgreSQL's driver), a statement the driver cannot parse (42000, 42601), no permission
 * (42501, 28000); SQLite's "no such table/column". Anything else (a file locked by Sage, a lost
 * connection) is tried again.
 */
const SETUP_STATES = /^(42S02|42S22|42P01|42703|42000|42601|42501|28000)$/;

/** A failed statement as data: a setup problem stops the run with its reason, any other is retried. */
function statementError(e: unknown, sql: string): LedgerlinkError {
  const state = (e as { odbcErrors?: Array<{ state?: string }> }).odbcErrors?.[0]?.state;
  const message = `ODBC: ${reason(e)} — in ${sql.slice(0, 200)}`;
  // SQLite's driver answers HY000 for every error: its words say which.
  const setup = (state && SETUP_STATES.test(state)) || /no such (table|column)/i.test(reason(e));
  return setup
    ? configError(
        `${message}; the data file lacks what Ledgerlink reads, or the ODBC user may not read it`,
        'connection',
      )
    : new LedgerlinkError({ code: 'server', category: 'transient', message });
}

/** The odbc package's error carries the driver's diagnostics; the first names the cause. */
function reason(e: unknown): string {
  const diag = (e as { odbcErrors?: Array<{ message?: string; state?: string }> }).odbcErrors?.[0];
  if (diag?.message) return `${diag.message}${diag.state ? ` (SQLSTATE ${diag.state})` : ''}`;
  return e instanceof Error ? e.message : String(e);
}

/**
 * One ODBC connection through the driver manager (unixODBC here, Windows' on a Sage machine),
 * opened on first use. Only plain SQL-92 with `?` parameters and ODBC escapes (`{ts '…'}`) is sent,
 * the subset Sage's own driver understands; money is read as text (`CAST(… AS VARCHAR(32))`), so
 * no amount passes through a float of the driver.
 */
export class OdbcClient {
  private conn?: Promise<OdbcConnection>;

  constructor(private readonly connectionString: string) {}

  private connection(): Promise<OdbcConnection> {
    this.conn ??= loadOdbc()
      .then((driverManager) => driverManager.connect(this.connectionString))
      .catch((e: unknown) => {
        this.conn = undefined;
        if (e instanceof LedgerlinkError) throw e;
        throw configError(`the ODBC connection could not be opened: ${reason(e)}`, 'connection');
      });
    return this.conn;
  }

  async query<T extends Row = Row>(sql: string, params: ReadonlyArray<string | number> = []): Promise<T[]> {
    const c = await this.connection();
    try {
      const rows = await c.query<T>(sql, [...params]);
      return [...rows].map((r) => lower(r) as T);
    } catch (e) {
      throw statementError(e, sql);
    }
  }

  /**
   * The rows of one statement, `size` at a time, through an ODBC cursor (SQLFetch with a fetch size):
   * no LIMIT/OFFSET, which Sage's driver does not take, and the table is never held in memory here.
   */
  async *pages<T extends Row = Row>(
    sql: string,
    params: ReadonlyArray<string | number>,
    size: number,
  ): AsyncIterable<T[]> {
    const c = await this.connection();
    let cursor: OdbcCursor;
    try {
      cursor = await c.query(sql, [...params], { cursor: true, fetchSize: size });
    } catch (e) {
      throw statementError(e, sql);
    }
    try {
      while (!cursor.noData) {
        let rows: T[];
        try {
          rows = [...(await cursor.fetch<T>())].map((r) => lower(r) as T);
        } catch (e) {
          throw statementError(e, sql);
        }
        if (rows.length) yield rows;
      }
    } finally {
      await cursor.close().catch(() => {});
    }
  }

  /** Statements in one transaction: all or none. */
  async transaction<T>(work: (q: OdbcClient['query']) => Promise<T>): Promise<T> {
    const c = await this.connection();
    await c.beginTransaction();
    try {
      const out = await work((sql, params) => this.query(sql, params));
      await c.commit();
      return out;
    } catch (e) {
      await c.rollback().catch(() => {});
      throw e;
    }
  }

  async close(): Promise<void> {
    const c = this.conn;
    this.conn = undefined;
    if (c) await (await c.catch(() => undefined))?.close();
  }
}

/** Column names as lower case: PostgreSQL folds unquoted aliases, SQLite keeps them as written. */
function lower(r: Row): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(r)) out[k.toLowerCase()] = typeof v === 'bigint' ? Number(v) : v;
  return out;
}

/** `?, ?, ?` for n parameters. */
export const marks = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/** An ISO instant as an ODBC timestamp escape (seconds), refusing anything else. */
export function tsLiteral(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw configError(`not a date-time: ${iso}`);
  return `{ts '${d.toISOString().slice(0, 19).replace('T', ' ')}'}`;
}

/** A timestamp as the driver gives it ("2024-05-01 10:00:00") as ISO UTC (FACTS.md ⚠: Sage's clock). */
export function isoOf(v: unknown): string {
  if (typeof v !== 'string' || !v) return new Date(0).toISOString();
  const s = v.trim().replace(' ', 'T');
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);
  return Number.isNaN(d.getTime()) ? new Date(0).toISOString() : d.toISOString();
}

/** SQL for a money (DOUBLE) column read as text. */
export const asText = (col: string, alias: string): string => `CAST(${col} AS VARCHAR(32)) AS ${alias}`;
