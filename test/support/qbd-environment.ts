import pino from 'pino';
import type { QuickBooksDesktopConnector } from '../../src/connectors/quickbooks-desktop/connector.js';
import { quickbooksDesktopConnector } from '../../src/connectors/quickbooks-desktop/index.js';
import {
  QBD_SANDBOX,
  type QuickBooksDesktopSandbox,
  type QuickBooksDesktopSandboxOptions,
  startQuickBooksDesktopSandbox,
} from '../../src/connectors/quickbooks-desktop/sandbox/index.js';
import type { Connector } from '../../src/connectors/sdk/contract.js';
import { settingsSchema } from '../../src/connectors/sdk/manifest.js';
import { openStore, type Store } from '../../src/store/index.js';
import { type ApiServer, startApiServer } from './api-server.js';
import { createTestDatabase, type TestDatabase } from './databases.js';

const logger = pino({ level: 'silent' });

export interface QbdEnvironment {
  db: TestDatabase;
  store: Store;
  api: ApiServer;
  sandbox: QuickBooksDesktopSandbox;
  /** The connection "qbd", polled by the sandbox's Web Connector. */
  connector: QuickBooksDesktopConnector;
  /** Another connection of the same company file (its own name and mailbox), polled by a second Web Connector. */
  connect(name: string, overrides?: Record<string, unknown>): QuickBooksDesktopConnector;
  soapUrl(name?: string): string;
  close(): Promise<void>;
}

/**
 * Ledgerlink's API server on a real store, a QuickBooks Desktop connection "qbd" built as the
 * runtime builds it (its mailbox in the store), and the sandbox's Web Connector polling
 * <api>/qbwc/qbd — everything over loopback.
 */
export async function startQbdEnvironment(
  o: QuickBooksDesktopSandboxOptions & {
    dialect?: 'sqlite' | 'postgres';
    settings?: Record<string, unknown>;
  } = {},
): Promise<QbdEnvironment> {
  const db = await createTestDatabase(o.dialect ?? 'sqlite');
  const store = await openStore(db.url);
  const live = new Map<string, Connector>();
  const connections = new Map<string, unknown>();
  const api = await startApiServer({
    store,
    connections,
    connectors: {
      get: (name: string) => {
        const c = live.get(name);
        if (!c) throw new Error(`no connector ${name}`);
        return c;
      },
    },
  });
  const connect = (name: string, overrides: Record<string, unknown> = {}) => {
    const settings = settingsSchema(quickbooksDesktopConnector.manifest.connectionFields).parse({
      username: QBD_SANDBOX.username,
      password: QBD_SANDBOX.password,
      publicUrl: api.url,
      companyFile: QBD_SANDBOX.companyFile,
      homeCurrency: 'GBP',
      country: 'GB',
      answerWaitSeconds: 3,
      runEveryMinutes: 1,
      ...o.settings,
      ...overrides,
    });
    const c = quickbooksDesktopConnector.create(settings, {
      connection: name,
      logger,
      mailbox: store.mailbox.forConnection(name),
    }) as QuickBooksDesktopConnector;
    live.set(name, c);
    connections.set(name, {});
    return c;
  };
  const connector = connect('qbd');
  const soapUrl = (name = 'qbd') => `${api.url}/qbwc/${name}`;
  const sandbox = await startQuickBooksDesktopSandbox({ ...o, webConnectorUrl: soapUrl() });
  return {
    db,
    store,
    api,
    sandbox,
    connector,
    connect,
    soapUrl,
    async close() {
      await sandbox.close();
      await api.close();
      await store.close();
      await db.drop();
    },
  };
}
