import type { FastifyInstance } from 'fastify';
import { authorised, type SandboxAuth } from './auth.js';
import { COUNTRIES } from './directory.js';
import { searchRoute } from './search.js';
import type { SandboxStore } from './store.js';

/** A tax rate as GET /V1/taxRates/search answers it (tax-data-tax-rate-interface). */
export interface MagentoTaxRate {
  id: number;
  tax_country_id: string;
  tax_region_id?: number;
  region_name?: string;
  tax_postcode: string;
  rate: number;
  code: string;
  titles: Array<{ store_id: string; value: string }>;
}

const MANAGE_TAX = 'Magento_Tax::manage_tax';

/** The rates the store is set up with (Stores › Tax Zones and Rates), in the sandbox's code style. */
const SETUP: ReadonlyArray<[code: string, country: string, region: string | undefined, rate: number]> = [
  ['US-CA-*-Rate 1', 'US', 'CA', 7.25],
  ['US-NY-*-Rate 1', 'US', 'NY', 8.875],
  ['VAT20', 'GB', undefined, 20],
  ['VAT10', 'GB', undefined, 10],
];

const regionOf = (country: string, code: string | undefined) =>
  code ? COUNTRIES[country]?.available_regions?.find((r) => r.code === code) : undefined;

/**
 * The store's tax rates: the ones it was set up with, and every other rate its orders applied (a
 * store applies only rates it has), numbered in the order they first appear.
 */
export function taxRates(store: SandboxStore): MagentoTaxRate[] {
  const out = new Map<string, MagentoTaxRate>();
  const add = (code: string, country: string, regionCode: string | undefined, rate: number) => {
    if (out.has(code)) return;
    const region = regionOf(country, regionCode);
    out.set(code, {
      id: out.size + 1,
      tax_country_id: country,
      ...(region ? { tax_region_id: Number(region.id), region_name: region.code } : {}),
      tax_postcode: '*',
      rate,
      code,
      titles: [],
    });
  };
  for (const [code, country, region, rate] of SETUP) add(code, country, region, rate);
  for (const o of store.orders.values()) {
    const country = o.billing_address?.country_id ?? 'US';
    for (const t of o.extension_attributes?.applied_taxes ?? [])
      if (t.code) add(t.code, country, o.billing_address?.region_code, Number(t.percent ?? 0));
  }
  return [...out.values()];
}

/** GET /V1/taxRates/search: the tax rates, searched like any list (ACL Magento_Tax::manage_tax). */
export function taxRateRoutes(app: FastifyInstance, prefix: string, store: SandboxStore, auth: SandboxAuth) {
  app.get(`${prefix}/V1/taxRates/search`, async (req, reply) => {
    if (!(await authorised(auth, req, reply, MANAGE_TAX))) return reply;
    return searchRoute(
      req,
      reply,
      taxRates(store),
      (r, f) => (r as unknown as Record<string, unknown>)[f],
      store.inputLimits,
    );
  });
}
