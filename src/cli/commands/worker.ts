import type { Command } from 'commander';
import { output, reportError, UsageError } from '../output.js';
import { untilSignal } from '../signals.js';

/**
 * A worker process for scale-out: on a PostgreSQL store, any number of these (on any number of
 * machines) run the jobs that `ledgerlink serve` and the webhook intake queue. The embedded store has
 * one process, and `serve` already runs its worker.
 */
export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(
      'Run queued jobs (flow runs, retries, webhooks) from a PostgreSQL store, beside ledgerlink serve',
    )
    .option('-c, --config <file>', 'configuration file')
    .option('--concurrency <n>', 'jobs run at once in this process', '4')
    .option('--json', 'print what started as JSON')
    .action(async (o: { config?: string; concurrency: string; json?: boolean }) => {
      const out = output(o.json === true);
      try {
        const concurrency = Number(o.concurrency);
        if (!Number.isInteger(concurrency) || concurrency < 1)
          throw new UsageError('--concurrency must be a whole number of at least 1');
        const { readEnv } = await import('../../config/env.js');
        const { connectorRegistry } = await import('../../connectors/registry.js');
        const { loadConfig } = await import('../../config/load.js');
        const config = loadConfig(o.config ?? readEnv().LEDGERLINK_CONFIG, connectorRegistry);
        if (!/^postgres(ql)?:\/\//.test(config.database))
          throw new UsageError(
            `ledgerlink worker needs a PostgreSQL store (LEDGERLINK_DATABASE_URL=postgres://…); the store is ${config.database}, whose one process is ledgerlink serve, and serve already runs its worker`,
          );
        // Loaded here: the engine and connectors are heavy, and a usage error should not wait for them.
        const { openContext } = await import('../../runtime/context.js');
        const { Worker } = await import('../../runtime/worker.js');
        const ctx = await openContext({ config, concurrency });
        const { RunRecovery } = await import('../../runtime/recovery.js');
        const worker = new Worker(ctx.queue, () => ctx.engine, ctx.logger, { concurrency });
        await worker.start();
        const recovery = new RunRecovery(() => ctx.engine, ctx.queue, ctx.logger);
        await recovery.start();
        out.result({ store: ctx.store.location, queue: ctx.queue.kind, concurrency, tasks: worker.tasks() });
        out.line(
          `Ledgerlink worker running ${concurrency} job${concurrency === 1 ? '' : 's'} at a time from ${ctx.store.location} (${ctx.queue.kind}); stop with Ctrl+C`,
        );
        await untilSignal(async () => {
          process.stderr.write('stopping: finishing the jobs in hand\n');
          recovery.stop();
          await worker.stop();
          process.stderr.write('stopping: jobs given back; closing connections\n');
          await ctx.close();
          process.stderr.write('stopped\n');
        });
      } catch (e) {
        process.exitCode = reportError(e, out.json);
      }
    });
}
