import type { AcumaticaSandbox } from '../../connectors/acumatica/sandbox/index.js';
import type { MagentoSandbox } from '../../connectors/magento/sandbox/index.js';
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

/**
 * Seeded sandboxes of Acumatica and Magento that push every change to Ledgerlink, every order flow
 * with the sandboxes' value maps and a web guest account.
 */
export async function sandboxStory(o: { customers: number; products: number }): Promise<DemoStory> {
  const { sandboxRegistry, SANDBOX_PUSH_SECRET, SANDBOX_VALUE_MAPS } = await import(
    '../../connectors/sandboxes.js'
  );
  const acumatica = (await startOn('acumatica', {
    customers: o.customers,
    products: o.products,
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
      `  Acumatica sandbox  ${acumatica.url}   (${o.customers} customers, ${o.products} stock items, a few with problems to fix)`,
      `  Magento sandbox    ${magento.url}`,
      '  Customers and products sync now and every minute; orders, shipments, invoices and payments follow in real time (webhooks) with a polling pass every 2 minutes.',
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
    },
    activity: (logger, everyMs) => startDemoActivity(acumatica, magento, logger, everyMs),
    close: async () => {
      await Promise.all([acumatica.close(), magento.close()]);
    },
  };
}
