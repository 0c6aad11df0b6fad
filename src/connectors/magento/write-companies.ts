import type { Address, Customer } from '../../model/index.js';
import type { TargetRecord, WriteItem, WriteResult } from '../sdk/contract.js';
import { isLedgerlinkError, rejected, toErrorData } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import type { MagentoClient } from './client.js';
import {
  addressOut,
  customerToMagento,
  groupIdFor,
  mergeCustomer,
  namesOf,
  type RegionLookup,
} from './mappers/customer.js';
import { chunks, KEYS_PER_SEARCH, search } from './paging.js';
import type { RegionDirectory } from './regions.js';
import { anyOf } from './search-criteria.js';
import type { MagentoSettings } from './settings.js';
import type {
  CompanyAttributes,
  CompanyExtension,
  CompanyRole,
  MagentoAddress,
  MagentoCompany,
  MagentoCustomer,
} from './types.js';

/**
 * Adobe Commerce B2B: a canonical customer written to a connection with `b2bCompanies` becomes a
 * company (POST|PUT /V1/company), its primary contact the company admin (a customer, the company's
 * `super_user_id`, carrying the billing and shipping addresses as its address book), its other
 * contacts company users (customers whose `extension_attributes.company_attributes.company_id` names
 * the company), the payment methods its terms map to (the company's extension attributes) and the
 * connection's company role given to each user (PUT /V1/company/assignRoles). See FACTS.md.
 *
 * Found again by company e-mail (GET /V1/company/ with company_email in …); the engine's link keeps
 * the company id after the first write. A create checks every e-mail first, and removes what it made
 * (company, then the customers it created) when a later step fails: no half-created company stays.
 */
export const COMPANIES_PATH = 'V1/company/';
const ROLES_PATH = 'V1/company/role/';
const CUSTOMERS_SEARCH = 'V1/customers/search';

/** The job title of company users (company_attributes.job_title; Adobe's page asks for one, contacts have none). */
const USER_TITLE = 'Buyer';

/** The refusal of a B2B customer without an e-mail (at matching, and again at writing). */
export const noEmail = (number: unknown): string =>
  `customer ${String(number)}: a B2B company needs an e-mail address (the company's and its admin's); fill in the customer's e-mail in the ERP, then retry`;

