import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { request } from 'undici';
import { createSandboxKit, type SandboxKit, type SandboxOptions } from '../../sdk/sandbox-kit.js';
import { ODataFailure, throttled } from './errors.js';
import type { Row } from './filter.js';
import { TABLES } from './schema.js';
import { type Seeded, type SeedOptions, seed } from './seed.js';
import { type Change, Store } from './store.js';
import { API_ROOT, WebApi } from './web-api.js';

export const DYNAMICS_SANDBOX = {
  tenantId: '72f988bf-0000-4000-8000-00000000d365',
  clientId: '51f81489-12ee-4a9e-aaae-a2591f45987d',
  clientSecret: 'sandbox-client-secret',
  webhookHeaderName: 'x-ledgerlink-key',
  webhookKey: 'sandbox-webhook-key',
};

export interface WebhookRegistration {
  url: string;
  /** HttpHeader authentication: the headers the registration sends. */
  headers: Record<string, string>;
}

export interface DynamicsSandboxOptions extends SandboxOptions, SeedOptions {
  /** Access token lifetime (Entra ID gives 60–90 minutes). */
  tokenLifetimeSeconds?: number;
  /** Service protection: requests per window per user before 429 (Dataverse: 6,000 per 300 s). */
  serviceProtection?: { requests: number; windowMs: number };
  webhooks?: WebhookRegistration[];
}

export interface DynamicsSandbox {
  url: string;
  /** The Entra ID authority the connector's `authority` setting points at. */
  authority: string;
  kit: SandboxKit;
  store: Store;
  seeded: Seeded;
  /** Tokens issued by the token endpoint (client-credential grants). */
  tokensIssued(): number;
  /** Revokes every token: the next API call answers 401, as after a credential rotation. */
  revokeTokens(): void;
  /** Rows of a table, as a person sees them (no projection). */
  rows(set: string): Row[];
  find(set: string, column: string, value: unknown): Row | undefined;
  /** Saves a row as a person would on a form (numbered, stamped, pushed to webhooks). */
  create(set: string, body: Row): Row;
  update(set: string, id: string, body: Row): Row;
  /** The RemoteExecutionContext Dataverse would post for a change. */
  contextFor(change: Change): Row;
  addWebhook(w: WebhookRegistration): void;
  /** Every delivery attempted, in order. */
  webhookLog: Array<{ url: string; status: number; body: Row }>;
  webhookIdle(): Promise<void>;
  close(): Promise<void>;
}

const WEBHOOK_TABLES = new Set(['accounts', 'products', 'salesorders']);

