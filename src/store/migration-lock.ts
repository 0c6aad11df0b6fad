/**
 * One schema change at a time on a shared PostgreSQL store. Two processes starting together on a
 * fresh database each bring two schemas up to date: ours (Kysely's migrator, which guards itself
 * with a lock table) and graphile-worker's (guarded by its own lock). The two guards do not know
 * each other, and Kysely's migrator reads the catalog of every schema to find its table: while
 * graphile-worker creates and renames its tables in the other process, that read fails with
 * "relation graphile_worker.… does not exist". Both migrations therefore run under this one
 * advisory lock, held by a session of their own and given back when they end.
 */
const MIGRATION_LOCK = 7_427_301_901; // any fixed bigint; ours alone on this database

/** Runs `body` holding the lock; `exec` runs a statement on the one session that holds it. */
export async function underMigrationLock<T>(
  exec: (statement: string) => Promise<unknown>,
  body: () => Promise<T>,
): Promise<T> {
  await exec(`select pg_advisory_lock(${MIGRATION_LOCK})`);
  try {
    return await body();
  } finally {
    await exec(`select pg_advisory_unlock(${MIGRATION_LOCK})`);
  }
}
