import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { loadSpec } from '../../sdk/conformance.js';
import {
  createSandboxKit,
  type SandboxKit,
  type SandboxOptions,
  seededRandom,
} from '../../sdk/sandbox-kit.js';
import type { MagentoCustomer, MagentoProduct, SourceItem } from '../types.js';
import { COUNTRIES } from './directory.js';
import { applyCriteria, CriteriaError, parseCriteria } from './search.js';
import { validateCustomer } from './validate.js';

export interface MagentoSandboxOptions extends SandboxOptions {
  customers?: number;
  products?: number;
  accessToken?: string;
  admin?: { username: string; password: string };
}

export interface MagentoSandbox {
  url: string;
  kit: SandboxKit;
  customers: Map<number, MagentoCustomer>;
  products: Map<string, MagentoProduct>;
  /** Stock per "sku|source". */
  sourceItems: Map<string, SourceItem>;
  adminTokens: Set<string>;
  /** A person editing a customer in the Magento admin. */
  editCustomer(id: number, patch: Partial<MagentoCustomer>): void;
  editProduct(sku: string, patch: Partial<MagentoProduct>): void;
  close(): Promise<void>;
}

export const MAGENTO_SANDBOX = {
  accessToken: 'sandbox-integration-token',
  admin: { username: 'admin', password: 'sandbox123' },
};

/**
 * The error body. Magento itself sends named parameters as an object; the published spec documents
 * an array of {fieldName, fieldValue, resources} objects, which is what the sandbox sends.
 */
const fail = (message: string, parameters?: Record<string, string>) =>
  parameters ? { message, parameters: [parameters] } : { message };
const required = (field: string) =>
  fail('"%fieldName" is required. Enter and try again.', { fieldName: field });
const noSuch = (field: string, value: string) =>
  fail('No such entity with %fieldName = %fieldValue', { fieldName: field, fieldValue: value });

const FIRST = ['Mia', 'Noah', 'Lea', 'Tom', 'Ava', 'Leo'];
const LAST = ['Berg', 'Stone', 'Hill', 'Park', 'Wood', 'Lake'];

