import type { Customer } from '../../model/index.js';
import type { TargetRecord, WriteItem, WriteResult } from '../sdk/contract.js';
import { rejected, toErrorData } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import type { VendureClient } from './client.js';
import { CREATE_CUSTOMER, CREATE_CUSTOMER_ADDRESS, UPDATE_CUSTOMER } from './documents.js';
import { unwrap } from './errors.js';
import { addressInput, customerInput, hasAddress } from './mappers/customer.js';
import { chunks, KEYS_PER_REQUEST, listAll } from './paging.js';
import { CUSTOMER_LIST } from './read-customers.js';
import type { VendureAddress, VendureCustomer, VendureErrorResult } from './types.js';

/** The natural key of a customer: the e-mail address, as Vendure keeps it (lower case). */
export function customerKey(data: unknown): string | undefined {
  const email = (data as Partial<Customer> | undefined)?.email;
  return typeof email === 'string' && email.trim() ? email.trim().toLowerCase() : undefined;
}

/** Customers by e-mail, in one request per hundred keys, with their addresses as snapshots. */
export async function lookupCustomers(
  client: VendureClient,
  keys: readonly string[],
): Promise<Map<string, TargetRecord>> {
  const out = new Map<string, TargetRecord>();
  for (const chunk of chunks(keys, KEYS_PER_REQUEST)) {
    const rows = await listAll<VendureCustomer>(client, CUSTOMER_LIST, { emailAddress: { in: chunk } });
    for (const c of rows) {
      const key = c.emailAddress.toLowerCase();
      if (!out.has(key)) out.set(key, { id: c.id, snapshot: c });
    }
  }
  return out;
}

const what = (c: Customer) => `customer ${c.number}`;

/** Adds the canonical addresses Vendure does not have yet; none is changed or removed. */
async function addAddresses(
  client: VendureClient,
  c: Customer,
  customerId: string,
  existing: readonly VendureAddress[],
  exchanges: HttpExchange[],
): Promise<void> {
  const missing = c.addresses.filter((a) => !hasAddress(existing, a));
  for (const [i, a] of missing.entries()) {
    try {
      await client.request(
        CREATE_CUSTOMER_ADDRESS,
        { customerId, input: addressInput(c, a, c.addresses) },
        { what: `${what(c)}: add address ${i + 1}`, record: exchanges },
      );
    } catch (e) {
      const error = toErrorData(e);
      if (error.category !== 'rejected') throw e;
      throw rejected(
        error.code,
        `${what(c)} is in Vendure (customer ${customerId}), but its ${a.kind} address ${a.line1} was refused: ${error.message}`,
      );
    }
  }
}

async function current(
  client: VendureClient,
  id: string,
  item: WriteItem,
  exchanges: HttpExchange[],
): Promise<VendureCustomer> {
  const snapshot = item.existing?.snapshot as VendureCustomer | undefined;
  if (snapshot?.id === id) return snapshot;
  const [found] = await listAll<VendureCustomer>(client, CUSTOMER_LIST, { id: { eq: id } }, exchanges);
  if (!found) throw rejected('not_found', `${what(item.data as Customer)}: Vendure has no customer ${id}`);
  return found;
}

/**
 * Customers by createCustomer (with the ERP's number in erpCustomerNumber) and then one
 * createCustomerAddress per address; Vendure refuses a second customer with the same e-mail itself.
 * An update sends only what the owned fields change (updateCustomer leaves the rest alone) and,
 * when addresses are owned, adds the ones Vendure lacks.
 */
export async function writeCustomers(
  client: VendureClient,
  items: readonly WriteItem[],
): Promise<WriteResult[]> {
  return Promise.all(
    items.map(async (item): Promise<WriteResult> => {
      const exchanges: HttpExchange[] = [];
      try {
        const c = item.data as Customer;
        if (item.action === 'create') {
          const res = await client.request<{ createCustomer: VendureCustomer | VendureErrorResult }>(
            CREATE_CUSTOMER,
            { input: customerInput(c) },
            { what: `${what(c)}: create`, record: exchanges },
          );
          const created = unwrap(res.createCustomer, `${what(c)} (${c.email})`);
          await addAddresses(client, c, created.id, [], exchanges);
          return { ref: item.ref, ok: true, targetId: created.id, action: 'created', exchanges };
        }
        const id = item.targetId ?? item.existing?.id;
        if (!id) throw rejected('invalid_data', `${what(c)}: an update needs the Vendure customer id`);
        const fields = item.fields ?? [];
        const input = customerInput(c, fields);
        if (Object.keys(input).length) {
          const res = await client.request<{ updateCustomer: VendureCustomer | VendureErrorResult }>(
            UPDATE_CUSTOMER,
            { input: { id, ...input } },
            { what: `${what(c)}: update`, record: exchanges, idempotent: true },
          );
          unwrap(res.updateCustomer, `${what(c)} (${c.email})`);
        }
        if (fields.includes('addresses')) {
          const now = await current(client, id, item, exchanges);
          await addAddresses(client, c, id, now.addresses ?? [], exchanges);
        }
        return { ref: item.ref, ok: true, targetId: id, action: 'updated', exchanges };
      } catch (e) {
        const error = toErrorData(e);
        // Bad credentials or a wrong URL fail every record alike: that is the run's problem, not this one's.
        if (error.category === 'config') throw e;
        return { ref: item.ref, ok: false, error, exchanges };
      }
    }),
  );
}
