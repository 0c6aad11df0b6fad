import type { ChildProcess } from 'node:child_process';
import { createServer, type Server, Socket } from 'node:net';
import { sql } from 'kysely';
import type { Store } from '../../src/store/index.js';
import { spawnCli } from './cli.js';

/**
 * What the fault suite (test/faults, `npm run test:faults`) shares: bounded waits that say what they
 * waited for, `ledgerlink worker` processes that can be killed and replaced, a TCP proxy that can take
 * a system off the network, and the store's figures a scenario prints and asserts.
 */

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Waits until `probe` holds, at most `timeoutMs`; returns the time it took. On timeout it throws,
 * naming what it waited for and the state `explain` describes, so a failure says where things stand.
 */
export async function until(
  probe: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
  explain?: () => Promise<string> | string,
): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - start;
    if (Date.now() - start > timeoutMs) {
      let state = '';
      if (explain) {
        try {
          state = await explain();
        } catch (e) {
          state = `(could not describe the state: ${(e as Error).message})`;
        }
      }
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${state ? ` — ${state}` : ''}`);
    }
    await sleep(100);
  }
}

/** A small deterministic PRNG (mulberry32): a scenario's random choices are the same on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves with what `--json` printed once the worker runs; rejects if it exits first. */
  started: Promise<Record<string, unknown>>;
  /** The last part of what it wrote to stderr (for failure messages). */
  stderr(): string;
  alive(): boolean;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts a long-running `ledgerlink` command that prints what it started as JSON (`worker --json`,
 * `serve --json`), keeping the tail of its stderr for failure messages.
 */
export function spawnService(args: readonly string[], env: Record<string, string>): WorkerProcess {
  const child = spawnCli(args, env);
  let out = '';
  let err = '';
  child.stderr?.on('data', (d) => {
    err = (err + String(d)).slice(-20_000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const started = new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`ledgerlink ${args[0]} not started within 30 s: ${err}`)),
      30_000,
    );
    child.stdout?.on('data', (d) => {
      out += String(d);
      try {
        const value = JSON.parse(out) as Record<string, unknown>;
        clearTimeout(timer);
        resolve(value);
      } catch {
        // not all of it yet
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`ledgerlink ${args[0]} exited (${code ?? signal}) before starting: ${err}`));
    });
  });
  // A process killed while starting rejects; whoever awaits `started` hears it, nobody else must.
  started.catch(() => undefined);
  return {
    child,
    started,
    stderr: () => err,
    alive: () => child.exitCode === null && child.signalCode === null,
    exited,
  };
}

/** `ledgerlink worker` processes on one configuration; every one spawned is stopped by `stopAll`/`killAll`. */
export class Workers {
  readonly spawned: WorkerProcess[] = [];

  constructor(
    private readonly env: Record<string, string>,
    private readonly concurrency = 2,
  ) {}

  spawn(): WorkerProcess {
    const w = spawnService(['worker', '--concurrency', String(this.concurrency), '--json'], this.env);
    this.spawned.push(w);
    return w;
  }

  living(): WorkerProcess[] {
    return this.spawned.filter((w) => w.alive());
  }

  /** SIGTERM to every living worker (they give back what they hold), SIGKILL to any still there after `graceMs`. */
  async stopAll(graceMs = 20_000): Promise<Array<number | null>> {
    const living = this.living();
    for (const w of living) w.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      for (const w of living) if (w.alive()) w.child.kill('SIGKILL');
    }, graceMs);
    const codes = await Promise.all(living.map((w) => w.exited.then((e) => e.code)));
    clearTimeout(timer);
    return codes;
  }

  /** For afterAll: nothing this suite started outlives it. */
  killAll(): void {
    for (const w of this.living()) w.child.kill('SIGKILL');
  }
}

export interface QueueState {
  /** Jobs still to run (due or later), by task. */
  pending: Record<string, number>;
  /** Jobs held by a worker right now. */
  locked: number;
  /** Jobs that used up their attempts (they will never run again). */
  dead: number;
  /** Runs whose row still says 'running'. */
  runningRuns: number;
}

/** The graphile-worker queue and the runs table, as a scenario checks them at the end. */
export async function queueState(store: Store): Promise<QueueState> {
  const { rows } = await sql<{ task: string; n: number; locked: number; dead: number }>`
    select task_identifier as task, count(*)::int as n,
      (count(*) filter (where locked_by is not null))::int as locked,
      (count(*) filter (where attempts >= max_attempts))::int as dead
    from graphile_worker.jobs group by task_identifier`.execute(store.db);
  const running = await store.db
    .selectFrom('runs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'running')
    .executeTakeFirst();
  const pending: Record<string, number> = {};
  for (const r of rows) if (r.n - r.dead > 0) pending[r.task] = r.n - r.dead;
  return {
    pending,
    locked: rows.reduce((n, r) => n + r.locked, 0),
    dead: rows.reduce((n, r) => n + r.dead, 0),
    runningRuns: Number(running?.n ?? 0),
  };
}

/** Every job still in the queue, with what graphile-worker knows of it (for failure messages). */
export async function jobsDetail(store: Store): Promise<string> {
  const { rows } = await sql<Record<string, unknown>>`
    select task_identifier as task, queue_name as queue, attempts, max_attempts as max, run_at, locked_by,
      locked_at, left(last_error, 300) as last_error
    from graphile_worker.jobs order by id`.execute(store.db);
  const runs = await store.db
    .selectFrom('runs')
    .select(['id', 'status', 'owner', 'message'])
    .where('status', 'in', ['running', 'failed'])
    .orderBy('id', 'desc')
    .limit(5)
    .execute();
  return JSON.stringify({ now: new Date().toISOString(), jobs: rows, recentRuns: runs });
}

export const settled = (q: QueueState) =>
  Object.keys(q.pending).length === 0 && q.locked === 0 && q.runningRuns === 0;

export interface RecordFigures {
  states: Record<string, number>;
  /** Connector-log entries of failed attempts, and how many records they were about. */
  failedAttempts: number;
  /** Of those, the ones the target's answer (or silence) made transient: retried by the engine. */
  transientFailures: number;
  recordsRetried: number;
  /** Runs of the flow, by status. */
  runs: Record<string, number>;
}

export async function recordFigures(store: Store, flow: string): Promise<RecordFigures> {
  const failed = await store.db
    .selectFrom('connector_log')
    .select((eb) => [
      eb.fn.countAll<number>().as('n'),
      eb.fn.count<number>('source_id').distinct().as('records'),
      eb.fn
        .sum<number>(eb.case().when('error_category', '=', 'transient').then(1).else(0).end())
        .as('transient'),
    ])
    .where('flow', '=', flow)
    .where('status', 'in', ['failed', 'aborted'])
    .executeTakeFirst();
  const runs = await store.db
    .selectFrom('runs')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('flow', '=', flow)
    .groupBy('status')
    .execute();
  return {
    states: await store.records.countByState(flow),
    failedAttempts: Number(failed?.n ?? 0),
    transientFailures: Number(failed?.transient ?? 0),
    recordsRetried: Number(failed?.records ?? 0),
    runs: Object.fromEntries(runs.map((r) => [r.status, Number(r.n)])),
  };
}

/** Milliseconds as seconds to one decimal, for the figures. */
export const seconds = (ms: number) => Math.round(ms / 100) / 10;

/**
 * The end every scenario shares: waits until Magento holds all `count` customers and the flow's
 * records are all processed, then until the queue is settled; returns how long each took, the
 * store's figures and Magento's customers (to count duplicates). `describe` says what was seen when a
 * wait times out.
 */
export async function landAndDrain(o: {
  store: Store;
  flow: string;
  count: number;
  customers: () => ReadonlyArray<{ email: string }>;
  what: string;
  describe: () => Promise<string> | string;
  landTimeoutMs?: number;
  /** Called at every look; throws to end the wait early (nothing left that could finish the work). */
  giveUpIf?: () => void;
}) {
  const toLand = await until(
    async () => {
      o.giveUpIf?.();
      return (
        o.customers().length === o.count && (await o.store.records.countByState(o.flow)).processed === o.count
      );
    },
    o.landTimeoutMs ?? 60_000,
    o.what,
    o.describe,
  );
  const drained = await until(
    async () => settled(await queueState(o.store)),
    30_000,
    'the queue to drain with nothing locked and no run left running',
    o.describe,
  );
  const all = o.customers();
  return {
    toLand,
    drained,
    figures: await recordFigures(o.store, o.flow),
    all,
    duplicates: all.length - new Set(all.map((c) => c.email)).size,
  };
}

/** The one-line summary every scenario prints. */
export function report(scenario: string, figures: Record<string, unknown>): void {
  const parts = Object.entries(figures).map(
    ([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`,
  );
  console.log(`[faults] ${scenario}: ${parts.join(' ')}`);
}

/**
 * A TCP proxy in front of a system: `down()` closes its listener and cuts every connection, so
 * callers meet "connection refused" as from a stopped server; `up()` listens again on the same port.
 */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  static async start(target: string): Promise<TcpProxy> {
    const u = new URL(target);
    const p = new TcpProxy(u.hostname, Number(u.port));
    await p.up();
    return p;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const server = createServer((client) => {
      const upstream = new Socket();
      this.track(client);
      this.track(upstream);
      upstream.connect(this.targetPort, this.targetHost);
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((r) => server.close(() => r()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private track(s: Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
  }
}