export const companyKey = (data: unknown): string | undefined => {
  const email = (data as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' && email.trim() ? `company:${email.trim().toLowerCase()}` : undefined;
};

/** Companies by company e-mail, one search per hundred keys; of several, the oldest. */
export async function lookupCompanies(
  client: MagentoClient,
  keys: readonly string[],
): Promise<Map<string, TargetRecord>> {
  const out = new Map<string, TargetRecord>();
  for (const chunk of chunks(keys, KEYS_PER_SEARCH)) {
    const r = await search<MagentoCompany>(client, COMPANIES_PATH, {
      groups: [
        anyOf(
          'company_email',
          chunk.map((k) => k.slice('company:'.length)),
        ),
      ],
      sort: [{ field: 'entity_id', direction: 'ASC' }],
      pageSize: chunk.length * 5,
      currentPage: 1,
    });
    for (const c of r.items) {
      const key = companyKey({ email: c.company_email });
      if (key && !out.has(key)) out.set(key, { id: String(c.id), snapshot: c });
    }
  }
  return out;
}

interface Person {
  email: string;
  firstname: string;
  lastname: string;
  phone?: string;
}

const membership = (c: MagentoCustomer): CompanyAttributes | undefined =>
  (c.extension_attributes as { company_attributes?: CompanyAttributes } | undefined)?.company_attributes;
const companyOf = (c: MagentoCustomer): number => Number(membership(c)?.company_id ?? 0);
const lower = (e: string) => e.trim().toLowerCase();

/** The company admin (primary contact, else the customer) and the other contacts with an e-mail. */
function peopleOf(c: Customer, email: string): { admin: Person; users: Person[] } {
  const primary = c.contacts.find((x) => x.isPrimary) ?? c.contacts[0];
  const n = namesOf(c);
  const admin: Person = {
    email: primary?.email ?? email,
    ...n,
    ...(primary?.phone ? { phone: primary.phone } : {}),
  };
  const seen = new Set([lower(admin.email)]);
  const users: Person[] = [];
  for (const x of c.contacts) {
    if (x === primary || !x.email || seen.has(lower(x.email))) continue;
    seen.add(lower(x.email));
    const first = x.firstName?.trim() || x.lastName?.trim() || x.email;
    users.push({
      email: x.email,
      firstname: first,
      lastname: x.lastName?.trim() || first,
      ...(x.phone ? { phone: x.phone } : {}),
    });
  }
  return { admin, users };
}

/** The company's registered address: billing, else main, else the first. */
const legalAddress = (c: Customer): Address | undefined =>
  c.addresses.find((a) => a.kind === 'billing') ??
  c.addresses.find((a) => a.kind === 'main') ??
  c.addresses[0];

/** Payment methods for the customer's terms through the connection's map; undefined: leave them. */
function paymentOf(c: Customer, s: MagentoSettings): CompanyExtension | undefined {
  const map = s.companyPaymentMethods;
  if (!Object.keys(map).length) return undefined;
  if (!c.terms) return { applicable_payment_method: 0, use_config_settings: 1 };
  const methods = map[c.terms];
  if (!methods)
    throw rejected(
      'unmapped_value',
      `customer ${c.number}: its payment terms "${c.terms}" have no payment methods in the Magento connection's companyPaymentMethods (it maps ${Object.keys(map).join(', ')}); add them there`,
    );
  // 2 = only the methods listed (Magento's B2B fixtures; 0 = the B2B configuration's, 1 = all enabled).
  return {
    applicable_payment_method: 2,
    available_payment_methods: methods.join(','),
    use_config_settings: 0,
  };
}

/** Basic information: name, e-mail, registered address and phone, customer group, payment methods. */
function companyFields(
  c: Customer,
  email: string,
  s: MagentoSettings,
  regions: RegionLookup,
  admin: Person,
): MagentoCompany {
  const a = legalAddress(c);
  if (!a)
    throw rejected(
      'missing_field',
      `customer ${c.number}: an Adobe Commerce company needs an address (street, city, postcode, country); add a billing or main address`,
    );
  const m = addressOut(c, a, c.addresses.indexOf(a), namesOf(c), regions);
  // super_user_id is the caller's: 0 until the admin is known.
  const out: MagentoCompany = {
    super_user_id: 0,
    company_name: c.name,
    legal_name: c.name,
    company_email: email,
    street: m.street!,
    city: m.city!,
    country_id: m.country_id!,
    postcode: m.postcode!,
    telephone: m.telephone ?? admin.phone ?? '',
    customer_group_id: groupIdFor(c, s),
  };
  if (m.region) {
    out.region = m.region.region ?? m.region.region_code ?? '';
    if (m.region.region_id) out.region_id = String(m.region.region_id);
  }
  const payment = paymentOf(c, s);
  if (payment) out.extension_attributes = payment;
  return out;
}

/** Drops nulls (Magento answers reject_reason: null; the spec's strings take no null back). */
function withoutNulls<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null)) as T;
}

type Step = (record: HttpExchange[]) => Promise<unknown>;

class Writer {
  readonly exchanges: HttpExchange[] = [];
  /** What a failed create must take back, latest first. */
  private readonly undo: Array<{ what: string; run: Step }> = [];

  constructor(
    private readonly client: MagentoClient,
    private readonly s: MagentoSettings,
    private readonly regions: RegionLookup,
  ) {}

