import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { createSandboxKit, type SandboxKit, type SandboxOptions } from '../../sdk/sandbox-kit.js';
import { PAYMENT_METHODS, type ScCustomer, type ScNote, type ScOrder } from '../types.js';
import { addOrder, ScData, type SeedOptions, seed } from './store.js';

export { ScData, WAREHOUSES } from './store.js';

/** The REST base below the sandbox's address, as on a team's server ("Authentication"). */
export const REST_PATH = '/rest/api';
const TOKEN_PATH = `${REST_PATH}/token`;

export const SELLERCLOUD_SANDBOX = {
  username: 'ledgerlink@example.com',
  password: 'sandbox-password',
} as const;

export interface SellerCloudSandboxOptions extends SandboxOptions, SeedOptions {
  /** A token's life in seconds (expires_in; default 1800 as the documentation's example). */
  tokenTtlSec?: number;
  /**
   * The documented limit scaled down: this many calls per window (an hour on a real server), then
   * 429 with `{Error, RateLimitResetTime}` until the window ends ("REST API Rate Limiting").
   */
  rateLimit?: { requests: number; windowMs: number };
}

export interface SellerCloudSandbox {
  url: string;
  kit: SandboxKit;
  data: ScData;
  /** Tokens issued so far. */
  tokensIssued(): number;
  /** Ends every token issued so far (the next call with one is refused 401). */
  expireTokens(): void;
  /** Calls refused for the rate limit. */
  rateLimited(): number;
  /** Every SinglePackage call's body, in order. */
  packageCalls: Array<Record<string, unknown>>;
  /** Every GET's path and query, in order (tests read the paging and filters sent). */
  queries: Array<{ path: string; query: Record<string, string | string[] | undefined> }>;
  settings(): Record<string, unknown>;
  close(): Promise<void>;
}

type Q = Record<string, string | string[] | undefined>;
const list = (q: Q, name: string): string[] => {
  const v = q[name] ?? q[`model.${name}`];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};
const one = (q: Q, name: string): string | undefined => list(q, name)[0];

/** "mm/dd/yyyy hh:mm" (REST Services Overview), read as UTC (FACTS.md ⚠). */
function filterDate(v: string | undefined): number | undefined {
  if (!v) return undefined;
  const m = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2})$/.exec(v);
  if (!m) return Number.NaN;
  return Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]), Number(m[4]), Number(m[5]));
}

const refuse = (reply: FastifyReply, status: number, message: string, state?: Record<string, string[]>) =>
  reply.code(status).send({ Message: message, ...(state ? { ModelState: state } : {}) });

/**
 * A SellerCloud team's server in one process: the token endpoint, Get All Orders / Get Single Order /
 * Create New Sales Order, Update Tracking Of Single Package, Receive Manual Payment, the customer
 * calls and the inventory calls, in the shapes of FACTS.md; ASP.NET-style error bodies, 401 for an
 * ended token, and the documented rate-limit answer.
 */
