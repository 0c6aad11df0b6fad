import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import type { Logger } from 'pino';
import { startTryton } from '../../peers/tryton/peer.js';
import { startVendure } from '../../peers/vendure/peer.js';
import { type DemoStory, scheduled } from './story.js';

const FLOWS = [
  'tryton-vendure.customers',
  'tryton-vendure.products',
  'vendure-tryton.orders',
  'tryton-vendure.shipments',
  'tryton-vendure.invoices',
] as const;

/**
 * The same story against real systems nobody here wrote: Tryton 6.0 (Debian's packages, installed
 * when missing and allowed) as the ERP and Vendure 3 (its own npm project in peers/vendure) as the
 * shop. Neither has webhooks, so every flow polls each minute. People at work: shoppers order in
 * Vendure; in Tryton the warehouse ships processed sales and accounting posts and takes payment of
 * their invoices.
 */
export async function peerStory(o: { customers: number; products: number; dir: string }): Promise<DemoStory> {
  const [tryton, vendure] = await Promise.all([
    startTryton({ dir: join(o.dir, 'tryton') }),
    startVendure({ dir: join(o.dir, 'vendure') }),
  ]);
  try {
    for (let i = 1; i <= o.customers; i++)
      await tryton.rpc.createParty({
        name: `Customer ${i}`,
        email: `customer${i}@example.com`,
        street: `${i} High Street`,
        city: 'London',
        postalCode: 'EC1A 1BB',
        country: 'GB',
      });
    const stock: Array<[number, number]> = [];
    for (let i = 1; i <= o.products; i++) {
      const id = await tryton.rpc.createProduct({
        code: `SKU-${String(i).padStart(3, '0')}`,
        name: `Product ${i}`,
        listPrice: new Decimal('4.99').plus(new Decimal('1.37').times(i)).toFixed(2),
        costPrice: '2.00',
      });
      stock.push([id, 500]);
    }
    await tryton.rpc.setStock(stock);
  } catch (e) {
    await Promise.all([tryton.close(), vendure.close()]);
    throw e;
  }
  return {
    connections: {
      tryton: {
        connector: 'tryton',
        settings: {
          url: tryton.url,
          database: tryton.database,
          username: tryton.user,
          password: tryton.password,
          productCategory: 'Goods (VAT 20%)',
        },
      },
      vendure: {
        connector: 'vendure',
        settings: {
          url: vendure.url,
          username: vendure.superadmin.username,
          password: vendure.superadmin.password,
        },
      },
    },
    flows: Object.fromEntries(FLOWS.map((f) => [f, scheduled('* * * * *')])),
    systems: { tryton: tryton.url, vendure: vendure.url },
    describe: [
      `  Tryton 6.0         ${tryton.url}   (database ${tryton.database}, user ${tryton.user} / ${tryton.password}; ${o.customers} parties, ${o.products} products with stock)`,
      `  Vendure 3          ${vendure.url}   (superadmin ${vendure.superadmin.username} / ${vendure.superadmin.password})`,
      '  Customers and products go to Vendure now and every minute; Vendure orders become confirmed Tryton sales; shipments done and invoices paid in Tryton come back as fulfillments and payments.',
    ],
    async started(svc) {
      for (const flow of ['tryton-vendure.customers', 'tryton-vendure.products'])
        await svc.scheduler.enqueue(flow, 'manual');
    },
    activity(logger: Logger, everyMs: number) {
      let tick = 0;
      const busy = { now: false };
      const timer = setInterval(() => {
        if (busy.now) return;
        busy.now = true;
        tick++;
        void peopleAtWork(tick)
          .catch((e) => logger.warn({ err: e }, 'demo activity: a person was refused'))
          .finally(() => {
            busy.now = false;
          });
      }, everyMs);
      timer.unref();
      /** A shopper orders; the warehouse and accounting deal with the sales the orders became. */
      const peopleAtWork = async (t: number) => {
        const customers = await vendure.admin.gql<{ customers: { items: Array<{ id: string }> } }>(
          'query { customers(options: { take: 50 }) { items { id } } }',
        );
        const ids = customers.customers.items.map((c) => c.id);
        if (ids.length > 0 && o.products > 0)
          await vendure.admin.placeOrder({
            customerId: ids[t % ids.length]!,
            lines: [1, 2].map((k) => ({
              sku: `SKU-${String(1 + ((t * 7 + k * 11) % o.products)).padStart(3, '0')}`,
              quantity: k,
            })),
          });
        const sales = await tryton.rpc.call<Array<{ id: number; shipments: number[]; invoices: number[] }>>(
          'sale.sale',
          'search_read',
          [['state', '=', 'processing']],
          0,
          5,
          null,
          ['shipments', 'invoices'],
        );
        for (const s of sales) {
          for (const invoice of s.invoices) {
            const [inv] = await tryton.rpc.call<Array<{ state: string }>>(
              'account.invoice',
              'read',
              [invoice],
              ['state'],
            );
            if (inv?.state === 'draft' || inv?.state === 'validated') await tryton.rpc.postInvoice(invoice);
            if (inv?.state !== 'paid') await tryton.rpc.payInvoice(invoice);
          }
          for (const shipment of s.shipments) {
            const [sh] = await tryton.rpc.call<Array<{ state: string }>>(
              'stock.shipment.out',
              'read',
              [shipment],
              ['state'],
            );
            if (sh && sh.state !== 'done' && sh.state !== 'cancelled')
              await tryton.rpc.shipOut(shipment, `TRACK-${shipment}`);
          }
        }
      };
      return () => clearInterval(timer);
    },
    close: async () => {
      await Promise.all([tryton.close(), vendure.close()]);
    },
  };
}
