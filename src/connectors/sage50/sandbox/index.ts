import { OdbcClient } from '../odbc.js';
import { seedGenerated, seedManualRecords } from './seed.js';

export { HOSTED_TABLES } from './schema.js';
export {
  type AuditTransaction,
  addAuditTransaction,
  SEEDED_AT,
  seedGenerated,
  seedManualRecords,
} from './seed.js';
export { HostedWriter, PRODUCT_INVOICE } from './writer.js';

/** Where the hosted schema lives: a SQLite file, or a PostgreSQL database that already exists. */
export type HostedDatabase =
  | { dialect: 'sqlite'; file: string }
  | { dialect: 'postgres'; host?: string; port?: number; database: string; user?: string };

/** A DSN-less ODBC connection string through Debian's drivers (SQLite3, PostgreSQL Unicode). */
export function hostedConnectionString(d: HostedDatabase): string {
  if (d.dialect === 'sqlite') return `Driver=SQLite3;Database=${d.file}`;
  return `Driver={PostgreSQL Unicode};Server=${d.host ?? '127.0.0.1'};Port=${d.port ?? 5432};Database=${d.database};Uid=${d.user ?? 'postgres'};`;
}

export interface HostedSage50 {
  connectionString: string;
  /** A connection of the test's own, to look at and change the data file behind the connector's back. */
  db: OdbcClient;
  /** The settings a connection to it uses. */
  settings(): Record<string, unknown>;
  close(): Promise<void>;
}

/**
 * Sage 50's tables hosted in SQLite or PostgreSQL behind unixODBC, filled with the manual's records:
 * the connector reaches them through a real ODBC driver manager, as it reaches Sage's own driver.
 * `generated`: that many generated customers, products and posted invoices instead (volume tests).
 */
export async function startHostedSage50(
  d: HostedDatabase,
  o: { generated?: number } = {},
): Promise<HostedSage50> {
  const connectionString = hostedConnectionString(d);
  const db = new OdbcClient(connectionString);
  if (o.generated !== undefined) await seedGenerated(db, o.generated);
  else await seedManualRecords(db);
  return {
    connectionString,
    db,
    settings: () => ({ connectionString, writer: 'hosted', defaultProduct: 'MISC' }),
    close: () => db.close(),
  };
}
