import { EventEmitter } from 'node:events';
import {
  Logger as GraphileLogger,
  type JobHelpers,
  makeWorkerUtils,
  type Runner,
  run,
  runMigrations,
  type TaskList,
  type WorkerEvents,
  type WorkerUtils,
} from 'graphile-worker';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Store } from '../../store/index.js';
import { underMigrationLock } from '../../store/migration-lock.js';
import { WorkerHeartbeats } from './heartbeats.js';
import type { JobQueue, NewJob, SpentJob, TaskHandler, WaitingJob } from './queue.js';

/**
 * The queue on PostgreSQL: graphile-worker 0.17, in its own schema (`graphile_worker`) of the
 * store's database, migrated when the queue opens.
 *
 * Why graphile-worker and not pg-boss (both measured on this project's two-core machine; figures
 * and scripts in BENCHMARKS.md and bench/queue-engines): adding a job wakes an idle worker at once
 * (LISTEN/NOTIFY: p50 5 ms, p99 22 ms from add to start, where pg-boss polls every 0.5 s at best);
 * its job keys are exactly the embedded queue's rule — adding again replaces payload and run time,
 * and a key added while its job runs (in a queue named for the key) runs once more afterwards —
 * where pg-boss keeps the first payload; its named queues run one job at a time in order. pg-boss
 * frees a crashed worker's job after a per-job expiry that is also a hard limit on how long any job
 * may run, and it has no heartbeat; graphile-worker frees one after four hours, but says which
 * worker holds each job and unlocks a named worker on request — so WorkerHeartbeats tells it, after
 * a configurable timeout, which workers have gone. Its cron was not used: the flows' schedules use
 * croner's syntax (seconds included) and change at run time; the Scheduler claims each tick in the
 * store instead. graphile-worker 0.18 needs Node 22.18; 0.17 runs on our Node 20.
 *
 * How the contract maps: jobKey → job_key (mode "replace"), in a queue named for the key unless the
 * job names one, so that a key added while its job runs waits for it; queue → queue_name; maxAttempts →
 * max_attempts; failures → graphile-worker's backoff (e^attempt seconds, capped at e^10); `later`
 * → the job is added again (same key and queue) to run after the delay, and this attempt completes.
 */
/**
 * A job's run time, attempts and queue as graphile-worker takes them. graphile-worker starts a key
 * added again while its job runs at once, beside it; our contract runs it after. A keyed job without
 * a queue of its own is therefore in a queue named for its key, which graphile-worker keeps to one
 * job at a time.
 */
function options(job: NewJob): { runAt?: Date; maxAttempts?: number; queueName?: string } {
  const queue =
    job.queue === null ? undefined : (job.queue ?? (job.jobKey ? `key:${job.jobKey}` : undefined));
  return {
    ...(job.runAt ? { runAt: job.runAt } : {}),
    ...(job.maxAttempts ? { maxAttempts: job.maxAttempts } : {}),
    ...(queue ? { queueName: queue } : {}),
  };
}

export class GraphileQueue implements JobQueue {
  readonly kind = 'graphile-worker';
  private readonly pool: pg.Pool;
  private utils?: WorkerUtils;
  private runner?: Runner;
  private heartbeats?: WorkerHeartbeats;
  private stopping = new AbortController();
  private readonly graphileLogger: GraphileLogger;

  private constructor(
    private readonly store: Store,
    url: string,
    private readonly logger: Logger,
    private readonly lockTimeoutMs: number,
  ) {
    // The queue's own connections: its LISTEN client stays checked out while it works.
    this.pool = new pg.Pool({ connectionString: url, max: 6 });
    // A connection the server dropped reports here (idle) or on its client (checked out); the pool
    // replaces it. Unheard, either would crash the process.
    this.pool.on('error', (e) => logger.warn({ err: e }, 'a queue connection failed'));
    this.pool.on('connect', (client) => {
      client.on('error', (e) => logger.warn({ err: e }, 'a queue connection failed'));
    });
    this.graphileLogger = new GraphileLogger(() => (level, message) => {
      // The engine's "Completed task …" lines would drown ours: its info is our debug.
      const as = ({ error: 'error', warning: 'warn', info: 'debug' } as const)[level as string] ?? 'trace';
      logger[as]({ queue: 'graphile-worker' }, message);
    });
  }

