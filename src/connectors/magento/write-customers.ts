import type { Customer } from '../../model/index.js';
import type { WriteItem, WriteResult } from '../sdk/contract.js';
import { rejected, toErrorData } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import type { MagentoClient } from './client.js';
import { explainNameRefusal } from './error-message.js';
import { customerToMagento, mergeCustomer, type RegionLookup } from './mappers/customer.js';
import type { RegionDirectory } from './regions.js';
import type { MagentoSettings } from './settings.js';
import type { MagentoCustomer } from './types.js';

/**
 * Creates customers with POST /V1/customers. Updates go through PUT /V1/customers/{id}, which
 * replaces the customer: the owned fields are laid over the customer as Magento has it (the lookup's
 * snapshot, else a fresh GET) and the whole is sent back, so nothing else changes.
 */
export async function writeCustomers(
  client: MagentoClient,
  regions: RegionDirectory,
  s: MagentoSettings,
  items: readonly WriteItem[],
): Promise<WriteResult[]> {
  const lookup = await regions.lookupFor(items);
  return Promise.all(items.map((item) => writeOne(client, s, lookup, item)));
}

async function writeOne(
  client: MagentoClient,
  s: MagentoSettings,
  regions: RegionLookup,
  item: WriteItem,
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
