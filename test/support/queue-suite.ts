import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JobQueue, RunningJob, TaskHandler } from '../../src/runtime/queue/queue.js';

/**
 * What every JobQueue promises, whichever engine keeps the jobs: the embedded table on SQLite and
 * graphile-worker on PostgreSQL run these same tests. `open` gives another queue over the same
 * store each time it is called — another worker, as far as the jobs can tell.
 */
export interface QueueUnderTest {
  open(): Promise<JobQueue>;
  /** Time between a failed attempt and the next, at least (the engine's backoff after attempt 1). */
  firstBackoffMs: number;
  close(): Promise<void>;
}

let taskCounter = 0;
/** A task name no other test uses, so a suite can share one store. */
const freshTask = (what: string) => `${what}.${++taskCounter}.${process.pid}`;

async function until(probe: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function queueSuite(name: string, setup: () => Promise<QueueUnderTest>): void {
  describe(`the job queue: ${name}`, () => {
    let subject: QueueUnderTest;
    const opened: JobQueue[] = [];
    const open = async () => {
      const q = await subject.open();
      opened.push(q);
      return q;
    };

    beforeAll(async () => {
      subject = await setup();
    });
    afterEach(async () => {
      for (const q of opened.splice(0)) await q.close();
    });
    afterAll(async () => {
      await subject?.close();
    });

    it('runs what is added, and nothing is left pending', async () => {
      const q = await open();
      const task = freshTask('add');
      const seen: unknown[] = [];
      await q.add({ task, payload: { n: 1 } });
      expect(await q.pending([task])).toBe(1);
      await q.work({ [task]: async (p) => void seen.push(p.n) }, { concurrency: 1 });
      await until(() => seen.length === 1);
      await until(async () => (await q.pending([task])) === 0);
      expect(seen).toEqual([1]);
    });

    it('a job key merges duplicates: one run, with the last payload', async () => {
      const q = await open();
      const task = freshTask('key');
      const runAt = new Date(Date.now() + 300);
      for (let n = 1; n <= 4; n++) await q.add({ task, payload: { n }, jobKey: `${task}:k`, runAt });
      expect(await q.pending([task])).toBe(1);
      const seen: unknown[] = [];
      await q.work({ [task]: async (p) => void seen.push(p.n) }, { concurrency: 2 });
      await until(async () => seen.length > 0 && (await q.pending([task])) === 0);
      await sleep(200);
      expect(seen).toEqual([4]);
    });

    it('jobs added together each run once; a key already waiting is replaced, as `add` would', async () => {
      const q = await open();
      const task = freshTask('many');
      const runAt = new Date(Date.now() + 300);
      await q.add({ task, payload: { n: 0 }, jobKey: `${task}:a`, runAt });
      await q.addMany([
        { task, payload: { n: 1 }, jobKey: `${task}:a`, runAt, queue: null },
        { task, payload: { n: 2 }, jobKey: `${task}:b`, runAt, queue: null, maxAttempts: 3 },
        { task, payload: { n: 3 } },
      ]);
      await q.addMany([]);
      expect(await q.pending([task])).toBe(3);
      const seen: number[] = [];
      await q.work({ [task]: async (p) => void seen.push(Number(p.n)) }, { concurrency: 2 });
      await until(async () => seen.length >= 3 && (await q.pending([task])) === 0);
      await sleep(200);
      expect(seen.sort()).toEqual([1, 2, 3]);
    });

    it('a key added again while its job runs runs once more afterwards', async () => {
      const q = await open();
      const task = freshTask('again');
      const key = `${task}:k`;
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      const seen: unknown[] = [];
      await q.add({ task, payload: { n: 1 }, jobKey: key });
      await q.work(
        {
          [task]: async (p) => {
            seen.push(p.n);
            if (p.n === 1) await gate;
          },
        },
        { concurrency: 2 },
      );
      await until(() => seen.length === 1);
      await q.add({ task, payload: { n: 2 }, jobKey: key });
      await q.add({ task, payload: { n: 3 }, jobKey: key });
      await sleep(150);
      const beside = [...seen];
      release();
      expect(beside).toEqual([1]); // not beside the running one
      await until(async () => seen.length === 2 && (await q.pending([task])) === 0);
      await sleep(200);
      expect(seen).toEqual([1, 3]);
    });

    it('a serial queue runs its jobs one at a time, in order, across workers', async () => {
      const [a, b] = [await open(), await open()];
      const task = freshTask('serial');
      const order: number[] = [];
      let running = 0;
      let most = 0;
      const handler: TaskHandler = async (p) => {
        running++;
        most = Math.max(most, running);
        await sleep(30);
        order.push(Number(p.n));
        running--;
      };
      for (let n = 0; n < 6; n++) await a.add({ task, payload: { n }, queue: `${task}:q` });
      await a.work({ [task]: handler }, { concurrency: 3 });
      await b.work({ [task]: handler }, { concurrency: 3 });
      await until(() => order.length === 6);
      expect(order).toEqual([0, 1, 2, 3, 4, 5]);
      expect(most).toBe(1);
    });

    it('a failing job is retried with backoff until its attempts are used up', async () => {
      const q = await open();
      const task = freshTask('fail');
      const at: number[] = [];
      await q.add({ task, payload: {}, maxAttempts: 2 });
      await q.work(
        {
          [task]: async (_p, job) => {
            at.push(Date.now());
            throw new Error(`attempt ${job.attempt} of ${job.maxAttempts} failed`);
          },
        },
        { concurrency: 1 },
      );
      await until(() => at.length === 2, subject.firstBackoffMs * 4 + 5_000);
      expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(subject.firstBackoffMs);
      await until(async () => (await q.pending([task])) === 0);
      await sleep(subject.firstBackoffMs);
      expect(at).toHaveLength(2);
    });

    it('stop() lets the job in flight finish, takes nothing more, and gives back a job cut short', async () => {
      const q = await open();
      const [slow, cut] = [freshTask('slow'), freshTask('cut')];
      const finished: unknown[] = [];
      let started = 0;
      const handlers: Record<string, TaskHandler> = {
        [slow]: async (p) => {
          started++;
          await sleep(300);
          finished.push(p.n);
        },
        // Like a flow run: stops at the end of its page when asked, and says to run it again.
        [cut]: async (_p, job: RunningJob) => {
          started++;
          await new Promise((r) => job.signal.addEventListener('abort', r));
          return { later: { afterMs: 0, reason: 'stopped' } };
        },
      };
      await q.add({ task: cut, payload: {} });
      for (let n = 1; n <= 3; n++) await q.add({ task: slow, payload: { n } });
      await q.work(handlers, { concurrency: 2 });
      await until(() => started === 2);
      await q.stop();
      expect(finished).toEqual([1]);
      expect(started).toBe(2);
      const left = await q.waiting([slow, cut]);
      expect(left.map((j) => [j.task, j.running]).sort()).toEqual([
        [cut, false],
        [slow, false],
        [slow, false],
      ]);
      // Another worker takes up what was given back; the job cut short lost no attempt.
      const other = await open();
      const attempts: number[] = [];
      await other.work(
        {
          [slow]: async (p) => void finished.push(p.n),
          [cut]: async (_p, job) => void attempts.push(job.attempt),
        },
        { concurrency: 1 },
      );
      await until(() => finished.length === 3 && attempts.length === 1);
      expect(finished.sort()).toEqual([1, 2, 3]);
      expect(attempts).toEqual([1]);
    });

    it('two workers never run one job twice', async () => {
      const [a, b] = [await open(), await open()];
      const task = freshTask('many');
      const runs = new Map<number, number>();
      const handler: TaskHandler = async (p) => {
        runs.set(Number(p.n), (runs.get(Number(p.n)) ?? 0) + 1);
        await sleep(Math.random() * 5);
      };
      for (let n = 0; n < 60; n++) await a.add({ task, payload: { n } });
      await Promise.all([
        a.work({ [task]: handler }, { concurrency: 4 }),
        b.work({ [task]: handler }, { concurrency: 4 }),
      ]);
      await until(async () => runs.size === 60 && (await a.pending([task])) === 0);
      await sleep(100);
      expect([...runs.values()].every((n) => n === 1)).toBe(true);
    });
  });
}