/** A Magento 2.4 store in one process: customers, products and MSI stock over the admin REST API. */
export async function startMagentoSandbox(opts: MagentoSandboxOptions = {}): Promise<MagentoSandbox> {
  const validator = loadSpec('magento2/admin-schema-2.4.8.yaml', { allowQuery: /^searchCriteria\[/ });
  const prefixes = ['/rest/default', '/rest/all', '/rest'];
  const kit = createSandboxKit({
    name: 'magento',
    specs: prefixes.map((prefix) => ({ prefix, validator })),
    conformance: opts.conformance === true,
    ...(opts.latencyMs ? { latencyMs: opts.latencyMs } : {}),
    authPaths: prefixes.map((p) => `${p}/V1/integration/admin/token`),
    faultBody: (status) =>
      fail(status === 429 ? 'Too many requests.' : `The sandbox was told to answer ${status}.`),
  });
  const integrationToken = opts.accessToken ?? MAGENTO_SANDBOX.accessToken;
  const admin = opts.admin ?? MAGENTO_SANDBOX.admin;
  const adminTokens = new Set<string>();
  const customers = new Map<number, MagentoCustomer>();
  const products = new Map<string, MagentoProduct>();
  const sourceItems = new Map<string, SourceItem>();
  let nextCustomerId = 1;
  let nextProductId = 1;
  let nextAddressId = 1;
  let clock = 0;
  /** Magento's timestamps have whole seconds; the sandbox's never go backwards. */
  const now = () => {
    clock = Math.max(clock, Date.now());
    return new Date(clock).toISOString().slice(0, 19).replace('T', ' ');
  };

  const rnd = seededRandom(opts.seed ?? 1);
  for (let i = 1; i <= (opts.customers ?? 0); i++) {
    const id = nextCustomerId++;
    const t = now();
    customers.set(id, {
      id,
      group_id: 1,
      email: `shopper${i}@example.com`,
      firstname: FIRST[i % 6]!,
      lastname: LAST[Math.floor(rnd() * 6)]!,
      website_id: 1,
      store_id: 1,
      created_at: t,
      updated_at: t,
      created_in: 'Default Store View',
      addresses: [],
      custom_attributes: [],
    });
  }
  for (let i = 1; i <= (opts.products ?? 0); i++) {
    const t = now();
    const sku = `MAG${String(i).padStart(5, '0')}`;
    products.set(sku, {
      id: nextProductId++,
      sku,
      name: `Shop product ${i}`,
      price: Math.round(rnd() * 10_000) / 100,
      status: 1,
      visibility: 4,
      type_id: 'simple',
      attribute_set_id: 4,
      created_at: t,
      updated_at: t,
      custom_attributes: [],
    });
  }

  const { app } = kit;
  const authorised = async (req: FastifyRequest, reply: FastifyReply, resource: string): Promise<boolean> => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (token && (token === integrationToken || adminTokens.has(token))) return true;
    await reply
      .code(401)
      .send(fail("The consumer isn't authorized to access %resources.", { resources: resource }));
    return false;
  };
  const search = <T>(
    req: FastifyRequest,
    reply: FastifyReply,
    rows: T[],
    field: (r: T, f: string) => unknown,
  ) => {
    try {
      const criteria = parseCriteria(req.query as Record<string, unknown>);
      const { items, total } = applyCriteria(rows, criteria, field);
      return { items, search_criteria: criteria, total_count: total };
    } catch (e) {
      if (e instanceof CriteriaError) return reply.code(400).send(fail(e.message));
      throw e;
    }
  };
  const customerField = (c: MagentoCustomer, f: string) => (f === 'entity_id' ? c.id : c[f]);
  const productField = (p: MagentoProduct, f: string) => (f === 'entity_id' ? p.id : p[f]);
  /** The unique index Magento keeps on (website, e-mail). */
  const byEmail = new Map<string, number>();
  const emailKey = (email: string, websiteId: number) => `${websiteId}|${email.toLowerCase()}`;
  const indexCustomer = (c: MagentoCustomer, previous?: MagentoCustomer) => {
    if (previous) byEmail.delete(emailKey(previous.email, previous.website_id ?? 1));
    byEmail.set(emailKey(c.email, c.website_id ?? 1), c.id!);
  };
  const emailTaken = (email: string, websiteId: number, except?: number) => {
    const owner = byEmail.get(emailKey(email, websiteId));
    return (
      owner !== undefined &&
      owner !== except &&
      customers.get(owner)?.email.toLowerCase() === email.toLowerCase()
    );
  };
  for (const c of customers.values()) indexCustomer(c);

  const saveAddresses = (c: MagentoCustomer) => {
    for (const a of c.addresses ?? []) {
      a.id ??= nextAddressId++;
      a.customer_id = c.id!;
      if (a.default_billing) c.default_billing = String(a.id);
      if (a.default_shipping) c.default_shipping = String(a.id);
    }
  };

  for (const p of prefixes) {
    app.post(`${p}/V1/integration/admin/token`, async (req, reply) => {
      const b = (req.body ?? {}) as { username?: string; password?: string };
      if (b.username !== admin.username || b.password !== admin.password) {
        return reply
          .code(401)
          .send(
            fail(
              'The account sign-in was incorrect or your account is disabled temporarily. Please wait and try again later.',
            ),
          );
      }
      const token = randomBytes(16).toString('hex');
      adminTokens.add(token);
      return reply.type('application/json').send(JSON.stringify(token));
    });

    app.get<{ Params: { country: string } }>(`${p}/V1/directory/countries/:country`, async (req, reply) => {
      const c = COUNTRIES[req.params.country.toUpperCase()];
      if (!c) return reply.code(404).send(noSuch('countryId', req.params.country));
      return c;
    });

    app.get(`${p}/V1/customers/search`, async (req, reply) => {
      if (!(await authorised(req, reply, 'Magento_Customer::customer'))) return reply;
      return search(req, reply, [...customers.values()], customerField);
    });

    app.post(`${p}/V1/customers`, async (req, reply) => {
      if (!(await authorised(req, reply, 'Magento_Customer::manage'))) return reply;
      const c = structuredClone((req.body as { customer?: MagentoCustomer } | undefined)?.customer);
      if (!c) return reply.code(400).send(required('customer'));
      const problem = validateCustomer(c, COUNTRIES);
      if (problem) return reply.code(400).send(problem);
      c.website_id ??= 1;
      if (emailTaken(c.email, c.website_id))
        return reply
          .code(400)
          .send(fail('A customer with the same email address already exists in an associated website.'));
      const t = now();
      const saved: MagentoCustomer = {
        group_id: 1,
        store_id: 1,
        ...c,
        id: nextCustomerId++,
        created_at: t,
        updated_at: t,
        created_in: 'Default Store View',
        addresses: c.addresses ?? [],
        custom_attributes: c.custom_attributes ?? [],
      };
      saveAddresses(saved);
      customers.set(saved.id!, saved);
      indexCustomer(saved);
      return saved;
    });

    app.get<{ Params: { id: string } }>(`${p}/V1/customers/:id`, async (req, reply) => {
      if (!(await authorised(req, reply, 'Magento_Customer::customer'))) return reply;
      const c = customers.get(Number(req.params.id));
      return c ?? reply.code(404).send(noSuch('customerId', req.params.id));
    });

    app.put<{ Params: { id: string } }>(`${p}/V1/customers/:id`, async (req, reply) => {
      if (!(await authorised(req, reply, 'Magento_Customer::manage'))) return reply;
      const id = Number(req.params.id);
      const current = customers.get(id);
      if (!current) return reply.code(404).send(noSuch('customerId', req.params.id));
      const c = structuredClone((req.body as { customer?: MagentoCustomer } | undefined)?.customer);
      if (!c) return reply.code(400).send(required('customer'));
      const problem = validateCustomer(c, COUNTRIES);
      if (problem) return reply.code(400).send(problem);
      if (emailTaken(c.email, c.website_id ?? current.website_id ?? 1, id))
        return reply
          .code(400)
          .send(fail('A customer with the same email address already exists in an associated website.'));
      // Saving replaces the customer; addresses the request leaves out stay as they were.
      const saved: MagentoCustomer = {
        ...c,
        id,
        created_at: current.created_at!,
        updated_at: now(),
        addresses: c.addresses ?? current.addresses ?? [],
      };
      saveAddresses(saved);
      customers.set(id, saved);
      indexCustomer(saved, current);
      return saved;
    });

    app.get(`${p}/V1/products`, async (req, reply) => {
      if (!(await authorised(req, reply, 'Magento_Catalog::products'))) return reply;
      return search(req, reply, [...products.values()], productField);
    });

    app.get<{ Params: { sku: string } }>(`${p}/V1/products/:sku`, async (req, reply) => {
      if (!(await authorised(req, reply, 'Magento_Catalog::products'))) return reply;
      return (
        products.get(req.params.sku) ??
        reply
          .code(404)
          .send(fail("The product that was requested doesn't exist. Verify the product and try again."))
      );
    });

    const saveProduct = (sku: string, body: MagentoProduct, reply: FastifyReply, createOnly: boolean) => {
      const existing = products.get(sku);
      if (existing && createOnly)
        return reply.code(400).send(fail('URL key for specified store already exists.'));
      if (!existing) {
        if (!body.name) return reply.code(400).send(required('name'));
        if (body.price === undefined) return reply.code(400).send(required('price'));
        const t = now();
        const saved: MagentoProduct = {
          attribute_set_id: 4,
          type_id: 'simple',
          status: 1,
          visibility: 4,
          custom_attributes: [],
          ...body,
          sku,
          id: nextProductId++,
          created_at: t,
          updated_at: t,
        };
        products.set(sku, saved);
        return saved;
      }
      // An update changes the attributes sent and nothing else.
      const attrs = [...(existing.custom_attributes ?? [])];
      for (const a of body.custom_attributes ?? []) {
        const i = attrs.findIndex((x) => x.attribute_code === a.attribute_code);
        if (i >= 0) attrs[i] = a;
        else attrs.push(a);
      }
      const saved: MagentoProduct = {
        ...existing,
        ...body,
        sku,
        id: existing.id!,
        created_at: existing.created_at!,
        updated_at: now(),
        custom_attributes: attrs,
      };
      products.set(sku, saved);
      return saved;
    };

    app.post(`${p}/V1/products`, async (req, reply) => {
      if (!(await authorised(req, reply, 'Magento_Catalog::products'))) return reply;
      const body = (req.body as { product?: MagentoProduct } | undefined)?.product;
      if (!body?.sku) return reply.code(400).send(required('sku'));
      return saveProduct(body.sku, structuredClone(body), reply, true);
    });

    app.put<{ Params: { sku: string } }>(`${p}/V1/products/:sku`, async (req, reply) => {
      if (!(await authorised(req, reply, 'Magento_Catalog::products'))) return reply;
      const body = (req.body as { product?: MagentoProduct } | undefined)?.product;
      if (!body) return reply.code(400).send(required('product'));
      return saveProduct(req.params.sku, structuredClone({ ...body, sku: req.params.sku }), reply, false);
    });

    app.get(`${p}/V1/inventory/source-items`, async (req, reply) => {
      if (!(await authorised(req, reply, 'Magento_InventoryApi::source_item'))) return reply;
      return search(
        req,
        reply,
        [...sourceItems.values()],
        (s, f) => (s as unknown as Record<string, unknown>)[f],
      );
    });

    app.post(`${p}/V1/inventory/source-items`, async (req, reply) => {
      if (!(await authorised(req, reply, 'Magento_InventoryApi::source_item'))) return reply;
      const items = (req.body as { sourceItems?: SourceItem[] } | undefined)?.sourceItems;
      if (!Array.isArray(items)) return reply.code(400).send(required('sourceItems'));
      for (const s of items) {
        if (!products.has(s.sku))
          return reply.code(400).send(
            fail('Could not save Source Item: the product %fieldValue does not exist.', {
              fieldValue: s.sku,
            }),
          );
      }
      for (const s of items)
        sourceItems.set(`${s.sku}|${s.source_code}`, {
          sku: s.sku,
          source_code: s.source_code,
          quantity: s.quantity,
          status: s.status,
        });
      // A void operation: Magento answers 200 with no meaningful body.
      return reply.code(200).send();
    });
  }

  const { url } = await kit.listen(opts);
  return {
    url,
    kit,
    customers,
    products,
    sourceItems,
    adminTokens,
    editCustomer(id, patch) {
      const c = customers.get(id);
      if (!c) throw new Error(`the sandbox has no customer ${id}`);
      const next = { ...c, ...structuredClone(patch), updated_at: now() };
      customers.set(id, next);
      indexCustomer(next, c);
    },
    editProduct(sku, patch) {
      const p = products.get(sku);
      if (!p) throw new Error(`the sandbox has no product ${sku}`);
      products.set(sku, { ...p, ...structuredClone(patch), updated_at: now() });
    },
    close: () => kit.close(),
  };
}
