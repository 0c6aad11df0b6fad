import type { Logger } from 'pino';
import type { ConnectorContext, CredentialStore } from '../sdk/contract.js';
import { LedgerlinkError } from '../sdk/errors.js';
import { type HttpBinding, HttpClient, type HttpExchange } from '../sdk/http.js';
import { BothLimiters, ConnectionLimiter } from '../sdk/rate-limit.js';
import { QuickBooksAuth } from './auth.js';
import { classifyFault, errorMessage, faultOf, faultText, STALE_OBJECT } from './faults.js';
import { quickbooksManifest } from './manifest.js';
import { apiBase, type QuickBooksSettings } from './settings.js';
import type { Fault, QboEntity, QboEntityName } from './types.js';
import {
  asRate,
  BATCH_REQUESTS_PER_MINUTE,
  REQUESTS_PER_MINUTE,
  WindowBudget,
  type WindowLimit,
} from './window-budget.js';

/** At most 30 operations in one batch request (Intuit's batch limit). */
export const BATCH_LIMIT = 30;

export interface QueryPage<T> {
  rows: T[];
  startPosition: number;
  maxResults: number;
}

/** One operation of a batch, and its answer: the entity as saved, or its Fault. */
export type BatchOperation =
  | { operation: 'create' | 'update'; entity: QboEntityName; body: Record<string, unknown> }
  | { query: string };

export type BatchAnswer = { entity?: Record<string, unknown>; rows?: unknown[]; fault?: Fault };

/** Quotes a value for the query language: single quotes, an apostrophe inside escaped with a backslash. */
export const quote = (v: string): string => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * Talks to one QuickBooks Online company: every path below /v3/company/<realm>/, the pinned
 * minorversion on every request, the bearer token from QuickBooksAuth (renewed before it ends and
 * once after a 401), Fault bodies mapped to our error classes.
 */
export class QuickBooksClient {
  readonly http: HttpClient;
  readonly auth: QuickBooksAuth;
  /** Intuit's 500 requests in any minute as they arrive, kept on top of the connection's budget. */
  readonly requestBudget: WindowBudget;
  /** Intuit's 40 batch requests in any minute, on top of that. */
  readonly batchBudget: WindowBudget;

  constructor(
    private readonly s: QuickBooksSettings,
    o: {
      connection: string;
      credentials?: CredentialStore;
      logger?: Logger;
      /** Batch requests per window (Intuit: 40 a minute); a shorter window in tests. */
      batchLimit?: WindowLimit;
      /** Where the batch requests' own budget is shared by every process (the runtime's; see ConnectorContext). */
      budgetFor?: ConnectorContext['budgetFor'];
    } & HttpBinding,
  ) {
    this.auth = new QuickBooksAuth(s, o);
    const connection = o.limiter ?? new ConnectionLimiter(quickbooksManifest.rateLimit);
    this.requestBudget = new WindowBudget(connection, {
      requests: connection.limit.requestsPerMinute ?? REQUESTS_PER_MINUTE,
      windowMs: 60_000,
    });
    const batchLimit = o.batchLimit ?? { requests: BATCH_REQUESTS_PER_MINUTE, windowMs: 60_000 };
    // The 40 a minute are the company's, whichever process sends: counted together where shared.
    const sharedBatches = o.budgetFor?.('batch', asRate(batchLimit));
    this.batchBudget = new WindowBudget(
      sharedBatches ? new BothLimiters(sharedBatches, this.requestBudget) : this.requestBudget,
      batchLimit,
    );
    this.http = new HttpClient({
      baseUrl: apiBase(s),
      timeoutMs: s.timeoutMs,
      connection: o.connection,
      limiter: this.requestBudget,
      systemName: 'QuickBooks Online',
      authHeaders: async () => ({ authorization: `Bearer ${await this.auth.accessToken()}` }),
      onUnauthorized: (sent) => this.auth.onUnauthorized(sent),
      errorMessage: (body) => errorMessage(body),
      classify: (status, body) => classifyFault(status, body),
      // Intuit sends no Retry-After with a 429; its page on limits says to wait 60 seconds. Read
      // that way, the whole connection pauses and the record waits in the store (a wait beyond the
      // client's longest backoff goes back to the engine), rather than the client knocking again.
      onResponse: (res) => {
        if (res.status === 429 && res.headers['retry-after'] === undefined && s.throttleWaitSeconds > 0)
          res.headers['retry-after'] = String(s.throttleWaitSeconds);
      },
    });
  }

