import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { readEnv } from '../../config/env.js';
import { output, reportError, UsageError } from '../output.js';
import { untilSignal } from '../signals.js';

/**
 * What `npm start` runs: seeded sandboxes of Acumatica and Magento, a fresh demo store, the API and
 * the dashboard, the scheduler and a worker, webhooks from both sandboxes — and people at work in
 * both systems so every flow has work to do. `--peers` runs the same against real Tryton and Vendure.
 */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Run the product on its embedded default against seeded sandboxes (what npm start runs)')
    .option('--port <n>', 'HTTP port (default PORT or 3000)')
    .option('--json', 'print the addresses as JSON')
    .option('--dir <dir>', 'where the demo keeps its configuration and store (reset at start)', 'data/demo')
    .option(
      '--peers',
      'run against real Tryton 6.0 and Vendure 3 instead of the sandboxes (installed when missing)',
    )
    .option('--customers <n>', 'sample customers in the ERP (default 250; 20 with --peers)')
    .option('--products <n>', 'sample products in the ERP (default 250; 20 with --peers)')
    .option('--no-activity', 'do not change records in the systems while the demo runs')
    .option('--activity-every <seconds>', 'how often people act in the systems', '20')
    .action(
      async (o: {
        port?: string;
        dir: string;
        peers?: boolean;
        customers?: string;
        products?: string;
        activity: boolean;
        activityEvery: string;
        json?: boolean;
      }) => {
        const out = output(o.json === true);
        try {
          const every = Number(o.activityEvery);
          if (!(every > 0)) throw new UsageError('--activity-every must be a positive number of seconds');
          const count = (v: string | undefined, name: string) => {
            const n = Number(v ?? (o.peers ? 20 : 250));
            if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number`);
            return n;
          };
          const customers = count(o.customers, 'customers');
          const products = count(o.products, 'products');
          // Loaded here: sandboxes, peers and the server stack are heavy, and other commands never need them.
          const { connectorRegistry } = await import('../../connectors/registry.js');
          const { loadConfig } = await import('../../config/load.js');
          const { openContext, createLogger } = await import('../../runtime/context.js');
          const { startService } = await import('../../runtime/service.js');
          const env = readEnv();
          rmSync(o.dir, { recursive: true, force: true });
          mkdirSync(o.dir, { recursive: true });
          if (o.peers)
            out.line('Starting Tryton and Vendure (the first time installs them: a minute or two)…');
          const story = o.peers
            ? await (await import('../demo/peers.js')).peerStory({ customers, products, dir: o.dir })
            : await (await import('../demo/sandboxes.js')).sandboxStory({ customers, products });
          const configPath = join(o.dir, 'ledgerlink.yaml');
          writeFileSync(
            configPath,
            `# Written by "ledgerlink demo"; the systems' addresses change when it restarts.\n${stringify({
              database: `sqlite:${join(o.dir, 'ledgerlink.db')}`,
              server: { host: env.HOST ?? '127.0.0.1', port: o.port ? Number(o.port) : (env.PORT ?? 3000) },
              connections: story.connections,
              flows: story.flows,
              ...(story.valueMaps ? { valueMaps: story.valueMaps } : {}),
            })}`,
          );
          // A newcomer watches the banner and the dashboard, not JSON log lines; LOG_LEVEL=info brings them back.
          const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
          const ctx = await openContext({
            logger,
            config: loadConfig(configPath, connectorRegistry, {
              ...process.env,
              LEDGERLINK_DATABASE_URL: undefined,
            }),
          });
          // The first admin's one-time password goes to the terminal once (stderr under --json), never to the log.
          const { ensureFirstAdmin } = await import('../../server/auth/first-admin.js');
          await ensureFirstAdmin(ctx.store, (line) =>
            (out.json ? process.stderr : process.stdout).write(`${line}\n`),
          );
          const svc = await startService(ctx, ctx.config.server);
          await story.started(svc);
          const stopActivity = o.activity ? story.activity(logger, every * 1000) : undefined;
          out.result({
            url: svc.url,
            docs: `${svc.url}/docs`,
            ...story.systems,
            config: configPath,
            store: ctx.store.location,
          });
          out.line('');
          out.line(`Ledgerlink demo running on ${svc.url}   (API documentation: ${svc.url}/docs)`);
          for (const line of story.describe) out.line(line);
          out.line(`  Configuration      ${configPath}   store ${ctx.store.location}`);
          out.line(`  From another terminal: npx ledgerlink log -c ${configPath} --status failed`);
          out.line('  Stop with Ctrl+C.');
          await untilSignal(async () => {
            stopActivity?.();
            await svc.stop();
            await ctx.close();
            await story.close();
          });
        } catch (e) {
          process.exitCode = reportError(e, out.json);
        }
      },
    );
}
