import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AcumaticaSandbox, AcumaticaSnapshot } from '../../connectors/acumatica/sandbox/index.js';
import type { MagentoSandbox, MagentoSnapshot } from '../../connectors/magento/sandbox/index.js';
import type { RunningSandbox, SandboxStart } from '../../connectors/sandboxes.js';
import { startDemoActivity } from './sandbox-activity.js';
import { type DemoStory, scheduled } from './story.js';

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

/** Where the demo keeps each sandbox's data between starts. */
const stateFile = (dir: string, system: string) => join(dir, `${system}.json`);

function readState<T>(dir: string | undefined, system: string): T | undefined {
  if (!dir || !existsSync(stateFile(dir, system))) return undefined;
  return JSON.parse(readFileSync(stateFile(dir, system), 'utf8')) as T;
}

/** Atomic: a demo stopped mid-write keeps the previous state. */
function writeState(dir: string, system: string, snapshot: unknown): void {
  mkdirSync(dir, { recursive: true });
  const tmp = `${stateFile(dir, system)}.tmp`;
  writeFileSync(tmp, JSON.stringify(snapshot));
  renameSync(tmp, stateFile(dir, system));
}

/** How often the sandboxes' data is written while the demo runs (and always when it stops). */
const SAVE_EVERY_MS = 60_000;

/**
 * Seeded sandboxes of Acumatica and Magento that push every change to Ledgerlink, every order flow
 * with the sandboxes' value maps and a web guest account. With `stateDir`, each sandbox starts from
 * the data it held when the demo last stopped, and writes it there every minute and when it stops.
 */
export async function sandboxStory(o: {
  customers: number;
  products: number;
  stateDir?: string;
}): Promise<DemoStory> {
  const { sandboxRegistry, SANDBOX_PUSH_SECRET, SANDBOX_VALUE_MAPS } = await import(
    '../../connectors/sandboxes.js'
  );
  const keptA = readState<AcumaticaSnapshot>(o.stateDir, 'acumatica');
  const keptM = readState<MagentoSnapshot>(o.stateDir, 'magento');
  const acumatica = (await startOn('acumatica', {
    customers: o.customers,
    products: o.products,
    defects: true,
    seed: 42,
    ...(keptA ? { restore: keptA } : {}),
  })) as unknown as AcumaticaSandbox;
  const magento = (await startOn('magento', keptM ? { restore: keptM } : {})) as unknown as MagentoSandbox;
  // Web orders placed without an account are booked to this Acumatica customer.
  if (!acumatica.customers.has('WEBGUEST')) {
    const guest = structuredClone(acumatica.customers.values().next().value!);
    guest.CustomerID = { value: 'WEBGUEST' };
    guest.CustomerName = { value: 'Web guest orders' };
    guest.Email = { value: 'guests@shop.example.com' };
    if (guest.MainContact) guest.MainContact.Email = { value: 'guests@shop.example.com' };
    acumatica.customers.set('WEBGUEST', guest);
    acumatica.touch('customer', ['WEBGUEST']);
  }
  const save = () => {
    if (!o.stateDir) return;
    writeState(o.stateDir, 'acumatica', acumatica.snapshot());
    writeState(o.stateDir, 'magento', magento.snapshot());
  };
  let saver: NodeJS.Timeout | undefined;
  const held = (kept: boolean, what: string) => (kept ? `kept from the last run: ${what}` : what);
  return {
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
    systems: { acumatica: acumatica.url, magento: magento.url },
    describe: [
      `  Acumatica sandbox  ${acumatica.url}   (${held(
        !!keptA,
        `${acumatica.customers.size} customers, ${acumatica.items.size} stock items, ${acumatica.orders.size} sales orders`,
      )}${keptA ? '' : ', a few with problems to fix'})`,
      `  Magento sandbox    ${magento.url}   (${held(
        !!keptM,
        `${magento.customers.size} customers, ${magento.products.size} products, ${magento.orders.size} orders`,
      )})`,
      '  Customers and products sync now and every minute; orders, shipments, invoices and payments follow in real time (webhooks) with a polling pass every 2 minutes.',
      `  Make things happen yourself: npx ledgerlink sandbox magento place --url ${magento.url}, npx ledgerlink sandbox acumatica enter --url ${acumatica.url} (sandbox --help lists the verbs)`,
    ],
    async started(svc) {
      acumatica.addPushDestination({
        url: `${svc.url}/hooks/acumatica`,
        headerName: 'X-Ledgerlink-Token',
        headerValue: SANDBOX_PUSH_SECRET,
      });
      magento.addWebhook({ url: `${svc.url}/hooks/magento` });
      for (const flow of ['acumatica-magento.customers', 'acumatica-magento.products'])
        await svc.scheduler.enqueue(flow, 'manual');
      if (o.stateDir) {
        saver = setInterval(save, SAVE_EVERY_MS);
        saver.unref();
      }
    },
    activity: (logger, everyMs) => startDemoActivity(acumatica, magento, logger, everyMs),
    close: async () => {
      clearInterval(saver);
      save();
      await Promise.all([acumatica.close(), magento.close()]);
    },
  };
}
