import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CompanyAttributes, CompanyRole, MagentoCompany, MagentoCustomer } from '../types.js';
import { authorised, type SandboxAuth } from './auth.js';
import { COUNTRIES } from './directory.js';
import { type ErrorBody, fail, noSuch, required } from './errors.js';
import { searchRoute } from './search.js';
import type { SandboxStore } from './store.js';

/**
 * Adobe Commerce B2B's company API (Magento_Company), as the admin REST spec and Adobe's "Manage
 * company objects", "Manage company users" and "Manage company roles" pages show it. ACL resource
 * names are our assumption (they only appear in 401 answers).
 */
const READ = 'Magento_Company::index';
const MANAGE = 'Magento_Company::manage';

/** The role Adobe Commerce gives every new company (RoleManagement's company default role). */
export const DEFAULT_ROLE_NAME = 'Default User';

/** Magento's message when a customer already in a company is put into another one. */
export const ALREADY_IN_COMPANY = fail('A customer with the same email already assigned to company.');

/** What the default role allows (a few of the resources of Adobe's "Manage company roles" page). */
const DEFAULT_PERMISSIONS: ReadonlyArray<[string, 'allow' | 'deny']> = [
  ['Magento_Company::index', 'allow'],
  ['Magento_Sales::all', 'allow'],
  ['Magento_Sales::place_order', 'allow'],
  ['Magento_Sales::payment_account', 'allow'],
  ['Magento_Sales::view_orders', 'allow'],
  ['Magento_Sales::view_orders_sub', 'deny'],
  ['Magento_Company::view', 'allow'],
  ['Magento_Company::view_account', 'allow'],
  ['Magento_Company::view_address', 'allow'],
  ['Magento_Company::contacts', 'allow'],
  ['Magento_Company::payment_information', 'allow'],
  ['Magento_Company::user_management', 'deny'],
  ['Magento_Company::users_edit', 'deny'],
];

const membership = (c: MagentoCustomer): CompanyAttributes | undefined =>
  (c.extension_attributes as { company_attributes?: CompanyAttributes } | undefined)?.company_attributes;

/** The company a customer belongs to (0: none). */
export const companyOf = (c: MagentoCustomer): number => Number(membership(c)?.company_id ?? 0);

function setMembership(c: MagentoCustomer, a: CompanyAttributes): void {
  const ext = (c.extension_attributes ?? {}) as Record<string, unknown>;
  c.extension_attributes = { ...ext, company_attributes: a };
}

/** The checks of a company save (the "Manage company objects" page's required fields). */
function validateCompany(c: MagentoCompany | undefined): ErrorBody | undefined {
  if (!c) return required('company');
  for (const f of [
    'company_name',
    'company_email',
    'city',
    'country_id',
    'postcode',
    'telephone',
    'customer_group_id',
    'super_user_id',
  ] as const)
    if (c[f] === undefined || c[f] === null || c[f] === '') return required(f);
  if (!c.street?.length || !c.street[0]) return required('street');
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(c.company_email))
    return fail('"%fieldName" is not a valid email address.', { fieldName: 'company_email' });
  if (!COUNTRIES[c.country_id!])
    return fail('Invalid value of "%value" provided for the %fieldName field.', {
      fieldName: 'country_id',
      value: c.country_id!,
    });
  return undefined;
}

/**
 * The company part of a customer save: `extension_attributes.company_attributes` as sent (or kept
 * from before when the request leaves them out), refused when the customer already belongs to another
 * company or names one that does not exist. A customer joining a company gets its default role.
 * Answers the refusal, or undefined when the save may go on (the customer is changed in place).
 */
export function companyPartOfSave(
  store: SandboxStore,
  c: MagentoCustomer,
  previous: MagentoCustomer | undefined,
): ErrorBody | undefined {
  const sent = membership(c);
  const before = previous ? membership(previous) : undefined;
  if (!sent) {
    setMembership(c, before ?? { company_id: 0 });
    return undefined;
  }
  const target = Number(sent.company_id ?? 0);
  const current = Number(before?.company_id ?? 0);
  if (target && !store.companies.has(target)) return noSuch('companyId', String(target));
  if (target && current && target !== current) return ALREADY_IN_COMPANY;
  setMembership(c, {
    ...before,
    ...sent,
    company_id: target,
    status: Number(sent.status ?? before?.status ?? 1),
  });
  return undefined;
}