  private async req<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const res = await this.client.request<T>({
      method,
      path,
      ...(body === undefined ? {} : { body }),
      record: this.exchanges,
    });
    return res.body;
  }

  /** The customers of this website with these e-mails, by lower-case e-mail. */
  private async customersByEmail(emails: readonly string[]): Promise<Map<string, MagentoCustomer>> {
    const out = new Map<string, MagentoCustomer>();
    for (const chunk of chunks(emails, KEYS_PER_SEARCH)) {
      const r = await search<MagentoCustomer>(
        this.client,
        CUSTOMERS_SEARCH,
        {
          groups: [
            anyOf('email', chunk),
            [{ field: 'website_id', value: String(this.s.websiteId), condition: 'eq' }],
          ],
          pageSize: chunk.length,
          currentPage: 1,
        },
        this.exchanges,
      );
      for (const c of r.items) out.set(lower(c.email), c);
    }
    return out;
  }

  /** Refuses an e-mail that belongs to a customer of another company, naming that company. */
  private async ensureFree(
    c: Customer,
    who: string,
    email: string,
    found: MagentoCustomer | undefined,
    companyId?: number,
  ): Promise<void> {
    const other = found ? companyOf(found) : 0;
    if (!found || !other || other === companyId) return;
    let name = '';
    try {
      name = ` "${(await this.req<MagentoCompany>('GET', `V1/company/${other}`)).company_name}"`;
    } catch {
      // The id alone still says enough.
    }
    throw rejected(
      'duplicate',
      `customer ${c.number}: the ${who} e-mail ${email} already belongs to Adobe Commerce company${name} (id ${other}, customer ${found.id}); a customer can be in one company only — give this contact another e-mail, or take ${email} out of that company first`,
    );
  }

  /** The connection's role in this company. */
  private async role(c: Customer, companyId: number): Promise<CompanyRole> {
    const r = await search<CompanyRole>(
      this.client,
      ROLES_PATH,
      { groups: [[{ field: 'company_id', value: String(companyId), condition: 'eq' }]], currentPage: 1 },
      this.exchanges,
    );
    const role = r.items.find((x) => x.role_name === this.s.companyRole);
    if (!role)
      throw rejected(
        'not_found',
        `customer ${c.number}: Adobe Commerce company ${companyId} has no role "${this.s.companyRole}" (it has ${r.items.map((x) => `"${x.role_name}"`).join(', ') || 'none'}); set companyRole on the Magento connection to one of them`,
      );
    return role;
  }

  /** Users holding the role, by customer id. */
  private async roleUsers(roleId: number): Promise<Set<number>> {
    const users = await this.req<MagentoCustomer[]>('GET', `V1/company/role/${roleId}/users`);
    return new Set(users.map((u) => Number(u.id)));
  }

  private async assignRole(userId: number, role: CompanyRole): Promise<void> {
    await this.req('PUT', 'V1/company/assignRoles', { userId, roles: [role] });
  }

  private userCustomer(p: Person, companyId: number): MagentoCustomer {
    return {
      email: p.email,
      firstname: p.firstname,
      lastname: p.lastname,
      website_id: this.s.websiteId,
      store_id: this.s.storeId,
      group_id: this.s.defaultGroupId,
      extension_attributes: { company_attributes: this.membership(p, companyId, USER_TITLE) },
    };
  }

  private membership(p: Person, companyId: number, title: string, fallbackPhone?: string): CompanyAttributes {
    return {
      company_id: companyId,
      status: 1,
      job_title: title,
      ...((p.phone ?? fallbackPhone) ? { telephone: p.phone ?? fallbackPhone } : {}),
    };
  }

  /** A user joins the company: created, or an existing customer without a company moved in. */
  private async seatUser(
    p: Person,
    found: MagentoCustomer | undefined,
    companyId: number,
    phone: string | undefined,
    undoable: boolean,
  ): Promise<{ id: number; created: boolean }> {
    if (found) {
      const { id, ...rest } = found;
      await this.req('PUT', `V1/customers/${id}`, {
        customer: {
          ...rest,
          id,
          extension_attributes: {
            ...(found.extension_attributes as Record<string, unknown> | undefined),
            company_attributes: this.membership(p, companyId, USER_TITLE, phone),
          },
        },
      });
      return { id: Number(id), created: false };
    }
    const body = this.userCustomer(p, companyId);
    if (phone && !p.phone)
      (body.extension_attributes as { company_attributes: CompanyAttributes }).company_attributes.telephone =
        phone;
    const made = await this.req<MagentoCustomer>('POST', 'V1/customers', { customer: body });
    if (undoable)
      this.willUndo(`customer ${made.id} (${p.email})`, (r) => this.delete(`V1/customers/${made.id}`, r));
    return { id: Number(made.id), created: true };
  }

  private willUndo(what: string, run: Step): void {
    this.undo.unshift({ what, run });
  }

  private async delete(path: string, record: HttpExchange[]): Promise<void> {
    await this.client.request({ method: 'DELETE', path, record, idempotent: true });
  }

  /** Takes back what a failed create made; answers what could not be removed. */
  async rollback(): Promise<string[]> {
    const left: string[] = [];
    for (const u of this.undo) {
      try {
        await u.run(this.exchanges);
      } catch (e) {
        left.push(`${u.what} (${toErrorData(e).message})`);
      }
    }
    this.undo.length = 0;
    return left;
  }

  async create(item: WriteItem, c: Customer, email: string): Promise<WriteResult> {
    const { admin, users } = peopleOf(c, email);
    const fields = companyFields(c, email, this.s, this.regions, admin);
    const asAdmin: Customer = { ...c, email: admin.email };
    const adminBody = customerToMagento(asAdmin, this.s, this.regions);
    // Every e-mail is checked before anything is made.
    const found = await this.customersByEmail([admin.email, ...users.map((u) => u.email)]);
    await this.ensureFree(c, 'company admin', admin.email, found.get(lower(admin.email)));
    for (const u of users) await this.ensureFree(c, 'company user', u.email, found.get(lower(u.email)));

    const existingAdmin = found.get(lower(admin.email));
    let adminId: number;
    if (existingAdmin) {
      // A shop customer with this e-mail becomes the company's admin; its address book is laid over.
      const merged = mergeCustomer(existingAdmin, asAdmin, ['addresses'], this.s, this.regions);
      await this.req('PUT', `V1/customers/${existingAdmin.id}`, {
        customer: { ...merged, id: existingAdmin.id },
      });
      adminId = Number(existingAdmin.id);
    } else {
      const made = await this.req<MagentoCustomer>('POST', 'V1/customers', { customer: adminBody });
      adminId = Number(made.id);
      this.willUndo(`company admin customer ${adminId} (${admin.email})`, (r) =>
        this.delete(`V1/customers/${adminId}`, r),
      );
    }
    const company = await this.req<MagentoCompany>('POST', COMPANIES_PATH, {
      company: { ...fields, status: 1, super_user_id: adminId },
    });
    const companyId = Number(company.id);
    this.willUndo(`company ${companyId}`, (r) => this.delete(`V1/company/${companyId}`, r));

    const role = await this.role(c, companyId);
    const phone = fields.telephone || undefined;
    const seated: number[] = [];
    for (const u of users) {
      const { id } = await this.seatUser(u, found.get(lower(u.email)), companyId, phone, true);
      seated.push(id);
      await this.assignRole(id, role);
    }
    return {
      ref: item.ref,
      ok: true,
      targetId: String(companyId),
      action: 'created',
      reason: this.summary('created', company, admin, adminBody.addresses?.length ?? 0, users.length, role),
      exchanges: this.exchanges,
    };
  }

  async update(item: WriteItem, c: Customer, email: string, id: string): Promise<WriteResult> {
    const want = (f: string) => !item.fields || item.fields.includes(f);
    const current =
      (item.existing?.snapshot as MagentoCompany | undefined) ??
      (await this.req<MagentoCompany>('GET', `V1/company/${encodeURIComponent(id)}`));
    const companyId = Number(current.id ?? id);
    const { admin, users } = peopleOf(c, email);
    const fields = companyFields(c, email, this.s, this.regions, admin);

    // Basic information and payment methods.
    if (['name', 'email', 'addresses', 'terms', 'class'].some(want)) {
      const next = withoutNulls({
        ...current,
        ...fields,
        id: companyId,
        super_user_id: current.super_user_id,
        extension_attributes: { ...current.extension_attributes, ...fields.extension_attributes },
      });
      await this.req('PUT', `V1/company/${companyId}`, { company: next });
    }

    // The admin's address book and names: addresses kept by content, so nothing is added twice.
    let addresses = 0;
    if (want('addresses') || want('contacts')) {
      const adminCustomer = await this.req<MagentoCustomer>('GET', `V1/customers/${current.super_user_id}`);
      const asAdmin: Customer = { ...c, email: admin.email };
      const owned = ['addresses', 'contacts'].filter(want);
      const merged = mergeCustomer(adminCustomer, asAdmin, owned, this.s, this.regions);
      if (merged.addresses) reuseAddressIds(merged.addresses, adminCustomer.addresses ?? []);
      addresses = merged.addresses?.length ?? 0;
      if (!sameCustomer(adminCustomer, merged))
        await this.req('PUT', `V1/customers/${adminCustomer.id}`, {
          customer: { ...merged, id: adminCustomer.id },
        });
    }

    // Users: missing ones join, each holds the role; nobody is added twice, nobody removed.
    const role = await this.role(c, companyId);
    let joined = 0;
    if (users.length && want('contacts')) {
      const found = await this.customersByEmail(users.map((u) => u.email));
      for (const u of users)
        await this.ensureFree(c, 'company user', u.email, found.get(lower(u.email)), companyId);
      const holders = await this.roleUsers(Number(role.id));
      for (const u of users) {
        const f = found.get(lower(u.email));
        let userId = Number(f?.id);
        if (!f || companyOf(f) !== companyId) {
          userId = (await this.seatUser(u, f, companyId, fields.telephone || undefined, false)).id;
          joined++;
        }
        if (!holders.has(userId)) await this.assignRole(userId, role);
      }
    }
    const company = { ...current, ...fields, id: companyId } as MagentoCompany;
    return {
      ref: item.ref,
      ok: true,
      targetId: String(companyId),
      action: 'updated',
      reason: this.summary('updated', company, admin, addresses, users.length, role, joined),
      exchanges: this.exchanges,
    };
  }

  private summary(
    done: 'created' | 'updated',
    company: MagentoCompany,
    admin: Person,
    addresses: number,
    users: number,
    role: CompanyRole,
    joined?: number,
  ): string {
    const methods = company.extension_attributes?.available_payment_methods;
    const payment =
      company.extension_attributes?.use_config_settings === 0 && methods
        ? `payment methods ${methods.split(',').join(', ')}`
        : 'payment methods of the B2B configuration';
    const people =
      joined === undefined ? `${users} company users` : `${users} company users (${joined} joined now)`;
    return `company ${company.id} "${company.company_name}" ${done}: admin ${admin.email}, ${addresses} addresses in its address book, ${people} with role "${role.role_name}", ${payment}`;
  }
}

