import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { LedgerlinkError } from '../connectors/sdk/errors.js';
import type { RateLimit } from '../connectors/sdk/manifest.js';
import { type RequestLimiter, Slots, spacingMs, turnTooFar } from '../connectors/sdk/rate-limit.js';
import type { RateLimitRepository } from '../store/repositories/rate-limits.js';

/**
 * How long a slot stays held without news from its holder: a killed process's slots come back after
 * it. Leases of running requests are renewed three times a lease, so a slow answer never loses its slot.
 */
export const LEASE_MS = 30_000;
/** While every slot is held elsewhere, the store is asked again after this, doubling up to the cap. */
const POLL_FIRST_MS = 5;
const POLL_MAX_MS = 100;

/**
 * One connection's budget kept in the store, so that every process on a PostgreSQL store together
 * sends no faster and no more at once than the connection allows, and a 429 seen by one makes all
 * wait. A request costs one statement to take a slot and book its turn, and one to give the slot
 * back (one in all without a concurrency limit).
 *
 * Inside the process, callers first pass a local gate of the connection's concurrency (more could
 * never run anyway), and one at a time asks the store, so waiting for a slot held elsewhere costs one
 * query per poll per process, not per caller. A slot given back here wakes that asker at once.
 */
export class SharedLimiter implements RequestLimiter {
  private readonly holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly spacing: number;
  private readonly local: Slots;
  private readonly asking = new Slots(1);
  private readonly held = new Set<number>();
  private prepared?: Promise<void>;
  private renewal?: NodeJS.Timeout;
  private wakeAsker?: () => void;
  /** This process's copy of the pause, so callers already sleeping towards their turn book again after it. */
  private pausedUntil = 0;

  constructor(
    private readonly store: RateLimitRepository,
    readonly connection: string,
    readonly limit: RateLimit,
    private readonly logger: Logger,
    private readonly leaseMs = LEASE_MS,
  ) {
    this.spacing = spacingMs(limit);
    this.local = new Slots(limit.concurrency ?? Number.POSITIVE_INFINITY);
  }

  async acquire(signal?: AbortSignal, maxWaitMs = Number.POSITIVE_INFINITY): Promise<() => void> {
    await this.ready();
    await this.local.take(signal);
    let slot: number;
    try {
      const turn = await this.takeTurn(signal);
      slot = turn.slot;
      if (slot >= 0) this.hold(slot);
      try {
        // The booked turn is given up, not waited for: the record waits in the store instead.
        if (turn.waitMs > maxWaitMs) throw turnTooFar(turn.waitMs);
        await this.waitTurn(turn.waitMs, signal);
      } catch (e) {
        this.giveBack(slot);
        throw e;
      }
    } catch (e) {
      this.local.give();
      throw e;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.giveBack(slot);
      this.local.give();
    };
  }

  async pause(ms: number): Promise<void> {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
    try {
      await this.store.pause(this.connection, ms);
    } catch (e) {
      this.logger.warn(
        { err: e, connection: this.connection },
        'the pause a 429 asked for could not be shared through the store; this process keeps it',
      );
    }
  }

  /** Gives back whatever this process holds (it is stopping). */
  async close(): Promise<void> {
    clearInterval(this.renewal);
    this.renewal = undefined;
    this.held.clear();
    await this.store.releaseAll(this.holder).catch(() => undefined);
  }

  private ready(): Promise<void> {
    if (!this.prepared) {
      const p = this.store.prepare(this.connection, this.limit.concurrency ?? 0);
      this.prepared = p;
      p.catch(() => {
        if (this.prepared === p) this.prepared = undefined;
      });
    }
    return this.prepared.catch((e) => {
      throw this.storeError(e);
    });
  }

  /** A slot and a booked turn, asked for by one caller of this process at a time. */
  private async takeTurn(signal?: AbortSignal): Promise<{ slot: number; waitMs: number }> {
    await this.asking.take(signal);
    try {
      for (let delay = POLL_FIRST_MS; ; delay = Math.min(delay * 2, POLL_MAX_MS)) {
        const turn = await this.store
          .take(this.connection, {
            holder: this.holder,
            ...(this.limit.concurrency !== undefined ? { slots: this.limit.concurrency } : {}),
            spacingMs: this.spacing,
            leaseMs: this.leaseMs,
          })
          .catch((e) => {
            throw this.storeError(e);
          });
        if (turn) return turn;
        await this.nap(delay, signal);
      }
    } finally {
      this.asking.give();
    }
  }

  /** Sleeps until the booked turn; a 429 seen meanwhile in this process: waits it out, then books again. */
  private async waitTurn(waitMs: number, signal?: AbortSignal): Promise<void> {
    let wait = waitMs;
    for (;;) {
      if (wait > 0) await sleep(wait, undefined, { signal });
      const paused = this.pausedUntil - Date.now();
      if (paused <= 0) return;
      await sleep(paused, undefined, { signal });
      wait = await this.store.book(this.connection, this.spacing).catch((e) => {
        throw this.storeError(e);
      });
    }
  }

  /** Waits `ms`, or less when a slot of this process comes free. */
  private nap(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', abandon);
        this.wakeAsker = undefined;
        resolve();
      };
      const abandon = () => {
        clearTimeout(timer);
        this.wakeAsker = undefined;
        reject(signal?.reason);
      };
      const timer = setTimeout(done, ms);
      this.wakeAsker = done;
      signal?.addEventListener('abort', abandon, { once: true });
    });
  }

  private hold(slot: number): void {
    this.held.add(slot);
    if (!this.renewal) {
      this.renewal = setInterval(() => {
        if (this.held.size === 0) return;
        this.store.renew(this.connection, this.holder, [...this.held], this.leaseMs).catch((e) => {
          this.logger.warn({ err: e, connection: this.connection }, 'renewing rate-limit leases failed');
        });
      }, this.leaseMs / 3);
      this.renewal.unref();
    }
  }

  private giveBack(slot: number): void {
    if (slot < 0) return;
    this.held.delete(slot);
    this.store
      .release(this.connection, slot, this.holder)
      .catch((e) => {
        // Not given back: the lease lapses by itself (it is no longer renewed).
        this.logger.warn(
          { err: e, connection: this.connection, slot },
          'giving a rate-limit slot back failed',
        );
      })
      .finally(() => this.wakeAsker?.());
  }

  private storeError(e: unknown): LedgerlinkError {
    return new LedgerlinkError(
      {
        code: 'connection',
        category: 'transient',
        message: `the shared rate limit of connection "${this.connection}" could not be read from the store: ${(e as Error).message}`,
      },
      { cause: e },
    );
  }
}
