import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../schema.js';
import type { DialectAdapter, OpenedDatabase } from './adapter.js';

export const sqliteAdapter: DialectAdapter = {
  name: 'sqlite',
  idType: 'integer',
  idColumn: (col) => col.primaryKey().autoIncrement(),
  supportsSkipLocked: false,
  multiProcess: false,
};

/** `sqlite:./data/ledgerlink.db`, `sqlite:/abs/path.db` or `sqlite::memory:`. */
export function openSqlite(url: string): OpenedDatabase {
  const path = url.replace(/^sqlite:(\/\/)?/, '');
  const file = path === ':memory:' ? ':memory:' : resolve(path);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new BetterSqlite3(file);
  // WAL lets readers (the API, `ledgerlink log`) work while a run writes; busy_timeout makes a
  // second process (the CLI next to a running server) wait for the lock instead of failing.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 10000');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, adapter: sqliteAdapter, location: `sqlite:${file}`, destroy: () => db.destroy() };
}