/** A Dataverse environment and its Entra ID tenant, on one loopback port. */
export async function startDynamicsSandbox(o: DynamicsSandboxOptions = {}): Promise<DynamicsSandbox> {
  const tokenPath = `/${DYNAMICS_SANDBOX.tenantId}/oauth2/v2.0/token`;
  const discoveryPath = `/${DYNAMICS_SANDBOX.tenantId}/v2.0/.well-known/openid-configuration`;
  const kit = createSandboxKit({
    name: 'dynamics',
    specs: [],
    conformance: false,
    ...(o.latencyMs ? { latencyMs: o.latencyMs } : {}),
    ...(o.requestsPerSecond ? { requestsPerSecond: o.requestsPerSecond } : {}),
    authPaths: [tokenPath, discoveryPath],
    faultBody: (status) =>
      status === 429
        ? throttled().body
        : status === 401
          ? undefined
          : {
              error: {
                code: '0x80040216',
                message: `An unexpected error occurred (sandbox fault ${status}).`,
              },
            },
  });
  const app = kit.app;
  let origin = '';
  const store = new Store();
  const seeded = seed(store, o);
  const api = new WebApi(
    store,
    () => origin,
    () => ({
      '@odata.context': `${origin}${API_ROOT}$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`,
      BusinessUnitId: '8f2c5c6e-0000-4000-8000-00000000b001',
      UserId: seeded.appUserId,
      OrganizationId: '8f2c5c6e-0000-4000-8000-00000000c0de',
    }),
  );
  const tokens = new Map<string, number>();
  let issued = 0;
  const lifetime = o.tokenLifetimeSeconds ?? 3600;
  const budget = o.serviceProtection ?? { requests: 6000, windowMs: 300_000 };
  const recent: number[] = [];
  const webhooks = [...(o.webhooks ?? [])];
  const webhookLog: DynamicsSandbox['webhookLog'] = [];
  let pending: Promise<unknown> = Promise.resolve();

  app.addContentTypeParser(/^multipart\/mixed/, { parseAs: 'string' }, (_req, body, done) =>
    done(null, body),
  );
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );

  // Entra ID: OpenID discovery (what msal reads first) and the client-credential token endpoint.
  app.get(discoveryPath, async (req) => {
    const host = `https://${req.headers.host}`;
    const t = DYNAMICS_SANDBOX.tenantId;
    return {
      token_endpoint: `${host}/${t}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${host}/${t}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${host}/${t}/v2.0`,
      authorization_endpoint: `${host}/${t}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${host}/${t}/oauth2/v2.0/logout`,
      tenant_region_scope: 'EU',
    };
  });
  app.post(tokenPath, async (req, reply) => {
    const f = (req.body ?? {}) as Record<string, string>;
    const refuse = (status: number, error: string, code: number, text: string) =>
      reply.code(status).send({
        error,
        error_description: `AADSTS${code}: ${text} Trace ID: ${randomUUID()} Correlation ID: ${randomUUID()} Timestamp: ${new Date().toISOString()}`,
        error_codes: [code],
        timestamp: new Date().toISOString(),
        trace_id: randomUUID(),
        correlation_id: randomUUID(),
      });
    if (f.grant_type !== 'client_credentials')
      return refuse(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    if (f.client_id !== DYNAMICS_SANDBOX.clientId)
      return refuse(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${f.client_id}' was not found in the directory.`,
      );
    if (f.client_secret !== DYNAMICS_SANDBOX.clientSecret)
      return refuse(
        401,
        'invalid_client',
        7000215,
        'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.',
      );
    if (f.scope !== `${origin}/.default`)
      return refuse(
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${f.scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.`,
      );
    const token = randomBytes(24).toString('base64url');
    tokens.set(token, Date.now() + lifetime * 1000);
    issued++;
    return { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: token };
  });

  const answer = (
    reply: FastifyReply,
    a: { status: number; headers: Record<string, string>; body?: unknown },
  ) => {
    for (const [k, v] of Object.entries(a.headers))
      reply.header(k === 'odata-entityid' ? 'OData-EntityId' : k, v);
    reply.header('odata-version', '4.0');
    return a.body === undefined ? reply.code(a.status).send() : reply.code(a.status).send(a.body);
  };

  app.all(`${API_ROOT}*`, async (req: FastifyRequest, reply: FastifyReply) => {
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    const expires = token ? tokens.get(token) : undefined;
    if (!expires || expires < Date.now()) {
      reply.header(
        'www-authenticate',
        `Bearer authorization_uri=${origin}/${DYNAMICS_SANDBOX.tenantId}/oauth2/authorize, resource_id=${origin}/`,
      );
      return reply.code(401).send();
    }
    if (req.headers['odata-version'] !== '4.0' || req.headers['odata-maxversion'] !== '4.0')
      kit.violations.push(
        `dynamics request: ${req.method} ${req.url} lacks OData-MaxVersion/OData-Version 4.0`,
      );
    // Service protection: the number of requests in the sliding window, per user.
    const now = Date.now();
    while (recent.length && recent[0]! <= now - budget.windowMs) recent.shift();
    if (recent.length >= budget.requests) {
      const retry = Math.max(1, Math.ceil((recent[0]! + budget.windowMs - now) / 1000));
      reply.header('retry-after', String(retry));
      reply.header('x-ms-ratelimit-burst-remaining-xrm-requests', '0');
      return reply.code(429).send(throttled().body);
    }
    recent.push(now);
    reply.header('x-ms-ratelimit-burst-remaining-xrm-requests', String(budget.requests - recent.length));
    reply.header('x-ms-ratelimit-time-remaining-xrm-requests', '1199.5');
    const path = req.url.slice(req.url.indexOf(API_ROOT) + API_ROOT.length);
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]),
    ) as Record<string, string | undefined>;
    try {
      return answer(reply, api.handle({ method: req.method, path, headers, body: req.body }));
    } catch (e) {
      if (e instanceof ODataFailure) return answer(reply, { status: e.status, headers: {}, body: e.body });
      throw e;
    }
  });

  // Webhooks: each change of an account, product or order is posted to every registration.
  const contextFor = (c: Change): Row => {
    const t = TABLES[c.set]!;
    const attributes = Object.entries(c.row)
      .filter(([k]) => !k.startsWith('_'))
      .map(([key, value]) => ({ key, value }));
    const entity = { LogicalName: t.logical, Id: c.id, Attributes: attributes };
    return {
      BusinessUnitId: '8f2c5c6e-0000-4000-8000-00000000b001',
      CorrelationId: randomUUID(),
      Depth: 1,
      InitiatingUserId: seeded.adminId,
      InputParameters: [
        { key: 'Target', value: c.message === 'Delete' ? { LogicalName: t.logical, Id: c.id } : entity },
      ],
      IsExecutingOffline: false,
      IsInTransaction: false,
      IsOfflinePlayback: false,
      IsolationMode: 1,
      MessageName: c.message,
      Mode: 1,
      OperationCreatedOn: `/Date(${Date.now()})/`,
      OperationId: randomUUID(),
      OrganizationId: '8f2c5c6e-0000-4000-8000-00000000c0de',
      OrganizationName: 'litwareinc',
      OutputParameters: c.message === 'Create' ? [{ key: 'id', value: c.id }] : [],
      OwningExtension: {
        Id: randomUUID(),
        KeyAttributes: [],
        LogicalName: 'sdkmessageprocessingstep',
        Name: null,
        RowVersion: null,
      },
      ParentContext: null,
      PostEntityImages: c.message === 'Delete' ? [] : [{ key: 'Ledgerlink', value: entity }],
      PreEntityImages: [],
      PrimaryEntityId: c.id,
      PrimaryEntityName: t.logical,
      RequestId: randomUUID(),
      SecondaryEntityName: 'none',
      SharedVariables: [],
      Stage: 40,
      UserId: seeded.adminId,
    };
  };
  store.listeners.push((c) => {
    if (!WEBHOOK_TABLES.has(c.set) || !webhooks.length) return;
    const body = contextFor(c);
    for (const w of webhooks) {
      pending = pending.then(async () => {
        try {
          const res = await request(w.url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-request-id': String(body.RequestId),
              'x-ms-dynamics-organization': 'litwareinc.crm11.dynamics.com',
              'x-ms-dynamics-entity-name': String(body.PrimaryEntityName),
              'x-ms-dynamics-request-name': String(body.MessageName),
              'x-ms-correlation-request-id': String(body.CorrelationId),
              ...w.headers,
            },
            body: JSON.stringify(body),
          });
          await res.body.text();
          webhookLog.push({ url: w.url, status: res.statusCode, body });
        } catch {
          webhookLog.push({ url: w.url, status: 0, body });
        }
      });
    }
  });

  // People at work in the environment (`ledgerlink sandbox dynamics …`, curl): rows saved as on a form.
  const refuse = (reply: FastifyReply, e: unknown) =>
    e instanceof ODataFailure
      ? reply.code(e.status).send(e.body)
      : reply.code(400).send({ message: String(e) });
  app.get<{ Params: { set: string } }>('/_sandbox/records/:set', async (req, reply) => {
    const rows = store.rows[req.params.set];
    return rows
      ? { value: [...rows.values()] }
      : reply.code(404).send({ message: `no table ${req.params.set}` });
  });
  app.post<{ Params: { set: string }; Body: Row }>('/_sandbox/records/:set', async (req, reply) => {
    try {
      return store.create(req.params.set, req.body ?? {});
    } catch (e) {
      return refuse(reply, e);
    }
  });
  app.patch<{ Params: { set: string; id: string }; Body: Row }>(
    '/_sandbox/records/:set/:id',
    async (req, reply) => {
      try {
        return store.update(req.params.set, req.params.id, req.body ?? {});
      } catch (e) {
        return refuse(reply, e);
      }
    },
  );
  app.post<{ Body: WebhookRegistration }>('/_sandbox/webhooks', async (req, reply) => {
    if (!req.body?.url) return reply.code(400).send({ message: 'url is required' });
    webhooks.push({ url: req.body.url, headers: req.body.headers ?? {} });
    return { webhooks: webhooks.map((w) => w.url) };
  });

  const { url } = await kit.listen(o);
  origin = url;
  return {
    url,
    authority: `${url}/${DYNAMICS_SANDBOX.tenantId}`,
    kit,
    store,
    seeded,
    tokensIssued: () => issued,
    revokeTokens: () => tokens.clear(),
    rows: (set) => [...(store.rows[set]?.values() ?? [])],
    find: (set, column, value) => [...(store.rows[set]?.values() ?? [])].find((r) => r[column] === value),
    create: (set, body) => store.create(set, body),
    update: (set, id, body) => store.update(set, id, body),
    contextFor,
    addWebhook: (w) => webhooks.push(w),
    webhookLog,
    webhookIdle: async () => {
      let seen: Promise<unknown>;
      do {
        seen = pending;
        await seen;
      } while (seen !== pending);
    },
    close: () => kit.close(),
  };
}