  private async path(p: string): Promise<string> {
    return `v3/company/${encodeURIComponent(await this.auth.realmId())}/${p}`;
  }

  private get mv(): Record<string, string> {
    return { minorversion: String(this.s.minorVersion) };
  }

  /** Runs a query; `rows` are the records under the entity's key (absent when none matched). */
  async query<T>(
    entity: QboEntityName,
    statement: string,
    o: { record?: HttpExchange[]; signal?: AbortSignal } = {},
  ): Promise<QueryPage<T>> {
    const res = await this.http.request<{ QueryResponse?: Record<string, unknown> }>({
      method: 'GET',
      path: await this.path('query'),
      query: { query: statement, ...this.mv },
      ...(o.record ? { record: o.record } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    const qr = res.body?.QueryResponse ?? {};
    return {
      rows: (qr[entity] as T[] | undefined) ?? [],
      startPosition: Number(qr.startPosition ?? 1),
      maxResults: Number(qr.maxResults ?? 0),
    };
  }

  async count(entity: QboEntityName, where: string): Promise<number> {
    const res = await this.http.request<{ QueryResponse?: { totalCount?: number } }>({
      method: 'GET',
      path: await this.path('query'),
      query: { query: `select count(*) from ${entity}${where ? ` where ${where}` : ''}`, ...this.mv },
    });
    return Number(res.body?.QueryResponse?.totalCount ?? 0);
  }

  /** Reads one record by Id; undefined when QuickBooks has none. */
  async read<T>(entity: QboEntityName, id: string, record?: HttpExchange[]): Promise<T | undefined> {
    const res = await this.http.request<Record<string, unknown>>({
      method: 'GET',
      path: await this.path(`${entity.toLowerCase()}/${encodeURIComponent(id)}`),
      query: this.mv,
      accept: [400, 404],
      ...(record ? { record } : {}),
    });
    if (res.status >= 400) {
      // QuickBooks answers a read of an unknown Id with a ValidationFault ("Object Not Found", 610).
      if (res.status === 404 || faultText(faultOf(res.body) ?? {}).length > 0) return undefined;
    }
    return res.body?.[entity] as T | undefined;
  }

  /** Creates a record (POST /<entity>); not repeated after a lost answer: the engine looks it up first. */
  async create<T>(entity: QboEntityName, body: Record<string, unknown>, record?: HttpExchange[]): Promise<T> {
    const res = await this.http.request<Record<string, unknown>>({
      method: 'POST',
      path: await this.path(entity.toLowerCase()),
      query: this.mv,
      body,
      ...(record ? { record } : {}),
    });
    return res.body[entity] as T;
  }

  /**
   * A sparse update: only the elements in `patch` change, with the record's Id and SyncToken. A stale
   * SyncToken (someone saved the record since we read it: Fault 5010 "Stale Object Error") reads the
   * record again and sends the same change with its new SyncToken — once; a second refusal is the
   * record's (a conflict a person looks at).
   */
  async sparseUpdate<T extends QboEntity>(
    entity: QboEntityName,
    current: { Id: string; SyncToken: string },
    patch: Record<string, unknown>,
    record?: HttpExchange[],
  ): Promise<T> {
    const path = await this.path(entity.toLowerCase());
    const post = (syncToken: string) =>
      this.http.request<Record<string, unknown>>({
        method: 'POST',
        path,
        query: this.mv,
        body: { ...patch, Id: current.Id, SyncToken: syncToken, sparse: true },
        // The same body twice has one effect: a stale SyncToken refuses the second.
        idempotent: true,
        ...(record ? { record } : {}),
      });
    try {
      return (await post(current.SyncToken)).body[entity] as T;
    } catch (e) {
      if (!isStale(e)) throw e;
      const fresh = await this.read<QboEntity>(entity, current.Id, record);
      if (!fresh?.SyncToken) throw e;
      return (await post(fresh.SyncToken)).body[entity] as T;
    }
  }

  /**
   * Up to 30 operations in one request. Each answer is the record or its own Fault; a fault of the
   * whole request (throttling, authentication) throws as any request does.
   */
  async batch(ops: readonly BatchOperation[], record?: HttpExchange[]): Promise<BatchAnswer[]> {
    if (ops.length > BATCH_LIMIT)
      throw new Error(`a QuickBooks batch takes at most ${BATCH_LIMIT} operations, not ${ops.length}`);
    const items = ops.map((op, i) =>
      'query' in op
        ? { bId: String(i + 1), Query: op.query }
        : { bId: String(i + 1), operation: op.operation, [op.entity]: op.body },
    );
    const res = await this.http.request<{ BatchItemResponse?: Array<Record<string, unknown>> }>({
      method: 'POST',
      path: await this.path('batch'),
      query: this.mv,
      body: { BatchItemRequest: items },
      limiter: this.batchBudget,
      ...(record ? { record } : {}),
    });
    const byId = new Map((res.body?.BatchItemResponse ?? []).map((r) => [String(r.bId), r]));
    return ops.map((op, i) => {
      const r = byId.get(String(i + 1));
      if (!r)
        return {
          fault: {
            type: 'SystemFault',
            Error: [{ Message: 'QuickBooks gave no answer for this operation' }],
          },
        };
      if (r.Fault) return { fault: r.Fault as Fault };
      if ('query' in op) {
        const qr = (r.QueryResponse ?? {}) as Record<string, unknown>;
        const rows = Object.values(qr).find(Array.isArray) as unknown[] | undefined;
        return { rows: rows ?? [] };
      }
      return { entity: r[op.entity] as Record<string, unknown> };
    });
  }

  /**
   * Change data capture: every record of the entities changed since the instant (at most 30 days
   * back, at most 1000 records in one answer), deleted ones with status "Deleted".
   */
  async cdc(
    entities: readonly QboEntityName[],
    changedSince: string,
    o: { record?: HttpExchange[]; signal?: AbortSignal } = {},
  ): Promise<Map<QboEntityName, Array<Record<string, unknown>>>> {
    const res = await this.http.request<{
      CDCResponse?: Array<{ QueryResponse?: Array<Record<string, unknown>> }>;
    }>({
      method: 'GET',
      path: await this.path('cdc'),
      query: { entities: entities.join(','), changedSince, ...this.mv },
      ...(o.record ? { record: o.record } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    const out = new Map<QboEntityName, Array<Record<string, unknown>>>();
    for (const cdc of res.body?.CDCResponse ?? [])
      for (const qr of cdc.QueryResponse ?? [])
        for (const e of entities) {
          const rows = qr[e];
          if (Array.isArray(rows))
            out.set(e, [...(out.get(e) ?? []), ...(rows as Array<Record<string, unknown>>)]);
        }
    return out;
  }

  async close(): Promise<void> {
    await this.http.close();
    await this.auth.close();
  }
}

export const isStale = (e: unknown): boolean =>
  e instanceof LedgerlinkError && e.code === 'conflict' && e.message.includes(`[${STALE_OBJECT}]`);

/** A batch operation's Fault as our error: the record's data (ValidationFault) unless the Fault says otherwise. */
export function batchFaultError(f: Fault, what: string): LedgerlinkError {
  const kind = classifyFault(400, { Fault: f }) ?? {
    code: 'invalid_data' as const,
    category: 'rejected' as const,
  };
  return new LedgerlinkError({ ...kind, message: `QuickBooks refused ${what}: ${faultText(f) || f.type}` });
}
