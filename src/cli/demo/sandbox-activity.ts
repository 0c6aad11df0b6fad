import type { Logger } from 'pino';
import type { AcumaticaSandbox } from '../../connectors/acumatica/sandbox/index.js';
import { COUNTRIES } from '../../connectors/magento/sandbox/directory.js';
import type { MagentoSandbox } from '../../connectors/magento/sandbox/index.js';

/** A shopper in New York: the sandboxes' tax maps know New York's rate. */
const NEW_YORK = {
  country_id: 'US',
  region: 'New York',
  region_code: 'NY',
  region_id: Number(COUNTRIES.US?.available_regions?.find((r) => r.code === 'NY')?.id),
  city: 'New York',
  postcode: '10118',
};

/**
 * What people do while the demo runs, so every flow has work: prices and credit limits change in
 * Acumatica, shoppers check out in Magento, and orders entered in Acumatica are paid, shipped,
 * invoiced and their payments released — each change pushed to Ledgerlink as the real systems do.
 */
export function startDemoActivity(
  acumatica: AcumaticaSandbox,
  magento: MagentoSandbox,
  logger: Logger,
  everyMs = 20_000,
): () => void {
  let tick = 0;
  /** Acumatica orders paid and waiting to be shipped: [order, payment]. */
  const paid: Array<[string, string]> = [];
  const some = <T>(list: T[], n = 3) =>
    Array.from({ length: n }, (_, i) => list[(tick * 7 + i * 13) % list.length]!).filter(Boolean);
  const step = (what: string, fn: () => void) => {
    try {
      fn();
    } catch (e) {
      logger.warn({ err: e }, `demo activity: ${what} was refused`);
    }
  };
  const timer = setInterval(() => {
    tick++;
    const customers = [...acumatica.customers.keys()];
    const items = [...acumatica.items.keys()];
    step('changing credit limits', () =>
      acumatica.touch('customer', some(customers), (r) => {
        const cl = (r.CreditLimit as { value?: number } | undefined)?.value ?? 0;
        r.CreditLimit = { value: cl + 250 };
      }),
    );
    step('changing prices', () =>
      acumatica.touch('product', some(items), (r) => {
        const p = (r.DefaultPrice as { value?: number } | undefined)?.value ?? 0;
        r.DefaultPrice = { value: Math.round((p + 1.1) * 100) / 100 };
      }),
    );
    const shoppers = [...magento.customers.keys()];
    const skus = [...magento.products.keys()];
    if (shoppers.length && skus.length)
      step('a shopper checking out', () => {
        magento.placeOrder({
          customerId: some(shoppers, 1)[0]!,
          lines: some(skus, 1 + (tick % 3)).map((sku, i) => ({ sku, qty: 1 + i, taxPercent: '8.875' })),
          address: NEW_YORK,
        });
      });
    const ready = paid.shift();
    if (ready)
      step('shipping and invoicing an order', () => {
        const [order, payment] = ready;
        const shipment = acumatica.createShipment(order, {
          trackingNumbers: [`1Z${String(tick).padStart(8, '0')}`],
        });
        acumatica.confirmShipment(shipment);
        acumatica.releaseInvoice(acumatica.prepareInvoice(shipment));
        acumatica.releasePayment(payment);
      });
    if (tick % 2 === 1)
      step('entering and paying an order', () => {
        const [customer] = some(customers, 1);
        const order = acumatica.createSalesOrder({
          customerId: customer!,
          lines: some(items, 2).map((inventoryId) => ({ inventoryId, qty: 1 + (tick % 4) })),
          shipVia: 'FLATRATE',
          paymentMethod: 'CHECK',
          taxIds: ['NYSTATE'],
        });
        const total = (acumatica.orders.get(order)?.OrderTotal as { value?: number } | undefined)?.value ?? 0;
        paid.push([
          order,
          acumatica.createPayment({ customerId: customer!, amount: total, orderNbr: order }),
        ]);
      });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
