import type { KnownCodes } from '../sdk/contract.js';
import type { AcumaticaClient } from './client.js';
import { type RawEntity, str } from './types.js';

/**
 * Where the Default endpoint lists the codes a value map holds: the setup screens' records, read by
 * their key field only. Order types have no entity on the Default endpoint, so they are not listed.
 */
const LISTS: Readonly<Record<string, { resource: string; key: string; what: string }>> = {
  shipVia: { resource: 'ShipVia', key: 'CarrierID', what: 'ship vias' },
  paymentMethod: { resource: 'PaymentMethod', key: 'PaymentMethodID', what: 'payment methods' },
  'taxLines.code': { resource: 'Tax', key: 'TaxID', what: 'tax IDs' },
};

export async function acumaticaKnownCodes(
  client: AcumaticaClient,
  field: string,
): Promise<KnownCodes | undefined> {
  const list = LISTS[field];
  if (!list) return undefined;
  const res = await client.entity<RawEntity[]>({
    method: 'GET',
    path: list.resource,
    query: { $select: list.key },
  });
  const codes = (Array.isArray(res.body) ? res.body : [])
    .map((r) => str(r[list.key] as { value?: string }))
    .filter((c): c is string => !!c);
  return { what: list.what, codes };
}
