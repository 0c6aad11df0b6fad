import type { Command } from 'commander';
import { output, reportError } from '../output.js';
import { untilSignal } from '../signals.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the API, the scheduler and a worker in this process, on the configured store')
    .option('-c, --config <file>', 'configuration file')
    .option('--port <n>', "HTTP port (default: the config's server.port, or PORT)")
    .option('--json', 'print the address as JSON')
    .action(async (o: { config?: string; port?: string; json?: boolean }) => {
      const out = output(o.json === true);
      try {
        // Loaded here: the server stack is heavy and other commands never need it.
        const { openContext } = await import('../../runtime/context.js');
        const { startService } = await import('../../runtime/service.js');
        const ctx = await openContext(o.config ? { configPath: o.config } : {});
        // The first admin's one-time password goes to the terminal once (stderr under --json), never to the log.
        const { ensureFirstAdmin } = await import('../../server/auth/first-admin.js');
        await ensureFirstAdmin(ctx.store, (line) =>
          (out.json ? process.stderr : process.stdout).write(`${line}\n`),
        );
        const svc = await startService(ctx, {
          host: ctx.config.server.host,
          port: o.port ? Number(o.port) : ctx.config.server.port,
        });
        out.result({ url: svc.url, store: ctx.store.location, docs: `${svc.url}/docs` });
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
    });
}
