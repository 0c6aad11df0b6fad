import type { Logger } from 'pino';
import type { ReadQuery, ShiftClosed, SourceItem } from '../connectors/sdk/contract.js';
import { type Engine, PAGE_TASK, RETRY_TASK, type RunTrigger } from '../engine/engine.js';
import { isEngineError } from '../engine/errors.js';
import { pollShifts, runShift } from '../engine/shifts.js';
import type { JobQueue, TaskHandler, TaskResult } from './queue/queue.js';
import { processInbox, takeDelivery, WEBHOOK_TASK } from './webhooks.js';

export const RUN_TASK = 'flow.run';
/** A connection's periodic care (Connector.upkeep: Accurate's webhook renewal). */
export const UPKEEP_TASK = 'connection.upkeep';
/** A register shift closed, or the poll for closed shifts of a connection (engine/shifts.ts). */
export const SHIFT_TASK = 'shift.close';

/** A flow that is running elsewhere is tried again this soon. */
const BUSY_RETRY_MS = 5_000;

/**
 * Runs the engine's jobs — flow runs, retry sweeps, webhook inboxes — from the queue, in this
 * process. The queue decides where jobs come from (the embedded table or graphile-worker); this
 * decides what they do. A busy flow is put back to try shortly, without counting a failure; a run
 * cut short because the worker is stopping is put back whole for the next worker.
 */
export class Worker {
  private readonly handlers: Record<string, TaskHandler>;

  /** The engine of the configuration running now (it is replaced when the configuration changes). */
  private readonly current: () => Engine;

  constructor(
    private readonly queue: JobQueue,
    engine: Engine | (() => Engine),
    logger: Logger,
    private readonly opts: { concurrency?: number } = {},
  ) {
    this.current = typeof engine === 'function' ? engine : () => engine;
    this.handlers = {
      [RUN_TASK]: async (p, job) =>
        busyLater(async () => {
          // Scheduled runs are incremental; a run someone asked for with filters reads exactly those.
          const query = p.query as ReadQuery | undefined;
          const incremental = p.incremental === undefined ? !query : p.incremental === true;
          const trigger = (p.trigger as RunTrigger | undefined) ?? 'schedule';
          const r = await this.current().run(String(p.flow), {
            trigger,
            incremental,
            // A person is watching a progress bar: tell it where the end is.
            countFirst: trigger === 'manual',
            // Stopping: the page in hand is finished and stored, the next one is not read.
            signal: job.signal,
            // Where many processes drain the queue, a run's pages are shared among them.
            fanOut: this.queue.kind !== 'embedded',
            ...(query ? { query } : {}),
            // Who asked from a screen, and the request it follows the run by.
            ...(typeof p.startedBy === 'string' ? { startedBy: p.startedBy } : {}),
            ...(typeof p.request === 'string' ? { request: p.request } : {}),
          });
          if (r.status === 'failed' && job.signal.aborted)
            return { later: { afterMs: 0, reason: `the worker stopped during run ${r.runId}` } };
          if (r.status === 'failed') throw new Error(r.message ?? 'run failed');
          return undefined;
        }),
      [PAGE_TASK]: async (p, job) => {
        const run = [String(p.flow), Number(p.runId), Number(p.page), p.items as SourceItem[]] as const;
        try {
          await this.current().runPage(...run);
        } catch (e) {
          // Out of attempts (the store or the engine kept failing, not a record): the page's records
          // count as failed with the reason, so that its run still ends and nothing waits forever.
          if (job.attempt < job.maxAttempts) throw e;
          await this.current().runPage(...run, e instanceof Error ? e.message : String(e));
        }
        return undefined;
      },
      [RETRY_TASK]: async (p) =>
        busyLater(async () => {
          const flow = String(p.flow);
          await this.current().processDueRetries(flow);
          await this.current().scheduleRetry(flow);
          return undefined;
        }),
      [SHIFT_TASK]: async (p) =>
        busyLater(async () => {
          const engine = this.current();
          const connection = String(p.connection);
          const results = p.shift
            ? await runShift(engine, engine.store, connection, p.shift as ShiftClosed)
            : await pollShifts(engine, engine.store, connection);
          const failed = results.find((r) => r.status === 'failed');
          if (failed) throw new Error(`flow ${failed.flow} could not sync a closed shift: ${failed.message}`);
          return undefined;
        }),
      [UPKEEP_TASK]: async (p) => {
        const engine = this.current();
        const connection = String(p.connection);
        let connector: ReturnType<Engine['connector']>;
        try {
          connector = engine.connector(connection);
        } catch {
          return undefined; // a connection that cannot be created says so where its flows use it
        }
        if (!connector.upkeep) return undefined;
        const key = `upkeep:${connection}`;
        const r = await connector.upkeep(await engine.store.cursors.get(key), {
          recoverDeliveries: async (deliveries) => {
            let missing = 0;
            for (const d of deliveries) {
              const taken = await takeDelivery(engine.store, connection, connector, d, {
                fromSenderLog: true,
              });
              if (taken.outcome === 'stored' || taken.outcome === 'unreadable') missing++;
            }
            if (missing > 0)
              await this.queue.add({
                task: WEBHOOK_TASK,
                payload: { connection },
                jobKey: `webhook:${connection}`,
              });
            return missing;
          },
        });
        if (r.state) await engine.store.cursors.set(key, r.state);
        logger.info({ connection }, r.message);
        if (r.problem) throw new Error(`${connection}: ${r.problem}`);
        return undefined;
      },
      [WEBHOOK_TASK]: async (p) =>
        busyLater(async () => {
          await processInbox(this.current(), String(p.connection), logger);
          return undefined;
        }),
    };
  }

  /** The tasks this worker runs. */
  tasks(): string[] {
    return Object.keys(this.handlers);
  }

  async start(): Promise<void> {
    await this.queue.work(this.handlers, { concurrency: this.opts.concurrency ?? 1 });
  }

  /** A job was queued in this process: look now. */
  poke(): void {
    this.queue.wake();
  }

  /** Takes no more jobs, lets the ones in flight finish their page, gives back the rest. */
  async stop(): Promise<void> {
    await this.queue.stop();
  }
}

/** A flow already running (here or in another process) is no failure of this job: try again shortly. */
async function busyLater(body: () => Promise<TaskResult>): Promise<TaskResult> {
  try {
    return await body();
  } catch (e) {
    if (isEngineError(e) && e.code === 'flow_busy')
      return { later: { afterMs: BUSY_RETRY_MS, reason: e.message } };
    throw e;
  }
}
