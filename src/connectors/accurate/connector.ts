import type { EntityName } from '../../model/index.js';
import type {
  CheckResult,
  Connector,
  ConnectorContext,
  OAuthAuthorization,
  ReadQuery,
  SourceItem,
  TargetRecord,
  UpkeepContext,
  UpkeepResult,
  WebhookHandler,
  WriteItem,
  WriteResult,
} from '../sdk/contract.js';
import { toErrorData } from '../sdk/errors.js';
import { writeEach } from '../sdk/write-each.js';
import { AccurateClient } from './client.js';
import { accurateManifest } from './manifest.js';
import { Reader } from './read.js';
import { type AccurateSettings, readSettings } from './settings.js';
import { accurateUpkeep } from './upkeep.js';
import { accurateWebhook } from './webhook.js';
import { renewWebhook, type WebhookRenewal, webhookHistory } from './webhook-renew.js';
import { Writer } from './write.js';

export class AccurateConnector implements Connector {
  readonly manifest = accurateManifest;
  readonly client: AccurateClient;
  readonly authorization?: OAuthAuthorization;
  readonly webhook: WebhookHandler;
  private readonly reader: Reader;
  private readonly writer: Writer;

  constructor(
    readonly settings: AccurateSettings,
    ctx: ConnectorContext,
  ) {
    this.client = new AccurateClient(settings, {
      connection: ctx.connection,
      logger: ctx.logger,
      ...(ctx.credentials ? { credentials: ctx.credentials } : {}),
      ...(ctx.limiter ? { limiter: ctx.limiter } : {}),
    });
    this.reader = new Reader(this.client, settings);
    this.writer = new Writer(this.client, settings);
    this.webhook = accurateWebhook(settings);
    const auth = this.client.auth;
    if (auth)
      this.authorization = {
        authorizeUrl: (redirectUri, state) => auth.authorizeUrl(redirectUri, state),
        complete: (code, redirectUri) => auth.complete(code, redirectUri),
      };
  }

  async check(): Promise<CheckResult[]> {
    const out: CheckResult[] = [];
    try {
      await this.client.credentialHeaders();
      const s = await this.client.session();
      out.push({
        name: 'credentials',
        ok: true,
        message:
          this.settings.authMode === 'apiToken'
            ? `the API token opens the database at ${s.host}`
            : `database ${this.settings.databaseId} is open at ${s.host}`,
      });
    } catch (e) {
      out.push({ name: 'credentials', ok: false, message: toErrorData(e).message });
      return out;
    }
    try {
      const wq = new URLSearchParams({ 'sp.pageSize': '100' });
      const { rows } = await this.client.list<{ name: string }>('warehouse', wq);
      const names = new Set(rows.map((w) => w.name));
      const missing = [...new Set(Object.values(this.settings.warehouseMap))].filter((w) => !names.has(w));
      out.push({
        name: 'warehouses',
        ok: missing.length === 0,
        message: missing.length
          ? `warehouseMap names warehouses Accurate does not have: ${missing.join(', ')}`
          : `${names.size} warehouses readable`,
      });
    } catch (e) {
      out.push({ name: 'warehouses', ok: false, message: toErrorData(e).message });
    }
    return out;
  }

  read(entity: EntityName, query: ReadQuery, signal?: AbortSignal): AsyncIterable<SourceItem[]> {
    return this.reader.read(entity, query, signal);
  }

  get(entity: EntityName, ids: readonly string[]): Promise<SourceItem[]> {
    return this.reader.byIds(entity, ids);
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

  /** Extends the webhook's life; the scheduler calls it daily, well inside the 7 days it lasts (FACTS.md ⚠). */
  /**
   * Keeps the webhook subscription alive where webhooks are used (a webhook secret is set): renewed
   * once it ends within two days (or when its end is not known yet); the state is its last day.
   */
  /** Hourly: renew the webhook before it lapses, and take in deliveries Accurate's history has and the inbox lacks. */
  upkeep(state: string | undefined, ctx: UpkeepContext): Promise<UpkeepResult> {
    return accurateUpkeep(this.client, this.settings, state, ctx);
  }

  renewWebhook(): Promise<WebhookRenewal> {
    return renewWebhook(this.client);
  }

  /** Deliveries Accurate made in a window of at most 24 hours (webhook-history.do), to reconcile the inbox. */
  webhookHistory(from: Date, to: Date, type?: string) {
    return webhookHistory(this.client, this.settings, from, to, type);
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

export function createAccurateConnector(
  raw: Record<string, unknown>,
  ctx: ConnectorContext,
): AccurateConnector {
  return new AccurateConnector(readSettings(raw), ctx);
}
