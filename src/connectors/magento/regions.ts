import type { Customer } from '../../model/index.js';
import type { WriteItem } from '../sdk/contract.js';
import type { MagentoClient } from './client.js';
import type { RegionLookup } from './mappers/customer.js';

interface RegionInfo {
  id: string;
  code: string;
  name: string;
}

/**
 * Magento's country directory (GET /V1/directory/countries/{id}): which countries keep a region
 * list, and the id of each region. An address in such a country needs a region id Magento knows;
 * elsewhere the region is free text. Read once per country per connection.
 */
export class RegionDirectory {
  private readonly countries = new Map<string, Promise<RegionInfo[] | undefined>>();

  constructor(private readonly client: MagentoClient) {}

  private regionsOf(country: string): Promise<RegionInfo[] | undefined> {
    let p = this.countries.get(country);
    if (!p) {
      p = this.client
        .request<{ available_regions?: RegionInfo[] }>({
          method: 'GET',
          path: `V1/directory/countries/${encodeURIComponent(country)}`,
          // A country Magento does not list: the address is refused on save, with Magento's words.
          accept: [400, 404],
        })
        .then((r) => (r.status < 400 ? r.body.available_regions : undefined));
      // A failed read is not remembered: the next batch asks again.
      p.catch(() => this.countries.delete(country));
      this.countries.set(country, p);
    }
    return p;
  }

  /** Loads the directory of every country these customers' addresses name a region in. */
  async lookupFor(items: readonly WriteItem[]): Promise<RegionLookup> {
    const wanted = new Set<string>();
    for (const i of items)
      for (const a of (i.data as Customer).addresses ?? []) if (a.region) wanted.add(a.country);
    const lists = new Map<string, RegionInfo[] | undefined>();
    for (const c of wanted) lists.set(c, await this.regionsOf(c));
    return (country, region) => {
      const list = lists.get(country);
      // A country without a region list takes free text; Magento marks that with region id 0.
      if (!list?.length) return { region, region_code: region, region_id: 0 };
      const want = region.trim().toLowerCase();
      const r = list.find((x) => x.code.toLowerCase() === want || x.name.toLowerCase() === want);
      return r ? { region: r.name, region_code: r.code, region_id: Number(r.id) } : undefined;
    };
  }
}
