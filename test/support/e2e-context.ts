import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type Context, openContext } from '../../src/runtime/context.js';
import { createTestDatabase, type TestDatabase } from './databases.js';

/** Retries a test can wait for: 50 ms, growing to half a second. */
export const FAST_RETRY = { retryBaseSeconds: 0.05, retryCapSeconds: 0.5 } as const;

export interface E2eContext {
  ctx: Context;
  db: TestDatabase;
  configPath: string;
  /** Closes the context, drops the database, removes the configuration's folder. */
  close(): Promise<void>;
}

/**
 * An end-to-end test's Ledgerlink between sandboxes: a database of the dialect, a configuration file
 * with the connections, value maps and flows given (each flow with FAST_RETRY under what it says),
 * and the context opened on it — what every two-system test set up by hand.
 */
export async function openE2eContext(o: {
  dialect: 'sqlite' | 'postgres';
  connections: Record<string, { connector: string; settings: Record<string, unknown> }>;
  /** Flow names (each with FAST_RETRY), or names with their settings. */
  flows: readonly string[] | Record<string, Record<string, unknown>>;
  valueMaps?: Record<string, Array<Record<string, string>>>;
}): Promise<E2eContext> {
  const db = await createTestDatabase(o.dialect);
  const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-e2e-'));
  const configPath = join(dir, 'ledgerlink.yaml');
  const flows = Array.isArray(o.flows)
    ? Object.fromEntries(o.flows.map((f) => [f, { ...FAST_RETRY }]))
    : Object.fromEntries(Object.entries(o.flows).map(([f, s]) => [f, { ...FAST_RETRY, ...s }]));
  writeFileSync(
    configPath,
    stringify({
      database: db.url,
      connections: o.connections,
      ...(o.valueMaps ? { valueMaps: o.valueMaps } : {}),
      flows,
    }),
  );
  let ctx: Context;
  try {
    ctx = await openContext({ configPath });
  } catch (e) {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    ctx,
    db,
    configPath,
    async close() {
      await ctx.close();
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
