import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Flow } from '../engine/flow.js';
import type { Store } from '../store/index.js';
import type { JobQueue } from './queue/queue.js';
import { RUN_TASK, SHIFT_TASK, UPKEEP_TASK } from './worker.js';

/** How far back a firing looks for the tick it belongs to (a timer may fire late on a busy loop). */
const TICK_LOOKBACK_MS = 60_000;

/**
 * Turns each flow's cron schedule into jobs. Every process that serves runs the same schedules, so
 * each tick is claimed in the store first — an UPDATE of the flow's fired_at that only the first
 * process to reach it wins — and only the winner queues the run: a tick fires once however many
 * processes share the store. The job key makes a tick that finds the previous run still queued merge
 * with it instead of piling up; the worker runs one run of a flow at a time. A tick that fell while
 * no process ran is made up once at start (not once per missed tick, and not never — n8n#23906).
 */
export class Scheduler {
  private readonly crons: Cron[] = [];

  constructor(
    private readonly store: Store,
    private readonly queue: Pick<JobQueue, 'add'>,
    private readonly logger: Logger,
  ) {}

  async start(flows: Iterable<Flow>, now = new Date()): Promise<void> {
    for (const flow of flows) {
      // Real time keeps its schedule as the polling pass; a shift-close flow's schedule polls its
      // source for closed shifts (behind the notification); manual flows have none.
      if (!flow.enabled || !flow.schedule || flow.syncMode === 'manual') continue;
      const expression = flow.schedule;
      const cron = new Cron(expression, { protect: true }, async () => {
        try {
          const tick = tickAt(expression, new Date());
          if (await this.store.schedules.claimTick(flow.name, expression, tick.toISOString())) {
            await this.tick(flow);
            this.logger.info({ flow: flow.name, tick: tick.toISOString() }, 'scheduled run queued');
          }
        } catch (e) {
          this.logger.error({ err: e, flow: flow.name }, 'a scheduled run could not be queued');
        }
      });
      this.crons.push(cron);
      const last = await this.store.schedules.get(flow.name);
      if (last && last.expression === expression) {
        const due = new Cron(expression, { paused: true }).nextRun(new Date(last.fired_at));
        // Compare-and-set on what we read: of several processes starting together, one makes it up.
        if (
          due &&
          due < now &&
          (await this.store.schedules.claimMissed(flow.name, last.fired_at, now.toISOString()))
        ) {
          this.logger.info(
            { flow: flow.name, missed: due.toISOString() },
            'running a schedule missed while stopped',
          );
          await this.tick(flow);
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

  /**
   * Each connection's upkeep (Connector.upkeep), hourly at minute 17, a tick claimed in the store like
   * a flow's so that it is queued once however many processes serve.
   */
  startUpkeep(connections: Iterable<string>, expression = '17 * * * *'): void {
    for (const connection of connections) {
      const name = `upkeep:${connection}`;
      const cron = new Cron(expression, { protect: true }, async () => {
        try {
          const tick = tickAt(expression, new Date());
          if (await this.store.schedules.claimTick(name, expression, tick.toISOString()))
            await this.queue.add({ task: UPKEEP_TASK, payload: { connection }, jobKey: name });
        } catch (e) {
          this.logger.error({ err: e, connection }, 'a connection’s upkeep could not be queued');
        }
      });
      this.crons.push(cron);
    }
  }

  /** What a flow's tick queues: its run, or for a shift-close flow the poll of its source's shifts. */
  private async tick(flow: Flow): Promise<void> {
    if (flow.syncMode === 'shift-close')
      await this.queue.add({
        task: SHIFT_TASK,
        payload: { connection: flow.source },
        jobKey: `shifts:${flow.source}`,
      });
    else await this.enqueue(flow.name);
  }

  async enqueue(flow: string, trigger = 'schedule'): Promise<void> {
    await this.queue.add({ task: RUN_TASK, payload: { flow, trigger }, jobKey: `run:${flow}` });
  }

  stop(): void {
    for (const c of this.crons) c.stop();
    this.crons.length = 0;
  }
}

/**
 * The scheduled time a firing belongs to: the latest tick of the expression at or before `now`.
 * Every process computes the same instant for the same tick, whenever its timer actually fired.
 */
export function tickAt(expression: string, now: Date): Date {
  const cron = new Cron(expression, { paused: true });
  let tick: Date | undefined;
  let next = cron.nextRun(new Date(now.getTime() - TICK_LOOKBACK_MS));
  while (next && next <= now) {
    tick = next;
    next = cron.nextRun(next);
  }
  // No tick within the look-back (a timer very late): the second it fired in stands for it.
  return tick ?? new Date(Math.floor(now.getTime() / 1000) * 1000);
}
