import pg from 'pg';
import pino from 'pino';
import type { RateLimit } from '../src/connectors/sdk/manifest.js';
import { ConnectionLimiter, type RequestLimiter } from '../src/connectors/sdk/rate-limit.js';
import { SharedLimiter } from '../src/runtime/shared-limiter.js';
import { openStore, type Store } from '../src/store/index.js';
import type { RateLimitRepository } from '../src/store/repositories/rate-limits.js';

/**
 * What the shared request budget costs: turns taken per second and the time one takes, with the
 * store's statements counted (each repository call is one statement), against the in-process budget. No HTTP: the limiter alone, callers taking and giving back as fast as they can.
 * `npm run build && node dist/bench/shared-limiter.js` (BENCH_TURNS=n to change the size).
 */
const TURNS = Number(process.env.BENCH_TURNS ?? 4000);
const quiet = pino({ level: 'silent' });

let statements = 0;

/** The store's rate-limit repository, counting the statements it sends. */
function counted(store: Store): RateLimitRepository {
  return new Proxy(store.limits, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        statements++;
        return v.apply(target, args);
      };
    },
  });
}

/** `callers` spread over the limiters take `TURNS` turns; returns turns/s and ms per turn. */
async function drive(limiters: readonly RequestLimiter[], callers: number) {
  let left = TURNS;
  const took: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async (_, i) => {
      const limiter = limiters[i % limiters.length]!;
      while (left-- > 0) {
        const s = performance.now();
        const release = await limiter.acquire();
        took.push(performance.now() - s);
        release();
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  took.sort((a, b) => a - b);
  return {
    perSecond: Math.round(TURNS / seconds),
    medianMs: Number(took[Math.floor(took.length / 2)]!.toFixed(2)),
    p99Ms: Number(took[Math.floor(took.length * 0.99)]!.toFixed(2)),
  };
}

/** A database of its own on the PostgreSQL the tests use (LEDGERLINK_TEST_PG_URL), dropped at the end. */
const admin = process.env.LEDGERLINK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `ledgerlink_bench_${process.pid}`;
async function sql(text: string): Promise<void> {
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(text);
  await c.end();
}
await sql(`create database ${name}`);
const url = new URL(admin);
url.pathname = `/${name}`;
const stores: Store[] = [await openStore(url.toString()), await openStore(url.toString())];
const cases: Array<[string, RateLimit, instances: number, callers: number]> = [
  ['one caller, concurrency 16 (take + give back)', { concurrency: 16 }, 1, 1],
  ['16 callers, concurrency 16', { concurrency: 16 }, 1, 16],
  ['16 callers, concurrency 16, two instances (two pools, as two processes)', { concurrency: 16 }, 2, 16],
  ['16 callers, rate only, 100 000/s (book a turn)', { requestsPerSecond: 100_000 }, 1, 16],
  [
    '16 callers, 500/s and concurrency 10 (the allowance binds)',
    { requestsPerSecond: 500, concurrency: 10 },
    2,
    16,
  ],
];
const report: Record<string, unknown> = {};
try {
  report['in process, 16 callers, concurrency 16'] = await drive(
    [new ConnectionLimiter({ concurrency: 16 })],
    16,
  );
  for (const [name, limit, instances, callers] of cases) {
    const limiters = stores
      .slice(0, instances)
      .map((s) => new SharedLimiter(counted(s), `bench-${name}`, limit, quiet));
    // The rows are made on first use; that is not what is measured.
    for (const l of limiters) (await l.acquire())();
    await new Promise((r) => setTimeout(r, 100));
    const before = statements;
    const r = await drive(limiters, callers);
    await new Promise((r) => setTimeout(r, 100)); // the last slots given back
    report[name] = { ...r, statementsPerTurn: Number(((statements - before) / TURNS).toFixed(2)) };
    await Promise.all(limiters.map((l) => l.close()));
  }
} finally {
  await Promise.all(stores.map((s) => s.close()));
  await sql(`drop database if exists ${name} with (force)`);
}
console.log(JSON.stringify(report, null, 2));
