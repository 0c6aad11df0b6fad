import { createServer, type Server } from 'node:http';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MagentoOrder } from '../../src/connectors/magento/sales-types.js';
import { COUNTRIES } from '../../src/connectors/magento/sandbox/directory.js';
import type { PlaceOrderInput } from '../../src/connectors/magento/sandbox/index.js';
import { SANDBOX_VALUE_MAPS } from '../../src/connectors/sandboxes.js';
import { seededRandom } from '../../src/connectors/sdk/sandbox-kit.js';
import type { RunOptions, RunResult } from '../../src/engine/engine.js';
import { isEngineError } from '../../src/engine/errors.js';
import { runCli } from '../support/cli.js';
import { closeAndCheck, type OrderEnvironment, startOrderEnvironment } from '../support/order-environment.js';

const M2A = 'magento-acumatica.orders';
const A2M = 'acumatica-magento.orders';
const val = <T>(w: unknown): T | undefined => (w as { value?: T } | undefined)?.value ?? undefined;
const cents = (n: number | undefined) => new Decimal(n ?? 0).toFixed(2);

const region = (code: string) => {
  const r = COUNTRIES.US!.available_regions!.find((x) => x.code === code)!;
  return { region: r.name, region_code: r.code, region_id: Number(r.id) };
};

/** Where an order ships decides its taxes; each currency here comes with its own. */
const PROFILES: Array<{ currency: string; rates: string[]; address: PlaceOrderInput['address'] }> = [
  {
    currency: 'USD',
    rates: ['8.875'],
    address: { country_id: 'US', ...region('NY'), city: 'New York', postcode: '10118' },
  },
  {
    currency: 'CAD',
    rates: ['7.25'],
    address: { country_id: 'US', ...region('CA'), city: 'Los Angeles', postcode: '90001' },
  },
  {
    currency: 'EUR',
    rates: ['20', '10'],
    address: { country_id: 'NL', city: 'Amsterdam', postcode: '1012 AB' },
  },
  { currency: 'GBP', rates: ['20'], address: { country_id: 'GB', city: 'London', postcode: 'SW1A 1AA' } },
];

/**
 * Web orders into the ERP (what most users need first), and the failure paths of order to cash:
 * 500 orders to the cent, webhooks repeated and reversed, a customer Acumatica refuses, a shipment
 * before its order, and an unmapped shipping method.
 */
