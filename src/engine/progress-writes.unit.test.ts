import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProgressWrites } from './progress-writes.js';

describe('a run’s progress writes', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes the latest counts once per window, never after flush; a run shorter than the window writes none', async () => {
    const written: number[] = [];
    let counts = 0;
    const progress = new ProgressWrites(async () => {
      written.push(counts);
    }, 500);
    counts = 1;
    progress.note();
    await vi.advanceTimersByTimeAsync(100);
    counts = 2;
    progress.note();
    expect(written).toEqual([]);
    await vi.advanceTimersByTimeAsync(400);
    // The window's end: one write, of the counts as they are then.
    expect(written).toEqual([2]);
    // Past a window since the last write: at once.
    await vi.advanceTimersByTimeAsync(600);
    counts = 3;
    progress.note();
    await vi.advanceTimersByTimeAsync(0);
    expect(written).toEqual([2, 3]);
    counts = 4;
    progress.note();
    await progress.flush();
    await vi.advanceTimersByTimeAsync(1_000);
    progress.note();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(written).toEqual([2, 3]);

    const short: number[] = [];
    const quick = new ProgressWrites(async () => {
      short.push(1);
    }, 500);
    quick.note();
    await vi.advanceTimersByTimeAsync(50);
    quick.note();
    await quick.flush();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(short).toEqual([]);
  });

  it('flush waits for a write in flight, and a failed write does not stop the next', async () => {
    let finishWrite!: () => void;
    const events: string[] = [];
    let fail = true;
    const progress = new ProgressWrites(() => {
      if (fail) {
        fail = false;
        events.push('failed');
        return Promise.reject(new Error('store down'));
      }
      events.push('write started');
      return new Promise<void>((r) => {
        finishWrite = () => {
          events.push('write done');
          r();
        };
      });
    }, 500);
    await vi.advanceTimersByTimeAsync(500);
    progress.note();
    await vi.advanceTimersByTimeAsync(500);
    progress.note();
    await vi.advanceTimersByTimeAsync(0);
    expect(events).toEqual(['failed', 'write started']);
    const flushed = progress.flush().then(() => events.push('flushed'));
    await vi.advanceTimersByTimeAsync(10);
    expect(events).not.toContain('flushed');
    finishWrite();
    await flushed;
    expect(events).toEqual(['failed', 'write started', 'write done', 'flushed']);
  });
});
