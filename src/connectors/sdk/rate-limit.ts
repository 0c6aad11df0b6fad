import { setTimeout as sleep } from 'node:timers/promises';
import { LedgerlinkError } from './errors.js';
import type { RateLimit } from './manifest.js';

/**
 * The request budget of one connection: every request of its HTTP client waits for a turn here. The
 * runtime hands connectors one shared by every process when the store is PostgreSQL (see
 * src/runtime/shared-limiter.ts); a client given none keeps its manifest's limit in its own process.
 */
export interface RequestLimiter {
  /** The limit it keeps (the manifest's, under the configuration's override). */
  readonly limit: RateLimit;
  /**
   * Waits for a slot and a turn; returns the function that gives the slot back. A turn further away
   * than `maxWaitMs` (a long pause the system asked for) is not waited for: it throws `turnTooFar`,
   * so the record waits in the store instead of a worker waiting in memory.
   */
  acquire(signal?: AbortSignal, maxWaitMs?: number): Promise<() => void>;
  /**
   * The system answered 429: nobody on this connection sends before `ms` passes. Never throws: a
   * budget that cannot be shared still holds in this process.
   */
  pause(ms: number): void | Promise<void>;
}

/**
 * The least time between the starts of two requests. Limits are kept by spacing requests evenly rather
 * than letting a full bucket burst, so that no second ever holds more than requestsPerSecond and no
 * minute more than requestsPerMinute — the windows the systems count in — while the rate over time
 * is the whole allowance. 0 when there is no rate limit.
 */
export function spacingMs(limit: RateLimit): number {
  return Math.max(
    limit.requestsPerSecond ? 1000 / limit.requestsPerSecond : 0,
    limit.requestsPerMinute ? 60_000 / limit.requestsPerMinute : 0,
  );
}

/** The connection's next turn is further away than the caller will wait: a rate limit, never a failure. */
export function turnTooFar(waitMs: number): LedgerlinkError {
  return new LedgerlinkError({
    code: 'rate_limit',
    category: 'rate_limited',
    message: `the connection's next turn is ${Math.ceil(waitMs / 1000)} s away (its rate limit, or a pause the system asked for)`,
    retryAfterMs: Math.ceil(waitMs),
  });
}

/** A connection's limit: the configuration's fields over the manifest's. */
export function effectiveLimit(declared: RateLimit | undefined, override: RateLimit | undefined): RateLimit {
  const out: RateLimit = { ...declared };
  for (const [k, v] of Object.entries(override ?? {}) as Array<[keyof RateLimit, number | undefined]>)
    if (v !== undefined) out[k] = v;
  return out;
}

/** A first-come, first-served counting semaphore whose waiters may give up (an aborted request). */
export class Slots {
  private active = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly size: number) {}

  get inUse(): number {
    return this.active;
  }

  async take(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.active < this.size) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const wake = () => {
        signal?.removeEventListener('abort', abandon);
        resolve();
      };
      const abandon = () => {
        const i = this.waiters.indexOf(wake);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal?.reason);
      };
      this.waiters.push(wake);
      signal?.addEventListener('abort', abandon, { once: true });
    });
  }

  /** The slot passes straight to the next waiter, so nobody arriving meanwhile can slip past the count. */
  give(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.active--;
  }
}

/**
 * Two budgets a request must both pass: a narrower one for its kind of request (QuickBooks Online's 40
 * batch requests a minute) and the connection's. The narrower turn is taken first, so a request waiting
 * for it holds no slot of the connection's; a pause is kept by both.
 */
export class BothLimiters implements RequestLimiter {
  constructor(
    private readonly narrower: RequestLimiter,
    private readonly connection: RequestLimiter,
  ) {}

  get limit(): RateLimit {
    return this.connection.limit;
  }

  async acquire(signal?: AbortSignal, maxWaitMs?: number): Promise<() => void> {
    const first = await this.narrower.acquire(signal, maxWaitMs);
    try {
      const second = await this.connection.acquire(signal, maxWaitMs);
      return () => {
        second();
        first();
      };
    } catch (e) {
      first();
      throw e;
    }
  }

  async pause(ms: number): Promise<void> {
    await Promise.all([this.narrower.pause(ms), this.connection.pause(ms)]);
  }
}

/**
 * The budget kept inside one process: a semaphore for concurrent requests and evenly spaced turns for
 * the rate. A 429 answer pauses the whole connection (every caller), not just the request that saw
 * it, because the budget is the connection's.
 */
export class ConnectionLimiter implements RequestLimiter {
  private readonly slots: Slots;
  private readonly spacing: number;
  private nextAt = 0;
  private pausedUntil = 0;
  private lastStart = Number.NEGATIVE_INFINITY;

  constructor(readonly limit: RateLimit = {}) {
    this.slots = new Slots(limit.concurrency ?? Number.POSITIVE_INFINITY);
    this.spacing = spacingMs(limit);
  }

  async acquire(signal?: AbortSignal, maxWaitMs = Number.POSITIVE_INFINITY): Promise<() => void> {
    await this.slots.take(signal);
    try {
      await this.takeTurn(signal, maxWaitMs);
    } catch (e) {
      this.slots.give();
      throw e;
    }
    let released = false;
    return () => {
      if (!released) {
        released = true;
        this.slots.give();
      }
    };
  }

  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
  }

  /**
   * Books the next free instant and sleeps until it. Timers fire late on a busy process, so several
   * booked turns may wake together: a turn starts only once the spacing since the last start has
   * passed, else it waits out the rest and keeps its place. A pause that began meanwhile books again
   * after it.
   */
  private async takeTurn(signal: AbortSignal | undefined, maxWaitMs: number): Promise<void> {
    let at = this.book(maxWaitMs);
    for (;;) {
      const now = Date.now();
      if (this.pausedUntil > now) at = this.book(maxWaitMs);
      else {
        at = Math.max(at, this.lastStart + this.spacing);
        if (now >= at) {
          this.lastStart = now;
          return;
        }
      }
      await sleep(at - now, undefined, { signal });
    }
  }

  private book(maxWaitMs: number): number {
    const now = Date.now();
    const at = Math.max(now, this.nextAt, this.pausedUntil);
    if (at - now > maxWaitMs) throw turnTooFar(at - now);
    this.nextAt = at + this.spacing;
    return at;
  }
}
