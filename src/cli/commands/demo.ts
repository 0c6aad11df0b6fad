import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { readEnv } from '../../config/env.js';
import type { AcumaticaSandbox } from '../../connectors/acumatica/sandbox/index.js';
import type { RunningSandbox, SandboxStart } from '../../connectors/sandboxes.js';
import { output, reportError } from '../output.js';
import { untilSignal } from '../signals.js';

async function startOn(system: string, opts: SandboxStart): Promise<RunningSandbox> {
  const { sandboxRegistry } = await import('../../connectors/sandboxes.js');
  const entry = sandboxRegistry[system]!;
  try {
    return await entry.start({ ...opts, port: entry.defaultPort });
  } catch (e) {
    if ((e as { code?: string }).code !== 'EADDRINUSE') throw e;
    return entry.start({ ...opts, port: 0 });
  }
}

/**
 * What `npm start` runs: seeded sandboxes of Acumatica and Magento, a fresh demo store, the API, the
 * scheduler and a worker — and a little activity in Acumatica so incremental syncs have work to do.
 */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Run the product on its embedded default against seeded sandboxes (what npm start runs)')
    .option('--port <n>', 'HTTP port (default PORT or 3000)')
    .option('--json', 'print the addresses as JSON')
    .option('--dir <dir>', 'where the demo keeps its configuration and store (reset at start)', 'data/demo')
    .option('--customers <n>', 'sample customers in Acumatica', '250')
    .option('--products <n>', 'sample products in Acumatica', '250')
    .option('--no-activity', 'do not change Acumatica records while the demo runs')
    .action(
      async (o: {
        port?: string;
        dir: string;
        customers: string;
        products: string;
        activity: boolean;
        json?: boolean;
      }) => {
        const out = output(o.json === true);
        try {
          // Loaded here: sandboxes and the server stack are heavy, and other commands never need them.
          const { sandboxRegistry } = await import('../../connectors/sandboxes.js');
          const { connectorRegistry } = await import('../../connectors/registry.js');
          const { loadConfig } = await import('../../config/load.js');
          const { openContext, createLogger } = await import('../../runtime/context.js');
          const { startService } = await import('../../runtime/service.js');
          const env = readEnv();
          rmSync(o.dir, { recursive: true, force: true });
          mkdirSync(o.dir, { recursive: true });
          const acumatica = (await startOn('acumatica', {
            customers: Number(o.customers),
            products: Number(o.products),
            defects: true,
            seed: 42,
          })) as unknown as AcumaticaSandbox;
          const magento = await startOn('magento', {});
          const configPath = join(o.dir, 'ledgerlink.yaml');
          const config = {
            database: `sqlite:${join(o.dir, 'ledgerlink.db')}`,
            server: { host: env.HOST ?? '127.0.0.1', port: o.port ? Number(o.port) : (env.PORT ?? 3000) },
            connections: {
              acumatica: {
                connector: 'acumatica',
                settings: sandboxRegistry.acumatica!.settings(acumatica),
              },
              magento: { connector: 'magento', settings: sandboxRegistry.magento!.settings(magento) },
            },
            flows: {
              'acumatica-magento.customers': { schedule: '* * * * *', retryBaseSeconds: 5 },
              'acumatica-magento.products': { schedule: '* * * * *', retryBaseSeconds: 5 },
            },
          };
          writeFileSync(
            configPath,
            `# Written by "ledgerlink demo"; the sandboxes' addresses change when it restarts.\n${stringify(config)}`,
          );
          // A newcomer watches the banner and the API, not JSON log lines; LOG_LEVEL=info brings them back.
          const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
          const ctx = await openContext({
            logger,
            config: loadConfig(configPath, connectorRegistry, {
              ...process.env,
              LEDGERLINK_DATABASE_URL: undefined,
            }),
          });
          const svc = await startService(ctx, ctx.config.server);
          for (const flow of ctx.config.flows.keys()) await svc.scheduler.enqueue(flow, 'manual');
          let activity: NodeJS.Timeout | undefined;
          if (o.activity) {
            let tick = 0;
            activity = setInterval(() => {
              tick++;
              const ids = [...acumatica.customers.keys()];
              const items = [...acumatica.items.keys()];
              const some = <T>(list: T[]) =>
                [0, 1, 2].map((i) => list[(tick * 7 + i * 13) % list.length]!).filter(Boolean);
              acumatica.touch('customer', some(ids), (r) => {
                const cl = (r.CreditLimit as { value?: number } | undefined)?.value ?? 0;
                r.CreditLimit = { value: cl + 250 };
              });
              acumatica.touch('product', some(items), (r) => {
                const p = (r.DefaultPrice as { value?: number } | undefined)?.value ?? 0;
                r.DefaultPrice = { value: Math.round((p + 1.1) * 100) / 100 };
              });
            }, 20_000);
            activity.unref();
          }
          out.result({
            url: svc.url,
            docs: `${svc.url}/docs`,
            acumatica: acumatica.url,
            magento: magento.url,
            config: configPath,
            store: ctx.store.location,
          });
          out.line('');
          out.line(`Ledgerlink demo running on ${svc.url}   (API documentation: ${svc.url}/docs)`);
          out.line(
            `  Acumatica sandbox  ${acumatica.url}   (${o.customers} customers, ${o.products} stock items, a few with problems to fix)`,
          );
          out.line(`  Magento sandbox    ${magento.url}`);
          out.line(`  Configuration      ${configPath}   store ${ctx.store.location}`);
          out.line(
            `  Flows run now and every minute. From another terminal: npx ledgerlink log -c ${configPath} --status failed`,
          );
          out.line('  Stop with Ctrl+C.');
          await untilSignal(async () => {
            if (activity) clearInterval(activity);
            await svc.stop();
            await ctx.close();
            await Promise.all([acumatica.close(), magento.close()]);
          });
        } catch (e) {
          process.exitCode = reportError(e, out.json);
        }
      },
    );
}
