import type { FastifyInstance } from 'fastify';
import { version } from '../cli/version.js';
import { connectorRegistry } from '../connectors/registry.js';
import { buildServer } from '../server/app.js';
import { Alerter, dashboardUrl } from './alerts/alerter.js';
import { AlertTicker } from './alerts/ticker.js';
import type { Context } from './context.js';
import { LiveConfig } from './live-config.js';
import { RunRecovery } from './recovery.js';
import { Scheduler } from './scheduler.js';
import { Worker } from './worker.js';

export interface Service {
  app: FastifyInstance;
  url: string;
  /** Absent when this process only serves (`serve --no-worker` on PostgreSQL). */
  worker?: Worker;
  scheduler: Scheduler;
  config: LiveConfig;
  /** The alert rules' evaluation and messages (also run by a timer here). */
  alerter: Alerter;
  stop(): Promise<void>;
}

/**
 * A serving process: the HTTP API and webhook intake, the scheduler turning cron hours into jobs
 * (each tick claimed in the store, so several serving processes queue it once), and — unless told
 * otherwise on PostgreSQL, where `ledgerlink worker` processes may do it — a worker running them.
 * On the embedded default this one process does everything. The configuration file is watched and
 * edited in place (see LiveConfig); a new version replaces the engine and the schedules without a
 * restart. Stopping takes no more jobs, lets the one in flight finish its page, gives back the rest
 * and closes every connection.
 */
export async function startService(
  ctx: Context,
  opts: { host: string; port: number; worker?: boolean; concurrency?: number },
): Promise<Service> {
  const worker =
    opts.worker === false
      ? undefined
      : new Worker(ctx.queue, () => ctx.engine, ctx.logger, { concurrency: opts.concurrency ?? 1 });
  const scheduler = new Scheduler(ctx.store, ctx.queue, ctx.logger);
  const config = new LiveConfig(ctx.config, connectorRegistry, (next) => ctx.reload(next), ctx.logger);
  // Every connection's upkeep tick: the worker does nothing for a connector without `upkeep`, and no
  // connector is created here at start-up just to ask.
  const upkeep = (c: Context) => c.config.connections.keys();
  ctx.onReload(async (c) => {
    scheduler.stop();
    await scheduler.start(c.config.flows.values());
    scheduler.startUpkeep(upkeep(c));
    ctx.queue.wake();
  });
  let url = '';
  const alerter = new Alerter(
    ctx.store,
    () => ctx.config,
    ctx.logger,
    () => dashboardUrl(ctx.config, url),
  );
  const alerts = new AlertTicker(alerter, ctx.logger);
  ctx.onReload((c) => alerts.start(c.config.alerts?.checkEverySeconds ?? 60));
  const app = await buildServer({ ctx, wake: () => ctx.queue.wake(), version, config, alerter });
  url = await app.listen({ host: opts.host, port: opts.port });
  await worker?.start();
  // A run a killed process left "running" is taken up at once, and again whenever one is found.
  const recovery = new RunRecovery(() => ctx.engine, ctx.queue, ctx.logger);
  await recovery.start();
  await scheduler.start(ctx.config.flows.values());
  scheduler.startUpkeep(upkeep(ctx));
  config.watch();
  alerts.start(ctx.config.alerts?.checkEverySeconds ?? 60);
  return {
    app,
    url,
    ...(worker ? { worker } : {}),
    scheduler,
    config,
    alerter,
    async stop() {
      await alerts.stop();
      recovery.stop();
      config.stop();
      scheduler.stop();
      await app.close();
      await worker?.stop();
    },
  };
}
