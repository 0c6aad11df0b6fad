import type { EntityName } from '../../model/index.js';
import type {
  CheckResult,
  Connector,
  ConnectorContext,
  ReadQuery,
  References,
  SourceItem,
  TargetRecord,
  WriteItem,
  WriteResult,
} from '../sdk/contract.js';
import { toErrorData } from '../sdk/errors.js';
import { writeEach } from '../sdk/write-each.js';
import { SellerCloudClient } from './client.js';
import { sellercloudManifest } from './manifest.js';
import { Reader } from './read.js';
import { readSettings, type SellerCloudSettings } from './settings.js';
import { Writer } from './write.js';

export class SellerCloudConnector implements Connector {
  readonly manifest = sellercloudManifest;
  readonly client: SellerCloudClient;
  readonly reader: Reader;
  private readonly writer: Writer;

  constructor(
    readonly settings: SellerCloudSettings,
    ctx: ConnectorContext,
  ) {
    this.client = new SellerCloudClient(settings, {
      connection: ctx.connection,
      ...(ctx.limiter ? { limiter: ctx.limiter } : {}),
    });
    this.reader = new Reader(this.client, settings);
    this.writer = new Writer(this.client, this.reader, settings);
  }

  async check(): Promise<CheckResult[]> {
    const out: CheckResult[] = [];
    try {
      await this.client.auth.accessToken();
      out.push({
        name: 'credentials',
        ok: true,
        message: 'SellerCloud issued a token for the username and password',
      });
    } catch (e) {
      out.push({ name: 'credentials', ok: false, message: toErrorData(e).message });
      return out;
    }
    try {
      await this.client.call('GET', 'orders', { query: { pageNumber: 1, pageSize: 1 } });
      out.push({ name: 'orders', ok: true, message: `orders can be read at ${this.settings.baseUrl}` });
    } catch (e) {
      const err = toErrorData(e);
      out.push({ name: err.code === 'auth' ? 'credentials' : 'orders', ok: false, message: err.message });
    }
    return out;
  }

  read(entity: EntityName, query: ReadQuery, signal?: AbortSignal): AsyncIterable<SourceItem[]> {
    return this.reader.read(entity, query, signal);
  }

  async get(entity: EntityName, ids: readonly string[]): Promise<SourceItem[]> {
    const wanted = new Set(ids);
    const out: SourceItem[] = [];
    for await (const page of this.reader.read(entity, { ids }))
      out.push(...page.filter((i) => wanted.has(i.id)));
    return out;
  }

  naturalKey(entity: EntityName, data: unknown, refs?: References): string | undefined {
    return this.writer.naturalKey(entity, data, refs);
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

export function createSellerCloudConnector(
  raw: Record<string, unknown>,
  ctx: ConnectorContext,
): SellerCloudConnector {
  return new SellerCloudConnector(readSettings(raw), ctx);
}
