import pino from 'pino';
import type { ConfiguredConnection } from '../../src/config/load.js';
import { MemoryConnector } from '../../src/connectors/memory/index.js';
import { quickbooksConnector } from '../../src/connectors/quickbooks/index.js';
import {
  type QuickBooksSandbox,
  startQuickBooksSandbox,
} from '../../src/connectors/quickbooks/sandbox/index.js';
import type { ConnectorDefinition } from '../../src/connectors/sdk/contract.js';
import { settingsSchema } from '../../src/connectors/sdk/manifest.js';
import { ConnectorSet } from '../../src/runtime/connections.js';
import { openStore, type Store } from '../../src/store/index.js';
import { type ApiServer, startApiServer } from './api-server.js';
import { createTestDatabase, type TestDatabase } from './databases.js';

const logger = pino({ level: 'silent' });

export interface OAuthEnvironment {
  store: Store;
  sandbox: QuickBooksSandbox;
  api: ApiServer;
  /** The connectors as another process would make them: from the configuration and the store alone. */
  connectors(): ConnectorSet;
  close(): Promise<void>;
}

/**
 * Ledgerlink's API server (and the built dashboard) on a SQLite store with two connections: "qbo", a
 * QuickBooks Online connection to a sandbox that has never been authorized (no refresh token, no
 * company in its settings: both come from the authorization), and "files", which takes none.
 */
export async function startOAuthEnvironment(): Promise<OAuthEnvironment> {
  const db: TestDatabase = await createTestDatabase('sqlite');
  const store = await openStore(db.url);
  const sandbox = await startQuickBooksSandbox({ customers: 3, products: 3 });
  const { refreshToken: _r, realmId: _realm, ...settings } = sandbox.settings();
  const memory = new MemoryConnector('files');
  const connections = new Map<string, ConfiguredConnection>([
    [
      'qbo',
      {
        name: 'qbo',
        definition: quickbooksConnector,
        settings: settingsSchema(quickbooksConnector.manifest.connectionFields).parse({
          ...settings,
          timeoutMs: 5000,
        }),
        rateLimit: quickbooksConnector.manifest.rateLimit!,
      },
    ],
    [
      'files',
      {
        name: 'files',
        definition: { manifest: memory.manifest, create: () => memory } as unknown as ConnectorDefinition,
        settings: {},
        rateLimit: { requestsPerMinute: 60, concurrency: 1 },
      },
    ],
  ]);
  const connectors = () =>
    new ConnectorSet(connections, logger, (name) => store.credentials.forConnection(name));
  const live = connectors();
  const api = await startApiServer({ store, connections, connectors: live });
  return {
    store,
    sandbox,
    api,
    connectors,
    async close() {
      await api.close();
      await live.closeAll();
      await sandbox.close();
      await store.close();
      await db.drop();
    },
  };
}
