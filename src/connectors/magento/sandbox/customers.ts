import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type MagentoCustomer, mergeAttrs } from '../types.js';
import { authorised, type SandboxAuth } from './auth.js';
import { afterCustomerSave, companyOf, companyPartOfSave } from './companies.js';
import { COUNTRIES } from './directory.js';
import { DUPLICATE_EMAIL, fail, noSuch, required } from './errors.js';
import { searchRoute } from './search.js';
import type { SandboxStore } from './store.js';
import { validateCustomer } from './validate.js';

const READ = 'Magento_Customer::customer';
const MANAGE = 'Magento_Customer::manage';

const customerField = (c: MagentoCustomer, f: string) => (f === 'entity_id' ? c.id : c[f]);

/**
 * How PUT /V1/customers/{id} takes its body. Magento 2.4 ('merge'): the REST plugin
 * `Magento\Customer\Model\Plugin\UpdateCustomer` (webapi_rest, "updateCustomerByIdFromRequest") loads
 * the stored customer and lays the request's fields over it, and the EAV save keeps the custom
 * attributes the request leaves out — so a PUT may carry only what changes. Before 2.4 ('replace'):
 * the body is the whole customer, and one without e-mail or names is refused (magento2#21237, fixed
 * in 2.4 by #28332).
 */
export type CustomerPut = 'merge' | 'replace';

/** Customers: search, create, get, update — with Magento's validation and its messages. */
export function customerRoutes(
  app: FastifyInstance,
  prefix: string,
  store: SandboxStore,
  auth: SandboxAuth,
  put: CustomerPut = 'merge',
): void {
  const body = (req: FastifyRequest) =>
    structuredClone((req.body as { customer?: MagentoCustomer } | undefined)?.customer);
  const check = (c: MagentoCustomer | undefined, reply: FastifyReply) => {
    if (!c) return reply.code(400).send(required('customer'));
    const problem = validateCustomer(c, COUNTRIES);
    return problem ? reply.code(400).send(problem) : undefined;
  };

  app.get(`${prefix}/V1/customers/search`, async (req, reply) => {
    if (!(await authorised(auth, req, reply, READ))) return reply;
    return searchRoute(req, reply, [...store.customers.values()], customerField, store.inputLimits);
  });

  app.post(`${prefix}/V1/customers`, async (req, reply) => {
    if (!(await authorised(auth, req, reply, MANAGE))) return reply;
    const c = body(req);
    const refused = check(c, reply);
    if (refused || !c) return refused;
    c.website_id ??= 1;
    if (store.emailTaken(c.email, c.website_id)) return reply.code(400).send(DUPLICATE_EMAIL);
    const company = companyPartOfSave(store, c, undefined);
    if (company) return reply.code(400).send(company);
    const t = store.now();
    const { id: _ignored, ...fields } = c;
    const added = store.addCustomer({
      group_id: 1,
      store_id: 1,
      ...fields,
      created_at: t,
      updated_at: t,
      created_in: 'Default Store View',
      addresses: c.addresses ?? [],
      custom_attributes: c.custom_attributes ?? [],
    });
    afterCustomerSave(store, added, 0);
    return added;
  });

  app.get<{ Params: { id: string } }>(`${prefix}/V1/customers/:id`, async (req, reply) => {
    if (!(await authorised(auth, req, reply, READ))) return reply;
    const c = store.customers.get(Number(req.params.id));
    return c ?? reply.code(404).send(noSuch('customerId', req.params.id));
  });

  app.put<{ Params: { id: string } }>(`${prefix}/V1/customers/:id`, async (req, reply) => {
    if (!(await authorised(auth, req, reply, MANAGE))) return reply;
    const id = Number(req.params.id);
    const current = store.customers.get(id);
    if (!current) return reply.code(404).send(noSuch('customerId', req.params.id));
    const sent = body(req);
    if (put === 'replace' && sent && !sent.email)
      return reply.code(400).send(fail('The customer email is missing. Enter and try again.'));
    const c = put === 'merge' && sent ? overlay(current, sent) : sent;
    const refused = check(c, reply);
    if (refused || !c) return refused;
    if (store.emailTaken(c.email, c.website_id ?? current.website_id ?? 1, id))
      return reply.code(400).send(DUPLICATE_EMAIL);
    const company = companyPartOfSave(store, c, current);
    if (company) return reply.code(400).send(company);
    // Saving takes the customer as `c` has it; addresses the request leaves out stay as they were.
    const saved: MagentoCustomer = {
      ...c,
      id,
      created_at: current.created_at!,
      updated_at: store.now(),
      addresses: c.addresses ?? current.addresses ?? [],
    };
    store.saveAddresses(saved);
    store.putCustomer(saved);
    afterCustomerSave(store, saved, companyOf(current));
    return saved;
  });

  app.delete<{ Params: { id: string } }>(`${prefix}/V1/customers/:id`, async (req, reply) => {
    if (!(await authorised(auth, req, reply, MANAGE))) return reply;
    const id = Number(req.params.id);
    const current = store.customers.get(id);
    if (!current) return reply.code(404).send(noSuch('customerId', req.params.id));
    // ⚠ Worded by us: Adobe Commerce keeps a company's admin while the company exists.
    const company = companyOf(current);
    if (company && store.companies.get(company)?.super_user_id === id)
      return reply
        .code(400)
        .send(
          fail(
            'The customer is the company admin of company %1 and cannot be deleted.'.replace(
              '%1',
              String(company),
            ),
          ),
        );
    return store.deleteCustomer(id);
  });
}

/**
 * Magento 2.4's UpdateCustomer plugin: the stored customer with each field the request names laid
 * over it (addresses and extension attributes as sent); the custom attributes the request leaves out
 * keep their stored values, as the EAV save only writes the attributes it is given.
 */
function overlay(current: MagentoCustomer, sent: MagentoCustomer): MagentoCustomer {
  const out: MagentoCustomer = { ...structuredClone(current), ...sent };
  if (sent.custom_attributes)
    out.custom_attributes = mergeAttrs(current.custom_attributes, sent.custom_attributes);
  return out;
}