  /** Opens the queue: its schema is brought up to date first (idempotent, safe from many processes). */
  static async open(
    store: Store,
    url: string,
    logger: Logger,
    opts: { lockTimeoutMs?: number } = {},
  ): Promise<GraphileQueue> {
    const q = new GraphileQueue(store, url, logger, opts.lockTimeoutMs ?? 30_000);
    try {
      const session = await q.pool.connect();
      try {
        await underMigrationLock(
          (statement) => session.query(statement),
          () => runMigrations({ pgPool: q.pool, logger: q.graphileLogger }),
        );
      } finally {
        session.release();
      }
      q.utils = await makeWorkerUtils({ pgPool: q.pool, logger: q.graphileLogger });
    } catch (e) {
      await q.pool.end();
      throw e;
    }
    return q;
  }

  async add(job: NewJob): Promise<void> {
    await this.utils!.addJob(job.task, job.payload, {
      ...(job.jobKey ? { jobKey: job.jobKey, jobKeyMode: 'replace' as const } : {}),
      ...options(job),
    });
  }

  /**
   * One statement for all: graphile-worker's `add_jobs`, which is what `add_job` calls for a key in
   * 'replace' mode, so a key already there is replaced as `add` would.
   */
  async addMany(jobs: readonly NewJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.utils!.addJobs(
      jobs.map((job) => ({
        identifier: job.task,
        payload: job.payload,
        ...(job.jobKey ? { jobKey: job.jobKey } : {}),
        ...options(job),
      })),
    );
  }

  async work(handlers: Readonly<Record<string, TaskHandler>>, opts: { concurrency: number }): Promise<void> {
    if (this.runner) throw new Error('this queue is already working');
    this.stopping = new AbortController();
    const stopping = this.stopping.signal;
    const taskList: TaskList = {};
    for (const [task, handler] of Object.entries(handlers)) {
      taskList[task] = async (payload, helpers) => {
        const job = helpers.job;
        const result = await handler((payload ?? {}) as Record<string, unknown>, {
          id: job.id,
          task,
          attempt: job.attempts,
          maxAttempts: job.max_attempts,
          signal: stopping,
        });
        if (result?.later) await this.putBack(task, payload, helpers, result.later);
      };
    }
    const heartbeats = new WorkerHeartbeats(
      this.store,
      this.lockTimeoutMs,
      (before) => this.holders(before),
      (ids) => this.utils!.forceUnlockWorkers(ids),
      this.logger,
    );
    // The pool's id is what graphile-worker writes into locked_by of the jobs this process holds.
    let poolId: string | undefined;
    const events: WorkerEvents = new EventEmitter();
    events.on('pool:create', ({ workerPool }) => {
      poolId = workerPool.id;
    });
    const runner = await run({
      pgPool: this.pool,
      taskList,
      concurrency: Math.max(1, opts.concurrency),
      noHandleSignals: true,
      // Due jobs that no NOTIFY announces (a later run time, the next of a serial queue) wait this long at most.
      pollInterval: 500,
      logger: this.graphileLogger,
      // Completions go through the engine's batcher, which a graceful stop flushes: unbatched, the
      // last job's completion can still be in flight when the stop returns, and is lost.
      preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
      events,
    });
    this.runner = runner;
    this.heartbeats = heartbeats;
    let recovering = false;
    events.on('pool:fatalError', ({ error }) => {
      if (recovering || this.runner !== runner) return;
      recovering = true;
      void this.recover(error, handlers, opts);
    });
    // Queues named for one-off keys (a manual run's) stay behind empty: drop them now and then.
    await this.dropEmptyQueues().catch((e: unknown) =>
      this.logger.warn({ err: e }, 'dropping empty job queues failed'),
    );
    if (poolId) await heartbeats.begin(poolId);
  }

  private async recover(
    e: unknown,
    handlers: Readonly<Record<string, TaskHandler>>,
    opts: { concurrency: number },
  ): Promise<void> {
    if (this.stopping.signal.aborted) return;
    this.logger.error({ err: e }, 'the queue worker stopped on a database error; starting it again');
    const old = this.heartbeats;
    this.runner = undefined;
    this.heartbeats = undefined;
    await old?.end().catch(() => undefined);
    for (let delay = 500; !this.stopping.signal.aborted; delay = Math.min(delay * 2, 10_000)) {
      await new Promise((r) => setTimeout(r, delay));
      try {
        await this.work(handlers, opts);
        this.logger.warn('the queue worker runs again');
        return;
      } catch (err) {
        this.runner = undefined;
        this.logger.warn({ err }, 'the queue worker could not start again yet');
      }
    }
  }

