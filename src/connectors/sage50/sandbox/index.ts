import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSandboxKit, type SandboxKit, type SandboxOptions } from '../../sdk/sandbox-kit.js';
import { OdbcClient } from '../odbc.js';
import { seedGenerated, seedManualRecords } from './seed.js';

export { postInvoice } from './post-invoice.js';
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

export interface Sage50Sandbox extends HostedSage50 {
  /** The control server (/_sandbox routes); Sage 50 itself is the SQLite file behind unixODBC. */
  url: string;
  kit: SandboxKit;
  /** The hosted data file. */
  file: string;
}

/** Connection strings of the sandboxes running in this process, by control URL. */
const running = new Map<string, string>();

/**
 * `ledgerlink sandbox sage50` and the demo: the manual's Sage 50 data in a fresh SQLite file behind
 * unixODBC (Sage 50 has no server to imitate: its API is the ODBC driver), with a small control server
 * whose GET /_sandbox/sage50 names the file and the connection string.
 */
export async function startSage50Sandbox(o: SandboxOptions = {}): Promise<Sage50Sandbox> {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-sage50-sandbox-'));
  const file = join(dir, 'ACCDATA.db');
  const hosted = await startHostedSage50({ dialect: 'sqlite', file });
  const kit = createSandboxKit({
    name: 'sage50',
    specs: [],
    conformance: false,
    faultBody: (status) => ({ error: `the sandbox was told to answer ${status}` }),
  });
  kit.app.get('/_sandbox/sage50', async () => ({ file, connectionString: hosted.connectionString }));
  const { url } = await kit.listen(o);
  running.set(url, hosted.connectionString);
  return {
    ...hosted,
    url,
    kit,
    file,
    async close() {
      running.delete(url);
      await kit.close();
      await hosted.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The settings of a connection to the sandbox started (in this process) at `url`. */
export function sandboxSettings(url: string): Record<string, unknown> {
  const connectionString = running.get(url);
  if (!connectionString) throw new Error(`no Sage 50 sandbox runs at ${url} in this process`);
  return { connectionString, writer: 'hosted', defaultProduct: 'MISC' };
}
