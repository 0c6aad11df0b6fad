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
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return { db, adapter: sqliteAdapter, location: `sqlite:${file}`, destroy: () => db.destroy() };
}

/** Distinct statements kept prepared; past it the cache starts over (IN lists of every length add up). */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely prepares every statement it runs anew, which cost a tenth of a busy process's CPU (a
 * webhook burst's profile). The same SQL text reuses its prepared statement here, unless that one is
 * still iterating rows (a stream), when a fresh one is prepared.
 */
function withStatementCache(sqlite: BetterSqlite3.Database): BetterSqlite3.Database {
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepare = (source: string): BetterSqlite3.Statement => {
    const cached = cache.get(source);
    if (cached && !cached.busy) return cached;
    const statement = sqlite.prepare(source);
    if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
    cache.set(source, statement);
    return statement;
  };
  return new Proxy(sqlite, {
    get(target, prop) {
      if (prop === 'prepare') return prepare;
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
