/**
 * The job queue every trigger feeds and every worker drains. Two implementations keep one contract
 * (test/support/queue-suite.ts holds both to it): the embedded queue — jobs as rows of the store,
 * for one process on SQLite — and graphile-worker on PostgreSQL, for any number of worker processes
 * on any number of machines. `openQueue` picks by the store.
 */
export interface JobQueue {
  /** 'embedded' or the engine's name, for logs and `doctor`. */
  readonly kind: string;
  add(job: NewJob): Promise<void>;
  /** Several jobs, as `add` would add each, in one round trip where the engine allows (a shared run's pages). */
  addMany(jobs: readonly NewJob[]): Promise<void>;
  /**
   * Starts running due jobs of the tasks named in `handlers` in this process, `concurrency` at a
   * time. Jobs of other tasks are left to the processes that handle them.
   */
  work(handlers: Readonly<Record<string, TaskHandler>>, opts: { concurrency: number }): Promise<void>;
  /**
   * Graceful: takes no more jobs, signals the handlers in flight (`RunningJob.signal`) and waits for
   * them to end, and gives back every job this process holds without counting an attempt.
   */
  stop(): Promise<void>;
  /** Jobs still to run (due or later; not those that used up their attempts). */
  pending(tasks?: readonly string[]): Promise<number>;
  /** Jobs still to run with their payloads, oldest first (a progress bar shows a run as queued). */
  waiting(tasks?: readonly string[]): Promise<WaitingJob[]>;
  /**
   * Jobs of `task` whose attempts were all used up without one failing: each time, the worker that
   * held it stopped mid-job (killed, crashed). They are taken out of the queue and returned, so that
   * their work ends as an outcome rather than held forever. Only a queue shared by many processes
   * has them; the embedded one gives a dead process's jobs back without counting an attempt.
   */
  takeSpent?(task: string): Promise<SpentJob[]>;
  /** A job was just added elsewhere in this process: look now rather than at the next poll. */
  wake(): void;
  /** Stops working if it still does and closes the queue's own connections. */
  close(): Promise<void>;
}

export interface NewJob {
  task: string;
  payload: Record<string, unknown>;
  /**
   * Same key = same job: adding again replaces its payload and run time. Added again while it runs,
   * it runs once more when the current run ends, so work that arrived during a run is never dropped.
   */
  jobKey?: string;
  runAt?: Date;
  /** Default 25. */
  maxAttempts?: number;
  /**
   * A serial queue: its jobs run one at a time, in order, across every worker. A keyed job without
   * one is serial with its own key; `null` opts out (a shared run's page: the key only merges).
   */
  queue?: string | null;
}

export interface WaitingJob {
  task: string;
  payload: Record<string, unknown>;
  /** Held by a worker right now. */
  running: boolean;
  addedAt: Date;
}

export interface SpentJob {
  payload: Record<string, unknown>;
  attempts: number;
}

export interface RunningJob {
  id: string;
  task: string;
  /** This attempt's number, from 1. */
  attempt: number;
  maxAttempts: number;
  /** Aborted when the worker stops: finish the page in hand, then return `{ later }`. */
  signal: AbortSignal;
}

/**
 * What a handler says besides success (errors are data): `later` puts the job back to run again
 * after `afterMs` without counting a failed attempt — its flow was busy, or the worker is stopping.
 * A handler that throws failed: the job runs again with backoff until its attempts are used up.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a handler with nothing to say just returns
export type TaskResult = void | { later: { afterMs: number; reason: string } };

export type TaskHandler = (payload: Record<string, unknown>, job: RunningJob) => Promise<TaskResult>;
