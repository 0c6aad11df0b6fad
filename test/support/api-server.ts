import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { LoadedConfig } from '../../src/config/load.js';
import { MemoryConnector } from '../../src/connectors/memory/index.js';
import type { Connector } from '../../src/connectors/sdk/contract.js';
import { Engine } from '../../src/engine/engine.js';
import type { Flow } from '../../src/engine/flow.js';
import type { ConnectorSet } from '../../src/runtime/connections.js';
import type { Context } from '../../src/runtime/context.js';
import { EmbeddedQueue } from '../../src/runtime/queue/embedded.js';
import type { JobQueue } from '../../src/runtime/queue/queue.js';
import { buildServer } from '../../src/server/app.js';
import { createUser } from '../../src/server/auth/accounts.js';
import { createApiToken } from '../../src/server/auth/api-tokens.js';
import type { ServerLimits } from '../../src/server/limits.js';
import type { Role, Store } from '../../src/store/index.js';

export const TEST_PASSWORD = 'correct horse battery';

export interface ApiServer {
  app: FastifyInstance;
  url: string;
  ctx: Context;
  close(): Promise<void>;
}

/**
 * The HTTP API over a real store, in this process, on a loopback port: the flows given, memory
 * connectors (or those given) and the connections the routes look up by name. No configuration
 * file: the configuration is read-only.
 */
export async function startApiServer(o: {
  store: Store;
  flows?: readonly Flow[];
  connectors?: { get(name: string): Connector };
  connections?: ReadonlyMap<string, unknown>;
  queue?: JobQueue;
  engine?: Engine;
  limits?: Partial<ServerLimits>;
  wake?: () => void;
}): Promise<ApiServer> {
  const logger = pino({ level: 'silent' });
  const flows = new Map((o.flows ?? []).map((f) => [f.name, f]));
  const connectors = o.connectors ?? { get: (n: string) => new MemoryConnector(n) };
  const queue = o.queue ?? new EmbeddedQueue(o.store, logger);
  const ctx = {
    config: { connections: o.connections ?? new Map(), flows } as unknown as LoadedConfig,
    store: o.store,
    queue,
    engine: o.engine ?? new Engine(o.store, flows, connectors, logger),
    logger,
    connectors: connectors as unknown as ConnectorSet,
    reload: async () => undefined,
    onReload: () => undefined,
    close: async () => undefined,
  } as Context;
  const app = await buildServer({
    ctx,
    version: 'test',
    ...(o.wake ? { wake: o.wake } : {}),
    ...(o.limits ? { limits: o.limits } : {}),
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url, ctx, close: () => app.close() };
}

/** A user of each role named, each with an API token; the tokens by role. */
export async function usersWithTokens(
  store: Store,
  users: ReadonlyArray<readonly [username: string, role: Role]>,
): Promise<Partial<Record<Role, string>>> {
  const tokens: Partial<Record<Role, string>> = {};
  for (const [username, role] of users) {
    await createUser(store, { username, role, password: TEST_PASSWORD, mustChangePassword: false });
    tokens[role] = (await createApiToken(store, { username, name: 'tests' })).token;
  }
  return tokens;
}