/**
 * Each address keeps the id of the admin's address it replaces: the same place (street, city,
 * postcode, country), else the one holding the same default (billing, shipping) — a changed billing
 * address is the billing address edited, not a new entry in the address book.
 */
function reuseAddressIds(next: MagentoAddress[], current: readonly MagentoAddress[]): void {
  const key = (a: MagentoAddress) =>
    [(a.street ?? []).join('\n'), a.city, a.postcode, a.country_id]
      .map((x) => lower(String(x ?? '')))
      .join('|');
  const role = (a: MagentoAddress) => `${!!a.default_billing}|${!!a.default_shipping}`;
  const free = [...current];
  const take = (a: MagentoAddress, same: (x: MagentoAddress) => boolean) => {
    const i = free.findIndex(same);
    if (i < 0) return;
    a.id = free[i]!.id!;
    free.splice(i, 1);
  };
  for (const a of next) take(a, (x) => key(x) === key(a));
  for (const a of next) if (a.id === undefined) take(a, (x) => role(x) === role(a));
}

/** Whether a PUT would change anything we send (names, e-mail, addresses). */
function sameCustomer(a: MagentoCustomer, b: MagentoCustomer): boolean {
  const view = (c: MagentoCustomer) =>
    JSON.stringify({
      f: c.firstname,
      l: c.lastname,
      e: c.email,
      a: (c.addresses ?? []).map((x) => [
        x.id,
        x.street,
        x.city,
        x.postcode,
        x.country_id,
        x.telephone,
        x.region_id ?? null,
        !!x.default_billing,
        !!x.default_shipping,
      ]),
    });
  return view(a) === view(b);
}

