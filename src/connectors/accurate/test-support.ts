import pino from 'pino';
import type { CredentialStore } from '../sdk/contract.js';
import { settingsSchema } from '../sdk/manifest.js';
import { type AccurateConnector, accurateConnector } from './index.js';
import type { AccurateSandbox } from './sandbox/index.js';

const logger = pino({ level: 'silent' });

export class MemoryCredentials implements CredentialStore {
  readonly values = new Map<string, string>();
  async get(name: string): Promise<string | undefined> {
    return this.values.get(name);
  }
  async set(name: string, value: string): Promise<void> {
    this.values.set(name, value);
  }
}

export function connect(
  sb: AccurateSandbox,
  overrides: Record<string, unknown> = {},
  mode: 'oauth2' | 'apiToken' = 'oauth2',
): AccurateConnector {
  const settings = settingsSchema(accurateConnector.manifest.connectionFields).parse({
    ...sb.settings(mode),
    timeoutMs: 5000,
    ...overrides,
  });
  return accurateConnector.create(settings, {
    connection: 'accurate',
    logger,
    credentials: new MemoryCredentials(),
  }) as AccurateConnector;
}
