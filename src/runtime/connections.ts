import type { Logger } from 'pino';
import type { ConfiguredConnection } from '../config/load.js';
import type { Connector, CredentialStore } from '../connectors/sdk/contract.js';
import { configError } from '../connectors/sdk/errors.js';
import type { Mailbox } from '../connectors/sdk/mailbox.js';
import type { RateLimit } from '../connectors/sdk/manifest.js';
import type { RequestLimiter } from '../connectors/sdk/rate-limit.js';
import type { ConnectorResolver } from '../engine/engine.js';

/**
 * A secret setting given on the dashboard is kept sealed in the store, and the configuration file
 * names it `${secret:<field>}`: the file never holds the secret, and still says where it comes from.
 */
export const SECRET_SETTING = /^\$\{secret:([A-Za-z0-9_]+)\}$/;
export const SECRET_PREFIX = 'setting:';

/** Live connectors of one process, created on first use and closed (logged out) together. */
export class ConnectorSet implements ConnectorResolver {
  private readonly live = new Map<string, Connector>();

  constructor(
    private readonly configured: ReadonlyMap<string, ConfiguredConnection>,
    private readonly logger: Logger,
    private readonly credentialsFor?: (connection: string) => CredentialStore,
    /** Sealed secret settings by connection and field (opened once, at start and on reload). */
    private readonly sealed: ReadonlyMap<string, ReadonlyMap<string, string>> = new Map(),
    /** The connection's request budget (shared by every process on PostgreSQL). */
    private readonly limiterFor?: (connection: string, limit: RateLimit) => RequestLimiter,
    /** The connection's mailbox in the store, for systems that poll us (the QuickBooks Web Connector). */
    private readonly mailboxFor?: (connection: string) => Mailbox,
  ) {}

  /**
   * The settings a connector gets: `${secret:…}` replaced by the sealed value — in secret fields
   * only, so a value typed into a visible field can never pull a secret into view (or send it
   * elsewhere as a user name or a URL).
   */
  private settingsOf(conf: ConfiguredConnection): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const secret = new Set(
      conf.definition.manifest.connectionFields.filter((f) => f.type === 'secret').map((f) => f.name),
    );
    for (const [k, v] of Object.entries(conf.settings)) {
      const m = typeof v === 'string' && secret.has(k) ? SECRET_SETTING.exec(v) : null;
      if (!m) {
        out[k] = v;
        continue;
      }
      const value = this.sealed.get(conf.name)?.get(m[1]!);
      if (value === undefined)
        throw configError(
          `the secret "${m[1]}" of connection "${conf.name}" is not set; set it on the Connections screen (or write a value or \${ENV_VAR} in the configuration)`,
        );
      out[k] = value;
    }
    return out;
  }

  get(name: string): Connector {
    let c = this.live.get(name);
    if (!c) {
      const conf = this.configured.get(name);
      if (!conf) throw new Error(`no connection named "${name}" is configured`);
      c = conf.definition.create(this.settingsOf(conf), {
        connection: name,
        logger: this.logger.child({ connection: name }),
        ...(this.credentialsFor ? { credentials: this.credentialsFor(name) } : {}),
        ...(this.limiterFor
          ? {
              limiter: this.limiterFor(name, conf.rateLimit),
              budgetFor: (purpose: string, limit: RateLimit) => this.limiterFor!(`${name}:${purpose}`, limit),
            }
          : {}),
        ...(this.mailboxFor ? { mailbox: this.mailboxFor(name) } : {}),
      });
      this.live.set(name, c);
    }
    return c;
  }

  names(): string[] {
    return [...this.configured.keys()];
  }

  /** Closes every connector; Acumatica sessions are licensed, so this must run on every exit path. */
  async closeAll(): Promise<void> {
    const all = [...this.live.values()];
    this.live.clear();
    await Promise.allSettled(all.map((c) => c.close()));
  }
}
