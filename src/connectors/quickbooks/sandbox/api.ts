import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticationFault, fault, now, throttled, validationFault } from './faults.js';
import type { SandboxOAuth } from './oauth.js';
import { matches, orderRows, parseQuery, QueryError } from './query.js';
import { type CompanyStore, type EntityKey, Refusal, type Stored } from './store.js';

export interface ApiLimits {
  /** Intuit: 500 a minute per company. */
  requestsPerMinute: number;
  /** Intuit: 10 at once per company. */
  concurrency: number;
  /** Intuit: 40 batch requests a minute per company and app. */
  batchPerMinute?: number;
  /** The throttle's window (Intuit: a minute); shorter in tests. */
  windowMs?: number;
  /** How long the company takes over each call (so that calls overlap, as they do against Intuit). */
  holdMs?: number;
}

/** Entities the query, read and write routes serve, by the lower-case name of their path. */
const PATHS: Record<string, EntityKey | 'CompanyInfo'> = {
  customer: 'Customer',
  item: 'Item',
  invoice: 'Invoice',
  account: 'Account',
  companyinfo: 'CompanyInfo',
};

/** CDC looks back 30 days at most, and answers 1000 records at most. */
const CDC_DAYS = 30;
const CDC_MAX = 1000;
const BATCH_MAX = 30;

/**
 * The Accounting API v3 of one company under /v3/company/<realm>: query, read, create and (sparse)
 * update with SyncToken, batch, ChangeDataCapture and CompanyInfo; bearer tokens checked on every
 * call; Intuit's throttle (per minute and at once per company) answered 429 ThrottleExceeded.
 */
export function apiRoutes(
  app: FastifyInstance,
  store: CompanyStore,
  oauth: SandboxOAuth,
  limits: ApiLimits,
): { throttled: number } {
  const prefix = `/v3/company/${store.company.realmId}`;
  const arrivals: number[] = [];
  const batches: number[] = [];
  let inFlight = 0;
  const counters = { throttled: 0 };

  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/v3/company/')) return;
    const t = Date.now();
    while (arrivals.length && arrivals[0]! <= t - (limits.windowMs ?? 60_000)) arrivals.shift();
    if (arrivals.length >= limits.requestsPerMinute || inFlight >= limits.concurrency) {
      counters.throttled++;
      return reply.code(429).send(throttled());
    }
    if (req.url.startsWith(`${prefix}/batch`)) {
      while (batches.length && batches[0]! <= t - (limits.windowMs ?? 60_000)) batches.shift();
      if (batches.length >= (limits.batchPerMinute ?? 40)) {
        counters.throttled++;
        return reply.code(429).send(throttled());
      }
      batches.push(t);
    }
    arrivals.push(t);
    inFlight++;
    (req as FastifyRequest & { counted?: boolean }).counted = true;
    const auth = oauth.check(req.headers.authorization);
    if (auth !== 'ok')
      return reply
        .code(401)
        .send(
          authenticationFault(
            auth === 'missing' ? 'Token missing' : 'Token expired: the access token is no longer valid',
          ),
        );
    if (limits.holdMs) await new Promise((r) => setTimeout(r, limits.holdMs));
    if (!req.url.startsWith(`${prefix}/`))
      return reply.code(403).send(
        fault('AuthorizationFault', [
          {
            Message: 'message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403',
            code: '3100',
          },
        ]),
      );
  });
  app.addHook('onResponse', async (req) => {
    if ((req as FastifyRequest & { counted?: boolean }).counted) inFlight--;
  });

  const answer = (reply: FastifyReply, r: Stored | Refusal, entity: string) =>
    r instanceof Refusal ? reply.code(r.status).send(r.body) : { [entity]: r, time: now() };

  app.get<{ Querystring: { query?: string } }>(`${prefix}/query`, async (req, reply) => {
    const out = runQuery(store, req.query.query ?? '');
    return out instanceof Refusal ? reply.code(400).send(out.body) : { QueryResponse: out, time: now() };
  });

  app.get<{ Params: { entity: string; id: string } }>(`${prefix}/:entity/:id`, async (req, reply) => {
    const entity = PATHS[req.params.entity.toLowerCase()];
    if (!entity)
      return reply
        .code(400)
        .send(
          validationFault('Unsupported Operation', `Operation ${req.params.entity} is not supported`, '500'),
        );
    if (entity === 'CompanyInfo') return { CompanyInfo: companyInfo(store), time: now() };
    const r = store.get(entity, req.params.id);
    if (!r)
      return reply
        .code(400)
        .send(
          validationFault(
            'Object Not Found',
            `Object Not Found : Something you're trying to use has been made inactive or deleted (${entity} Id=${req.params.id})`,
            '610',
          ),
        );
    return { [entity]: r, time: now() };
  });

  app.post<{ Params: { entity: string }; Body: Record<string, unknown> }>(
    `${prefix}/:entity`,
    async (req, reply) => {
      const entity = PATHS[req.params.entity.toLowerCase()];
      if (!entity || entity === 'CompanyInfo' || req.params.entity === 'batch')
        return reply
          .code(400)
          .send(
            validationFault(
              'Unsupported Operation',
              `Operation ${req.params.entity} is not supported`,
              '500',
            ),
          );
      return answer(reply, store.save(entity, req.body ?? {}), entity);
    },
  );

  app.post<{ Body: { BatchItemRequest?: Array<Record<string, unknown>> } }>(
    `${prefix}/batch`,
    async (req, reply) => {
      const items = req.body?.BatchItemRequest ?? [];
      if (items.length > BATCH_MAX)
        return reply
          .code(400)
          .send(
            validationFault(
              'Batch request exceeds the limit',
              `The batch request has ${items.length} items; the limit is ${BATCH_MAX}`,
              '1000',
              'BatchItemRequest',
            ),
          );
      const out = items.map((item) => {
        const bId = String(item.bId ?? '');
        if (typeof item.Query === 'string') {
          const q = runQuery(store, item.Query);
          return q instanceof Refusal ? { bId, ...q.body } : { bId, QueryResponse: q };
        }
        const entity = (['Customer', 'Item', 'Invoice'] as const).find((e) => item[e] !== undefined);
        if (!entity || (item.operation !== 'create' && item.operation !== 'update'))
          return {
            bId,
            Fault: {
              Error: [{ Message: 'Unsupported batch operation', code: '500' }],
              type: 'ValidationFault',
            },
          };
        const body = item[entity] as Record<string, unknown>;
        if (item.operation === 'create' && body.Id !== undefined)
          return {
            bId,
            Fault: {
              Error: [{ Message: 'Id is not allowed on create', code: '2010', element: 'Id' }],
              type: 'ValidationFault',
            },
          };
        const r = store.save(entity, body);
        return r instanceof Refusal
          ? { bId, Fault: (r.body as { Fault: unknown }).Fault }
          : { bId, [entity]: r };
      });
      return { BatchItemResponse: out, time: now() };
    },
  );

  app.get<{ Querystring: { entities?: string; changedSince?: string } }>(
    `${prefix}/cdc`,
    async (req, reply) => {
      const since = Date.parse(req.query.changedSince ?? '');
      const entities = (req.query.entities ?? '')
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean);
      if (Number.isNaN(since) || entities.length === 0)
        return reply
          .code(400)
          .send(
            validationFault(
              'Required param missing, need to supply the required value for the API',
              'entities and changedSince are required',
              '2020',
              'changedSince',
            ),
          );
      if (Date.now() - since > CDC_DAYS * 24 * 3600_000)
        return reply
          .code(400)
          .send(
            validationFault(
              'Invalid changedSince',
              `changedSince must be within the last ${CDC_DAYS} days`,
              '2030',
              'changedSince',
            ),
          );
      let left = CDC_MAX;
      const responses = entities.map((name) => {
        const entity = PATHS[name.toLowerCase()];
        if (!entity || entity === 'CompanyInfo') return {};
        const rows = [...store.tables[entity].values()]
          .filter((r) => Date.parse(r.MetaData?.LastUpdatedTime ?? '') >= since)
          .slice(0, Math.max(0, left));
        left -= rows.length;
        return rows.length
          ? { [entity]: rows, startPosition: 1, maxResults: rows.length, totalCount: rows.length }
          : {};
      });
      return { CDCResponse: [{ QueryResponse: responses }], time: now() };
    },
  );

  return counters;
}

