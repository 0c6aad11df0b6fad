import { randomUUID } from 'node:crypto';
import { LedgerlinkError } from '../connectors/sdk/errors.js';

/** Read sessions the agent keeps at once; the oldest idle one is closed to make room. */
export const MAX_SESSIONS = 32;
/** A session nobody asked for a page of in this long is closed (its reader released). */
export const SESSION_IDLE_MS = 5 * 60_000;

interface Session {
  iterator: AsyncIterator<unknown[]>;
  /** The page last handed out, kept until the next is asked for: a dropped answer is sent again. */
  last: { seq: number; items: unknown[]; done: boolean };
  touched: number;
  /** One request at a time per session: a repeat arriving while the page is read waits for it. */
  busy?: Promise<unknown>;
}

export const sessionGone = (id: string) =>
  new LedgerlinkError({
    code: 'not_found',
    category: 'transient',
    message: `read session ${id} is not open on the agent (it restarted, or the session was idle too long); the read starts again where it stopped`,
    httpStatus: 410,
  });

/**
 * The agent's open reads. A read is a session of numbered pages: page n+1 is read from the source
 * only when asked for; asking for page n again (its answer was lost on the way) returns it as kept.
 */
export class ReadSessions {
  private readonly open = new Map<string, Session>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly idleMs = SESSION_IDLE_MS,
    private readonly now = Date.now,
  ) {
    this.sweeper = setInterval(() => void this.sweep(), Math.min(idleMs, 60_000));
    this.sweeper.unref();
  }

  /** Starts a read, skipping the first `skipPages` pages (a read resumed after the agent restarted). */
  async start(
    pages: AsyncIterable<unknown[]>,
    skipPages: number,
  ): Promise<{ session: string; seq: number; items: unknown[]; done: boolean }> {
    const iterator = pages[Symbol.asyncIterator]();
    for (let i = 0; i < skipPages; i++) {
      const r = await iterator.next();
      if (r.done) return { session: randomUUID(), seq: 0, items: [], done: true };
    }
    const session = randomUUID();
    const first = await iterator.next();
    const last = { seq: 0, items: first.done ? [] : first.value, done: first.done === true };
    if (!last.done) {
      await this.makeRoom();
      this.open.set(session, { iterator, last, touched: this.now() });
    }
    return { session, ...last };
  }

  /** Page `seq` of a session: the next one from the source, or the last one again. */
  async next(
    id: string,
    seq: number,
  ): Promise<{ session: string; seq: number; items: unknown[]; done: boolean }> {
    const s = this.open.get(id);
    if (!s) throw sessionGone(id);
    while (s.busy) await s.busy.catch(() => {});
    s.touched = this.now();
    if (seq === s.last.seq) return { session: id, ...s.last };
    if (seq !== s.last.seq + 1)
      throw new LedgerlinkError({
        code: 'invalid_data',
        category: 'rejected',
        message: `page ${seq} of read session ${id} was asked for after page ${s.last.seq}`,
        httpStatus: 409,
      });
    const step = s.iterator.next();
    s.busy = step;
    try {
      const r = await step;
      s.last = { seq, items: r.done ? [] : r.value, done: r.done === true };
    } catch (e) {
      this.open.delete(id);
      throw e;
    } finally {
      s.busy = undefined;
    }
    // A finished session stays until the server closes it (or it idles out): the answer carrying
    // the last page may be lost too, and asked for again.
    return { session: id, ...s.last };
  }

  async close(id: string): Promise<void> {
    const s = this.open.get(id);
    if (!s) return;
    this.open.delete(id);
    await s.iterator.return?.().catch(() => undefined);
  }

  get size(): number {
    return this.open.size;
  }

  private async makeRoom(): Promise<void> {
    if (this.open.size < MAX_SESSIONS) return;
    const oldest = [...this.open.entries()].sort((a, b) => a[1].touched - b[1].touched)[0];
    if (oldest) await this.close(oldest[0]);
  }

  async sweep(): Promise<void> {
    const cutoff = this.now() - this.idleMs;
    for (const [id, s] of [...this.open]) if (s.touched < cutoff && !s.busy) await this.close(id);
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    for (const id of [...this.open.keys()]) await this.close(id);
  }
}
