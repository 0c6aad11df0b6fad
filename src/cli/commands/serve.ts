import type { Command } from 'commander';
import { output, reportError, UsageError } from '../output.js';
import { untilSignal } from '../signals.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'Run the API, the webhook intake, the scheduler and a worker in this process, on the configured store',
    )
    .option('-c, --config <file>', 'configuration file')
    .option('--port <n>', "HTTP port (default: the config's server.port, or PORT)")
    .option('--json', 'print the address as JSON')
    .option('--no-worker', 'PostgreSQL only: run no jobs here, leave them to ledgerlink worker processes')
    .option('--concurrency <n>', 'PostgreSQL only: jobs the worker runs at once', '4')
    .action(
      async (o: { config?: string; port?: string; json?: boolean; worker: boolean; concurrency: string }) => {
        const out = output(o.json === true);
        try {
          const concurrency = Number(o.concurrency);
          if (!Number.isInteger(concurrency) || concurrency < 1)
            throw new UsageError('--concurrency must be a whole number of at least 1');
          // Loaded here: the server stack is heavy and other commands never need it.
          const { openContext } = await import('../../runtime/context.js');
          const { startService } = await import('../../runtime/service.js');
          const ctx = await openContext({ ...(o.config ? { configPath: o.config } : {}), concurrency });
          // The first admin's one-time password goes to the terminal once (stderr under --json), never to the log.
          const { ensureFirstAdmin } = await import('../../server/auth/first-admin.js');
          await ensureFirstAdmin(ctx.store, (line) =>
            (out.json ? process.stderr : process.stdout).write(`${line}\n`),
          );
          // The embedded store has one process, which must run its jobs, one at a time (one SQLite writer).
          const shared = ctx.store.adapter.name === 'postgres';
          if (!shared && !o.worker) {
            await ctx.close();
            throw new UsageError(
              '--no-worker needs a PostgreSQL store, where ledgerlink worker processes run the jobs; on SQLite serve is the only process',
            );
          }
          const svc = await startService(ctx, {
            host: ctx.config.server.host,
            port: o.port ? Number(o.port) : ctx.config.server.port,
            worker: o.worker,
            concurrency: shared ? concurrency : 1,
          });
          out.result({
            url: svc.url,
            store: ctx.store.location,
            docs: `${svc.url}/docs`,
            queue: ctx.queue.kind,
            worker: svc.worker ? (shared ? concurrency : 1) : false,
          });
          out.line(
            `Ledgerlink serving on ${svc.url} (store ${ctx.store.location}); API documentation at ${svc.url}/docs`,
          );
          await untilSignal(async () => {
            await svc.stop();
            await ctx.close();
          });
        } catch (e) {
          process.exitCode = reportError(e, out.json);
        }
      },
    );
}
