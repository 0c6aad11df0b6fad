import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { LedgerlinkError } from '../connectors/sdk/errors.js';
import type { RateLimit } from '../connectors/sdk/manifest.js';
import { type RequestLimiter, Slots, spacingMs, turnTooFar } from '../connectors/sdk/rate-limit.js';
import type { RateLimitRepository, Turn } from '../store/repositories/rate-limits.js';

/**
 * How long a slot stays held without news from its holder: a killed process's slots come back after
 * it. Leases of running requests are renewed three times a lease, so a slow answer never loses its slot.
 */
export const LEASE_MS = 30_000;
/** While every slot is held elsewhere, the store is asked again after this, doubling up to the cap. */
const POLL_FIRST_MS = 5;
const POLL_MAX_MS = 100;
/**
 * A slot given back while the connection has at least half its slots free (and no rate to book turns
 * on) is kept this long for the next request of this process, which then costs no statement: a page's
 * lookup and then its writes, page after page, stop asking the store for the same slots again.
 */
export const KEEP_MS = 100;
/**
 * A kept slot is used without the store only this long after the store last answered this process:
 * a 429 pause another process stored is seen within it (this process's own pause at once).
 */
export const FRESH_MS = 250;

/**
 * One connection's budget kept in the store, so that every process on a PostgreSQL store together
 * sends no faster and no more at once than the connection allows, and a 429 seen by one makes all
 * wait. A request costs at most one statement to take a slot and book its turn, and one to give the
 * slot back (one in all without a concurrency limit); callers coming together share them.
 *
 * Inside the process, callers first pass a local gate of the connection's concurrency (more could
 * never run anyway); then one statement at a time asks the store for as many slots and turns as
 * callers are waiting (a page's five writes cost one round trip, not five), so waiting for a slot held
 * elsewhere costs one query per poll per process, not per caller. Slots given back in the same turn of
 * the event loop go back in one statement, and wake the asker at once. Without a rate, and while the
 * connection has slots to spare, a slot given back is kept a moment for this process's next request
 * (`KEEP_MS`, `FRESH_MS`).
 */
export class SharedLimiter implements RequestLimiter {
  private readonly holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly spacing: number;
  private readonly local: Slots;
  /** Callers waiting for a slot and a turn, in arrival order; `pump` asks the store for them. */
  private readonly askers: Array<{ resolve: (t: Turn) => void; reject: (e: unknown) => void }> = [];
  private pumping = false;
  private readonly held = new Set<number>();
  /** Slots given back since the last release statement. */
  private releasing: number[] = [];
  /** Slots this process still holds, unused, for its next requests (see `KEEP_MS`). */
  private kept: number[] = [];
  private keepTimer?: NodeJS.Timeout;
  /** When the store last answered a take, and whether it left half the slots or more free. */
  private readAt = Number.NEGATIVE_INFINITY;
  private roomy = false;
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
      const turn = this.keptTurn() ?? (await this.takeTurn(signal));
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
    clearTimeout(this.keepTimer);
    this.kept = [];
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

  /** A slot and a booked turn, asked for together with the other callers waiting in this process. */
  private takeTurn(signal?: AbortSignal): Promise<Turn> {
    signal?.throwIfAborted();
    return new Promise<Turn>((resolve, reject) => {
      const abandon = () => {
        const i = this.askers.indexOf(asker);
        if (i >= 0) this.askers.splice(i, 1);
        reject(signal?.reason);
      };
      const asker = {
        resolve: (t: Turn) => {
          signal?.removeEventListener('abort', abandon);
          resolve(t);
        },
        reject: (e: unknown) => {
          signal?.removeEventListener('abort', abandon);
          reject(e);
        },
      };
      this.askers.push(asker);
      signal?.addEventListener('abort', abandon, { once: true });
      void this.pump();
    });
  }

  /**
   * Asks the store for as many turns as callers wait, one statement at a time, until none waits. It
   * first lets the current turn of the event loop finish, so callers starting together (a page's
   * writes) are asked for together.
   */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      await new Promise<void>((resolve) => setImmediate(resolve));
      let delay = POLL_FIRST_MS;
      while (this.askers.length > 0) {
        let turns: Turn[];
        try {
          const taken = await this.store.take(this.connection, {
            holder: this.holder,
            ...(this.limit.concurrency !== undefined ? { slots: this.limit.concurrency } : {}),
            spacingMs: this.spacing,
            leaseMs: this.leaseMs,
            count: this.askers.length,
          });
          turns = taken.turns;
          this.readAt = Date.now();
          this.roomy = taken.free * 2 >= (this.limit.concurrency ?? 0);
          if (!this.roomy) this.releaseKept();
        } catch (e) {
          const error = this.storeError(e);
          for (const asker of this.askers.splice(0)) asker.reject(error);
          return;
        }
        if (turns.length === 0) {
          await this.nap(delay);
          delay = Math.min(delay * 2, POLL_MAX_MS);
          continue;
        }
        delay = POLL_FIRST_MS;
        for (const turn of turns) {
          const asker = this.askers.shift();
          // Its caller gave up while the store answered: the slot goes straight back.
          if (asker) asker.resolve(turn);
          else this.giveBack(turn.slot);
        }
      }
    } finally {
      this.pumping = false;
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
  private nap(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeAsker = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeAsker = done;
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

  /** A kept slot for a request, while what the store last said is fresh; stale ones go back. */
  private keptTurn(): Turn | undefined {
    if (this.kept.length === 0) return undefined;
    if (Date.now() - this.readAt > FRESH_MS) {
      this.releaseKept();
      return undefined;
    }
    // This process's own 429 pause is waited out by `waitTurn`.
    return { slot: this.kept.pop()!, waitMs: 0 };
  }

  private giveBack(slot: number): void {
    if (slot < 0) return;
    if (this.spacing === 0 && this.roomy && Date.now() - this.readAt <= FRESH_MS) {
      this.kept.push(slot);
      clearTimeout(this.keepTimer);
      this.keepTimer = setTimeout(() => this.releaseKept(), KEEP_MS);
      this.keepTimer.unref();
      return;
    }
    this.held.delete(slot);
    this.releasing.push(slot);
    if (this.releasing.length === 1) setImmediate(() => this.release());
  }

  /** The kept slots go back to the store (unused for `KEEP_MS`, stale, or slots ran short). */
  private releaseKept(): void {
    clearTimeout(this.keepTimer);
    this.keepTimer = undefined;
    const kept = this.kept;
    this.kept = [];
    for (const slot of kept) {
      this.held.delete(slot);
      this.releasing.push(slot);
    }
    if (kept.length > 0 && this.releasing.length === kept.length) setImmediate(() => this.release());
  }

  /** Gives back, in one statement, the slots given back since the last time. */
  private release(): void {
    const slots = this.releasing;
    this.releasing = [];
    if (slots.length === 0) return;
    this.store
      .release(this.connection, slots, this.holder)
      .catch((e) => {
        // Not given back: the leases lapse by themselves (they are no longer renewed).
        this.logger.warn(
          { err: e, connection: this.connection, slots },
          'giving rate-limit slots back failed',
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
