import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Flow } from '../engine/flow.js';
import type { Store } from '../store/index.js';
import { RUN_TASK } from './worker.js';

/**
 * Turns each flow's cron schedule into jobs. The job key makes a tick that finds the previous run
 * still queued merge with it instead of piling up; the worker runs one run of a flow at a time. Each
 * tick is remembered in the store, so a tick that fell while no process ran is made up once at start
 * (not once per missed tick, and not never — n8n#23906).
 */
export class Scheduler {
  private readonly crons: Cron[] = [];

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly onEnqueue: () => void = () => undefined,
  ) {}

  async start(flows: Iterable<Flow>, now = new Date()): Promise<void> {
    for (const flow of flows) {
      // Real time keeps its schedule as the polling pass; manual and shift-close flows have none.
      if (!flow.enabled || !flow.schedule || (flow.syncMode !== 'realtime' && flow.syncMode !== 'scheduled'))
        continue;
      const expression = flow.schedule;
      const cron = new Cron(expression, { protect: true }, async () => {
        try {
          await this.store.schedules.fired(flow.name, expression, new Date().toISOString());
          await this.enqueue(flow.name);
        } catch (e) {
          this.logger.error({ err: e, flow: flow.name }, 'a scheduled run could not be queued');
        }
      });
      this.crons.push(cron);
      const last = await this.store.schedules.get(flow.name);
      if (last && last.expression === expression) {
        const due = new Cron(expression, { paused: true }).nextRun(new Date(last.fired_at));
        if (due && due < now) {
          this.logger.info(
            { flow: flow.name, missed: due.toISOString() },
            'running a schedule missed while stopped',
          );
          await this.store.schedules.fired(flow.name, expression, now.toISOString());
          await this.enqueue(flow.name);
        }
      } else {
        // A new or changed schedule starts counting now; nothing before it was missed.
        await this.store.schedules.fired(flow.name, expression, now.toISOString());
      }
      this.logger.info(
        { flow: flow.name, schedule: expression, next: cron.nextRun()?.toISOString() },
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
