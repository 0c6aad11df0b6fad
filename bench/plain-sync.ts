import { CUSTOMER_EXPAND, customerFromAcumatica } from '../src/connectors/acumatica/mappers/customer.js';
import { dateLiteral } from '../src/connectors/acumatica/odata.js';
import {
  CUSTOMER_ATTRIBUTES,
  customerToMagento,
  mergeCustomer,
  type RegionLookup,
} from '../src/connectors/magento/mappers/customer.js';
import { MAGENTO_SANDBOX } from '../src/connectors/magento/sandbox/index.js';
import { anyOf, searchParams } from '../src/connectors/magento/search-criteria.js';
import { readSettings } from '../src/connectors/magento/settings.js';
import { attr, type MagentoCustomer } from '../src/connectors/magento/types.js';
import { Customer } from '../src/model/index.js';
import { acumaticaCookie } from './support.js';

/**
 * The practical limit for `bench/changed-records.ts`: the same Acumatica → Magento customer sync a
 * person would write with `fetch` and nothing else — no store, no link table, no retries, no log.
 * It pages through Acumatica (since a timestamp it was given, as a scheduled script keeps one), and
 * for each page searches Magento by the page's e-mails (one call), creates the customers Magento
 * lacks and PUTs the credit limit and hold onto those whose values differ, `concurrency` calls at
 * once (the Magento connection's allowance). The record bodies come from Ledgerlink's own mappers so
 * that both send the same customers; only the HTTP and the bookkeeping are the script's.
 */
export interface PlainSyncOptions {
  acumaticaUrl: string;
  magentoUrl: string;
  concurrency: number;
  pageSize?: number;
  since?: string;
}

export interface PlainSyncResult {
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
}

const ENDPOINT = 'entity/Default/24.200.001';
const OWNED = ['creditLimit', 'onHold'] as const;

/** Runs `work` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (t: T) => Promise<void>) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

export async function plainSync(o: PlainSyncOptions): Promise<PlainSyncResult> {
  const pageSize = o.pageSize ?? 100;
  const settings = readSettings({
    baseUrl: o.magentoUrl,
    authMode: 'token',
    accessToken: MAGENTO_SANDBOX.accessToken,
  });
  const cookie = await acumaticaCookie(o.acumaticaUrl);
  const magento = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${o.magentoUrl}/rest/${settings.storeCode}/V1/${path}`, {
      method,
      headers: {
        authorization: `Bearer ${MAGENTO_SANDBOX.accessToken}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (!res.ok) throw new Error(`Magento ${method} ${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  };
  // The country directory, read once per country, as any script mapping regions to ids must.
  const countries = new Map<string, Array<{ id: string; code: string; name: string }>>();
  const regions: RegionLookup = (country, region) => {
    const list = countries.get(country);
    if (!list?.length) return { region, region_code: region, region_id: 0 };
    const r = list.find((x) => [x.code, x.name].some((v) => v.toLowerCase() === region.toLowerCase()));
    return r ? { region: r.name, region_code: r.code, region_id: Number(r.id) } : undefined;
  };
  const out: PlainSyncResult = { read: 0, created: 0, updated: 0, unchanged: 0, failed: 0 };
  for (let skip = 0; ; skip += pageSize) {
    const q = new URLSearchParams({ $expand: CUSTOMER_EXPAND, $top: String(pageSize), $skip: String(skip) });
    if (o.since) q.set('$filter', `LastModifiedDateTime ge ${dateLiteral(o.since)}`);
    const res = await fetch(`${o.acumaticaUrl}/${ENDPOINT}/Customer?${q}`, { headers: { cookie } });
    if (!res.ok) throw new Error(`Acumatica answered ${res.status}`);
    const rows = (await res.json()) as Array<Record<string, unknown>>;
    out.read += rows.length;
    const customers: Customer[] = [];
    for (const raw of rows) {
      const parsed = Customer.safeParse(
        customerFromAcumatica(raw as never, { baseCurrency: settings.baseCurrency }),
      );
      if (parsed.success && parsed.data.email) customers.push(parsed.data);
      else out.failed++;
    }
    for (const c of customers)
      for (const a of c.addresses)
        if (a.region && !countries.has(a.country)) {
          const d = await magento<{ available_regions?: Array<{ id: string; code: string; name: string }> }>(
            'GET',
            `directory/countries/${a.country}`,
          );
          countries.set(a.country, d.available_regions ?? []);
        }
    const found = new Map<string, MagentoCustomer>();
    if (customers.length) {
      const params = searchParams({
        groups: [
          anyOf(
            'email',
            customers.map((c) => c.email!),
          ),
          [{ field: 'website_id', value: String(settings.websiteId), condition: 'eq' }],
        ],
        pageSize: customers.length,
        currentPage: 1,
      });
      const r = await magento<{ items: MagentoCustomer[] }>('GET', `customers/search?${params}`);
      for (const m of r.items) found.set(m.email.toLowerCase(), m);
    }
    await eachLimited(customers, o.concurrency, async (c) => {
      const current = found.get(c.email!.toLowerCase());
      try {
        if (!current) {
          await magento('POST', 'customers', { customer: customerToMagento(c, settings, regions) });
          out.created++;
          return;
        }
        const same =
          (attr(current.custom_attributes, CUSTOMER_ATTRIBUTES.creditLimit) ?? '') ===
            (c.creditLimit?.amount ?? '') &&
          attr(current.custom_attributes, CUSTOMER_ATTRIBUTES.onHold) ===
            (c.onHold || c.status !== 'active' ? '1' : '0');
        if (same) {
          out.unchanged++;
          return;
        }
        const merged = mergeCustomer(current, c, OWNED, settings, regions);
        await magento('PUT', `customers/${current.id}`, { customer: merged });
        out.updated++;
      } catch {
        out.failed++;
      }
    });
    if (rows.length < pageSize) return out;
  }
}
