import { setTimeout as sleep } from 'node:timers/promises';
import { type RequestLimiter, turnTooFar } from '../sdk/rate-limit.js';

/** Intuit: 40 batch requests a minute per company and app, besides the 500 requests a minute. */
export const BATCH_REQUESTS_PER_MINUTE = 40;

export interface BatchLimit {
  requests: number;
  windowMs: number;
}

/**
 * Intuit's second limit, kept on top of the connection's: a batch request also counts against the 500
 * a minute (it waits for the connection's turn like any request), and no more than 40 of them may
 * arrive in any minute. Batches are let through evenly spaced (one per 1.5 s), so that a page-heavy run
 * neither bursts 40 at once and then waits a minute nor crowds out the other requests; and, counted as
 * Intuit counts, a sliding window of the instants they were sent — taken after the connection's turn,
 * just before sending, so that a wait for that turn cannot bunch two minutes' batches into one. A batch
 * beyond the 40 waits until the oldest leaves the window (plus a margin for the way to Intuit); a wait
 * longer than the caller allows goes back to the engine as a rate limit. Kept in this process: workers
 * sharing a company each keep it (see FACTS.md).
 */
export class BatchBudget implements RequestLimiter {
  /** Instants batches were sent, oldest first, within the last window. */
  private readonly sent: number[] = [];
  /** Batches admitted to the window that are still waiting for the connection's turn. */
  private admitted = 0;
  /** When the last batch was admitted: batches are spread over the window, not sent in one burst. */
  private lastAdmittedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly connection: RequestLimiter,
    readonly batchLimit: BatchLimit = { requests: BATCH_REQUESTS_PER_MINUTE, windowMs: 60_000 },
    /** Between our clock when sending and Intuit's when the request arrives. */
    private readonly marginMs = Math.min(1000, batchLimit.windowMs / 50),
  ) {}

  get limit() {
    return this.connection.limit;
  }

  /** Batches sent in the current window (tests and benchmarks read it). */
  inWindow(now = Date.now()): number {
    this.forget(now);
    return this.sent.length;
  }

  private forget(now: number): void {
    const span = this.batchLimit.windowMs + this.marginMs;
    while (this.sent.length && this.sent[0]! <= now - span) this.sent.shift();
  }

  async acquire(signal?: AbortSignal, maxWaitMs = Number.POSITIVE_INFINITY): Promise<() => void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = Date.now();
      this.forget(now);
      const spacing = this.batchLimit.windowMs / this.batchLimit.requests;
      const full = this.sent.length + this.admitted >= this.batchLimit.requests;
      const spacedAt = this.lastAdmittedAt + spacing;
      if (!full && now >= spacedAt) break;
      // Full: the oldest batch leaves the window then (when every place is held by a batch still
      // waiting for its turn, that one's send will tell, so look again shortly). Else its spaced turn.
      const wait = full
        ? this.sent.length
          ? this.sent[0]! + this.batchLimit.windowMs + this.marginMs - now
          : Math.min(50, spacing)
        : spacedAt - now;
      if (wait > maxWaitMs) throw turnTooFar(wait);
      await sleep(Math.max(1, wait), undefined, { signal });
    }
    this.admitted++;
    this.lastAdmittedAt = Date.now();
    try {
      const release = await this.connection.acquire(signal, maxWaitMs);
      this.sent.push(Date.now());
      return release;
    } finally {
      this.admitted--;
    }
  }

  /** A 429 pauses the whole connection: Intuit's answer does not say which limit it was. */
  pause(ms: number): void | Promise<void> {
    return this.connection.pause(ms);
  }
}
