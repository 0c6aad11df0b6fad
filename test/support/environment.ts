import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  type AcumaticaSandbox,
  startAcumaticaSandbox,
} from '../../src/connectors/acumatica/sandbox/index.js';
import { type MagentoSandbox, startMagentoSandbox } from '../../src/connectors/magento/sandbox/index.js';
import { sandboxRegistry } from '../../src/connectors/sandboxes.js';
import { createTestDatabase, type TestDatabase } from './databases.js';

export interface SyncEnvironment {
  acumatica: AcumaticaSandbox;
  magento: MagentoSandbox;
  db: TestDatabase;
  dir: string;
  configPath: string;
  /** Rewrites the configuration with changed flow settings. */
  writeConfig(flowPatch?: Record<string, unknown>, magentoPatch?: Record<string, unknown>): void;
  close(): Promise<void>;
}

/** Both sandboxes (checking every exchange against the published specs), a fresh store and a config file. */
export async function startSyncEnvironment(opts: {
  customers: number;
  products: number;
  dialect?: 'sqlite' | 'postgres';
  seed?: number;
  magentoLatencyMs?: number;
  /** A store made elsewhere (a private PostgreSQL cluster); dropped with the environment. */
  database?: TestDatabase;
}): Promise<SyncEnvironment> {
  const acumatica = await startAcumaticaSandbox({
    customers: opts.customers,
    products: opts.products,
    conformance: true,
    seed: opts.seed ?? 3,
  });
  const magento = await startMagentoSandbox({
    conformance: true,
    ...(opts.magentoLatencyMs ? { latencyMs: opts.magentoLatencyMs } : {}),
  });
  const db = opts.database ?? (await createTestDatabase(opts.dialect ?? 'sqlite'));
  const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-e2e-'));
  const configPath = join(dir, 'ledgerlink.yaml');
  const env: SyncEnvironment = {
    acumatica,
    magento,
    db,
    dir,
    configPath,
    writeConfig(flowPatch = {}, magentoPatch = {}) {
      const flow = { retryBaseSeconds: 0.05, retryCapSeconds: 0.5, overlapMinutes: 1, ...flowPatch };
      writeFileSync(
        configPath,
        stringify({
          database: db.url,
          connections: {
            acumatica: {
              connector: 'acumatica',
              settings: { ...sandboxRegistry.acumatica!.settings(acumatica), timeoutMs: 5000 },
            },
            magento: {
              connector: 'magento',
              settings: {
                ...sandboxRegistry.magento!.settings(magento),
                timeoutMs: 2000,
                ...magentoPatch,
              },
            },
          },
          flows: { 'acumatica-magento.customers': { ...flow }, 'acumatica-magento.products': { ...flow } },
        }),
      );
    },
    async close() {
      await Promise.all([acumatica.close(), magento.close()]);
      await db.drop();
    },
  };
  env.writeConfig();
  return env;
}
