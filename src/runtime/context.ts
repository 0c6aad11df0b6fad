import pino, { type Logger } from 'pino';
import { readEnv } from '../config/env.js';
import { ConfigError, type LoadedConfig, loadConfig } from '../config/load.js';
import { connectorRegistry } from '../connectors/registry.js';
import { Engine } from '../engine/engine.js';
import { logScope } from '../engine/observe.js';
import { openStore, type Store } from '../store/index.js';
import { ConnectorSet, SECRET_PREFIX } from './connections.js';
import { type Limiters, limitersFor } from './limiters.js';
import { processMetrics } from './metrics.js';
import { type JobQueue, openQueue } from './queue/open.js';
import { watchStore } from './store-metrics.js';

export interface Context {
  config: LoadedConfig;
  store: Store;
  /** Where jobs go and come from: graphile-worker on PostgreSQL, the embedded jobs table on SQLite. */
  queue: JobQueue;
  connectors: ConnectorSet;
  engine: Engine;
  logger: Logger;
  /**
   * Runs a new configuration from now on: new connectors and a new engine; work in flight finishes
   * on the old ones. Listeners (the scheduler) follow. The store cannot change while running.
   */
  reload(next: LoadedConfig): Promise<void>;
  onReload(listener: (ctx: Context) => Promise<void> | void): void;
  close(): Promise<void>;
}

export function createLogger(
  level?: string,
  destination: pino.DestinationStream = pino.destination(2),
): Logger {
  const env = readEnv();
  return pino({ level: level ?? env.LOG_LEVEL, base: { pid: process.pid }, mixin: runFields }, destination);
}

/**
 * runId and flow on every line logged while a run is processed, whoever logs it; a logger that
 * already carries them (the engine's own, a child per run) is left alone, so no key appears twice.
 */
function runFields(_line: object, _level: number, logger: Logger): object {
  const scope = logScope.getStore();
  if (!scope) return {};
  const bound = logger.bindings();
  return {
    ...(bound.runId === undefined ? { runId: scope.runId } : {}),
    ...(bound.flow === undefined ? { flow: scope.flow } : {}),
  };
}

/** Connections and flows are kept in the store too, for the dashboard and other processes; secrets never. */
async function saveDefinitions(store: Store, config: LoadedConfig): Promise<void> {
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
}

async function connectorsFor(
  store: Store,
  config: LoadedConfig,
  logger: Logger,
  limiters: Limiters,
): Promise<ConnectorSet> {
  const sealed = new Map<string, Map<string, string>>();
  for (const name of config.connections.keys())
    sealed.set(name, await store.credentials.withPrefix(name, SECRET_PREFIX));
  return new ConnectorSet(
    config.connections,
    logger,
    (name) => store.credentials.forConnection(name),
    sealed,
    (name, limit) => limiters.for(name, limit),
    (name) => store.mailbox.forConnection(name),
  );
}

/** How long replaced connectors stay open for the work that was using them. */
const RETIRE_AFTER_MS = 60_000;

/** Everything a command needs, wired once: configuration, store (migrated), connectors, engine. */
export async function openContext(
  opts: {
    configPath?: string;
    config?: LoadedConfig;
    logger?: Logger;
    /** Jobs this process runs at once: each page in flight holds a connection for its record locks. */
    concurrency?: number;
  } = {},
): Promise<Context> {
  const env = readEnv();
  const config = opts.config ?? loadConfig(opts.configPath ?? env.LEDGERLINK_CONFIG, connectorRegistry);
  const logger = opts.logger ?? createLogger();
  const store = await openStore(config.database, {
    poolSize: Math.max(10, 2 * (opts.concurrency ?? 1) + 4),
  });
  const limiters = limitersFor(store, logger);
  let connectors: ConnectorSet;
  let queue: JobQueue | undefined;
  try {
    await saveDefinitions(store, config);
    queue = await openQueue(store, config.database, logger);
    connectors = await connectorsFor(store, config, logger, limiters);
  } catch (e) {
    await queue?.close();
    await store.close();
    throw e;
  }
  const listeners: Array<(ctx: Context) => Promise<void> | void> = [];
  const retiring = new Set<ConnectorSet>();
  // The process's metrics read jobs pending and the inbox depth from this store when scraped.
  const unwatch = watchStore(processMetrics(), store, queue);
  const ctx: Context = {
    config,
    store,
    queue,
    connectors,
    engine: new Engine(store, config.flows, connectors, logger, config.valueMaps, queue),
    logger,
    async reload(next) {
      if (next.database !== ctx.config.database)
        throw new ConfigError([
          `database: the store cannot change while Ledgerlink runs (${ctx.config.database} → ${next.database}); restart to use the new one`,
        ]);
      await saveDefinitions(store, next);
      const fresh = await connectorsFor(store, next, logger, limiters);
      const old = ctx.connectors;
      ctx.config = next;
      ctx.connectors = fresh;
      ctx.engine = new Engine(store, next.flows, fresh, logger, next.valueMaps, queue);
      for (const l of listeners) await l(ctx);
      retiring.add(old);
      setTimeout(() => {
        retiring.delete(old);
        void old.closeAll();
      }, RETIRE_AFTER_MS).unref();
    },
    onReload(listener) {
      listeners.push(listener);
    },
    async close() {
      await Promise.all([ctx.connectors.closeAll(), ...[...retiring].map((c) => c.closeAll())]);
      await limiters.close();
      unwatch();
      await queue.close();
      await store.close();
    },
  };
  return ctx;
}
