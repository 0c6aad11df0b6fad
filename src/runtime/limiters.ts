import type { Logger } from 'pino';
import type { RateLimit } from '../connectors/sdk/manifest.js';
import { ConnectionLimiter, type RequestLimiter } from '../connectors/sdk/rate-limit.js';
import type { Store } from '../store/index.js';
import { SharedLimiter } from './shared-limiter.js';

type Closable = RequestLimiter & { close?(): Promise<void> };

/**
 * The request budgets of this process's connections, one per connection. It outlives configuration
 * reloads, so the connectors a reload replaces (still finishing their work) and their successors draw
 * from one budget; a connection whose limit changed gets a new one.
 */
export class Limiters {
  private readonly current = new Map<string, { key: string; limiter: Closable }>();
  private readonly replaced: Closable[] = [];

  constructor(private readonly make: (connection: string, limit: RateLimit) => Closable) {}

  for(connection: string, limit: RateLimit): RequestLimiter {
    const key = JSON.stringify(limit);
    const known = this.current.get(connection);
    if (known?.key === key) return known.limiter;
    if (known) this.replaced.push(known.limiter);
    const limiter = this.make(connection, limit);
    this.current.set(connection, { key, limiter });
    return limiter;
  }

  async close(): Promise<void> {
    const all = [...this.current.values()].map((c) => c.limiter).concat(this.replaced);
    this.current.clear();
    this.replaced.length = 0;
    await Promise.allSettled(all.map((l) => l.close?.()));
  }
}

/**
 * Where the budgets live: in the store when several processes may share it (PostgreSQL), so that
 * together they keep the connection's allowance; in memory on SQLite, which serves one process.
 */
export function limitersFor(store: Store, logger: Logger): Limiters {
  return store.adapter.multiProcess
    ? new Limiters((connection, limit) => new SharedLimiter(store.limits, connection, limit, logger))
    : new Limiters((_connection, limit) => new ConnectionLimiter(limit));
}
