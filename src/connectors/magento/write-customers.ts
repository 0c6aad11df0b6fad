import type { Customer } from '../../model/index.js';
import type { WriteItem, WriteResult } from '../sdk/contract.js';
import { rejected, toErrorData } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import type { MagentoClient } from './client.js';
import { explainNameRefusal } from './error-message.js';
import { customerToMagento, mergeCustomer, type RegionLookup } from './mappers/customer.js';
import { chunks, KEYS_PER_SEARCH, search } from './paging.js';
import type { RegionDirectory } from './regions.js';
import { anyOf } from './search-criteria.js';
import type { MagentoSettings } from './settings.js';
import type { MagentoCustomer } from './types.js';

/**
 * Creates customers with POST /V1/customers. Updates go through PUT /V1/customers/{id}, which
 * replaces the customer: the owned fields are laid over the customer as Magento has it now (the
 * lookup's snapshot, else read fresh) and the whole is sent back, so nothing else changes — a field
 * a person changed in the shop is sent back as they left it. The customers to update are read
 * together, one search per hundred (`entity_id in (…)`), not one GET each: a batch of n updates
 * costs n PUTs and ⌈n/100⌉ reads.
 */
export async function writeCustomers(
  client: MagentoClient,
  regions: RegionDirectory,
  s: MagentoSettings,
  items: readonly WriteItem[],
): Promise<WriteResult[]> {
  const lookup = await regions.lookupFor(items);
  const current = await currentCustomers(client, items);
  return Promise.all(items.map((item) => writeOne(client, s, lookup, item, current)));
}

/**
 * The Magento customers the updates without a snapshot change, as Magento has them now, by id. A
 * single update keeps its GET (one call either way); a search that fails leaves each update to its
 * own GET, which then fails or succeeds as that record's outcome.
 */
async function currentCustomers(
  client: MagentoClient,
  items: readonly WriteItem[],
): Promise<Map<string, MagentoCustomer>> {
  const out = new Map<string, MagentoCustomer>();
  const ids = [
    ...new Set(
      items
        .filter((i) => i.action === 'update' && !i.existing?.snapshot)
        .map((i) => i.targetId ?? i.existing?.id)
        .filter((id): id is string => !!id && /^\d+$/.test(id)),
    ),
  ];
  if (ids.length < 2) return out;
  for (const chunk of chunks(ids, KEYS_PER_SEARCH)) {
    try {
      const r = await search<MagentoCustomer>(client, 'V1/customers/search', {
        groups: [anyOf('entity_id', chunk)],
        pageSize: chunk.length,
        currentPage: 1,
      });
      for (const c of r.items) out.set(String(c.id), c);
    } catch (e) {
      // Bad credentials fail the batch as before; anything else falls back to a GET per record.
      if (toErrorData(e).category === 'config') throw e;
    }
  }
  return out;
}

async function writeOne(
  client: MagentoClient,
  s: MagentoSettings,
  regions: RegionLookup,
  item: WriteItem,
  read: ReadonlyMap<string, MagentoCustomer>,
): Promise<WriteResult> {
  const exchanges: HttpExchange[] = [];
  try {
    const c = item.data as Customer;
    if (item.action === 'create') {
      const res = await client.request<MagentoCustomer>({
        method: 'POST',
        path: 'V1/customers',
        body: { customer: customerToMagento(c, s, regions) },
        record: exchanges,
      });
      return { ref: item.ref, ok: true, targetId: String(res.body.id), action: 'created', exchanges };
    }
    const id = item.targetId ?? item.existing?.id;
    if (!id) throw rejected('invalid_data', `customer ${c.number}: an update needs the Magento customer id`);
    const path = `V1/customers/${encodeURIComponent(id)}`;
    const current =
      (item.existing?.snapshot as MagentoCustomer | undefined) ??
      read.get(id) ??
      (await client.request<MagentoCustomer>({ method: 'GET', path, record: exchanges })).body;
    const merged = mergeCustomer(current, c, item.fields ?? [], s, regions);
    await client.request({
      method: 'PUT',
      path,
      body: { customer: { ...merged, id: Number(id) } },
      record: exchanges,
    });
    return { ref: item.ref, ok: true, targetId: id, action: 'updated', exchanges };
  } catch (e) {
    const error = toErrorData(e);
    // Bad credentials or a wrong URL fail every record alike: that is the run's problem, not this one's.
    if (error.category === 'config') throw e;
    const sent = (exchanges.at(-1)?.requestBody as { customer?: Record<string, unknown> } | undefined)
      ?.customer;
    return {
      ref: item.ref,
      ok: false,
      error: { ...error, message: explainNameRefusal(error.message, sent) },
      exchanges,
    };
  }
}
