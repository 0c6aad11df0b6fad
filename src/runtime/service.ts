import type { FastifyInstance } from 'fastify';
import { version } from '../cli/version.js';
import { connectorRegistry } from '../connectors/registry.js';
import { buildServer } from '../server/app.js';
import type { Context } from './context.js';
import { LiveConfig } from './live-config.js';
import { Scheduler } from './scheduler.js';
import { EmbeddedWorker } from './worker.js';

export interface Service {
  app: FastifyInstance;
  url: string;
  worker: EmbeddedWorker;
  scheduler: Scheduler;
  config: LiveConfig;
  stop(): Promise<void>;
}

/**
 * One process doing everything (the embedded default): the HTTP API, the scheduler turning cron
 * hours into jobs, and a worker running them. The configuration file is watched and edited in place
 * (see LiveConfig); a new version replaces the engine and the schedules without a restart. Stopping
 * finishes the job in flight, gives back the rest and closes every connection.
 */
export async function startService(ctx: Context, opts: { host: string; port: number }): Promise<Service> {
  const worker = new EmbeddedWorker(() => ctx.engine, ctx.logger);
  const scheduler = new Scheduler(ctx.store, ctx.logger, () => worker.poke());
  const config = new LiveConfig(ctx.config, connectorRegistry, (next) => ctx.reload(next), ctx.logger);
  ctx.onReload(async (c) => {
    scheduler.stop();
    await scheduler.start(c.config.flows.values());
    worker.poke();
  });
  const app = await buildServer({ ctx, wake: () => worker.poke(), version, config });
  const url = await app.listen({ host: opts.host, port: opts.port });
  worker.start();
  await scheduler.start(ctx.config.flows.values());
  config.watch();
  return {
    app,
    url,
    worker,
    scheduler,
    config,
    async stop() {
      config.stop();
      scheduler.stop();
      await app.close();
      await worker.stop();
    },
  };
}
