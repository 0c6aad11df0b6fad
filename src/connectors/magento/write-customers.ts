import type { Customer } from '../../model/index.js';
import type { WriteItem, WriteResult } from '../sdk/contract.js';
import { rejected, toErrorData } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import type { MagentoClient } from './client.js';
import { explainNameRefusal } from './error-message.js';
import { customerParts, customerToMagento, mergeCustomer, type RegionLookup } from './mappers/customer.js';
import { chunks, KEYS_PER_SEARCH, search } from './paging.js';
import type { RegionDirectory } from './regions.js';
import { anyOf } from './search-criteria.js';
import type { MagentoSettings } from './settings.js';
import type { MagentoCustomer } from './types.js';

/**
 * Creates customers with POST /V1/customers. An update is one PUT /V1/customers/{id} carrying only
 * the owned fields: Magento 2.4 lays a PUT's fields over the stored customer (the REST plugin
 * UpdateCustomer) and keeps every attribute the request leaves out, so nothing is read first and a
 * field a person changed in the shop is not sent at all. A store older than 2.4 refuses such a PUT
 * ("The customer email is missing"): that update then reads the customer and sends it whole, and the
 * connection remembers it, so its later batches read their customers first, one search per hundred
 * (`entity_id in (…)`), and send each whole.
 */
export async function writeCustomers(
  client: MagentoClient,
  regions: RegionDirectory,
  s: MagentoSettings,
  items: readonly WriteItem[],
): Promise<WriteResult[]> {
  const lookup = await regions.lookupFor(items);
  const current = wholeCustomerStores.has(client) ? await currentCustomers(client, items) : new Map();
  return Promise.all(items.map((item) => writeOne(client, s, lookup, item, current)));
}

/** Connections whose store refused a PUT of only the changed fields (Magento before 2.4). */
const wholeCustomerStores = new WeakSet<MagentoClient>();

/** What a store before 2.4 answers to a customer PUT without e-mail or names. */
const NEEDS_WHOLE_CUSTOMER =
  /customer email is missing|please enter a customer email|"?(email|firstname|lastname)"? is (a )?required/i;

/**
 * The Magento customers the updates without a snapshot change, as Magento has them now, by id (a
 * store before 2.4 only). A single update keeps its GET (one call either way); a search that fails
 * leaves each update to its own GET, which then fails or succeeds as that record's outcome.
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
    const put = (customer: Partial<MagentoCustomer>) =>
      client.request({
        method: 'PUT',
        path,
        body: { customer: { ...customer, id: Number(id) } },
        record: exchanges,
      });
    if (!wholeCustomerStores.has(client)) {
      try {
        await put(customerParts(c, item.fields ?? [], s, regions));
        return { ref: item.ref, ok: true, targetId: id, action: 'updated', exchanges };
      } catch (e) {
        const refusal = toErrorData(e);
        if (refusal.category !== 'rejected' || !NEEDS_WHOLE_CUSTOMER.test(refusal.message)) throw e;
        wholeCustomerStores.add(client);
      }
    }
    // A store before 2.4: the customer as Magento has it now, the owned fields laid over it, sent whole.
    const current =
      (item.existing?.snapshot as MagentoCustomer | undefined) ??
      read.get(id) ??
      (await client.request<MagentoCustomer>({ method: 'GET', path, record: exchanges })).body;
    await put(mergeCustomer(current, c, item.fields ?? [], s, regions));
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