describe('web orders, Magento → Acumatica, and what goes wrong in order to cash', () => {
  let env: OrderEnvironment;
  /** A shop sign-up kept out of the 500, for the customer Acumatica refuses. */
  let refusedCustomer: number;

  /** Runs a flow now; the background worker may be running it (a released retry): then wait and run. */
  const run = async (flow: string, opts: RunOptions): Promise<RunResult> => {
    for (let i = 0; ; i++) {
      try {
        return await env.ctx.engine.run(flow, opts);
      } catch (e) {
        if (!isEngineError(e) || e.code !== 'flow_busy' || i > 100) throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  const acumaticaOrderFor = (m: MagentoOrder) =>
    [...env.acumatica.orders.values()].filter((o) => val<string>(o.ExternalRef) === m.increment_id);

  beforeAll(async () => {
    env = await startOrderEnvironment({
      customers: 30,
      products: 40,
      magentoCustomers: 6,
      magentoProducts: 3,
      patch: { webhooks: false, connections: { acumatica: { guestCustomerId: 'C000001' } } },
    });
    refusedCustomer = 6;
    // The catalog and the ERP's customers are in the shop first, as in any installation.
    expect((await run('acumatica-magento.customers', { trigger: 'batch' })).counts.failed).toBe(0);
    expect((await run('acumatica-magento.products', { trigger: 'batch' })).counts.failed).toBe(0);
  });
  afterAll(() => closeAndCheck(env));

  it('500 orders (random customers and guests, 1–20 lines, four currencies, several tax rates) import to the cent, once', async () => {
    const rnd = seededRandom(2026);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
    const customers = [...env.magento.customers.keys()].filter((id) => id !== refusedCustomer);
    const skus = [...env.magento.products.keys()];
    for (let i = 0; i < 500; i++) {
      const profile = pick(PROFILES);
      const count = 1 + Math.floor(rnd() * 20);
      const chosen = [...skus].sort(() => rnd() - 0.5).slice(0, count);
      const guest = rnd() < 0.1;
      env.magento.placeOrder({
        ...(guest
          ? { guest: { email: `guest${i}@example.com`, firstname: 'Gina', lastname: `Guest ${i}` } }
          : { customerId: pick(customers) }),
        lines: chosen.map((sku) => ({
          sku,
          qty: 1 + Math.floor(rnd() * 5),
          taxPercent: pick(profile.rates),
          ...(rnd() < 0.2 ? { discount: '1.25' } : {}),
        })),
        currency: profile.currency,
        address: profile.address,
        shippingMethod: pick(['flatrate_flatrate', 'ups_GND']),
        shippingAmount: pick(['0.00', '5.00', '12.50']),
        paymentMethod: pick(['checkmo', 'purchaseorder']),
      });
    }
    const placed = [...env.magento.orders.values()];
    expect(placed).toHaveLength(500);

    const r = await run(M2A, { trigger: 'batch' });
    expect(r.counts).toMatchObject({ read: 500, created: 500, failed: 0, waiting: 0 });
    expect(env.acumatica.orders.size).toBe(500);
    for (const m of env.magento.orders.values()) {
      const [a, ...more] = acumaticaOrderFor(m);
      expect(more, `order ${m.increment_id} imported once`).toEqual([]);
      expect(a, `order ${m.increment_id}`).toBeDefined();
      const what = `order ${m.increment_id} → ${val(a!.OrderNbr)}`;
      expect(cents(val(a!.OrderTotal)), what).toBe(cents(m.grand_total));
      expect(cents(val(a!.TaxTotal)), what).toBe(cents(m.tax_amount));
      expect(val(a!.CurrencyID), what).toBe(m.order_currency_code);
      expect(val(a!.CustomerOrder), what).toBe(m.increment_id);
      // The Acumatica number went back to Magento.
      expect(m.ext_order_id, what).toBe(val(a!.OrderNbr));
    }
    // Shop sign-ups and shop-only products were created in Acumatica first, by their own flows.
    const signUps = await env.ctx.store.records.list({
      flow: 'magento-acumatica.customers',
      states: ['processed'],
    });
    expect(signUps.total).toBeGreaterThan(0);
    expect([...env.acumatica.items.keys()].filter((k) => k.startsWith('MAG'))).toHaveLength(3);

    // Read back by the ERP → shop flow, the imported orders are echoes: linked, and read again (as
    // every change in the ERP makes them), still linked — never "skipped — unpaid balance", which
    // reads as "will go once paid".
    for (let pass = 1; pass <= 2; pass++) {
      const echoes = await run(A2M, { trigger: 'batch' });
      expect(echoes.counts, `pass ${pass}`).toMatchObject({ read: 500, unchanged: 500, skipped: 0 });
    }
    expect((await env.ctx.store.log.list({ flow: A2M, status: ['skipped'] })).total).toBe(0);

    const writes = env.acumatica.kit.writeCalls().length;
    const again = await run(M2A, { trigger: 'batch' });
    expect(again.counts).toMatchObject({ read: 500, unchanged: 500, created: 0, failed: 0 });
    expect(env.acumatica.kit.writeCalls().length).toBe(writes);
  }, 240_000);

  describe('webhooks delivered twice, and a batch in reverse order', () => {
    let capture: Server;
    let captureUrl: string;
    beforeAll(async () => {
      capture = createServer((req, res) => {
        req.resume();
        req.on('end', () =>
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"op":"success"}'),
        );
      });
      await new Promise<void>((r) => capture.listen(0, '127.0.0.1', r));
      captureUrl = `http://127.0.0.1:${(capture.address() as { port: number }).port}/`;
      env.magento.addWebhook({ url: captureUrl });
      env.acumatica.addPushDestination({
        url: captureUrl,
        headerName: 'X-Ledgerlink-Token',
        headerValue: 'sandbox-push-secret',
      });
    });
    afterAll(async () => {
      await new Promise((r) => capture.close(r));
    });

    const replay = async (
      connection: string,
      deliveries: Array<{ headers: Record<string, string>; body: string }>,
    ) => {
      for (const d of deliveries) {
        for (const time of [1, 2]) {
          const res = await fetch(`${env.svc.url}/hooks/${connection}`, {
            method: 'POST',
            headers: d.headers,
            body: d.body,
          });
          expect(res.status, `${connection} delivery, ${time === 1 ? 'first' : 'repeated'}`).toBeLessThan(
            300,
          );
        }
      }
    };

    it('Magento orders: one Acumatica order each', async () => {
      const before = new Set(env.magento.orders.keys());
      const from = env.magento.webhookLog.length;
      for (let i = 0; i < 12; i++)
        env.magento.placeOrder({
          customerId: 1 + (i % 5),
          lines: [{ sku: 'ITEM00003', qty: 1 + i, taxPercent: '8.875' }],
          address: PROFILES[0]!.address,
        });
      await env.magento.webhooksSettled();
      const deliveries = env.magento.webhookLog
        .slice(from)
        .filter((d) => d.url === captureUrl && d.status === 200);
      expect(deliveries).toHaveLength(12);
      const inboxBefore = (await env.ctx.store.inbox.list({ connection: 'magento', limit: 1000 })).length;
      await replay('magento', deliveries.reverse());
      expect(
        (await env.ctx.store.inbox.list({ connection: 'magento', limit: 1000 })).length - inboxBefore,
      ).toBe(12);
      const fresh = [...env.magento.orders.values()].filter((o) => !before.has(o.entity_id!));
      await env.until(async () => {
        for (const o of fresh)
          if ((await env.ctx.store.records.get(M2A, String(o.entity_id)))?.state !== 'processed')
            return false;
        return true;
      }, 'the replayed orders to be imported');
      for (const o of fresh) {
        expect(acumaticaOrderFor(o), `order ${o.increment_id}`).toHaveLength(1);
        expect(env.magento.orders.get(o.entity_id!)?.ext_order_id).toBe(
          val(acumaticaOrderFor(o)[0]!.OrderNbr),
        );
      }
    });

    it('Acumatica orders: one Magento order each, the newest state wins', async () => {
      const from = env.acumatica.pushLog.length;
      const numbers: string[] = [];
      for (let i = 0; i < 5; i++) {
        const nbr = env.acumatica.createSalesOrder({
          customerId: `C00001${i}`,
          lines: [{ inventoryId: 'ITEM00009', qty: 2 }],
          shipVia: 'UPSGROUND',
          paymentMethod: 'CHECK',
          taxIds: ['NYSTATE'],
        });
        const total = val<number>(env.acumatica.orders.get(nbr)?.OrderTotal)!;
        env.acumatica.createPayment({ customerId: `C00001${i}`, amount: total, orderNbr: nbr });
        numbers.push(nbr);
      }
      await env.acumatica.pushIdle();
      const deliveries = env.acumatica.pushLog
        .slice(from)
        .filter((d) => d.url === captureUrl && d.status === 200);
      expect(deliveries.length).toBeGreaterThanOrEqual(10);
      await replay('acumatica', deliveries.reverse());
      await env.until(async () => {
        for (const n of numbers)
          if ((await env.ctx.store.records.get(A2M, n))?.state !== 'processed') return false;
        return true;
      }, 'the replayed orders to reach Magento');
      for (const n of numbers) {
        const inMagento = [...env.magento.orders.values()].filter((o) => o.ext_order_id === n);
        expect(inMagento, n).toHaveLength(1);
        expect(cents(inMagento[0]!.grand_total)).toBe(cents(val(env.acumatica.orders.get(n)?.OrderTotal)));
      }
    });
  });

  it('an order whose customer Acumatica refuses waits; after the customer is fixed and retried, it goes through', async () => {
    env.magento.editCustomer(refusedCustomer, {
      custom_attributes: [{ attribute_code: 'customer_class', value: 'VIP' }],
    });
    const order = env.magento.placeOrder({
      customerId: refusedCustomer,
      lines: [{ sku: 'ITEM00005', qty: 1, taxPercent: '8.875' }],
      address: PROFILES[0]!.address,
    });
    const id = String(order.entity_id);
    const r = await env.ctx.engine.runIds(M2A, [id], 'manual');
    expect(r.outcomes[0]?.status).toBe('waiting');
    expect(r.outcomes[0]?.reason).toMatch(
      new RegExp(`^waiting on customer ${refusedCustomer} \\(failed: .*'VIP' cannot be found in the system`),
    );
    expect(acumaticaOrderFor(order)).toEqual([]);

    env.magento.editCustomer(refusedCustomer, {
      custom_attributes: [{ attribute_code: 'customer_class', value: 'RETAIL' }],
    });
    const cli = await runCli([
      'retry',
      String(refusedCustomer),
      '--flow',
      'magento-acumatica.customers',
      '-c',
      env.configPath,
    ]);
    expect(cli.code, cli.stderr).toBe(0);
    // The customer's success released the order; the running service's worker syncs it.
    await env.until(
      async () => (await env.ctx.store.records.get(M2A, id))?.state === 'processed',
      'the released order',
    );
    expect(acumaticaOrderFor(env.magento.orders.get(order.entity_id!)!)).toHaveLength(1);
  });

  it('a shipment that arrives before its order is held, then released when the order syncs', async () => {
    const nbr = env.acumatica.createSalesOrder({
      customerId: 'C000020',
      lines: [{ inventoryId: 'ITEM00011', qty: 3 }],
      shipVia: 'FLATRATE',
      taxIds: ['NYSTATE'],
    });
    const shipment = env.acumatica.createShipment(nbr, { trackingNumbers: ['TRACK-EARLY'] });
    env.acumatica.confirmShipment(shipment);
    const held = await env.ctx.engine.runIds('acumatica-magento.shipments', [shipment], 'manual');
    expect(held.outcomes[0]?.status).toBe('waiting');
    expect(held.outcomes[0]?.reason).toMatch(
      new RegExp(`^waiting on sales order ${nbr} \\(skipped: no sync condition holds`),
    );

    env.acumatica.createPayment({
      customerId: 'C000020',
      amount: val<number>(env.acumatica.orders.get(nbr)?.OrderTotal)!,
      orderNbr: nbr,
    });
    // The polling pass finds the paid order; its success releases the shipment.
    const o = await run(A2M, { trigger: 'schedule', incremental: true });
    expect(o.outcomes.find((x) => x.sourceId === nbr)?.status).toBe('created');
    await env.until(
      async () =>
        (await env.ctx.store.records.get('acumatica-magento.shipments', shipment))?.state === 'processed',
      'the released shipment',
    );
    const m = [...env.magento.orders.values()].find((x) => x.ext_order_id === nbr)!;
    const tracks = [...env.magento.shipments.values()]
      .filter((s) => s.order_id === m.entity_id)
      .flatMap((s) => s.tracks ?? []);
    expect(tracks.map((t) => t.track_number)).toEqual(['TRACK-EARLY']);
  });

  it('an unmapped shipping method fails the order naming the map; after the mapping is added, a retry succeeds', async () => {
    const nbr = env.acumatica.createSalesOrder({
      customerId: 'C000021',
      lines: [{ inventoryId: 'ITEM00012', qty: 1 }],
      shipVia: 'FEDEX2DAY',
      taxIds: ['NYSTATE'],
    });
    env.acumatica.createPayment({
      customerId: 'C000021',
      amount: val<number>(env.acumatica.orders.get(nbr)?.OrderTotal)!,
      orderNbr: nbr,
    });
    const r = await env.ctx.engine.runIds(A2M, [nbr], 'manual');
    expect(r.outcomes[0]).toMatchObject({ status: 'failed' });
    expect(r.outcomes[0]?.reason).toBe(
      `sales order ${nbr}: shipping method FEDEX2DAY has no Magento mapping; add a row for it to valueMaps.shippingMethod (acumatica: FEDEX2DAY, magento: …)`,
    );
    await env.reconfigure({
      valueMaps: {
        ...SANDBOX_VALUE_MAPS,
        shippingMethod: [
          ...SANDBOX_VALUE_MAPS.shippingMethod!,
          { acumatica: 'FEDEX2DAY', magento: 'fedex_FEDEX_2_DAY' },
        ],
      },
    });
    const cli = await runCli(['retry', nbr, '--flow', A2M, '-c', env.configPath]);
    expect(cli.code, cli.stderr).toBe(0);
    expect((await env.ctx.store.records.get(A2M, nbr))?.state).toBe('processed');
    const m = [...env.magento.orders.values()].find((x) => x.ext_order_id === nbr)!;
    expect(m.extension_attributes?.shipping_assignments?.[0]?.shipping?.method).toBe('fedex_FEDEX_2_DAY');
  });
});
