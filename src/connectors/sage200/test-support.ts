import pino from 'pino';
import type { CredentialStore } from '../sdk/contract.js';
import { settingsSchema } from '../sdk/manifest.js';
import { type Sage200Connector, sage200Connector } from './index.js';
import type { Sage200Sandbox } from './sandbox/index.js';

const logger = pino({ level: 'silent' });

/** A credential store in memory, with every write in order (tests read what was stored when). */
export class MemoryCredentials implements CredentialStore {
  readonly values = new Map<string, string>();
  readonly writes: Array<{ name: string; value: string }> = [];
  failWrites = false;
  async get(name: string): Promise<string | undefined> {
    return this.values.get(name);
  }
  async set(name: string, value: string): Promise<void> {
    if (this.failWrites) throw new Error('the store is unreachable');
    this.writes.push({ name, value });
    this.values.set(name, value);
  }
}

export function connect(
  sb: Sage200Sandbox,
  overrides: Record<string, unknown> = {},
  credentials: CredentialStore | undefined = new MemoryCredentials(),
): Sage200Connector {
  const settings = settingsSchema(sage200Connector.manifest.connectionFields).parse({
    ...sb.settings(),
    timeoutMs: 5000,
    ...overrides,
  });
  return sage200Connector.create(settings, {
    connection: 'sage200',
    logger,
    ...(credentials ? { credentials } : {}),
  }) as Sage200Connector;
}
