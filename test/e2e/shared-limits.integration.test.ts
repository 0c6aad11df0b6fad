import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/connectors/sdk/http.js';
import type { RateLimit } from '../../src/connectors/sdk/manifest.js';
import { FRESH_MS, SharedLimiter } from '../../src/runtime/shared-limiter.js';
import { openStore, type Store } from '../../src/store/index.js';
import { busiestWindow, startCountingServer } from '../support/counting-server.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

const CALLER = join(import.meta.dirname, '..', 'support', 'limited-caller.ts');
const quiet = pino({ level: 'silent' });
/**
 * A request leaves when its turn comes, a few ms late at worst (timers, the store's answer), never
 * early; a window this much short of a second allows for that on a busy machine.
 */
/**
 * A second less what a loaded machine may delay a granted request by before it reaches the server
 * (turns are booked 50 ms apart at 20/s; a send held back by a busy event loop lands with the next
 * ones): 21 arrivals were once seen in 950 ms beside other suites. Twenty in 900 ms still leaves no
 * room for a second process taking its own 20 a second.
 */
const SECOND_LESS_JITTER = 900;

/** The store's budget tables, counting the statements that take and give back slots. */
function counting(store: Store) {
  const counted = { take: 0, release: 0 };
  const limits = new Proxy(store.limits, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (prop === 'take' || prop === 'release') counted[prop]++;
        return value.apply(target, args);
      };
    },
  });
  return { limits, counted };
}

interface Caller {
  child: ChildProcess;
  ready: Promise<void>;
  done: Promise<{ statuses: Array<number | string>; retries: number; pausedAt?: number }>;
}

/** One `limited-caller` process: `count` requests to /<name>/<i> through the shared budget once told to go. */
function caller(
  url: string,
  limit: RateLimit,
  count: number,
  baseUrl: string,
  name: string,
  leaseMs?: number,
): Caller {
  const args = ['--import', 'tsx', CALLER, url, JSON.stringify(limit), String(count), baseUrl, name];
  if (leaseMs) args.push(String(leaseMs));
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let onReady: () => void;
  const ready = new Promise<void>((r) => {
    onReady = r;
  });
  child.stdout!.on('data', (d) => {
    out += d;
    if (out.includes('ready\n')) onReady();
  });
  child.stderr!.on('data', (d) => {
    err += d;
  });
  const done = new Promise<{ statuses: Array<number | string>; retries: number; pausedAt?: number }>(
    (resolve, reject) => {
      child.on('close', (code, signal) => {
        const last = out.trim().split('\n').at(-1) ?? '';
        if (code === 0) resolve(JSON.parse(last));
        else reject(new Error(`the caller ended with ${code ?? signal}: ${err}`));
      });
    },
  );
  return { child, ready, done };
}

