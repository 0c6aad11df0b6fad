import { describe, expect, it } from 'vitest';
import { readAhead } from './read-ahead.js';

describe('readAhead', () => {
  it('asks for the next page while the current one is handled, keeping the order', async () => {
    const log: string[] = [];
    async function* source() {
      for (const n of [1, 2, 3]) {
        log.push(`read ${n}`);
        yield n;
      }
    }
    const seen: number[] = [];
    for await (const page of readAhead(source())) {
      // Give the read ahead its turn, as a page's writes would.
      await new Promise((r) => setTimeout(r, 5));
      log.push(`handled ${page}`);
      seen.push(page);
    }
    expect(seen).toEqual([1, 2, 3]);
    expect(log).toEqual(['read 1', 'read 2', 'handled 1', 'read 3', 'handled 2', 'handled 3']);
  });

  it("raises a page's read error when that page is asked for, and ends the source's read when the run stops", async () => {
    async function* failing() {
      yield 1;
      throw new Error('page 2 failed');
    }
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const page of readAhead(failing())) seen.push(page);
      })(),
    ).rejects.toThrow('page 2 failed');
    expect(seen).toEqual([1]);

    let closed = false;
    async function* endless() {
      try {
        for (let n = 1; ; n++) yield n;
      } finally {
        closed = true;
      }
    }
    for await (const page of readAhead(endless())) if (page === 2) break;
    expect(closed).toBe(true);
  });
});
