import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  type AcumaticaSandbox,
  startAcumaticaSandbox,
} from '../../src/connectors/acumatica/sandbox/index.js';
import type { RawCustomer } from '../../src/connectors/acumatica/types.js';
import { type MagentoSandbox, startMagentoSandbox } from '../../src/connectors/magento/sandbox/index.js';
import type { CompanyAttributes, MagentoCustomer } from '../../src/connectors/magento/types.js';
import { sandboxRegistry } from '../../src/connectors/sandboxes.js';
import { type Context, openContext } from '../../src/runtime/context.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';

const FLOW = 'acumatica-b2b.companies';
/** Where the spec and Adobe's "Manage company objects" page disagree (see companies.integration.test.ts). */
const DOCUMENTED_DIFFERENCES = /\/V1\/company\/.*(sales_representative_id|reject_reason|rejected_at)/;

const attrs = (pairs: Record<string, string>) =>
  Object.entries(pairs).map(([id, value]) => ({ AttributeID: { value: id }, Value: { value } }));
const member = (c: MagentoCustomer | undefined) =>
  (c?.extension_attributes as { company_attributes?: CompanyAttributes } | undefined)?.company_attributes;

describe.each(DIALECTS)('Acumatica → Adobe Commerce B2B companies end to end (%s store)', (dialect) => {
  let acumatica: AcumaticaSandbox;
  let magento: MagentoSandbox;
  let db: TestDatabase;
  let ctx: Context;
  const record = (id: string) => ctx.store.records.get(FLOW, id);

  beforeAll(async () => {
    acumatica = await startAcumaticaSandbox({ customers: 6, products: 0, conformance: true, seed: 5 });
    magento = await startMagentoSandbox({ conformance: true });
    db = await createTestDatabase(dialect);
    const set = (id: string, patch: (r: RawCustomer) => void) => patch(acumatica.customers.get(id)!);
    // Seed 003: customer type B2B, "Enable … Commerce Framework" checked for the connection type KNB.
    set('C000001', (r) => {
      r.Attributes = attrs({ CUSTTYPE: 'B2B', KNB: 'True' }) as never;
      r.Terms = { value: 'NET30' };
      // The Contacts tab: a buyer beside the main contact becomes a company user.
      r.Contacts = [
        {
          ContactID: { value: 101 },
          Contact: {
            FirstName: { value: 'Bea' },
            LastName: { value: 'Buyer' },
            Email: { value: 'bea.buyer@c1.example' },
          },
        },
      ] as never;
      r.BillingContact = {
        Address: {
          AddressLine1: { value: '1 Ledger Way' },
          City: { value: 'Denver' },
          State: { value: 'CO' },
          PostalCode: { value: '80202' },
          Country: { value: 'US' },
        },
      } as never;
      r.ShippingContact = {
        Address: {
          AddressLine1: { value: '9 Dock Rd' },
          City: { value: 'Aurora' },
          State: { value: 'CO' },
          PostalCode: { value: '80010' },
          Country: { value: 'US' },
        },
      } as never;
    });
    set('C000002', (r) => {
      r.Attributes = attrs({ CUSTTYPE: 'B2B', KNB: 'True' }) as never;
      r.Terms = { value: 'COD' };
    });
    set('C000003', (r) => {
      r.Attributes = attrs({ CUSTTYPE: 'B2C', KNB: 'True' }) as never;
    });
    set('C000004', (r) => {
      r.Attributes = attrs({ CUSTTYPE: 'B2B', KNB: 'False' }) as never;
    });
    set('C000005', (r) => {
      r.Attributes = attrs({ CUSTTYPE: 'B2B', KNB: 'True' }) as never;
      r.Terms = { value: 'NET30' };
      r.Email = { value: '' };
      (r.MainContact as { Email?: unknown }).Email = { value: '' };
    });
    // C000006 has no attributes: its type is not set.
    acumatica.touch('customer', ['C000001', 'C000002', 'C000003', 'C000004', 'C000005']);

    const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-b2b-'));
    const configPath = join(dir, 'ledgerlink.yaml');
    writeFileSync(
      configPath,
      stringify({
        database: db.url,
        connections: {
          acumatica: {
            connector: 'acumatica',
            settings: {
              ...sandboxRegistry.acumatica!.settings(acumatica),
              timeoutMs: 5000,
              customerTypeField: 'CUSTTYPE',
            },
          },
          portal: {
            connector: 'magento',
            settings: {
              ...sandboxRegistry.magento!.settings(magento),
              timeoutMs: 2000,
              b2bCompanies: true,
              companyPaymentMethods: 'NET30=checkmo|purchaseorder, COD=cashondelivery',
            },
          },
        },
        flows: {
          [FLOW]: {
            target: 'portal',
            settings: { enabledAttribute: 'KNB' },
            retryBaseSeconds: 0.05,
            retryCapSeconds: 0.5,
          },
        },
      }),
    );
    ctx = await openContext({ configPath });
  });
  afterAll(async () => {
    await ctx?.close();
    expect(acumatica.kit.violations).toEqual([]);
    expect(magento.kit.violations.filter((v) => !DOCUMENTED_DIFFERENCES.test(v))).toEqual([]);
    await Promise.all([acumatica.close(), magento.close()]);
    await db.drop();
  });

  it('B2B customers enabled for the portal become companies; the others are skipped with the condition named; a missing e-mail fails with its reason', async () => {
    const run = await ctx.engine.run(FLOW, { trigger: 'batch' });
    expect(run.counts).toMatchObject({ read: 6, created: 2, skipped: 3, failed: 1 });

    const companies = [...magento.companies.values()];
    expect(companies.map((c) => c.company_name).sort()).toEqual(
      ['C000001', 'C000002'].map((id) => acumatica.customers.get(id)!.CustomerName!.value).sort(),
    );
    const one = Number((await record('C000001'))?.target_id);
    const company = magento.companies.get(one)!;
    const acu = acumatica.customers.get('C000001')!;
    const email = String(acu.MainContact?.Email?.value);
    expect(company).toMatchObject({
      company_email: email,
      street: ['1 Ledger Way'],
      city: 'Denver',
      postcode: '80202',
      country_id: 'US',
      status: 1,
      extension_attributes: { available_payment_methods: 'checkmo,purchaseorder', use_config_settings: 0 },
    });
    expect(
      magento.companies.get(Number((await record('C000002'))?.target_id))?.extension_attributes,
    ).toMatchObject({
      available_payment_methods: 'cashondelivery',
    });
    // The primary contact is the company admin, with the main, billing and shipping addresses.
    const admin = magento.customers.get(company.super_user_id)!;
    expect(admin.email).toBe(email);
    expect(member(admin)?.company_id).toBe(one);
    expect(admin.addresses?.map((a) => [a.city, !!a.default_billing, !!a.default_shipping])).toEqual([
      [String(acu.MainContact?.Address?.City?.value), false, false],
      ['Denver', true, false],
      ['Aurora', false, true],
    ]);
    const roles = [...magento.companyRoles.values()].filter((r) => r.company_id === one);
    expect(roles.map((r) => r.role_name)).toEqual(['Default User']);
    // The other contact is a company user of the same company, given the predefined role.
    const user = [...magento.customers.values()].find((c) => c.email === 'bea.buyer@c1.example');
    expect([user?.firstname, member(user)?.company_id]).toEqual(['Bea', one]);
    expect(magento.userRoles.get(Number(user?.id))).toBe(roles[0]?.id);

    const skipped = 'no sync condition holds: "customer type is B2B and KNB is checked" is false';
    expect((await record('C000003'))?.reason).toBe(`${skipped} (the customer type is B2C)`);
    expect((await record('C000004'))?.reason).toBe(`${skipped} (KNB is False)`);
    expect((await record('C000006'))?.reason).toBe(`${skipped} (the customer type is not set)`);
    const failed = await record('C000005');
    expect(failed?.state).toBe('failed');
    expect(failed?.error_message).toMatch(/a B2B company needs an e-mail address/);
  });

  it('the missing e-mail filled in, the retry creates that company; a second run writes nothing', async () => {
    acumatica.touch('customer', ['C000005'], (r) => {
      const c = r as RawCustomer;
      c.Email = { value: 'buyer@c5.example' };
      (c.MainContact as { Email?: unknown }).Email = { value: 'buyer@c5.example' };
    });
    const fixed = await ctx.engine.run(FLOW, { trigger: 'batch' });
    expect(fixed.counts).toMatchObject({ created: 1, failed: 0 });
    expect((await record('C000005'))?.state).toBe('processed');
    expect(magento.companies.size).toBe(3);

    const before = magento.kit.writeCalls().length;
    const customers = magento.customers.size;
    const again = await ctx.engine.run(FLOW, { trigger: 'batch' });
    expect(again.counts).toMatchObject({ read: 6, created: 0, updated: 0, failed: 0 });
    expect(magento.kit.writeCalls().length - before).toBe(0);
    expect([magento.companies.size, magento.customers.size]).toEqual([3, customers]);
  });
});
