import { describe, expect, it } from 'vitest';
import { busiestWindow } from '../../../test/support/counting-server.js';
import { ConnectionLimiter, effectiveLimit, spacingMs } from './rate-limit.js';

/** Runs `n` callers at once through the limiter, each holding its slot `holdMs`; returns their start times. */
async function crowd(limiter: ConnectionLimiter, n: number, holdMs: number) {
  let active = 0;
  let most = 0;
  const starts: number[] = [];
  await Promise.all(
    Array.from({ length: n }, async () => {
      const release = await limiter.acquire();
      starts.push(performance.now());
      active++;
      most = Math.max(most, active);
      await new Promise((r) => setTimeout(r, holdMs));
      active--;
      release();
    }),
  );
  return { most, starts: starts.sort((a, b) => a - b) };
}

describe('the in-process request budget', () => {
  it('spaces requests by the stricter of the per-second and per-minute limits', () => {
    expect(spacingMs({})).toBe(0);
    expect(spacingMs({ requestsPerSecond: 8 })).toBe(125);
    expect(spacingMs({ requestsPerMinute: 500 })).toBe(120);
    expect(spacingMs({ requestsPerSecond: 10, requestsPerMinute: 500 })).toBe(120);
    expect(spacingMs({ requestsPerSecond: 5, requestsPerMinute: 500 })).toBe(200);
  });

  it("takes the configuration's fields over the manifest's, keeping the ones it leaves out", () => {
    expect(effectiveLimit({ concurrency: 4 }, { requestsPerMinute: 500 })).toEqual({
      concurrency: 4,
      requestsPerMinute: 500,
    });
    expect(effectiveLimit({ concurrency: 4, requestsPerSecond: 8 }, { concurrency: 10 })).toEqual({
      concurrency: 10,
      requestsPerSecond: 8,
    });
    expect(effectiveLimit(undefined, undefined)).toEqual({});
  });

  it('never lets more than `concurrency` run at once, even as slots pass from hand to hand', async () => {
    const { most } = await crowd(new ConnectionLimiter({ concurrency: 3 }), 40, 2);
    expect(most).toBe(3);
  });

  it('never starts more than requestsPerSecond in a second, and keeps the rate over time', async () => {
    const t0 = performance.now();
    const { starts } = await crowd(new ConnectionLimiter({ requestsPerSecond: 40, concurrency: 8 }), 50, 1);
    // 50 starts 25 ms apart: the last one 1.225 s after the first.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(1200);
    // Timers fire a little late, never early: a window a few ms short of a second holds at most 40.
    expect(busiestWindow(starts, 990)).toBeLessThanOrEqual(40);
  });

  it('a 429 pauses every caller, including those already waiting for their turn', async () => {
    const limiter = new ConnectionLimiter({ requestsPerSecond: 20 });
    (await limiter.acquire())();
    const waiting = limiter.acquire(); // its turn is 50 ms away
    limiter.pause(300);
    const t0 = performance.now();
    (await waiting)();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    const after = performance.now();
    (await limiter.acquire())();
    // The next turn follows the pause by the spacing, not by another pause.
    expect(performance.now() - after).toBeLessThan(100);
  });

  it('a turn further away than the caller will wait is a rate limit to hand back, not a wait', async () => {
    const limiter = new ConnectionLimiter({ concurrency: 2 });
    limiter.pause(60_000);
    const refused = await limiter.acquire(undefined, 30_000).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'rate_limit', category: 'rate_limited' });
    expect((refused as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(59_000);
    // The slot it took while asking was given back.
    const other = new ConnectionLimiter({ concurrency: 1 });
    other.pause(60_000);
    await expect(other.acquire(undefined, 10)).rejects.toMatchObject({ category: 'rate_limited' });
    await expect(other.acquire(undefined, 10)).rejects.toMatchObject({ category: 'rate_limited' });
  });

  it('a caller that gives up while waiting leaves its place to the next', async () => {
    const limiter = new ConnectionLimiter({ concurrency: 1 });
    const first = await limiter.acquire();
    const gone = new AbortController();
    const quitter = limiter.acquire(gone.signal);
    const patient = limiter.acquire();
    gone.abort();
    await expect(quitter).rejects.toThrow();
    first();
    (await patient)();
  });
});
