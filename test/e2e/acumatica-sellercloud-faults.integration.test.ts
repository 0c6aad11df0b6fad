import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AcumaticaSandbox,
  startAcumaticaSandbox,
} from '../../src/connectors/acumatica/sandbox/index.js';
import { sandboxRegistry } from '../../src/connectors/sandboxes.js';
import {
  type SellerCloudSandbox,
  startSellerCloudSandbox,
} from '../../src/connectors/sellercloud/sandbox/index.js';
import type { Context } from '../../src/runtime/context.js';
import { DIALECTS } from '../support/databases.js';
import { type E2eContext, openE2eContext } from '../support/e2e-context.js';

const CUSTOMERS = 'acumatica-sellercloud.customers';
const SHIPMENTS = 'acumatica-sellercloud.shipments';
const val = <T>(w: unknown): T | undefined => (w as { value?: T } | undefined)?.value;

/**
 * Issue 18's SellerCloud faults through the engine, over loopback: the token ends in the middle of a
 * batch of customers; SellerCloud's rate limit is reached; an Acumatica shipment whose order SellerCloud
 * never had fails with a reason a person can act on, and is not dropped.
 */
describe.each(DIALECTS)('Acumatica → SellerCloud faults on %s', (dialect) => {
  let erp: AcumaticaSandbox;
  let hub: SellerCloudSandbox;
  let env: E2eContext;
  let ctx: Context;
  const record = (flow: string, id: string) => ctx.store.records.get(flow, id);
  const emails = () => [...hub.data.customers.values()].map((c) => c.Email?.toLowerCase() ?? '');

  beforeAll(async () => {
    erp = await startAcumaticaSandbox({ customers: 12, products: 3 });
    hub = await startSellerCloudSandbox({ count: 2 });
    env = await openE2eContext({
      dialect,
      connections: {
        acumatica: { connector: 'acumatica', settings: sandboxRegistry.acumatica!.settings(erp) },
        sellercloud: { connector: 'sellercloud', settings: sandboxRegistry.sellercloud!.settings(hub) },
      },
      valueMaps: { shippingMethod: [{ acumatica: 'FLATRATE', sellercloud: 'Standard' }] },
      flows: [CUSTOMERS, SHIPMENTS, 'sellercloud-acumatica.orders'],
    });
    ctx = env.ctx;
  }, 120_000);
  afterAll(async () => {
    await env?.close();
    await hub?.close();
    await erp?.close();
  });

  it('the token ends in the middle of a batch and the rate limit is reached: every customer lands once, none fails', async () => {
    const before = hub.data.customers.size;
    const tokens = hub.tokensIssued();
    // The token is ended once five customers have been created, while the batch goes on.
    const watch = setInterval(() => {
      if (hub.data.customers.size >= before + 5) {
        clearInterval(watch);
        hub.expireTokens();
      }
    }, 5);
    // And the hourly limit is reached three times on the way (SellerCloud's body names the reset).
    hub.kit.injectFault({
      kind: 'status',
      status: 429,
      times: 3,
      match: { method: 'POST', path: '/Customers' },
    });
    const run = await ctx.engine.run(CUSTOMERS, { trigger: 'batch' });
    clearInterval(watch);
    expect(run.counts).toMatchObject({ read: 12, created: 12, failed: 0 });
    expect(hub.data.customers.size).toBe(before + 12);
    expect(new Set(emails()).size).toBe(emails().length);
    for (const c of erp.customers.values())
      expect(emails()).toContain(val<string>(c.MainContact?.Email)?.toLowerCase());
    const statuses = hub.kit.calls.map((c) => c.status);
    expect(statuses.filter((s) => s === 401).length).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
    expect(hub.tokensIssued() - tokens).toBeGreaterThanOrEqual(1);
    // A second run writes nothing.
    const again = await ctx.engine.run(CUSTOMERS, { trigger: 'batch' });
    expect(again.counts).toMatchObject({ created: 0, updated: 0, failed: 0 });
  }, 120_000);

  it('a confirmed shipment of an order SellerCloud never had fails with a reason, and is kept to act on', async () => {
    const order = erp.createSalesOrder({
      customerId: 'C000001',
      lines: [{ inventoryId: 'ITEM00001', qty: 1 }],
      shipVia: 'FLATRATE',
    });
    const shipment = erp.createShipment(order, { trackingNumbers: ['1Z-NOWHERE'] });
    erp.confirmShipment(shipment);
    const run = await ctx.engine.run(SHIPMENTS, { trigger: 'batch' });
    const r = await record(SHIPMENTS, shipment);
    expect(run.counts).toMatchObject({ created: 0, failed: 1 });
    expect(r?.state).toBe('failed');
    expect(r?.error_message).toBe(
      `shipment ${shipment}: sales order ${order} is not in SellerCloud, and no flow brings sales orders from Acumatica: create it in SellerCloud (or correct the shipment), then upload again`,
    );
    expect(hub.packageCalls).toHaveLength(0);
  }, 60_000);
});
