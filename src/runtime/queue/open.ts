import type { Logger } from 'pino';
import { readEnv } from '../../config/env.js';
import type { Store } from '../../store/index.js';
import { EmbeddedQueue } from './embedded.js';
import { GraphileQueue } from './graphile.js';
import type { JobQueue } from './queue.js';

export type { JobQueue } from './queue.js';

/**
 * The queue that fits the store: on PostgreSQL, graphile-worker in the same database (any number of
 * worker processes); on SQLite, the embedded jobs table that the one process drains.
 */
export async function openQueue(
  store: Store,
  url: string,
  logger: Logger,
  opts: { lockTimeoutMs?: number } = {},
): Promise<JobQueue> {
  if (store.adapter.name === 'postgres')
    return GraphileQueue.open(store, url, logger, {
      lockTimeoutMs: opts.lockTimeoutMs ?? readEnv().LEDGERLINK_WORKER_TIMEOUT * 1000,
    });
  return new EmbeddedQueue(store, logger);
}
