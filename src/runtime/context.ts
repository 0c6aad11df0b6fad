import pino, { type Logger } from 'pino';
import { readEnv } from '../config/env.js';
import { type LoadedConfig, loadConfig } from '../config/load.js';
import { connectorRegistry } from '../connectors/registry.js';
import { Engine } from '../engine/engine.js';
import { openStore, type Store } from '../store/index.js';
import { ConnectorSet } from './connections.js';

export interface Context {
  config: LoadedConfig;
  store: Store;
  connectors: ConnectorSet;
  engine: Engine;
  logger: Logger;
  close(): Promise<void>;
}

export function createLogger(level?: string): Logger {
  const env = readEnv();
  return pino({ level: level ?? env.LOG_LEVEL, base: { pid: process.pid } }, pino.destination(2));
}

/** Everything a command needs, wired once: configuration, store (migrated), connectors, engine. */
export async function openContext(
  opts: { configPath?: string; config?: LoadedConfig; logger?: Logger } = {},
): Promise<Context> {
  const env = readEnv();
  const config = opts.config ?? loadConfig(opts.configPath ?? env.LEDGERLINK_CONFIG, connectorRegistry);
  const logger = opts.logger ?? createLogger();
  const store = await openStore(config.database);
  try {
    for (const c of config.connections.values()) {
      const secretNames = new Set(
        c.definition.manifest.connectionFields.filter((f) => f.type === 'secret').map((f) => f.name),
      );
      const visible = Object.fromEntries(Object.entries(c.settings).filter(([k]) => !secretNames.has(k)));
      await store.definitions.saveConnection({
        name: c.name,
        connector: c.definition.manifest.name,
        settings: visible,
      });
    }
    for (const f of config.flows.values()) {
      await store.definitions.saveFlow({
        name: f.name,
        source: f.source,
        target: f.target,
        entity: f.entity,
        enabled: f.enabled,
        config: f,
      });
    }
  } catch (e) {
    await store.close();
    throw e;
  }
  const connectors = new ConnectorSet(config.connections, logger, (name) =>
    store.credentials.forConnection(name),
  );
  const engine = new Engine(store, config.flows, connectors, logger, config.valueMaps);
  return {
    config,
    store,
    connectors,
    engine,
    logger,
    async close() {
      await connectors.closeAll();
      await store.close();
    },
  };
}
