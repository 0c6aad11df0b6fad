import type { FastifyInstance } from 'fastify';
import { version } from '../cli/version.js';
import { buildServer } from '../server/app.js';
import type { Context } from './context.js';
import { Scheduler } from './scheduler.js';
import { EmbeddedWorker } from './worker.js';

export interface Service {
  app: FastifyInstance;
  url: string;
  worker: EmbeddedWorker;
  scheduler: Scheduler;
  stop(): Promise<void>;
}

/**
 * One process doing everything (the embedded default): the HTTP API, the scheduler turning cron
 * hours into jobs, and a worker running them. Stopping finishes the job in flight, gives back the
 * rest and closes every connection.
 */
export async function startService(ctx: Context, opts: { host: string; port: number }): Promise<Service> {
  const worker = new EmbeddedWorker(ctx.engine, ctx.logger);
  const scheduler = new Scheduler(ctx.store, ctx.logger, () => worker.poke());
  const app = await buildServer({ ctx, wake: () => worker.poke(), version });
  const url = await app.listen({ host: opts.host, port: opts.port });
  worker.start();
  await scheduler.start(ctx.config.flows.values());
  return {
    app,
    url,
    worker,
    scheduler,
    async stop() {
      scheduler.stop();
      await app.close();
      await worker.stop();
    },
  };
}
