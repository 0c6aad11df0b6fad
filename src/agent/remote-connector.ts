import { randomUUID } from 'node:crypto';
import type {
  CheckResult,
  Connector,
  ConnectorContext,
  FilterOption,
  KnownCodes,
  ListedRow,
  ReadQuery,
  References,
  SourceItem,
  TargetRecord,
  WriteItem,
  WriteResult,
} from '../connectors/sdk/contract.js';
import { configError, type ErrorData, isLedgerlinkError, toErrorData } from '../connectors/sdk/errors.js';
import { HttpClient } from '../connectors/sdk/http.js';
import type { ConnectorManifest } from '../connectors/sdk/manifest.js';
import type { EntityName } from '../model/index.js';
import { AGENT_PROTOCOL, type Hello, IDEMPOTENCY_HEADER, PATHS, type ReadPage } from './protocol.js';

export interface RemoteOptions {
  manifest: ConnectorManifest;
  /** The connector's own natural keys (a pure function of the record: no need to ask the agent). */
  naturalKey: Connector['naturalKey'];
  url: string;
  token: string;
  ctx: ConnectorContext;
  /** Time allowed for one answer (a page read through ODBC on a busy Sage machine). */
  timeoutMs?: number;
  /** Attempts of one call while the agent is unreachable, with backoff up to 10 s between them. */
  retries?: number;
}

/** Times a read starts again (after the agent restarted) before it gives up for this run. */
const MAX_RESUMES = 5;

/**
 * A connector served by a `ledgerlink agent` on the machine where the system runs: every call goes
 * over HTTP(S) to the agent, which runs the real connector there. What the agent answers is what
 * the connector answered, errors included (code and retry category), so flows behave exactly as
 * in process. A dropped connection loses nothing: each call is repeated until the agent answers
 * (reads ask for the same page again; writes carry an idempotency key so a repeat is answered from
 * the first write), and a read whose session the agent lost starts again after the pages already
 * delivered.
 */
export class RemoteConnector implements Connector {
  readonly manifest: ConnectorManifest;
  private readonly http: HttpClient;
  private hello?: Promise<Hello>;

  constructor(private readonly o: RemoteOptions) {
    this.manifest = o.manifest;
    this.http = new HttpClient({
      baseUrl: o.url,
      systemName: `${o.manifest.title} (agent at ${new URL(o.url).host})`,
      connection: o.ctx.connection,
      ...(o.ctx.limiter ? { limiter: o.ctx.limiter } : { rateLimit: o.manifest.rateLimit }),
      timeoutMs: o.timeoutMs ?? 60_000,
      maxRetries: o.retries ?? 6,
      maxBackoffMs: 10_000,
      authHeaders: () => ({ authorization: `Bearer ${o.token}` }),
      errorMessage: (body) => (body as { error?: { message?: string } } | undefined)?.error?.message,
      // The agent's error carries the connector's own code and category: they decide, not the status.
      // A lost read session is not retried as it is: the read starts again (readPages).
      classify: (status, body) => {
        const e = (body as { error?: Partial<ErrorData> } | undefined)?.error;
        if (status === 410) return { code: 'not_found', category: 'rejected' };
        return e?.code && e.category ? { code: e.code, category: e.category } : undefined;
      },
    });
  }

  private async call<T>(path: string, body: unknown, headers?: Record<string, string>): Promise<T> {
    await this.ready();
    return (
      await this.http.request<T>({
        method: 'POST',
        path,
        body,
        idempotent: true,
        ...(headers ? { headers } : {}),
      })
    ).body;
  }

  /** The agent's greeting, checked once: the right protocol and the right kind of connector. */
  private ready(): Promise<Hello> {
    this.hello ??= this.http
      .request<Hello>({ method: 'GET', path: PATHS.hello })
      .then(({ body }) => {
        if (body.protocol !== AGENT_PROTOCOL)
          throw configError(
            `the agent speaks protocol ${body.protocol}, this server ${AGENT_PROTOCOL}: run the same Ledgerlink version on both machines (agent ${body.version})`,
          );
        if (body.connector !== this.manifest.name)
          throw configError(
            `the agent serves a ${body.title} connection ("${body.connection}"), not ${this.manifest.title}: point agentUrl at the right agent`,
          );
        return body;
      })
      .catch((e: unknown) => {
        this.hello = undefined;
        throw e;
      });
    return this.hello;
  }

