import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Flow } from '../engine/flow.js';
import type { Store } from '../store/index.js';
import { RUN_TASK } from './worker.js';

/**
 * Turns each flow's cron schedule into jobs. The job key makes a tick that finds the previous run
 * still queued merge with it instead of piling up; the worker runs one run of a flow at a time.
 */
export class Scheduler {
  private readonly crons: Cron[] = [];

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly onEnqueue: () => void = () => undefined,
  ) {}

  start(flows: Iterable<Flow>): void {
    for (const flow of flows) {
      if (!flow.enabled || !flow.schedule) continue;
      const cron = new Cron(flow.schedule, { protect: true }, async () => {
        await this.enqueue(flow.name);
      });
      this.crons.push(cron);
      this.logger.info(
        { flow: flow.name, schedule: flow.schedule, next: cron.nextRun()?.toISOString() },
        'flow scheduled',
      );
    }
  }

  async enqueue(flow: string, trigger = 'schedule'): Promise<void> {
    await this.store.jobs.add({ task: RUN_TASK, payload: { flow, trigger }, jobKey: `run:${flow}` });
    this.onEnqueue();
  }

  stop(): void {
    for (const c of this.crons) c.stop();
    this.crons.length = 0;
  }
}