/** Customers as Adobe Commerce B2B companies, one at a time (users of two companies must not race). */
export async function writeCompanies(
  client: MagentoClient,
  regions: RegionDirectory,
  s: MagentoSettings,
  items: readonly WriteItem[],
): Promise<WriteResult[]> {
  const lookup = await regions.lookupFor(items);
  const out: WriteResult[] = [];
  for (const item of items) out.push(await writeOne(client, s, lookup, item));
  return out;
}

async function writeOne(
  client: MagentoClient,
  s: MagentoSettings,
  regions: RegionLookup,
  item: WriteItem,
): Promise<WriteResult> {
  const w = new Writer(client, s, regions);
  const c = item.data as Customer;
  try {
    const email = c.email?.trim();
    if (!email) throw rejected('missing_field', noEmail(c.number));
    if (item.action === 'create') return await w.create(item, c, email);
    const id = item.targetId ?? item.existing?.id;
    if (!id)
      throw rejected('invalid_data', `customer ${c.number}: an update needs the Adobe Commerce company id`);
    return await w.update(item, c, email, id);
  } catch (e) {
    const error = toErrorData(e);
    const left = item.action === 'create' ? await w.rollback() : [];
    if (error.category === 'config' && isLedgerlinkError(e) && !left.length) throw e;
    const tail = left.length
      ? ` — undoing the create failed, left in Adobe Commerce: ${left.join('; ')}`
      : w.exchanges.some((x) => x.method === 'DELETE')
        ? ' — what was created for it was removed again'
        : '';
    return {
      ref: item.ref,
      ok: false,
      error: { ...error, message: `${error.message}${tail}` },
      exchanges: w.exchanges,
    };
  }
}