function companyInfo(store: CompanyStore): Record<string, unknown> {
  return {
    Id: store.company.realmId,
    SyncToken: '0',
    CompanyName: store.company.name,
    Country: store.company.country,
    MetaData: { CreateTime: '2024-01-01T00:00:00Z', LastUpdatedTime: '2024-01-01T00:00:00Z' },
  };
}

function runQuery(store: CompanyStore, text: string): Record<string, unknown> | Refusal {
  let q: ReturnType<typeof parseQuery>;
  store.queries.push(text);
  try {
    q = parseQuery(text);
  } catch (e) {
    const detail = e instanceof QueryError ? e.message : String(e);
    return new Refusal(validationFault('Error parsing query', `QueryParserError: ${detail}`, '4000'));
  }
  const entity = PATHS[q.entity.toLowerCase()];
  if (!entity)
    return new Refusal(
      validationFault('Error parsing query', `QueryParserError: Invalid entity ${q.entity}`, '4000'),
    );
  if (entity === 'CompanyInfo') return { CompanyInfo: [companyInfo(store)], startPosition: 1, maxResults: 1 };
  const mentionsActive = q.where.some((c) => c.field.toLowerCase() === 'active');
  const activeOnly = (entity === 'Customer' || entity === 'Item') && !mentionsActive;
  const rows = orderRows(
    [...store.tables[entity].values()].filter(
      (r) => (!activeOnly || r.Active !== false) && matches(r, q.where),
    ),
    q.orderBy,
  );
  if (q.count) return { totalCount: rows.length };
  const page = rows.slice(q.startPosition - 1, q.startPosition - 1 + q.maxResults);
  return page.length ? { [entity]: page, startPosition: q.startPosition, maxResults: page.length } : {};
}