  async check(): Promise<CheckResult[]> {
    let hello: Hello;
    try {
      hello = await this.ready();
    } catch (e) {
      return [{ name: 'agent', ok: false, message: toErrorData(e).message }];
    }
    const agent: CheckResult = {
      name: 'agent',
      ok: true,
      message: `the agent at ${new URL(this.o.url).host} answered (Ledgerlink ${hello.version}, connection "${hello.connection}")`,
    };
    return [agent, ...(await this.call<CheckResult[]>(PATHS.check, {}))];
  }

  read(entity: EntityName, query: ReadQuery, signal?: AbortSignal): AsyncIterable<SourceItem[]> {
    return this.pages<SourceItem>(PATHS.read, { entity, query: plain(query) }, signal);
  }

  /** The listings of the connector's manifest (the Sage View's Invoice Items, Transactions). */
  listRows(listing: string, query: ReadQuery, signal?: AbortSignal): AsyncIterable<ListedRow[]> {
    return this.pages<ListedRow>(PATHS.list, { listing, query: plain(query) }, signal);
  }

  /** A read session's pages, from `start` (a read or a listing), resumed as the class says. */
  private async *pages<T>(
    start: string,
    body: Record<string, unknown>,
    signal?: AbortSignal,
  ): AsyncIterable<T[]> {
    let delivered = 0;
    let resumes = 0;
    let session: string | undefined;
    let seq = 0;
    try {
      for (;;) {
        if (signal?.aborted) return;
        let page: ReadPage;
        try {
          page = session
            ? await this.call<ReadPage>(PATHS.next, { session, seq })
            : await this.call<ReadPage>(start, { ...body, skipPages: delivered });
        } catch (e) {
          if (isLedgerlinkError(e) && e.httpStatus === 410 && resumes < MAX_RESUMES) {
            resumes++;
            this.o.ctx.logger.warn(
              { start, ...body, delivered },
              'the agent lost the read (it restarted?): reading again after the pages already delivered',
            );
            session = undefined;
            continue;
          }
          throw e;
        }
        session = page.session;
        if (page.items.length) {
          delivered++;
          yield page.items as T[];
        }
        if (page.done) return;
        seq = page.seq + 1;
      }
    } finally {
      // Released on the agent whether the read ended or its reader stopped early.
      if (session) await this.call(PATHS.close, { session }).catch(() => undefined);
    }
  }

  async count(entity: EntityName, query: ReadQuery): Promise<number | undefined> {
    return (
      (await this.call<{ count: number | null }>(PATHS.count, { entity, query: plain(query) })).count ??
      undefined
    );
  }

  async changedSince(entity: EntityName, token: string | undefined) {
    const { changed } = await this.call<{ changed: { ids: string[]; token: string } | null }>(PATHS.changed, {
      entity,
      ...(token !== undefined ? { token } : {}),
    });
    return changed ?? undefined;
  }

  async filterOptions(entity: EntityName, filter: string): Promise<FilterOption[] | undefined> {
    return (
      (await this.call<{ options: FilterOption[] | null }>(PATHS.filterOptions, { entity, filter }))
        .options ?? undefined
    );
  }

  get(entity: EntityName, ids: readonly string[]): Promise<SourceItem[]> {
    return this.call<SourceItem[]>(PATHS.get, { entity, ids });
  }

  naturalKey(entity: EntityName, data: unknown, refs?: References): string | undefined {
    return this.o.naturalKey(entity, data, refs);
  }

  async lookup(entity: EntityName, keys: readonly string[]): Promise<Map<string, TargetRecord>> {
    return new Map(await this.call<Array<[string, TargetRecord]>>(PATHS.lookup, { entity, keys }));
  }

  /** One key per call, kept through its repeats: the agent writes once, whatever reaches it twice. */
  write(entity: EntityName, items: readonly WriteItem[]): Promise<WriteResult[]> {
    return this.call<WriteResult[]>(PATHS.write, { entity, items }, { [IDEMPOTENCY_HEADER]: randomUUID() });
  }

  async knownCodes(field: string): Promise<KnownCodes | undefined> {
    return (await this.call<{ codes: KnownCodes | null }>(PATHS.knownCodes, { field })).codes ?? undefined;
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}

/** The query as JSON carries it (no undefined members; the agent's schema is strict). */
function plain(q: ReadQuery): ReadQuery {
  return JSON.parse(JSON.stringify(q)) as ReadQuery;
}
