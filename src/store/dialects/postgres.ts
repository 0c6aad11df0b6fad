import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../schema.js';
import type { DialectAdapter, OpenedDatabase } from './adapter.js';

export const postgresAdapter: DialectAdapter = {
  name: 'postgres',
  idType: 'bigint',
  idColumn: (col) => col.primaryKey().generatedByDefaultAsIdentity(),
  supportsSkipLocked: true,
  multiProcess: true,
};

// int8 (ids, count(*)) as JS numbers, as SQLite returns them; our ids stay far below 2^53.
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export function openPostgres(url: string, poolSize = 10): OpenedDatabase {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types });
  // An idle client whose server went away (a restart, a failover, a terminated backend) reports it
  // here; the pool drops that client and the next query connects afresh. Unheard, it would crash.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const safe = new URL(url);
  if (safe.password) safe.password = '***';
  return { db, adapter: postgresAdapter, location: safe.toString(), destroy: () => db.destroy() };
}
