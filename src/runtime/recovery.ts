import type { Logger } from 'pino';
import type { SourceItem } from '../connectors/sdk/contract.js';
import { type Engine, PAGE_TASK, STALE_RUN_MS } from '../engine/engine.js';
import { runCounts } from '../store/index.js';
import { ownerIsGone } from '../util/process-owner.js';
import type { JobQueue } from './queue/queue.js';
import { RUN_TASK } from './worker.js';

/** How often a serving or working process looks for work a dead process left behind. */
const SWEEP_MS = 30_000;

/**
 * Takes up what a process that died (kill -9, a crash, a lost machine) left behind, without a person:
 * at start and then every half minute. Its jobs go back to the queue (the embedded queue's locks of a
 * dead process of this host; graphile-worker's are swept by the workers' heartbeats). A run it was
 * running — known by a dead owner on this host, or by a heartbeat older than a minute — is marked
 * interrupted with how far it got, and its work is queued again unless its own job is still queued
 * to run: the new run reads the same records (the incremental cursor never moved past them), and
 * the ones already done cost nothing, since they are unchanged.
 */
export class RunRecovery {
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<number>;

  constructor(
    private readonly engine: () => Engine,
    private readonly queue: JobQueue,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.sweep();
    this.timer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One pass; returns the runs taken up. Never throws: the next pass tries again. */
  sweep(): Promise<number> {
    this.sweeping ??= this.pass()
      .catch((e) => {
        this.logger.warn({ err: e }, 'looking for interrupted runs failed; trying again shortly');
        return 0;
      })
      .finally(() => {
        this.sweeping = undefined;
      });
    return this.sweeping;
  }

  private async pass(): Promise<number> {
    const engine = this.engine();
    const store = engine.store;
    if (this.queue.kind === 'embedded')
      for (const worker of await store.jobs.lockers())
        if (ownerIsGone(worker)) {
          const n = await store.jobs.release(worker, { crashed: true });
          this.logger.warn({ worker, jobs: n }, 'jobs of a worker that died are back in the queue');
        }
    for (const job of (await this.queue.takeSpent?.(PAGE_TASK)) ?? []) {
      const p = job.payload;
      const reason = `the worker processing it stopped (killed or crashed) each of the ${job.attempts} times it was taken`;
      this.logger.error({ flow: p.flow, runId: p.runId, page: p.page }, `a page was given up: ${reason}`);
      await engine.runPage(String(p.flow), Number(p.runId), Number(p.page), p.items as SourceItem[], reason);
    }
    const stale = new Date(Date.now() - STALE_RUN_MS).toISOString();
    let taken = 0;
    for (const run of await store.runs.allRunning()) {
      // A shared run's pages are jobs of their own: the queue gives them to the workers alive, and
      // the last to come in ends it — unless every page was in before its reader counted them.
      if (run.pages_total !== null) {
        if (engine.flowNames().includes(run.flow) && (await engine.endSharedIfDone(run.flow, run.id)))
          this.logger.warn(
            { flow: run.flow, runId: run.id },
            'a shared run whose pages were all in is ended',
          );
        continue;
      }
      if (engine.isInFlight(run.id)) continue;
      const dead = ownerIsGone(run.owner) || run.owner === engine.owner || run.heartbeat_at < stale;
      if (!dead) continue;
      const counts = runCounts(run);
      const where = `${counts.read}${run.total !== null ? ` of ${run.total}` : ''} records`;
      const message = `the process running it (${run.owner}) stopped after ${where}; the run was taken up again`;
      if (!(await store.runs.interrupt(run.id, message))) continue;
      taken++;
      const queued = (await this.queue.waiting([RUN_TASK])).some((j) => j.payload.flow === run.flow);
      if (!queued) {
        const { pageSize: _size, ...query } = JSON.parse(run.filter) as Record<string, unknown>;
        await this.queue.add({
          task: RUN_TASK,
          payload: {
            flow: run.flow,
            trigger: run.trigger,
            query,
            incremental: run.mode === 'incremental',
            resumes: run.id,
            // The screen that started it follows its request: the run taken up is still that one.
            ...(run.started_by ? { startedBy: run.started_by } : {}),
            ...(run.request ? { request: run.request } : {}),
          },
          jobKey: `run:${run.flow}:resume:${run.id}`,
        });
      }
      this.logger.warn(
        { flow: run.flow, runId: run.id, owner: run.owner, read: counts.read, total: run.total },
        queued ? 'an interrupted run is taken up by its own job' : 'an interrupted run is queued again',
      );
    }
    if (taken) this.queue.wake();
    return taken;
  }
}