  private async dropEmptyQueues(): Promise<void> {
    const c = await this.pool.connect();
    try {
      await c.query('begin');
      await c.query("set local lock_timeout = '5s'");
      await c.query('lock table graphile_worker._private_job_queues in exclusive mode');
      await c.query(
        'delete from graphile_worker._private_job_queues q where q.locked_at is null and not exists (select 1 from graphile_worker._private_jobs j where j.job_queue_id = q.id)',
      );
      await c.query('commit');
    } catch (e) {
      await c.query('rollback').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  private async putBack(
    task: string,
    payload: unknown,
    helpers: JobHelpers,
    later: { afterMs: number; reason: string },
  ): Promise<void> {
    const job = helpers.job;
    const queue = job.job_queue_id === null ? null : await helpers.getQueueName();
    // Added again under its key while it runs, the engine gives the key to the new job; if someone
    // else added it meanwhile, that job keeps its earlier time.
    await helpers.addJob(task, payload, {
      ...(job.key ? { jobKey: job.key, jobKeyMode: 'preserve_run_at' as const } : {}),
      runAt: new Date(Date.now() + later.afterMs),
      maxAttempts: job.max_attempts,
      ...(queue ? { queueName: queue } : {}),
    });
    this.logger.debug({ task, reason: later.reason }, 'job put back');
  }

  private async holders(lockedBefore: Date): Promise<string[]> {
    const { rows } = await this.pool.query<{ holder: string }>(
      // A serial queue is locked with its job, by the same holder: the jobs name every holder.
      'select distinct locked_by as holder from graphile_worker.jobs where locked_by is not null and locked_at < $1',
      [lockedBefore],
    );
    return rows.map((r) => r.holder);
  }

  wake(): void {
    // Adding a job notifies every listening worker already (LISTEN/NOTIFY): nothing to do.
  }

  async stop(): Promise<void> {
    const runner = this.runner;
    if (!runner) return;
    this.stopping.abort();
    await runner.stop();
    this.runner = undefined;
    await this.heartbeats?.end();
    this.heartbeats = undefined;
  }

  async pending(tasks?: readonly string[]): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(
      `select count(*) as n from graphile_worker.jobs
       where attempts < max_attempts and ($1::text[] is null or task_identifier = any($1))`,
      [tasks?.length ? [...tasks] : null],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async takeSpent(task: string): Promise<SpentJob[]> {
    // A handler's own failure on the last attempt is handled by the handler (the job completes);
    // a job still here with no attempt left and no lock lost every one of them with its worker.
    const { rows } = await this.pool.query<{ id: string }>(
      `select j.id::text as id
       from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
       where t.identifier = $1 and j.attempts >= j.max_attempts and j.locked_at is null
       order by j.id limit 100`,
      [task],
    );
    if (rows.length === 0) return [];
    // Completing is the claim: of two processes sweeping at once, only one gets each job back.
    const taken = await this.utils!.completeJobs(rows.map((r) => r.id));
    return taken.map((j) => ({
      payload: (j.payload ?? {}) as Record<string, unknown>,
      attempts: j.attempts,
    }));
  }

  async waiting(tasks?: readonly string[]): Promise<WaitingJob[]> {
    const { rows } = await this.pool.query<{
      task_identifier: string;
      payload: Record<string, unknown> | null;
      locked_at: Date | null;
      created_at: Date;
    }>(
      // The public view leaves payloads out; the table is read, never written, here.
      `select t.identifier as task_identifier, j.payload, j.locked_at, j.created_at
       from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
       where j.attempts < j.max_attempts and ($1::text[] is null or t.identifier = any($1))
       order by j.created_at, j.id`,
      [tasks?.length ? [...tasks] : null],
    );
    return rows.map((r) => ({
      task: r.task_identifier,
      payload: r.payload ?? {},
      running: r.locked_at !== null,
      addedAt: r.created_at,
    }));
  }

  async close(): Promise<void> {
    await this.stop();
    await this.utils?.release();
    await this.pool.end();
  }
}
