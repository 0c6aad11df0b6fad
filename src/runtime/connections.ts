import type { Logger } from 'pino';
import type { ConfiguredConnection } from '../config/load.js';
import type { Connector, CredentialStore } from '../connectors/sdk/contract.js';
import type { ConnectorResolver } from '../engine/engine.js';

/** Live connectors of one process, created on first use and closed (logged out) together. */
export class ConnectorSet implements ConnectorResolver {
  private readonly live = new Map<string, Connector>();

  constructor(
    private readonly configured: ReadonlyMap<string, ConfiguredConnection>,
    private readonly logger: Logger,
    private readonly credentialsFor?: (connection: string) => CredentialStore,
  ) {}

  get(name: string): Connector {
    let c = this.live.get(name);
    if (!c) {
      const conf = this.configured.get(name);
      if (!conf) throw new Error(`no connection named "${name}" is configured`);
      c = conf.definition.create(conf.settings, {
        connection: name,
        logger: this.logger.child({ connection: name }),
        ...(this.credentialsFor ? { credentials: this.credentialsFor(name) } : {}),
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
