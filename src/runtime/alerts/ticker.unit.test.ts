import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Alerter } from './alerter.js';
import { AlertTicker } from './ticker.js';

describe('the alert timer', () => {
  it('checks every interval, never two rounds at once, and stop waits for the round in flight', async () => {
    let rounds = 0;
    let inFlight = 0;
    let most = 0;
    const slow = {
      check: async () => {
        rounds++;
        inFlight++;
        most = Math.max(most, inFlight);
        // Each round takes three intervals: a timer that stacked rounds would run them side by side.
        await new Promise((r) => setTimeout(r, 150));
        inFlight--;
      },
    } as unknown as Alerter;
    const ticker = new AlertTicker(slow, pino({ level: 'silent' }));
    ticker.start(0.05);
    await new Promise((r) => setTimeout(r, 700));
    await ticker.stop();
    expect(rounds).toBeGreaterThanOrEqual(2);
    expect(rounds).toBeLessThanOrEqual(5);
    expect(most).toBe(1);
    expect(inFlight).toBe(0);
    const after = rounds;
    await new Promise((r) => setTimeout(r, 200));
    expect(rounds).toBe(after);
  });

  it('a failing round is logged and the next one still runs', async () => {
    let rounds = 0;
    const failing = {
      check: async () => {
        rounds++;
        throw new Error('the store is away');
      },
    } as unknown as Alerter;
    const ticker = new AlertTicker(failing, pino({ level: 'silent' }));
    ticker.start(0.03);
    await new Promise((r) => setTimeout(r, 200));
    await ticker.stop();
    expect(rounds).toBeGreaterThanOrEqual(2);
  });
});
