import type { EntityName } from '../../model/index.js';
import type {
  CheckResult,
  Connector,
  ConnectorContext,
  OAuthAuthorization,
  ReadQuery,
  SourceItem,
  TargetRecord,
  WriteItem,
  WriteResult,
} from '../sdk/contract.js';
import { toErrorData } from '../sdk/errors.js';
import { writeEach } from '../sdk/write-each.js';
import { anyOf, Sage200Client } from './client.js';
import { sage200Manifest } from './manifest.js';
import { Reader } from './read.js';
import { readSettings, type Sage200Settings } from './settings.js';
import type { S200Product, S200Site } from './types.js';
import { Writer } from './write.js';

export class Sage200Connector implements Connector {
  readonly manifest = sage200Manifest;
  readonly client: Sage200Client;
  readonly authorization: OAuthAuthorization;
  private readonly reader: Reader;
  private readonly writer: Writer;

  constructor(
    readonly settings: Sage200Settings,
    ctx: ConnectorContext,
  ) {
    this.client = new Sage200Client(settings, {
      connection: ctx.connection,
      logger: ctx.logger,
      ...(ctx.credentials ? { credentials: ctx.credentials } : {}),
      ...(ctx.limiter ? { limiter: ctx.limiter } : {}),
    });
    this.reader = new Reader(this.client, settings);
    this.writer = new Writer(this.client, settings);
    this.authorization = {
      authorizeUrl: (redirectUri, state) => this.client.auth.authorizeUrl(redirectUri, state),
      complete: (code, redirectUri) => this.client.auth.complete(code, redirectUri),
    };
  }

  async check(): Promise<CheckResult[]> {
    const out: CheckResult[] = [];
    try {
      await this.client.auth.accessToken();
      out.push({ name: 'credentials', ok: true, message: 'Sage ID issued an access token' });
    } catch (e) {
      out.push({ name: 'credentials', ok: false, message: toErrorData(e).message });
      return out;
    }
    try {
      const sites = await this.client.get<S200Site[]>('sites');
      const site = (Array.isArray(sites) ? sites : []).find(
        (x) => x.site_id === this.settings.siteId && String(x.company_id) === this.settings.companyId,
      );
      out.push({
        name: 'site',
        ok: site !== undefined,
        message: site
          ? `site "${site.site_name}", company "${site.company_name}" is reachable`
          : `site ${this.settings.siteId} with company ${this.settings.companyId} is not among the sites this Sage ID may use (GET /sites): check siteId and companyId`,
      });
      if (!site) return out;
    } catch (e) {
      const err = toErrorData(e);
      out.push({ name: err.code === 'auth' ? 'credentials' : 'site', ok: false, message: err.message });
      return out;
    }
    try {
      const rows = await this.client.list<S200Product>('products', {
        filter: anyOf('code', [this.settings.defaultProduct]),
        top: 1,
      });
      out.push({
        name: 'default product',
        ok: rows.length > 0,
        message: rows.length
          ? `the default product "${this.settings.defaultProduct}" exists`
          : `the default product "${this.settings.defaultProduct}" is not a Sage 200 product: create it or set defaultProduct`,
      });
      try {
        await this.writer.warehouseId();
        out.push({ name: 'warehouse', ok: true, message: `warehouse "${this.settings.warehouse}" exists` });
      } catch (e) {
        out.push({ name: 'warehouse', ok: false, message: toErrorData(e).message });
      }
    } catch (e) {
      out.push({ name: 'read', ok: false, message: toErrorData(e).message });
    }
    return out;
  }

  read(entity: EntityName, query: ReadQuery, signal?: AbortSignal): AsyncIterable<SourceItem[]> {
    return this.reader.read(entity, query, signal);
  }

  async get(entity: EntityName, ids: readonly string[]): Promise<SourceItem[]> {
    const out: SourceItem[] = [];
    const wanted = new Set(ids);
    for await (const page of this.reader.read(entity, { ids }))
      out.push(...page.filter((i) => wanted.has(i.id)));
    return out;
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

export function createSage200Connector(
  raw: Record<string, unknown>,
  ctx: ConnectorContext,
): Sage200Connector {
  return new Sage200Connector(readSettings(raw), ctx);
}