/** After a customer is saved: its id on the membership, and the default role for a new member. */
export function afterCustomerSave(store: SandboxStore, c: MagentoCustomer, previousCompany: number): void {
  const m = membership(c);
  if (!m) return;
  m.customer_id = c.id!;
  const company = Number(m.company_id ?? 0);
  if (!company) {
    store.userRoles.delete(c.id!);
    return;
  }
  if (company !== previousCompany && store.companies.get(company)?.super_user_id !== c.id)
    store.userRoles.set(c.id!, defaultRole(store, company).id!);
}

function defaultRole(store: SandboxStore, companyId: number): CompanyRole {
  const found = [...store.roles.values()].find(
    (r) => r.company_id === companyId && r.role_name === DEFAULT_ROLE_NAME,
  );
  if (found) return found;
  const id = store.nextId('role');
  const role: CompanyRole = {
    id,
    role_name: DEFAULT_ROLE_NAME,
    company_id: companyId,
    permissions: DEFAULT_PERMISSIONS.map(([resource_id, permission]) => ({
      id: store.nextId('permission'),
      role_id: id,
      resource_id,
      permission,
    })),
    extension_attributes: {},
  };
  store.roles.set(id, role);
  return role;
}

/** The company as the API answers it (null rejection fields, as Adobe's examples show them). */
function view(c: MagentoCompany): MagentoCompany {
  return { reject_reason: null, rejected_at: null, ...structuredClone(c) };
}

/** Joins the company admin to the company, as saving a company does. */
function seatAdmin(store: SandboxStore, company: MagentoCompany): void {
  const admin = store.customers.get(company.super_user_id)!;
  const m = membership(admin);
  const saved: MagentoCustomer = structuredClone(admin);
  setMembership(saved, {
    ...m,
    customer_id: admin.id!,
    company_id: company.id!,
    status: 1,
    job_title: m?.job_title ?? 'Company admin',
  });
  saved.updated_at = store.now();
  store.userRoles.delete(admin.id!);
  store.putCustomer(saved);
}

/** A super user must exist and belong to no other company. */
function superUserProblem(store: SandboxStore, c: MagentoCompany, companyId?: number): ErrorBody | undefined {
  const admin = store.customers.get(Number(c.super_user_id));
  if (!admin) return noSuch('customerId', String(c.super_user_id));
  const in_ = companyOf(admin);
  if (in_ && in_ !== companyId) return ALREADY_IN_COMPANY;
  return undefined;
}

const PAYMENT_DEFAULTS = {
  applicable_payment_method: 0,
  available_payment_methods: '',
  use_config_settings: 1,
};

