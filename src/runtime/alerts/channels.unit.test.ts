import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { headOf } from './channels.js';

describe('headOf (what an alert webhook endpoint answered)', () => {
  it('reads only the start of a long answer and leaves the rest unread', async () => {
    let pulled = 0;
    // 1,000 chunks of 1 KB, made only when asked for: a reader of the whole body would pull them all.
    const body = new Readable({
      highWaterMark: 1,
      read() {
        pulled++;
        this.push(pulled > 1000 ? null : Buffer.from('y'.repeat(1024)));
      },
    });
    const head = await headOf(body, 1500);
    expect(head).toBe('y'.repeat(1500));
    expect(pulled).toBeLessThan(10);
    expect(body.destroyed).toBe(true);
  });

  it('gives a short answer whole', async () => {
    expect(await headOf(Readable.from([Buffer.from('try '), Buffer.from('later')]), 1024)).toBe('try later');
  });
});
