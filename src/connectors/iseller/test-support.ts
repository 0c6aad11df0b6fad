import pino from 'pino';
import type { CredentialStore } from '../sdk/contract.js';
import { settingsSchema } from '../sdk/manifest.js';
import { type IsellerConnector, isellerConnector } from './index.js';
import type { IsellerSandbox } from './sandbox/index.js';

/** A credential store in memory (tests read what was kept). */
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
  sb: IsellerSandbox,
  overrides: Record<string, unknown> = {},
  credentials: CredentialStore = new MemoryCredentials(),
): IsellerConnector {
  const settings = settingsSchema(isellerConnector.manifest.connectionFields).parse({
    ...sb.settings(),
    timeoutMs: 5000,
    ...overrides,
  });
  return isellerConnector.create(settings, {
    connection: 'iseller',
    logger: pino({ level: 'silent' }),
    credentials,
  }) as IsellerConnector;
}