export async function startSellerCloudSandbox(
  opts: SellerCloudSandboxOptions = {},
): Promise<SellerCloudSandbox> {
  const rateBody = (resetAt: number) => ({
    Error: 'Too many requests.',
    RateLimitResetTime: new Date(resetAt).toISOString(),
  });
  const kit = createSandboxKit({
    name: 'sellercloud',
    specs: [],
    conformance: false,
    ...(opts.latencyMs ? { latencyMs: opts.latencyMs } : {}),
    ...(opts.requestsPerSecond ? { requestsPerSecond: opts.requestsPerSecond } : {}),
    authPaths: [TOKEN_PATH],
    faultBody: (status) =>
      status === 429 ? rateBody(Date.now() + 1000) : { Message: `the sandbox was told to answer ${status}` },
  });
  const data = new ScData();
  seed(data, opts);
  const ttl = opts.tokenTtlSec ?? 1800;
  const tokens = new Map<string, number>();
  let issued = 0;
  let limited = 0;
  const packageCalls: Array<Record<string, unknown>> = [];
  const queries: SellerCloudSandbox['queries'] = [];
  kit.app.addHook('preValidation', async (req) => {
    if (req.method === 'GET' && req.url.startsWith(REST_PATH))
      queries.push({ path: req.url.split('?')[0] ?? req.url, query: { ...(req.query as Q) } });
  });

  // The hourly window, scaled: counted per window, every endpoint alike (the token's too).
  let windowStart = Date.now();
  let used = 0;
  kit.app.addHook('onRequest', async (req, reply) => {
    if (!opts.rateLimit || !req.url.startsWith(REST_PATH)) return;
    const now = Date.now();
    if (now - windowStart >= opts.rateLimit.windowMs) {
      windowStart = now;
      used = 0;
    }
    if (++used > opts.rateLimit.requests) {
      limited++;
      return reply.code(429).send(rateBody(windowStart + opts.rateLimit.windowMs));
    }
  });

  kit.app.post(TOKEN_PATH, async (req, reply) => {
    const b = (req.body ?? {}) as { Username?: string; Password?: string };
    if (b.Username !== SELLERCLOUD_SANDBOX.username || b.Password !== SELLERCLOUD_SANDBOX.password)
      return reply
        .code(400)
        .send({ error: 'invalid_grant', error_description: 'The user name or password is incorrect.' });
    const token = randomBytes(18).toString('base64url');
    const now = Date.now();
    tokens.set(token, now + ttl * 1000);
    issued++;
    const at = (t: number) => new Date(t).toISOString().slice(0, 19);
    return {
      access_token: token,
      token_type: 'Bearer',
      username: b.Username,
      expires_in: ttl,
      '.issued': at(now),
      '.expires': at(now + ttl * 1000),
    };
  });

  // Every other call needs a live token ("Status Code 401 => Not Valid Token").
  kit.app.addHook('preHandler', async (req, reply) => {
    const path = req.url.split('?')[0] ?? '';
    if (!path.startsWith(REST_PATH) || path === TOKEN_PATH) return;
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const until = token ? tokens.get(token) : undefined;
    if (until === undefined || until <= Date.now())
      return refuse(reply, 401, 'Authorization has been denied for this request.');
  });

  const page = <T>(q: Q, rows: T[]) => {
    const size = Math.min(50, Math.max(1, Number(one(q, 'pageSize') ?? 10)));
    const n = Math.max(1, Number(one(q, 'pageNumber') ?? 1));
    return { Items: rows.slice((n - 1) * size, n * size), TotalResults: rows.length };
  };
  const within = (q: Q, from: string, to: string, stamp: string | undefined) => {
    const t = Date.parse(stamp ?? '');
    const lo = filterDate(one(q, from));
    const hi = filterDate(one(q, to));
    return (lo === undefined || t >= lo) && (hi === undefined || t <= hi);
  };
  const badDates = (q: Q, ...names: string[]) =>
    names.find((n) => one(q, n) !== undefined && Number.isNaN(filterDate(one(q, n))));

  kit.app.get(`${REST_PATH}/orders`, async (req, reply) => {
    const q = req.query as Q;
    const bad = badDates(q, 'createdOnFrom', 'createdOnTo');
    if (bad) return refuse(reply, 400, `The value '${one(q, bad)}' is not valid for ${bad}.`);
    const ids = new Set(list(q, 'orderIDs').map(Number));
    const refs = new Set(list(q, 'orderSourceOrderIDList'));
    const rows = [...data.orders.values()]
      .filter((o) => !ids.size || ids.has(o.ID))
      .filter((o) => !refs.size || refs.has(o.OrderSourceOrderID ?? ''))
      .filter((o) => within(q, 'createdOnFrom', 'createdOnTo', o.CreatedOn))
      .sort((a, b) => a.CreatedOn.localeCompare(b.CreatedOn) || a.ID - b.ID);
    return page(q, rows);
  });

  kit.app.get<{ Params: { id: string } }>(`${REST_PATH}/Orders/:id`, async (req, reply) => {
    const o = data.orders.get(Number(req.params.id));
    return o ?? refuse(reply, 404, `Order ${req.params.id} does not exist.`);
  });

  kit.app.post(`${REST_PATH}/Orders`, async (req, reply) => {
    const b = (req.body ?? {}) as {
      CustomerDetails?: { ID?: number; Email?: string; FirstName?: string; LastName?: string };
      OrderDetails?: {
        CompanyID?: number;
        Channel?: number;
        OrderSourceOrderID?: string;
        OrderDate?: string;
      };
      Products?: Array<{ ProductID?: string; ProductName?: string; SitePrice?: number; Qty?: number }>;
    };
    const cd = b.CustomerDetails;
    const od = b.OrderDetails;
    if (!od?.CompanyID)
      return refuse(reply, 400, 'The request is invalid.', {
        'OrderDetails.CompanyID': ['CompanyID is required.'],
      });
    if (od.Channel === undefined)
      return refuse(reply, 400, 'The request is invalid.', {
        'OrderDetails.Channel': ['Channel is required.'],
      });
    if (!cd?.Email || !cd.FirstName || !cd.LastName)
      return refuse(reply, 400, 'The request is invalid.', {
        CustomerDetails: ['FirstName, LastName and Email are required.'],
      });
    for (const p of b.Products ?? [])
      if (!p.ProductID || !data.products.has(p.ProductID))
        return refuse(reply, 400, `Product ${p.ProductID ?? ''} does not exist.`);
    let customer: ScCustomer | undefined;
    if (cd.ID) {
      customer = data.customers.get(cd.ID);
      if (!customer) return refuse(reply, 400, `Customer ${cd.ID} does not exist.`);
    } else {
      customer = [...data.customers.values()].find((c) => c.Email?.toLowerCase() === cd.Email!.toLowerCase());
      if (!customer) {
        const now = new Date().toISOString();
        customer = {
          UserID: data.nextCustomer++,
          FirstName: cd.FirstName,
          LastName: cd.LastName,
          Email: cd.Email,
          IsWholesale: false,
          CreatedOn: now,
          LastModifiedOn: now,
        };
        data.customers.set(customer.UserID, customer);
      }
    }
    const order = addOrder(data, {
      customer,
      items: (b.Products ?? []).map((p, n) => ({
        ID: n + 1,
        ProductID: p.ProductID!,
        ProductName: p.ProductName ?? null,
        Qty: p.Qty ?? 1,
        SitePrice: p.SitePrice ?? 0,
      })),
      at: new Date().toISOString(),
      ...(od.OrderSourceOrderID ? { sourceOrderId: od.OrderSourceOrderID } : {}),
    });
    if (od.OrderDate) order.TimeOfOrder = od.OrderDate;
    return order.ID;
  });

  kit.app.put(`${REST_PATH}/Orders/ShippingStatus/SinglePackage`, async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    packageCalls.push(b);
    const order = data.orders.get(Number(b.OrderID));
    if (!order) return refuse(reply, 400, `Order ${String(b.OrderID)} does not exist.`);
    const missing = (['CarrierName', 'ShippingMethod'] as const).filter((k) => !b[k]);
    if (missing.length)
      return refuse(
        reply,
        400,
        'The request is invalid.',
        Object.fromEntries(missing.map((k) => [k, [`${k} is required.`]])),
      );
    const pkgs = order.Packages ?? [];
    const pkg = b.PackageID === undefined ? pkgs[0] : pkgs.find((p) => p.ID === Number(b.PackageID));
    if (!pkg)
      return refuse(reply, 400, `Package ${String(b.PackageID)} does not belong to order ${order.ID}.`);
    if (typeof b.TrackingNumber === 'string') pkg.TrackingNumber = b.TrackingNumber;
    pkg.CarrierName = String(b.CarrierName);
    pkg.ShippingMethod = String(b.ShippingMethod);
    // "A call to this endpoint will mark the entire order as fully shipped"; ShipDate only once.
    order.ShippingStatus = 3;
    order.ShipDate ??= typeof b.ShipDate === 'string' ? b.ShipDate : new Date().toISOString();
    order.LastUpdated = new Date().toISOString();
    return reply.code(200).send();
  });

  // "Add Order Note": POST orders/{orderID}/notes/ {OrderID, note: {Category, Message}}.
  kit.app.post<{ Params: { id: string } }>(`${REST_PATH}/orders/:id/notes`, async (req, reply) => {
    const b = (req.body ?? {}) as { note?: { Category?: number; Message?: string } };
    const order = data.orders.get(Number(req.params.id));
    if (!order) return refuse(reply, 400, `Order ${req.params.id} does not exist.`);
    const message = b.note?.Message;
    if (!message?.trim())
      return refuse(reply, 400, 'The request is invalid.', { 'note.Message': ['Message is required.'] });
    const category = Number(b.note?.Category ?? 0);
    if (![0, 1, 2].includes(category))
      return refuse(reply, 400, 'The request is invalid.', { 'note.Category': ['Category is invalid.'] });
    const note: ScNote = {
      EntityID: order.ID,
      Category: category,
      NoteID: data.nextNote++,
      Note: message,
      AuditData: new Date().toISOString(),
      CreatedBy: 789,
    };
    data.notes.set(order.ID, [...(data.notes.get(order.ID) ?? []), note]);
    return reply.code(200).send(note.NoteID);
  });

  // "Get Notes": GET orders/notes/{id}.
  kit.app.get<{ Params: { id: string } }>(`${REST_PATH}/orders/notes/:id`, async (req, reply) => {
    const order = data.orders.get(Number(req.params.id));
    if (!order) return refuse(reply, 400, `Order ${req.params.id} does not exist.`);
    return data.notes.get(order.ID) ?? [];
  });

  kit.app.put<{ Params: { id: string } }>(
    `${REST_PATH}/orders/:id/ReceiveManualPayment`,
    async (req, reply) => {
      const b = (req.body ?? {}) as {
        OrderID?: number;
        model?: {
          Amount?: number;
          Notes?: string;
          PaymentMethod?: string | number;
          ReferenceNumber?: string;
        };
      };
      const order = data.orders.get(Number(req.params.id));
      if (!order) return refuse(reply, 400, `Order ${req.params.id} does not exist.`);
      const m = b.model ?? {};
      const method = Number(m.PaymentMethod);
      if (!Object.values(PAYMENT_METHODS).includes(method))
        return refuse(reply, 400, `PaymentMethod ${String(m.PaymentMethod)} is invalid.`);
      if (!(Number(m.Amount) > 0)) return refuse(reply, 400, 'Amount must be greater than 0.');
      if (!m.ReferenceNumber && method !== PAYMENT_METHODS.Cash && method !== PAYMENT_METHODS.PayPal)
        return refuse(reply, 400, 'ReferenceNumber is required for this payment method.');
      data.payments.push({
        OrderID: order.ID,
        Amount: Number(m.Amount),
        PaymentMethod: method,
        ...(m.ReferenceNumber ? { ReferenceNumber: m.ReferenceNumber } : {}),
        ...(m.Notes ? { Notes: m.Notes } : {}),
      });
      return reply.code(200).send();
    },
  );

  kit.app.get(`${REST_PATH}/Customers`, async (req, reply) => {
    const q = req.query as Q;
    const bad = badDates(q, 'modifiedOnFrom', 'modifiedOnTo');
    if (bad) return refuse(reply, 400, `The value '${one(q, bad)}' is not valid for ${bad}.`);
    const ids = new Set(list(q, 'customerIDs').map(Number));
    const email = one(q, 'email')?.toLowerCase();
    const rows = [...data.customers.values()]
      .filter((c) => !ids.size || ids.has(c.UserID))
      .filter((c) => !email || c.Email?.toLowerCase() === email)
      .filter((c) => within(q, 'modifiedOnFrom', 'modifiedOnTo', c.LastModifiedOn))
      .sort((a, b) => (a.LastModifiedOn ?? '').localeCompare(b.LastModifiedOn ?? '') || a.UserID - b.UserID);
    return page(q, rows);
  });

  kit.app.post(`${REST_PATH}/Customers`, async (req, reply) => {
    const b = (req.body ?? {}) as {
      CompanyID?: number;
      FirstName?: string;
      LastName?: string;
      Email?: string;
      BusinessName?: string;
      CustomerType?: number;
    };
    const state: Record<string, string[]> = {};
    if (!b.CompanyID) state.CompanyID = ['CompanyID is required.'];
    if (!b.FirstName) state.FirstName = ['FirstName is required.'];
    if (!b.Email) state.Email = ['Email is required.'];
    if (b.CustomerType === 1 && !b.LastName) state.LastName = ['LastName is required for Retail customers.'];
    if (Object.keys(state).length) return refuse(reply, 400, 'The request is invalid.', state);
    if ([...data.customers.values()].some((c) => c.Email?.toLowerCase() === b.Email!.toLowerCase()))
      return refuse(reply, 400, `Customer with email ${b.Email} already exists.`);
    const now = new Date().toISOString();
    const c: ScCustomer = {
      UserID: data.nextCustomer++,
      FirstName: b.FirstName!,
      LastName: b.LastName ?? null,
      Email: b.Email!,
      BusinessName: b.BusinessName ?? null,
      IsWholesale: b.CustomerType === 0,
      CreatedOn: now,
      LastModifiedOn: now,
    };
    data.customers.set(c.UserID, c);
    return c.UserID;
  });

  kit.app.put<{ Params: { id: string } }>(`${REST_PATH}/Customers/:id`, async (req, reply) => {
    const c = data.customers.get(Number(req.params.id));
    if (!c) return refuse(reply, 404, `Customer ${req.params.id} does not exist.`);
    const b = (req.body ?? {}) as {
      Name?: string | null;
      Email?: string | null;
      BusinessName?: string | null;
      IsWholesale?: boolean | null;
    };
    // "Provide null or omit in the request if no update of this field is needed."
    if (b.Email != null) {
      const taken = [...data.customers.values()].some(
        (x) => x !== c && x.Email?.toLowerCase() === b.Email!.toLowerCase(),
      );
      if (taken) return refuse(reply, 400, `Customer with email ${b.Email} already exists.`);
      c.Email = b.Email;
    }
    if (b.Name != null) {
      const at = b.Name.lastIndexOf(' ');
      c.FirstName = at > 0 ? b.Name.slice(0, at) : b.Name;
      c.LastName = at > 0 ? b.Name.slice(at + 1) : (c.LastName ?? null);
    }
    if (b.BusinessName != null) c.BusinessName = b.BusinessName;
    if (b.IsWholesale != null) c.IsWholesale = b.IsWholesale;
    c.LastModifiedOn = new Date().toISOString();
    return reply.code(200).send();
  });

  kit.app.get(`${REST_PATH}/Inventory`, async (req, reply) => {
    const q = req.query as Q;
    const bad = badDates(q, 'LastUpdatedFrom', 'LastUpdatedTo');
    if (bad) return refuse(reply, 400, `The value '${one(q, bad)}' is not valid for ${bad}.`);
    const ids = new Set(list(q, 'inventoryID'));
    const rows = [...data.products.values()]
      .filter((p) => !ids.size || ids.has(p.ID))
      .filter((p) => within(q, 'LastUpdatedFrom', 'LastUpdatedTo', p.LastUpdated))
      .sort((a, b) => (a.LastUpdated ?? '').localeCompare(b.LastUpdated ?? '') || a.ID.localeCompare(b.ID));
    return page(q, rows);
  });

  kit.app.get(`${REST_PATH}/Inventory/Warehouses`, async (req, reply) => {
    const q = req.query as Q;
    const sku = one(q, 'productID') ?? '';
    const rows = data.stock.get(sku);
    if (!rows) return refuse(reply, 404, `Product ${sku} does not exist.`);
    const wh = one(q, 'warehouseID');
    if (wh === undefined) return rows;
    return (
      rows.find((r) => r.WarehouseID === Number(wh)) ?? refuse(reply, 404, `Warehouse ${wh} does not exist.`)
    );
  });

  const { url } = await kit.listen(opts);
  return {
    url,
    kit,
    data,
    tokensIssued: () => issued,
    expireTokens: () => {
      for (const t of tokens.keys()) tokens.set(t, 0);
    },
    rateLimited: () => limited,
    packageCalls,
    queries,
    settings: () => sandboxSettings(url),
    close: () => kit.close(),
  };
}

/** A connection's settings for a sandbox at `url`. */
export function sandboxSettings(url: string): Record<string, unknown> {
  return {
    server: `${url}${REST_PATH}`,
    username: SELLERCLOUD_SANDBOX.username,
    password: SELLERCLOUD_SANDBOX.password,
  };
}

export type { ScOrder };