/** Companies, roles, role assignment. */
export function companyRoutes(
  app: FastifyInstance,
  prefix: string,
  store: SandboxStore,
  auth: SandboxAuth,
): void {
  const body = (req: FastifyRequest) =>
    structuredClone((req.body as { company?: MagentoCompany } | undefined)?.company);
  const companyField = (c: MagentoCompany, f: string) => (f === 'entity_id' ? c.id : c[f]);

  for (const path of [`${prefix}/V1/company`, `${prefix}/V1/company/`]) {
    app.get(path, async (req, reply) => {
      if (!(await authorised(auth, req, reply, READ))) return reply;
      return searchRoute(req, reply, [...store.companies.values()], companyField, store.inputLimits, view);
    });
    app.post(path, async (req, reply) => {
      if (!(await authorised(auth, req, reply, MANAGE))) return reply;
      const c = body(req);
      const problem = validateCompany(c) ?? (c ? superUserProblem(store, c) : undefined);
      if (problem || !c) return reply.code(400).send(problem);
      const { id: _ignored, ...fields } = c;
      const id = store.nextId('company');
      const saved: MagentoCompany = {
        status: 0,
        sales_representative_id: 1,
        ...fields,
        id,
        super_user_id: Number(c.super_user_id),
        extension_attributes: { ...PAYMENT_DEFAULTS, ...c.extension_attributes },
      };
      store.companies.set(id, saved);
      defaultRole(store, id);
      seatAdmin(store, saved);
      return view(saved);
    });
  }

  app.get<{ Params: { id: string } }>(`${prefix}/V1/company/:id`, async (req, reply) => {
    if (!(await authorised(auth, req, reply, READ))) return reply;
    const c = store.companies.get(Number(req.params.id));
    return c ? view(c) : reply.code(404).send(noSuch('companyId', req.params.id));
  });

  app.put<{ Params: { id: string } }>(`${prefix}/V1/company/:id`, async (req, reply) => {
    if (!(await authorised(auth, req, reply, MANAGE))) return reply;
    const id = Number(req.params.id);
    const current = store.companies.get(id);
    if (!current) return reply.code(404).send(noSuch('companyId', req.params.id));
    const c = body(req);
    const problem = validateCompany(c) ?? (c ? superUserProblem(store, c, id) : undefined);
    if (problem || !c) return reply.code(400).send(problem);
    const saved: MagentoCompany = {
      ...current,
      ...c,
      id,
      super_user_id: Number(c.super_user_id),
      extension_attributes: { ...current.extension_attributes, ...c.extension_attributes },
    };
    store.companies.set(id, saved);
    if (current.super_user_id !== saved.super_user_id) seatAdmin(store, saved);
    return view(saved);
  });

  app.delete<{ Params: { id: string } }>(`${prefix}/V1/company/:id`, async (req, reply) => {
    if (!(await authorised(auth, req, reply, MANAGE))) return reply;
    const id = Number(req.params.id);
    if (!store.companies.has(id)) return reply.code(404).send(noSuch('companyId', req.params.id));
    // "Manage company objects": members become inactive and lose the company id; they are not deleted.
    for (const c of [...store.customers.values()]) {
      if (companyOf(c) !== id) continue;
      const saved = structuredClone(c);
      setMembership(saved, { ...membership(c), company_id: 0, status: 0 });
      saved.updated_at = store.now();
      store.userRoles.delete(c.id!);
      store.putCustomer(saved);
    }
    for (const r of [...store.roles.values()]) if (r.company_id === id) store.roles.delete(r.id!);
    store.companies.delete(id);
    return true;
  });

  for (const path of [`${prefix}/V1/company/role`, `${prefix}/V1/company/role/`]) {
    app.get(path, async (req, reply) => {
      if (!(await authorised(auth, req, reply, READ))) return reply;
      return searchRoute(
        req,
        reply,
        [...store.roles.values()],
        (r, f) => (r as unknown as Record<string, unknown>)[f],
      );
    });
  }

  app.get<{ Params: { id: string } }>(`${prefix}/V1/company/role/:id`, async (req, reply) => {
    if (!(await authorised(auth, req, reply, READ))) return reply;
    const r = store.roles.get(Number(req.params.id));
    return r ?? reply.code(404).send(noSuch('roleId', req.params.id));
  });

  app.get<{ Params: { id: string } }>(`${prefix}/V1/company/role/:id/users`, async (req, reply) => {
    if (!(await authorised(auth, req, reply, READ))) return reply;
    const roleId = Number(req.params.id);
    if (!store.roles.has(roleId)) return reply.code(404).send(noSuch('roleId', req.params.id));
    return [...store.userRoles]
      .filter(([, r]) => r === roleId)
      .map(([user]) => store.customers.get(user))
      .filter((c): c is MagentoCustomer => c !== undefined);
  });

  app.put(`${prefix}/V1/company/assignRoles`, async (req, reply: FastifyReply) => {
    if (!(await authorised(auth, req, reply, MANAGE))) return reply;
    const b = (req.body ?? {}) as { userId?: number; roles?: CompanyRole[] };
    if (b.userId === undefined) return reply.code(400).send(required('userId'));
    if (!b.roles?.length) return reply.code(400).send(required('roles'));
    const user = store.customers.get(Number(b.userId));
    if (!user) return reply.code(404).send(noSuch('customerId', String(b.userId)));
    const company = companyOf(user);
    // ⚠ Worded by us: Magento's AclInterface refuses a user outside any company and the company admin.
    if (!company) return reply.code(400).send(fail('The user is not a company user.'));
    if (store.companies.get(company)?.super_user_id === user.id)
      return reply.code(400).send(fail('You cannot assign a different role to a company admin.'));
    const role = store.roles.get(Number(b.roles[0]!.id));
    if (!role || role.company_id !== company)
      return reply.code(400).send(noSuch('roleId', String(b.roles[0]!.id ?? '')));
    store.userRoles.set(user.id!, role.id!);
    return true;
  });
}
