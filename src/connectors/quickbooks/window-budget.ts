import { setTimeout as sleep } from 'node:timers/promises';
import type { RateLimit } from '../sdk/manifest.js';
import { type RequestLimiter, turnTooFar } from '../sdk/rate-limit.js';

/** Intuit: 500 requests a minute per company, and 40 batch requests a minute per company and app. */
export const REQUESTS_PER_MINUTE = 500;
export const BATCH_REQUESTS_PER_MINUTE = 40;

export interface WindowLimit {
  requests: number;
  windowMs: number;
}

/**
 * The same limit as a rate a connection budget keeps, for what several processes send together:
 * evenly spaced turns over the window and the margin a WindowBudget keeps (so that the first and the
 * last of a full window's requests, held up on their way, still arrive a window apart).
 */
export function asRate(w: WindowLimit): RateLimit {
  return { requestsPerSecond: (w.requests * 1000) / (w.windowMs + Math.min(1000, w.windowMs / 50)) };
}

/**
 * A limit Intuit counts over a sliding minute, kept on top of the connection's budget (which spaces
 * requests evenly and keeps the 10 at once). Intuit counts requests as they arrive: evenly spaced sends
 * alone leave no room for the way there — a request held up a few hundred milliseconds (a busy
 * network, a busy machine) lands in the same minute as the 500th after it, and the answer is a 429 that
 * stops the connection for a minute. So this also keeps a sliding window of the instants requests were
 * sent — taken after the connection's turn, just before sending — and a request beyond the limit waits
 * until the oldest has been out of the window for a margin (1 s on a minute). Requests are also let
 * through evenly spaced (a minute / the limit), so that 40 batches are spread over the minute rather
 * than sent in one burst followed by a minute's wait. A wait longer than the caller allows goes back to
 * the engine as a rate limit. The window is this process's; what processes sharing a company send
 * together is kept by the connection's shared budgets (the runtime's, on PostgreSQL) it sits on.
 */
export class WindowBudget implements RequestLimiter {
  /** Instants requests were sent, oldest first, within the last window and its margin. */
  private readonly sent: number[] = [];
  /** Requests admitted to the window that are still waiting for the connection's turn. */
  private admitted = 0;
  private lastAdmittedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly connection: RequestLimiter,
    readonly window: WindowLimit,
    /** Between our clock when sending and Intuit's when the request arrives. */
    private readonly marginMs = Math.min(1000, window.windowMs / 50),
  ) {}

  get limit() {
    return this.connection.limit;
  }

  /** Requests sent in the current window (tests and benchmarks read it). */
  inWindow(now = Date.now()): number {
    this.forget(now);
    return this.sent.length;
  }

  private forget(now: number): void {
    const span = this.window.windowMs + this.marginMs;
    while (this.sent.length && this.sent[0]! <= now - span) this.sent.shift();
  }

  async acquire(signal?: AbortSignal, maxWaitMs = Number.POSITIVE_INFINITY): Promise<() => void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = Date.now();
      this.forget(now);
      const spacing = this.window.windowMs / this.window.requests;
      const full = this.sent.length + this.admitted >= this.window.requests;
      const spacedAt = this.lastAdmittedAt + spacing;
      if (!full && now >= spacedAt) break;
      // Full: the oldest leaves the window then (when every place is held by a request still waiting
      // for its turn, that one's send will tell, so look again shortly). Else its spaced turn.
      const wait = full
        ? this.sent.length
          ? this.sent[0]! + this.window.windowMs + this.marginMs - now
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
