import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { OpenedDatabase } from './dialects/adapter.js';
import { underMigrationLock } from './migration-lock.js';
import * as m001 from './migrations/001_initial.js';
import * as m002 from './migrations/002_order_to_cash.js';
import * as m003 from './migrations/003_batches.js';
import * as m004 from './migrations/004_access.js';
import * as m005 from './migrations/005_rate_limits.js';
import * as m006 from './migrations/006_record_indexes.js';
import * as m007 from './migrations/007_queue.js';
import * as m008 from './migrations/008_run_pages.js';
import * as m009 from './migrations/009_hardening.js';
import * as m010 from './migrations/010_batch_screens.js';
import * as m011 from './migrations/011_log_calls.js';
import * as m012 from './migrations/012_mailbox.js';
import * as m013 from './migrations/013_sequence_keys.js';
import * as m014 from './migrations/014_sticky_skip.js';
import * as m015 from './migrations/015_reconcile_accepted.js';
import * as m016 from './migrations/016_alerts.js';
import * as m017 from './migrations/017_lock_and_read.js';
import type { Database } from './schema.js';

/** Numbered migrations, in order. A database that has a migration this list lacks is newer than this code. */
const MIGRATIONS = {
  '001_initial': m001,
  '002_order_to_cash': m002,
  '003_batches': m003,
  '004_access': m004,
  '005_rate_limits': m005,
  '006_record_indexes': m006,
  '007_queue': m007,
  '008_run_pages': m008,
  '009_hardening': m009,
  '010_batch_screens': m010,
  '011_log_calls': m011,
  '012_mailbox': m012,
  '013_sequence_keys': m013,
  '014_sticky_skip': m014,
  '015_reconcile_accepted': m015,
  '016_alerts': m016,
  '017_lock_and_read': m017,
} as const;

export class StoreVersionError extends Error {
  readonly code = 'store_version';
}

export async function migrate(opened: OpenedDatabase): Promise<string[]> {
  const provider: MigrationProvider = {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, mod] of Object.entries(MIGRATIONS))
        out[name] = { up: (db) => mod.up(db, opened.adapter) };
      return out;
    },
  };
  const migrator = new Migrator({
    db: opened.db,
    provider,
    migrationTableName: 'ledgerlink_migrations',
    migrationLockTableName: 'ledgerlink_migrations_lock',
  });
  const { error, results } =
    opened.adapter.name === 'postgres'
      ? await opened.db.connection().execute((session) =>
          underMigrationLock(
            (statement) => sql.raw(statement).execute(session),
            () => migrator.migrateToLatest(),
          ),
        )
      : await migrator.migrateToLatest();
  if (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/corrupted migrations/i.test(message)) {
      // An older Ledgerlink pointed at a store that a newer one has migrated: refuse to run.
      throw new StoreVersionError(
        `the store at ${opened.location} was migrated by a newer Ledgerlink (${message}); upgrade this installation before starting it`,
      );
    }
    throw new Error(`migrating the store at ${opened.location} failed: ${message}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Whether the schema is the one this code was written for: none of its migrations missing, none it does not know. */
export async function migrationState(
  db: Kysely<Database>,
): Promise<{ missing: string[]; unknown: string[] }> {
  const { rows } = await sql<{ name: string }>`select name from ledgerlink_migrations`.execute(db);
  const applied = new Set(rows.map((r) => r.name));
  const known = new Set(Object.keys(MIGRATIONS));
  return {
    missing: [...known].filter((n) => !applied.has(n)),
    unknown: [...applied].filter((n) => !known.has(n)),
  };
}
