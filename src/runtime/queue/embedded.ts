import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { backoffMs } from '../../connectors/sdk/http.js';
import type { JobRow, Store } from '../../store/index.js';
import type { JobQueue, NewJob, TaskHandler, WaitingJob } from './queue.js';

/**
 * The embedded default: jobs as rows of the store (src/store/repositories/jobs.ts) and polling loops
 * in this process. A job that throws runs again with capped exponential backoff; a job that says
 * `later` (a busy flow) is put back without counting an attempt; stopping finishes the jobs in hand
 * and unlocks anything else this worker holds.
 */
export class EmbeddedQueue implements JobQueue {
  readonly kind = 'embedded';
  readonly id: string;
  private readonly pollMs: number;
  private stopping = false;
  private loops: Promise<void>[] = [];
  private readonly sleepers = new Set<() => void>();
  private stopped = new AbortController();

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    opts: { id?: string; pollMs?: number } = {},
  ) {
    this.id = opts.id ?? `${hostname()}:${process.pid}:worker`;
    this.pollMs = opts.pollMs ?? 1000;
  }

  async add(job: NewJob): Promise<void> {
    await this.store.jobs.add(job);
    this.wake();
  }

  async addMany(jobs: readonly NewJob[]): Promise<void> {
    await this.store.jobs.addMany(jobs);
    this.wake();
  }

  async work(handlers: Readonly<Record<string, TaskHandler>>, opts: { concurrency: number }): Promise<void> {
    if (this.loops.length > 0) throw new Error('this queue is already working');
    this.stopping = false;
    this.stopped = new AbortController();
    for (let i = 0; i < Math.max(1, opts.concurrency); i++) this.loops.push(this.loop(handlers));
  }

  wake(): void {
    for (const wake of [...this.sleepers]) wake();
  }

  private async loop(handlers: Readonly<Record<string, TaskHandler>>): Promise<void> {
    const tasks = Object.keys(handlers);
    while (!this.stopping) {
      let claimed: JobRow[] = [];
      try {
        claimed = await this.store.jobs.claim(this.id, { limit: 1, tasks });
      } catch (e) {
        this.logger.error({ err: e }, 'claiming jobs failed');
      }
      if (claimed.length === 0) {
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(t);
            this.sleepers.delete(wake);
            resolve();
          };
          const t = setTimeout(wake, this.pollMs);
          this.sleepers.add(wake);
        });
        continue;
      }
      for (const job of claimed) await this.execute(job, handlers[job.task]!);
    }
  }

  private async execute(job: JobRow, handler: TaskHandler): Promise<void> {
    const jobs = this.store.jobs;
    try {
      const result = await handler(JSON.parse(job.payload) as Record<string, unknown>, {
        id: String(job.id),
        task: job.task,
        attempt: job.attempts,
        maxAttempts: job.max_attempts,
        signal: this.stopped.signal,
      });
      if (result?.later) {
        this.logger.debug({ task: job.task, reason: result.later.reason }, 'job put back');
        await jobs.fail(job.id, result.later.reason, new Date(Date.now() + result.later.afterMs), {
          countAttempt: false,
        });
      } else await jobs.complete(job.id, job.revision);
    } catch (e) {
      const wait = backoffMs(job.attempts, 1_000, 10 * 60_000);
      this.logger.warn({ err: e, task: job.task, attempts: job.attempts }, 'job will run again');
      await jobs.fail(job.id, e instanceof Error ? e.message : String(e), new Date(Date.now() + wait));
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.stopped.abort();
    this.wake();
    await Promise.all(this.loops);
    this.loops = [];
    await this.store.jobs.release(this.id);
  }

  async pending(tasks?: readonly string[]): Promise<number> {
    return this.store.jobs.pending(tasks);
  }

  async waiting(tasks?: readonly string[]): Promise<WaitingJob[]> {
    const rows = await this.store.jobs.list();
    return rows
      .filter((j) => j.attempts < j.max_attempts && (!tasks?.length || tasks.includes(j.task)))
      .map((j) => ({
        task: j.task,
        payload: JSON.parse(j.payload) as Record<string, unknown>,
        running: j.locked_at !== null,
        addedAt: new Date(j.created_at),
      }))
      .sort((a, b) => a.addedAt.getTime() - b.addedAt.getTime());
  }

  async close(): Promise<void> {
    if (this.loops.length > 0) await this.stop();
  }
}
