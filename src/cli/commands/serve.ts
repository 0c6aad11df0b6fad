import type { Command } from 'commander';
import { openContext } from '../../runtime/context.js';
import { startService } from '../../runtime/service.js';
import { output, reportError } from '../output.js';

/** Stops cleanly on SIGINT / SIGTERM: the run in flight finishes its page, sessions are logged out. */
export function untilSignal(stop: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const handler = (signal: string) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`\n${signal}: stopping…\n`);
      stop().finally(resolve);
    };
    process.once('SIGINT', () => handler('SIGINT'));
    process.once('SIGTERM', () => handler('SIGTERM'));
  });
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the API, the scheduler and a worker in this process, on the configured store')
    .option('-c, --config <file>', 'configuration file')
    .option('--port <n>', "HTTP port (default: the config's server.port, or PORT)")
    .action(async (o: { config?: string; port?: string }) => {
      const out = output(false);
      try {
        const ctx = await openContext(o.config ? { configPath: o.config } : {});
        const svc = await startService(ctx, {
          host: ctx.config.server.host,
          port: o.port ? Number(o.port) : ctx.config.server.port,
        });
        out.line(
          `Ledgerlink serving on ${svc.url} (store ${ctx.store.location}); API documentation at ${svc.url}/docs`,
        );
        await untilSignal(async () => {
          await svc.stop();
          await ctx.close();
        });
      } catch (e) {
        process.exitCode = reportError(e, false);
      }
    });
}
