import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { readEnv } from '../../config/env.js';
import type { AcumaticaSandbox } from '../../connectors/acumatica/sandbox/index.js';
import type { MagentoSandbox } from '../../connectors/magento/sandbox/index.js';
import type { RunningSandbox, SandboxStart } from '../../connectors/sandboxes.js';
import { output, reportError, UsageError } from '../output.js';
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
 * scheduler and a worker, webhooks from both sandboxes — and people at work in both systems (prices
 * change, shoppers order, orders are entered, paid, shipped and invoiced) so every flow has work to do.
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
    .option('--no-activity', 'do not change records in the sandboxes while the demo runs')
    .option('--activity-every <seconds>', 'how often people act in the sandboxes', '20')
    .action(
      async (o: {
        port?: string;
        dir: string;
        customers: string;
        products: string;
        activity: boolean;
        activityEvery: string;
        json?: boolean;
      }) => {
        const out = output(o.json === true);
        try {
          const every = Number(o.activityEvery);
          if (!(every > 0)) throw new UsageError('--activity-every must be a positive number of seconds');
          // Loaded here: sandboxes and the server stack are heavy, and other commands never need them.
          const { sandboxRegistry, SANDBOX_PUSH_SECRET, SANDBOX_VALUE_MAPS } = await import(
            '../../connectors/sandboxes.js'
          );
          const { startDemoActivity } = await import('../demo-activity.js');
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
          const magento = (await startOn('magento', {})) as unknown as MagentoSandbox;
          // Web orders placed without an account are booked to this Acumatica customer.
          const guest = structuredClone(acumatica.customers.values().next().value!);
          guest.CustomerID = { value: 'WEBGUEST' };
          guest.CustomerName = { value: 'Web guest orders' };
          guest.Email = { value: 'guests@shop.example.com' };
          if (guest.MainContact) guest.MainContact.Email = { value: 'guests@shop.example.com' };
          acumatica.customers.set('WEBGUEST', guest);
          acumatica.touch('customer', ['WEBGUEST']);
          const scheduled = (schedule: string) => ({ schedule, retryBaseSeconds: 5 });
          const configPath = join(o.dir, 'ledgerlink.yaml');
          const config = {
            database: `sqlite:${join(o.dir, 'ledgerlink.db')}`,
            server: { host: env.HOST ?? '127.0.0.1', port: o.port ? Number(o.port) : (env.PORT ?? 3000) },
            connections: {
              acumatica: {
                connector: 'acumatica',
                settings: { ...sandboxRegistry.acumatica!.settings(acumatica), guestCustomerId: 'WEBGUEST' },
              },
              magento: { connector: 'magento', settings: sandboxRegistry.magento!.settings(magento) },
            },
            // Webhooks bring changes in real time; the schedules are the polling pass behind them.
            flows: {
              'acumatica-magento.customers': scheduled('* * * * *'),
              'acumatica-magento.products': scheduled('* * * * *'),
              'magento-acumatica.customers': scheduled('*/5 * * * *'),
              'magento-acumatica.products': scheduled('*/5 * * * *'),
              'magento-acumatica.orders': scheduled('*/2 * * * *'),
              'acumatica-magento.orders': scheduled('*/2 * * * *'),
              'acumatica-magento.shipments': scheduled('*/2 * * * *'),
              'acumatica-magento.invoices': scheduled('*/2 * * * *'),
              'acumatica-magento.payments': scheduled('*/2 * * * *'),
            },
            valueMaps: SANDBOX_VALUE_MAPS,
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
          // The first admin's one-time password goes to the terminal once (stderr under --json), never to the log.
          const { ensureFirstAdmin } = await import('../../server/auth/first-admin.js');
          await ensureFirstAdmin(ctx.store, (line) =>
            (out.json ? process.stderr : process.stdout).write(`${line}\n`),
          );
          const svc = await startService(ctx, ctx.config.server);
          acumatica.addPushDestination({
            url: `${svc.url}/hooks/acumatica`,
            headerName: 'X-Ledgerlink-Token',
            headerValue: SANDBOX_PUSH_SECRET,
          });
          magento.addWebhook({ url: `${svc.url}/hooks/magento` });
          for (const flow of ['acumatica-magento.customers', 'acumatica-magento.products'])
            await svc.scheduler.enqueue(flow, 'manual');
          const stopActivity = o.activity
            ? startDemoActivity(acumatica, magento, logger, every * 1000)
            : undefined;
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
            `  Customers and products sync now and every minute; orders, shipments, invoices and payments follow in real time (webhooks) with a polling pass every 2 minutes.`,
          );
          out.line(`  From another terminal: npx ledgerlink log -c ${configPath} --status failed`);
          out.line('  Stop with Ctrl+C.');
          await untilSignal(async () => {
            stopActivity?.();
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
