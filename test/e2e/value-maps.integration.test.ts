import { readFileSync, writeFileSync } from 'node:fs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { SANDBOX_VALUE_MAPS, sandboxRegistry } from '../../src/connectors/sandboxes.js';
import { type Context, openContext } from '../../src/runtime/context.js';
import { type Service, startService } from '../../src/runtime/service.js';
import { createUser } from '../../src/server/auth/accounts.js';
import { createApiToken } from '../../src/server/auth/api-tokens.js';
import { type SyncEnvironment, startSyncEnvironment } from '../support/environment.js';

/**
 * Value maps over HTTP against both sandboxes: each map's columns in one order (the flows that use
 * it, source first, as the configuration names them), and each code saved checked against the codes
 * its system lists — refused with the row, the connection and the code when unknown, saved and said
 * unchecked where the system's API cannot list them.
 */
/** What the value-map routes answer: the maps, a save, or a refusal. */
interface Answer {
  columns: Record<string, string[]>;
  checked: string[];
  unchecked: string[];
  error: { code: string; problems: string[] };
}

describe('value maps', () => {
  let env: SyncEnvironment;
  let ctx: Context;
  let svc: Service;
  let token: string;

  const call = async (path: string, init: { method?: string; body?: unknown } = {}) => {
    const res = await fetch(`${svc.url}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${token}`,
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
      ...(init.body ? { body: JSON.stringify(init.body) } : {}),
    });
    return { status: res.status, json: (await res.json()) as Answer };
  };
  const put = (name: string, rows: Array<Record<string, string>>) =>
    call(`/api/value-maps/${name}`, { method: 'PUT', body: { rows } });

  beforeAll(async () => {
    env = await startSyncEnvironment({ customers: 3, products: 3, seed: 4 });
    // The ERP→shop order flow first: the configuration's order decides each map's columns.
    writeFileSync(
      env.configPath,
      stringify({
        database: env.db.url,
        connections: {
          magento: { connector: 'magento', settings: sandboxRegistry.magento!.settings(env.magento) },
          acumatica: { connector: 'acumatica', settings: sandboxRegistry.acumatica!.settings(env.acumatica) },
        },
        flows: {
          'acumatica-magento.orders': {},
          'magento-acumatica.orders': {},
          'acumatica-magento.shipments': {},
        },
        valueMaps: SANDBOX_VALUE_MAPS,
      }),
    );
    ctx = await openContext({ configPath: env.configPath, logger: pino({ level: 'silent' }) });
    svc = await startService(ctx, { host: '127.0.0.1', port: 0 });
    await createUser(ctx.store, {
      username: 'mara',
      role: 'admin',
      password: 'correct horse battery',
      mustChangePassword: false,
    });
    token = (await createApiToken(ctx.store, { username: 'mara', name: 'tests' })).token;
  });
  afterAll(async () => {
    expect(env.acumatica.kit.violations).toEqual([]);
    expect(env.magento.kit.violations).toEqual([]);
    await svc?.stop();
    await ctx?.close();
    await env?.close();
  });

  it('each map has one order of columns: the connections of the flows that use it, source first', async () => {
    const { json } = await call('/api/value-maps');
    // acumatica-magento.orders is named first and uses these three.
    expect(json.columns.shippingMethod).toEqual(['acumatica', 'magento']);
    expect(json.columns.paymentMethod).toEqual(['acumatica', 'magento']);
    expect(json.columns.taxClass).toEqual(['acumatica', 'magento']);
    // Only magento-acumatica.orders uses orderType, although its row names acumatica second.
    expect(json.columns.orderType).toEqual(['magento', 'acumatica']);
  });

  it('refuses a code the target does not know, naming the row, the connection and the code, with some it knows', async () => {
    const before = readFileSync(env.configPath, 'utf8');
    const orderType = await put('orderType', [
      { magento: 'web', acumatica: 'SO' },
      { magento: 'CASTATE', acumatica: 'SO' },
    ]);
    expect(orderType.status).toBe(400);
    expect(orderType.json.error.code).toBe('unknown_code');
    expect(orderType.json.error.problems).toEqual([
      'valueMaps.orderType row 2: magento (Magento) has no order type "CASTATE"; it has web',
    ]);

    const tax = await put('taxClass', [
      { acumatica: 'NYSTATE', magento: 'US-NY-*-Rate 1' },
      { acumatica: 'NYSTATE2', magento: 'US-NY-*-Rate 9' },
    ]);
    expect(tax.status).toBe(400);
    expect(tax.json.error.problems).toEqual([
      'valueMaps.taxClass row 2: acumatica (Acumatica) has no tax ID "NYSTATE2"; it has CASTATE, EXEMPT, NYSTATE, VAT10, VAT20',
      'valueMaps.taxClass row 2: magento (Magento) has no tax rate code "US-NY-*-Rate 9"; it has US-CA-*-Rate 1, US-NY-*-Rate 1, VAT10, VAT20',
    ]);

    const ship = await put('shippingMethod', [{ acumatica: 'DRONE', magento: 'flatrate_flatrate' }]);
    expect(ship.status).toBe(400);
    expect(ship.json.error.problems[0]).toMatch(
      /^valueMaps\.shippingMethod row 1: acumatica \(Acumatica\) has no ship via "DRONE"; it has FEDEX2DAY, FLATRATE, UPSGROUND, WILLCALL$/,
    );
    const pay = await put('paymentMethod', [{ acumatica: 'BITCOIN', magento: 'checkmo' }]);
    expect(pay.json.error.problems[0]).toMatch(
      /acumatica \(Acumatica\) has no payment method "BITCOIN"; it has CASH, CCARD, CHECK, INVOICE/,
    );
    // Nothing refused reached the file.
    expect(readFileSync(env.configPath, 'utf8')).toBe(before);
  });

  it('saves known codes, and says which systems could not list theirs', async () => {
    const tax = await put('taxClass', [
      { acumatica: 'NYSTATE', magento: 'US-NY-*-Rate 1' },
      { acumatica: 'VAT20', magento: 'VAT20' },
    ]);
    expect(tax.status, JSON.stringify(tax.json)).toBe(200);
    expect(tax.json.checked).toEqual(['acumatica: tax IDs (5 known)', 'magento: tax rate codes (4 known)']);
    expect(tax.json.unchecked).toEqual([]);

    // Magento lists no shipping or payment methods but a cart's; Acumatica's Default endpoint has no order types.
    const ship = await put('shippingMethod', [{ acumatica: 'FEDEX2DAY', magento: 'fedex_FEDEX_2_DAY' }]);
    expect(ship.status).toBe(200);
    expect(ship.json.checked).toEqual(['acumatica: ship vias (4 known)']);
    expect(ship.json.unchecked).toEqual([
      "magento: not checked — Magento's API cannot list the codes of shipVia",
    ]);
    const orderType = await put('orderType', [{ magento: 'web', acumatica: 'SO' }]);
    expect(orderType.status).toBe(200);
    expect(orderType.json.unchecked).toEqual([
      "acumatica: not checked — Acumatica's API cannot list the codes of orderType",
    ]);
    const file = readFileSync(env.configPath, 'utf8');
    expect(file).toContain('fedex_FEDEX_2_DAY');
  });
});
