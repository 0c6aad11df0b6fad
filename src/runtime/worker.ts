import type { Logger } from 'pino';
import type { ReadQuery } from '../connectors/sdk/contract.js';
import { backoffMs } from '../connectors/sdk/http.js';
import { type Engine, RETRY_TASK, type RunTrigger } from '../engine/engine.js';
import { isEngineError } from '../engine/errors.js';
import type { JobRow } from '../store/index.js';
import { processInbox, WEBHOOK_TASK } from './webhooks.js';

export const RUN_TASK = 'flow.run';

export type TaskHandler = (payload: Record<string, unknown>, job: JobRow) => Promise<void>;

/**
 * The embedded job worker: claims due jobs from the store and runs them in this process. A job that
 * throws is retried with capped exponential backoff; a busy flow is simply tried again shortly.
 */
export class EmbeddedWorker {
  private stopped = false;
  private wake?: () => void;
  private loop?: Promise<void>;
  readonly id: string;
  private readonly handlers: Record<string, TaskHandler>;

  /** The engine of the configuration running now (it is replaced when the configuration changes). */
  private readonly current: () => Engine;

  constructor(
    engine: Engine | (() => Engine),
    private readonly logger: Logger,
    opts: { id?: string; pollMs?: number } = {},
  ) {
    this.current = typeof engine === 'function' ? engine : () => engine;
    this.id = opts.id ?? `${this.current().owner}:worker`;
    this.pollMs = opts.pollMs ?? 1000;
    this.handlers = {
      [RUN_TASK]: async (p) => {
        // Scheduled runs are incremental; a run someone asked for with filters reads exactly those.
        const query = p.query as ReadQuery | undefined;
        const incremental = p.incremental === undefined ? !query : p.incremental === true;
        const trigger = (p.trigger as RunTrigger | undefined) ?? 'schedule';
        const r = await this.current().run(String(p.flow), {
          trigger,
          incremental,
          // A person is watching a progress bar: tell it where the end is.
          countFirst: trigger === 'manual',
          ...(query ? { query } : {}),
        });
        if (r.status === 'failed') throw new Error(r.message ?? 'run failed');
      },
      [RETRY_TASK]: async (p) => {
        const flow = String(p.flow);
        await this.current().processDueRetries(flow);
        await this.current().scheduleRetry(flow);
      },
      [WEBHOOK_TASK]: async (p) => {
        await processInbox(this.current(), String(p.connection), logger);
      },
    };
  }

  private readonly pollMs: number;

  start(): void {
    this.loop = this.run();
  }

  /** Wakes the loop now (a job was just added in this process). */
  poke(): void {
    this.wake?.();
  }

  private async run(): Promise<void> {
    const jobs = this.current().store.jobs;
    while (!this.stopped) {
      let claimed: JobRow[] = [];
      try {
        claimed = await jobs.claim(this.id, { limit: 1, tasks: Object.keys(this.handlers) });
      } catch (e) {
        this.logger.error({ err: e }, 'claiming jobs failed');
      }
      if (claimed.length === 0) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, this.pollMs);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        continue;
      }
      for (const job of claimed) await this.execute(job);
    }
  }

  private async execute(job: JobRow): Promise<void> {
    const jobs = this.current().store.jobs;
    try {
      await this.handlers[job.task]!(JSON.parse(job.payload) as Record<string, unknown>, job);
      await jobs.complete(job.id, job.revision);
    } catch (e) {
      const busy = isEngineError(e) && e.code === 'flow_busy';
      const wait = busy ? 5_000 : backoffMs(job.attempts, 1_000, 10 * 60_000);
      this.logger[busy ? 'debug' : 'warn'](
        { err: e, task: job.task, attempts: job.attempts },
        'job will run again',
      );
      await jobs.fail(job.id, e instanceof Error ? e.message : String(e), new Date(Date.now() + wait));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    await this.current().store.jobs.release(this.id);
  }
}
