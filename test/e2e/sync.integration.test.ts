import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Context, openContext } from '../../src/runtime/context.js';
import { DIALECTS } from '../support/databases.js';
import { type SyncEnvironment, startSyncEnvironment } from '../support/environment.js';

const CUSTOMERS = 'acumatica-magento.customers';
const PRODUCTS = 'acumatica-magento.products';
const customAttr = (
  c: { custom_attributes?: Array<{ attribute_code: string; value: unknown }> },
  code: string,
) => c.custom_attributes?.find((a) => a.attribute_code === code)?.value;

describe.each(DIALECTS)('Acumatica → Magento end to end over loopback HTTP (%s store)', (dialect) => {
  let env: SyncEnvironment;
  let ctx: Context;

  beforeAll(async () => {
    env = await startSyncEnvironment({ customers: 1000, products: 1000, dialect });
    ctx = await openContext({ configPath: env.configPath });
  });
  afterAll(async () => {
    await ctx?.close();
    expect(env.acumatica.kit.violations, 'Acumatica traffic that departs from its published spec').toEqual(
      [],
    );
    expect(env.magento.kit.violations, 'Magento traffic that departs from its published spec').toEqual([]);
    await env.close();
  });

  it('1,000 customers and 1,000 products reach Magento, each exactly once', async () => {
    const [c, p] = [
      await ctx.engine.run(CUSTOMERS, { trigger: 'batch' }),
      await ctx.engine.run(PRODUCTS, { trigger: 'batch' }),
    ];
    expect(c.counts).toMatchObject({ read: 1000, created: 1000, failed: 0 });
    expect(p.counts).toMatchObject({ read: 1000, created: 1000, failed: 0 });
    const customers = [...env.magento.customers.values()];
    expect(customers).toHaveLength(1000);
    expect(new Set(customers.map((x) => x.email)).size).toBe(1000);
    expect(env.magento.products.size).toBe(1000);

    // Spot-check the mapping, to the cent.
    const acu = env.acumatica.customers.get('C000007')!;
    const mag = customers.find((x) => customAttr(x, 'erp_customer_number') === 'C000007')!;
    expect(mag.email).toBe(String(acu.MainContact?.Email?.value));
    expect(Number(customAttr(mag, 'credit_limit'))).toBe(acu.CreditLimit?.value);
    const item = env.acumatica.items.get('ITEM00042')!;
    const prod = env.magento.products.get('ITEM00042')!;
    expect(prod.price).toBe(item.DefaultPrice?.value);
    const qty = (item.WarehouseDetails ?? []).reduce((s, w) => s + Number(w.QtyOnHand?.value ?? 0), 0);
    expect(env.magento.sourceItems.get('ITEM00042|default')?.quantity).toBe(qty);
  });

  it('a second run makes zero write calls to Magento', async () => {
    const before = env.magento.kit.writeCalls().length;
    const c = await ctx.engine.run(CUSTOMERS, { trigger: 'batch' });
    const p = await ctx.engine.run(PRODUCTS, { trigger: 'batch' });
    expect(c.counts).toMatchObject({ unchanged: 1000, created: 0, updated: 0 });
    expect(p.counts).toMatchObject({ unchanged: 1000, created: 0, updated: 0 });
    expect(env.magento.kit.writeCalls().length - before).toBe(0);
  });

  it('after 10 records change in Acumatica exactly those 10 are updated, and a field the flow does not own survives', async () => {
    // Incremental runs first, so the cursor exists and the next run reads only what changed.
    await ctx.engine.run(CUSTOMERS, { trigger: 'schedule', incremental: true });
    await ctx.engine.run(PRODUCTS, { trigger: 'schedule', incremental: true });

    const target = [...env.magento.customers.values()].find(
      (x) => customAttr(x, 'erp_customer_number') === 'C000010',
    )!;
    env.magento.editCustomer(target.id!, { lastname: 'EditedInMagento' });

    const changed = Array.from({ length: 10 }, (_, i) => `C${String(10 + i * 37).padStart(6, '0')}`);
    env.acumatica.touch('customer', changed, (r) => {
      r.CreditLimit = { value: 123456.78 };
      (r.MainContact as { LastName?: unknown }).LastName = { value: 'RenamedInAcumatica' };
    });
    const items = Array.from({ length: 10 }, (_, i) => `ITEM${String(100 + i * 53).padStart(5, '0')}`);
    env.acumatica.touch('product', items, (r) => {
      r.DefaultPrice = { value: 77.7 };
    });

    const before = env.magento.kit.writeCalls().length;
    const c = await ctx.engine.run(CUSTOMERS, { trigger: 'schedule', incremental: true });
    const p = await ctx.engine.run(PRODUCTS, { trigger: 'schedule', incremental: true });
    expect(c.counts.updated).toBe(10);
    expect(c.counts.created).toBe(0);
    expect(p.counts.updated).toBe(10);
    const writes = env.magento.kit.writeCalls().slice(before);
    expect(writes).toHaveLength(20);
    expect(writes.every((w) => w.method === 'PUT')).toBe(true);

    const after = env.magento.customers.get(target.id!)!;
    expect(Number(customAttr(after, 'credit_limit'))).toBe(123456.78);
    expect(after.lastname).toBe('EditedInMagento');
    expect(env.magento.products.get(items[0]!)!.price).toBe(77.7);
  });
});
