import { setTimeout as sleep } from 'node:timers/promises';
import type { RateLimit } from './manifest.js';

/**
 * The request budget of one connection inside one process: a token bucket for requests per
 * second and a semaphore for concurrent requests. A 429 answer pauses the whole connection (every
 * caller), not just the request that saw it, because the budget is the connection's.
 */
export class ConnectionLimiter {
  private tokens: number;
  private lastRefill = Date.now();
  private active = 0;
  private readonly waiters: Array<() => void> = [];
  private pausedUntil = 0;

  constructor(private readonly limit: RateLimit = {}) {
    this.tokens = limit.requestsPerSecond ?? Number.POSITIVE_INFINITY;
  }

  /** Waits for a slot and a token; returns the function that releases the slot. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    const concurrency = this.limit.concurrency ?? Number.POSITIVE_INFINITY;
    if (this.active >= concurrency) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.active++;
    try {
      await this.takeToken(signal);
    } catch (e) {
      this.release();
      throw e;
    }
    let released = false;
    return () => {
      if (!released) {
        released = true;
        this.release();
      }
    };
  }

  /** Called when the remote system answered 429: nobody on this connection sends before `ms` passes. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
  }

  private release(): void {
    this.active--;
    this.waiters.shift()?.();
  }

  private async takeToken(signal?: AbortSignal): Promise<void> {
    const rate = this.limit.requestsPerSecond;
    for (;;) {
      const pause = this.pausedUntil - Date.now();
      if (pause > 0) {
        await sleep(pause, undefined, { signal });
        continue;
      }
      if (rate === undefined) return;
      const now = Date.now();
      this.tokens = Math.min(rate, this.tokens + ((now - this.lastRefill) / 1000) * rate);
      this.lastRefill = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await sleep(Math.ceil(((1 - this.tokens) / rate) * 1000), undefined, { signal });
    }
  }
}
