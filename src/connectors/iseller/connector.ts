import type { EntityName } from '../../model/index.js';
import type {
  CheckResult,
  Connector,
  ConnectorContext,
  ListedRow,
  OAuthAuthorization,
  ReadQuery,
  SourceItem,
  TargetRecord,
  WebhookHandler,
  WriteItem,
  WriteResult,
} from '../sdk/contract.js';
import { toErrorData } from '../sdk/errors.js';
import { writeEach } from '../sdk/write-each.js';
import { IsellerCodeAuth } from './auth.js';
import { IsellerClient } from './client.js';
import { Lister } from './listings.js';
import { isellerManifest } from './manifest.js';
import { orderIdOf } from './mappers/order.js';
import { Reader } from './read.js';
import { type IsellerSettings, readSettings } from './settings.js';
import { type ClosedShift, closedShifts } from './shifts.js';
import { isellerWebhook } from './webhook.js';
import { Writer } from './write.js';

export class IsellerConnector implements Connector {
  readonly manifest = isellerManifest;
  readonly client: IsellerClient;
  readonly webhook: WebhookHandler;
  readonly authorization?: OAuthAuthorization;
  private readonly reader: Reader;
  private readonly writer: Writer;
  private readonly lister: Lister;

  constructor(
    readonly settings: IsellerSettings,
    ctx: ConnectorContext,
  ) {
    this.client = new IsellerClient(settings, {
      connection: ctx.connection,
      logger: ctx.logger,
      ...(ctx.credentials ? { credentials: ctx.credentials } : {}),
      ...(ctx.limiter ? { limiter: ctx.limiter } : {}),
    });
    this.reader = new Reader(this.client, settings);
    this.writer = new Writer(this.client, this.reader);
    this.lister = new Lister(this.client, this.reader, settings);
    this.webhook = isellerWebhook(settings);
    const tokens = this.client.tokens;
    if (tokens instanceof IsellerCodeAuth)
      this.authorization = {
        authorizeUrl: (redirectUri, state) => tokens.authorizeUrl(redirectUri, state),
        complete: (code, redirectUri) => tokens.complete(code, redirectUri),
      };
  }

  async check(): Promise<CheckResult[]> {
    const out: CheckResult[] = [];
    try {
      await this.client.tokens.accessToken();
      out.push({ name: 'credentials', ok: true, message: 'iSeller issued an access token' });
    } catch (e) {
      out.push({ name: 'credentials', ok: false, message: toErrorData(e).message });
      return out;
    }
    try {
      const body = await this.client.call('public', 'GetStoreInfo', {});
      const info = (body.store_info ?? {}) as { store_name?: string };
      out.push({
        name: 'store',
        ok: true,
        message: `store "${info.store_name ?? '?'}" answers at ${this.client.baseUrl()}`,
      });
      const outlets = await this.reader.outletCodes();
      out.push({
        name: 'outlets',
        ok: outlets.size > 0,
        message: outlets.size
          ? `outlets by outlet_code: ${[...new Set(outlets.values())].join(', ')}`
          : 'no outlet has an outlet_code: give each outlet a code in iSeller, sales are booked by it',
      });
    } catch (e) {
      const err = toErrorData(e);
      out.push({ name: err.code === 'auth' ? 'credentials' : 'store', ok: false, message: err.message });
    }
    return out;
  }

  read(entity: EntityName, query: ReadQuery, signal?: AbortSignal): AsyncIterable<SourceItem[]> {
    return this.reader.read(entity, query, signal);
  }

  /** The manifest's listings (Outlet inventories: GetOutletInventories per outlet), a page at a time. */
  listRows(listing: string, query: ReadQuery, signal?: AbortSignal): AsyncIterable<ListedRow[]> {
    return this.lister.list(listing, query, signal);
  }

  /**
   * Records by id. For sales an order's id also stands for everything read from it (its invoice,
   * credit notes and payments): a notification names the order, not its payment methods.
   */
  async get(entity: EntityName, ids: readonly string[]): Promise<SourceItem[]> {
    const wanted = new Set(ids);
    const sales = entity === 'invoice' || entity === 'payment';
    const out: SourceItem[] = [];
    for await (const page of this.reader.read(entity, { ids }))
      out.push(...page.filter((i) => wanted.has(i.id) || (sales && wanted.has(orderIdOf(i.id)))));
    return out;
  }

  /** The register shifts closed since `since`, oldest first: the engine fires shift-close runs from them. */
  closedShifts(since: string | undefined, signal?: AbortSignal): Promise<ClosedShift[]> {
    return closedShifts(this.client, this.settings, since ?? new Date(0).toISOString(), signal);
  }

  naturalKey(entity: EntityName, data: unknown): string | undefined {
    return this.writer.naturalKey(entity, data);
  }

  lookup(entity: EntityName, keys: readonly string[]): Promise<Map<string, TargetRecord>> {
    return this.writer.lookup(entity, keys);
  }

  write(entity: EntityName, items: readonly WriteItem[]): Promise<WriteResult[]> {
    return writeEach(items, () => this.writer.write(entity, items));
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

export function createIsellerConnector(
  raw: Record<string, unknown>,
  ctx: ConnectorContext,
): IsellerConnector {
  return new IsellerConnector(readSettings(raw), ctx);
}
