import type { EntityName } from '../../model/index.js';
import type {
  CheckResult,
  Connector,
  ConnectorContext,
  OAuthAuthorization,
  ReadQuery,
  References,
  SourceItem,
  TargetRecord,
  WebhookHandler,
  WriteItem,
  WriteResult,
} from '../sdk/contract.js';
import { toErrorData } from '../sdk/errors.js';
import { writeEach } from '../sdk/write-each.js';
import { QuickBooksClient, quote } from './client.js';
import { quickbooksManifest } from './manifest.js';
import type { CustomerContext } from './mappers/customer.js';
import { countryCode } from './mappers/values.js';
import { Reader } from './read.js';
import { type QuickBooksSettings, readSettings } from './settings.js';
import type { QboAccount, QboCompanyInfo, QboItem } from './types.js';
import { quickbooksWebhook } from './webhook.js';
import { Writer } from './write.js';

/** A refresh token this close to its end is reported in check(), so a person re-authorizes in time. */
const REAUTHORIZE_WITHIN_MS = 14 * 24 * 3600_000;

export class QuickBooksConnector implements Connector {
  readonly manifest = quickbooksManifest;
  readonly client: QuickBooksClient;
  readonly authorization: OAuthAuthorization;
  readonly webhook: WebhookHandler;
  private readonly reader: Reader;
  private readonly writer: Writer;
  private company?: Promise<CustomerContext>;

  constructor(
    readonly settings: QuickBooksSettings,
    ctx: ConnectorContext,
  ) {
    this.client = new QuickBooksClient(settings, {
      connection: ctx.connection,
      logger: ctx.logger,
      ...(ctx.credentials ? { credentials: ctx.credentials } : {}),
      ...(ctx.limiter ? { limiter: ctx.limiter } : {}),
      ...(ctx.budgetFor ? { budgetFor: ctx.budgetFor } : {}),
    });
    const context = () => this.companyContext();
    this.reader = new Reader(this.client, settings, context);
    this.writer = new Writer(this.client, settings, context);
    this.webhook = quickbooksWebhook({
      ...(settings.webhookVerifierToken ? { verifierToken: settings.webhookVerifierToken } : {}),
      ...(settings.realmId ? { realmId: settings.realmId } : {}),
    });
    this.authorization = {
      authorizeUrl: (redirectUri, state) => this.client.auth.authorizeUrl(redirectUri, state),
      complete: (code, redirectUri, params) => this.client.auth.complete(code, redirectUri, params),
    };
  }

  /** The company's country (for addresses that name none) and home currency, read once. */
  private companyContext(): Promise<CustomerContext> {
    this.company ??= this.companyInfo()
      .then((info) => ({
        defaultCurrency: this.settings.defaultCurrency,
        homeCountry: countryCode(undefined, info?.Country) ?? 'US',
      }))
      .catch((e) => {
        this.company = undefined;
        throw e;
      });
    return this.company;
  }

  private async companyInfo(): Promise<QboCompanyInfo | undefined> {
    return this.client.read<QboCompanyInfo>('CompanyInfo', await this.client.auth.realmId());
  }

  async check(): Promise<CheckResult[]> {
    const out: CheckResult[] = [];
    try {
      await this.client.auth.accessToken();
      const until = this.client.auth.refreshExpiresAt;
      const left = until ? Date.parse(until) - Date.now() : undefined;
      out.push({
        name: 'credentials',
        ok: left === undefined || left > REAUTHORIZE_WITHIN_MS,
        message:
          left === undefined
            ? 'the access token is valid (Intuit did not say when the refresh token expires)'
            : left > REAUTHORIZE_WITHIN_MS
              ? `the access token is valid; the refresh token expires on ${until!.slice(0, 10)}`
              : `the refresh token expires on ${until!.slice(0, 10)}: authorize again before then (Authorize on the Connections page, or "ledgerlink authorize")`,
      });
    } catch (e) {
      out.push({ name: 'credentials', ok: false, message: toErrorData(e).message });
      return out;
    }
    try {
      const info = await this.companyInfo();
      out.push({
        name: 'company',
        ok: info !== undefined,
        message: info
          ? `company "${info.CompanyName}" (realm ${await this.client.auth.realmId()}) is readable`
          : 'CompanyInfo could not be read',
      });
    } catch (e) {
      const err = toErrorData(e);
      out.push({ name: err.code === 'auth' ? 'credentials' : 'company', ok: false, message: err.message });
      return out;
    }
    try {
      const page = await this.client.query<QboItem>(
        'Item',
        `select * from Item where Name = ${quote(this.settings.defaultProduct)}`,
      );
      out.push({
        name: 'default product',
        ok: page.rows.length > 0,
        message: page.rows.length
          ? `the default product "${this.settings.defaultProduct}" exists (item ${page.rows[0]!.Id})`
          : `the default product "${this.settings.defaultProduct}" is not an item in QuickBooks: create it or set defaultProduct`,
      });
      const acct = this.settings.defaultIncomeAccount;
      const account = acct ? await this.client.read<QboAccount>('Account', acct) : undefined;
      out.push({
        name: 'income account',
        ok: account !== undefined,
        message: !acct
          ? 'no income account for new items: set defaultIncomeAccount'
          : account
            ? `new items post to account ${acct} "${account.Name}"`
            : `account ${acct} (defaultIncomeAccount) does not exist in QuickBooks`,
      });
    } catch (e) {
      out.push({ name: 'read', ok: false, message: toErrorData(e).message });
    }
    return out;
  }

  read(entity: EntityName, query: ReadQuery, signal?: AbortSignal): AsyncIterable<SourceItem[]> {
    return this.reader.read(entity, query, signal);
  }

  count(entity: EntityName, query: ReadQuery): Promise<number | undefined> {
    return this.reader.count(entity, query);
  }

  async get(entity: EntityName, ids: readonly string[]): Promise<SourceItem[]> {
    const out: SourceItem[] = [];
    const wanted = new Set(ids);
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

export function createQuickBooksConnector(
  raw: Record<string, unknown>,
  ctx: ConnectorContext,
): QuickBooksConnector {
  return new QuickBooksConnector(readSettings(raw), ctx);
}
