import type { KnownCodes } from '../sdk/contract.js';
import type { MagentoClient } from './client.js';
import { ORDER_TYPE } from './mappers/sales-order.js';
import { pages } from './paging.js';

/** A rate as GET /V1/taxRates/search lists it (only what is read here). */
interface TaxRateRow {
  id: number;
  code: string;
}

/**
 * The codes Magento can list for a value-mapped field. Tax rate codes: GET /V1/taxRates/search (ACL
 * Magento_Tax::manage_tax). Order types: Magento has none; this connector reads every order as "web".
 * Shipping and payment methods: no admin endpoint lists them (only a cart's, for that cart), so
 * they are not listed.
 */
export async function magentoKnownCodes(
  client: MagentoClient,
  field: string,
): Promise<KnownCodes | undefined> {
  if (field === 'orderType') return { what: 'order types', codes: [ORDER_TYPE] };
  if (field !== 'taxLines.code') return undefined;
  const codes: string[] = [];
  for await (const page of pages<TaxRateRow>(client, 'V1/taxRates/search', [], 100, (r) => r.id, {
    idField: 'id',
  }))
    for (const r of page) if (r.code) codes.push(r.code);
  return { what: 'tax rate codes', codes };
}
