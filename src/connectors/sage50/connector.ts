import { RemoteConnector } from '../../agent/remote-connector.js';
import type { EntityName } from '../../model/index.js';
import type {
  CheckResult,
  Connector,
  ConnectorContext,
  ListedRow,
  ReadQuery,
  SourceItem,
  TargetRecord,
  WriteItem,
  WriteResult,
} from '../sdk/contract.js';
import { configError, toErrorData } from '../sdk/errors.js';
import { writeEach } from '../sdk/write-each.js';
import { changedSince } from './audit.js';
import { Lister } from './listings.js';
import { sage50Manifest } from './manifest.js';
import { OdbcClient } from './odbc.js';
import { Reader } from './read.js';
import { HostedWriter } from './sandbox/writer.js';
import { SdoWriter } from './sdo-writer.js';
import { connectionString, readSettings, type Sage50Settings } from './settings.js';
import { InstantWriter, type Sage50Writer } from './write.js';

export class Sage50Connector implements Connector {
  readonly manifest = sage50Manifest;
  readonly db: OdbcClient;
  private readonly reader: Reader;
  private readonly lister: Lister;
  readonly writer: Sage50Writer;

  constructor(
    readonly settings: Sage50Settings,
    _ctx: ConnectorContext,
  ) {
    if (!settings.connectionString && !settings.folder)
      throw configError('Sage 50 needs a connection string or a data folder (sage.folder)');
    this.db = new OdbcClient(connectionString(settings));
    this.reader = new Reader(this.db, settings);
    this.lister = new Lister(this.db, settings);
    // Sage Instant Accounts is the same data behind its own driver, without the writes (FACTS.md).
    this.writer = settings.instant
      ? new InstantWriter()
      : settings.writer === 'hosted'
        ? new HostedWriter(this.db, settings)
        : new SdoWriter(this.db, settings);
  }

  async check(): Promise<CheckResult[]> {
    const out: CheckResult[] = [];
    try {
      const rows = await this.db.query('SELECT COUNT(*) AS n FROM SALES_LEDGER');
      out.push({
        name: 'odbc',
        ok: true,
        message: `the ODBC driver answered: ${Number(rows[0]?.n ?? 0)} sales ledger accounts`,
      });
    } catch (e) {
      out.push({
        name: 'odbc',
        ok: false,
        message: `Sage 50's ODBC driver refused the connection: check the data folder, the user and the password (or the connection string). ${toErrorData(e).message}`,
      });
      return out;
    }
    // The default product only matters where invoices are written (not Instant).
    if (this.settings.instant) return out;
    const misc = await this.db.query('SELECT STOCK_CODE AS c FROM STOCK WHERE STOCK_CODE = ?', [
      this.settings.defaultProduct,
    ]);
    out.push({
      name: 'default product',
      ok: misc.length > 0,
      message: misc.length
        ? `the default product "${this.settings.defaultProduct}" exists`
        : `the default product "${this.settings.defaultProduct}" is not a Sage 50 stock code: create it or set defaultProduct`,
    });
    return out;
  }

  read(entity: EntityName, query: ReadQuery): AsyncIterable<SourceItem[]> {
    return this.reader.read(entity, query);
  }

  listRows(listing: string, query: ReadQuery): AsyncIterable<ListedRow[]> {
    return this.lister.list(listing, query);
  }

  changedSince(entity: EntityName, token: string | undefined) {
    return changedSince(this.db, entity, token);
  }

  async get(entity: EntityName, ids: readonly string[]): Promise<SourceItem[]> {
    const out: SourceItem[] = [];
    for await (const page of this.reader.read(entity, { ids })) out.push(...page);
    return out;
  }

  naturalKey(entity: EntityName, data: unknown): string | undefined {
    return sage50NaturalKey(entity, data);
  }

  /**
   * Invoices made from CRM orders (by order number) through the writer; ledger accounts (by account
   * reference) and stock records (by stock code) through the ODBC driver, which reads on every
   * edition: what a CRM order refers to must be in Sage 50 already (the order flow's dependencies).
   */
  lookup(entity: EntityName, keys: readonly string[]): Promise<Map<string, TargetRecord>> {
    if (entity === 'customer' || entity === 'product') return this.reader.existing(entity, keys);
    return this.writer.lookup(entity, keys);
  }

  write(entity: EntityName, items: readonly WriteItem[]): Promise<WriteResult[]> {
    return writeEach(items, () => this.writer.write(entity, items));
  }

  async close(): Promise<void> {
    await this.writer.close?.();
    await this.db.close();
  }
}

/**
 * An invoice made from a CRM order is found by that order's number (CUST_ORDER_NUMBER); a ledger
 * account by its reference and a stock record by its code (what a CRM order refers to).
 */
export function sage50NaturalKey(entity: EntityName, data: unknown): string | undefined {
  const field =
    entity === 'salesOrder' || entity === 'customer' ? 'number' : entity === 'product' ? 'sku' : '';
  const n = field ? (data as Record<string, unknown>)[field] : undefined;
  return typeof n === 'string' && n ? n : undefined;
}

/**
 * Sage 50 here, or through the `ledgerlink agent` on the Windows PC it runs on (the same connector
 * there, reached over HTTP(S); agent/remote-connector.ts).
 */
export function createSage50Connector(raw: Record<string, unknown>, ctx: ConnectorContext): Connector {
  if (raw.reach !== 'agent') return new Sage50Connector(readSettings(raw), ctx);
  const url = typeof raw.agentUrl === 'string' ? raw.agentUrl : '';
  const token = typeof raw.agentToken === 'string' ? raw.agentToken : '';
  if (!url) throw configError('a Sage 50 reached through an agent needs the agent’s address (agentUrl)');
  if (!token) throw configError('a Sage 50 reached through an agent needs its token (agentToken)');
  return new RemoteConnector({ manifest: sage50Manifest, naturalKey: sage50NaturalKey, url, token, ctx });
}