describe('one request budget per connection, shared through PostgreSQL', () => {
  let tdb: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    tdb = await createTestDatabase('postgres');
    store = await openStore(tdb.url);
  });
  afterAll(async () => {
    await store.close();
    await tdb.drop();
  });

  it('two limiters on one store together keep the rate and the concurrency', async () => {
    const server = await startCountingServer({ holdMs: 200 });
    const limit = { requestsPerSecond: 25, concurrency: 3 };
    const clients = [0, 1].map(
      () =>
        new HttpClient({
          baseUrl: server.url,
          systemName: 'Counter',
          connection: 'shared-in-process',
          limiter: new SharedLimiter(store.limits, 'shared-in-process', limit, quiet),
        }),
    );
    try {
      const t0 = performance.now();
      const answers = await Promise.all(
        clients.flatMap((c) =>
          Array.from({ length: 20 }, (_, i) => c.request({ method: 'GET', path: `/${i}` })),
        ),
      );
      expect(answers.every((a) => a.status === 200)).toBe(true);
      expect(server.arrivals).toHaveLength(40);
      // Three at once at most, and used: 200 ms each, the concurrency is what binds here (15 a second).
      expect(server.mostAtOnce).toBe(3);
      expect(busiestWindow(server.arrivals, SECOND_LESS_JITTER)).toBeLessThanOrEqual(25);
      expect(performance.now() - t0).toBeGreaterThan((40 / 15 - 0.25) * 1000);
      expect(await store.limits.held('shared-in-process')).toBeLessThanOrEqual(3);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await Promise.all(clients.map((c) => (c.limiter as SharedLimiter).close()));
      await server.close();
    }
  });

  it('two processes never exceed R a second nor C at once, and a 429 seen by one pauses both', async () => {
    // A sends 3 requests, B 30; A's second is refused. A can hold at most 3 of the 6 slots, so B
    // always has slots: only the shared pause keeps B quiet.
    const server = await startCountingServer({ holdMs: 150, tooManyPath: '/a/1', retryAfterSeconds: 1 });
    const limit = { requestsPerSecond: 20, concurrency: 6 };
    const callers = [caller(tdb.url, limit, 3, server.url, 'a'), caller(tdb.url, limit, 30, server.url, 'b')];
    try {
      await Promise.all(callers.map((c) => c.ready));
      for (const c of callers) c.child.stdin!.write('go\n');
      const results = await Promise.all(callers.map((c) => c.done));

      // Every request landed; the one refused was retried once, after the pause.
      expect(results.flatMap((r) => r.statuses).every((s) => s === 200)).toBe(true);
      expect(results.reduce((n, r) => n + r.retries, 0)).toBe(1);
      expect(server.arrivals).toHaveLength(34);
      expect(server.mostAtOnce).toBeLessThanOrEqual(6);
      expect(busiestWindow(server.arrivals, SECOND_LESS_JITTER)).toBeLessThanOrEqual(20);

      // Once A has stored the pause, only turns booked before it may still leave (at most C - 1,
      // within C turns of 50 ms); then nobody, in either process, sends until the second asked for
      // has passed. Measured from when A stored it (a loaded machine may let A learn of the 429 late;
      // until then B rightly sends) on one clock: the epoch, from each process's time origin.
      const pausedAt = results[0]!.pausedAt!;
      expect(pausedAt).toBeDefined();
      const at = performance.timeOrigin + server.refusedAt!;
      const arrivals = server.arrivals.map((t) => performance.timeOrigin + t);
      const from = Math.max(at, pausedAt);
      const early = arrivals.filter((t) => t > from && t < from + 6 * 50 + 25);
      const during = arrivals.filter((t) => t >= from + 6 * 50 + 25 && t < at + 1000 - 25);
      expect(early.length).toBeLessThanOrEqual(5);
      expect(during).toEqual([]);
    } finally {
      for (const c of callers) if (c.child.exitCode === null) c.child.kill('SIGKILL');
      await server.close();
    }
  });

  it("a killed process's slots come back when their lease lapses", async () => {
    const server = await startCountingServer({ holdMs: 20_000 });
    const limit = { concurrency: 2 };
    const doomed = caller(tdb.url, limit, 2, server.url, 'doomed', 900);
    doomed.done.catch(() => undefined);
    const limiter = new SharedLimiter(store.limits, 'counted', limit, quiet, 900);
    try {
      await doomed.ready;
      doomed.child.stdin!.write('go\n');
      const deadline = Date.now() + 10_000;
      while (server.arrivals.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(server.arrivals).toHaveLength(2);
      doomed.child.kill('SIGKILL');
      const killed = performance.now();
      const release = await limiter.acquire(AbortSignal.timeout(5_000));
      const waited = performance.now() - killed;
      release();
      // Both slots were held; one comes back within the lease (it was renewed at most 300 ms before).
      expect(waited).toBeGreaterThan(200);
      expect(waited).toBeLessThan(900 + 500);
    } finally {
      if (doomed.child.exitCode === null) doomed.child.kill('SIGKILL');
      await limiter.close();
      server.close().catch(() => undefined);
    }
  });

  it('without a rate and with slots to spare, a slot given back is used again with no statement, goes back when unused, and at once when slots run short', async () => {
    const { limits, counted } = counting(store);
    const held = async (connection: string, n: number) => {
      const deadline = Date.now() + 5_000;
      while ((await store.limits.held(connection)) !== n && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
      return store.limits.held(connection);
    };
    // Sixteen slots: with six taken, ten (half or more) stay free.
    const roomy = new SharedLimiter(limits, 'kept', { concurrency: 16 }, quiet);
    const other = new SharedLimiter(store.limits, 'kept', { concurrency: 16 }, quiet);
    try {
      // A lookup, then five writes, then the next page's lookup: one statement to take, none after.
      (await roomy.acquire())();
      const five = await Promise.all(Array.from({ length: 5 }, () => roomy.acquire()));
      for (const release of five) release();
      (await roomy.acquire())();
      expect(counted).toEqual({ take: 2, release: 0 });
      expect(await store.limits.held('kept')).toBe(5);
      // Unused for KEEP_MS, they go back in one statement.
      expect(await held('kept', 0)).toBe(0);
      expect(counted.release).toBe(1);

      // A pause another process stored is seen once what the store said is no longer fresh.
      (await roomy.acquire())();
      await other.pause(400);
      await new Promise((r) => setTimeout(r, FRESH_MS + 20));
      const t0 = performance.now();
      (await roomy.acquire())();
      expect(performance.now() - t0).toBeGreaterThan(50);
      expect(counted.take).toBe(4);
    } finally {
      await roomy.close();
      await other.close();
    }

    // Two slots, one held elsewhere: none to spare, so a slot given back goes back at once.
    const scarce = new SharedLimiter(limits, 'scarce', { concurrency: 2 }, quiet);
    const elsewhere = new SharedLimiter(store.limits, 'scarce', { concurrency: 2 }, quiet);
    try {
      const theirs = await elsewhere.acquire();
      counted.release = 0;
      (await scarce.acquire())();
      expect(await held('scarce', 1)).toBe(1);
      expect(counted.release).toBe(1);
      theirs();
    } finally {
      await scarce.close();
      await elsewhere.close();
    }
  });

  it('callers waiting together get their slots and turns in one statement and give them back in one; a caller that gives up leaves nothing held', async () => {
    const { limits, counted } = counting(store);
    // 30 a second: turns 33⅓ ms apart (a spacing that is no whole number of ms, as SellerCloud's).
    const limit = { concurrency: 8, requestsPerSecond: 30 };
    const limiter = new SharedLimiter(limits, 'batched', limit, quiet);
    const held = async (n: number) => {
      const deadline = Date.now() + 5_000;
      while ((await store.limits.held('batched')) !== n && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
      return store.limits.held('batched');
    };
    try {
      const t0 = performance.now();
      const releases = await Promise.all(Array.from({ length: 5 }, () => limiter.acquire()));
      expect(counted.take).toBe(1);
      // The five turns were booked one spacing apart: the last went 133 ms after the first.
      expect(performance.now() - t0).toBeGreaterThanOrEqual(130);
      expect(await store.limits.held('batched')).toBe(5);
      for (const release of releases) release();
      expect(await held(0)).toBe(0);
      expect(counted.release).toBe(1);

      // Another process holds all eight; a caller here waits on the store and gives up: once the
      // slots come back, it holds none.
      const other = new SharedLimiter(store.limits, 'batched', limit, quiet);
      try {
        const eight = await Promise.all(Array.from({ length: 8 }, () => other.acquire()));
        await expect(limiter.acquire(AbortSignal.timeout(150))).rejects.toThrow();
        for (const release of eight) release();
        expect(await held(0)).toBe(0);
        await new Promise((r) => setTimeout(r, 200));
        expect(await store.limits.held('batched')).toBe(0);
        const again = await limiter.acquire(AbortSignal.timeout(2_000));
        again();
        expect(await held(0)).toBe(0);
      } finally {
        await other.close();
      }
    } finally {
      await limiter.close();
    }
  });
});
