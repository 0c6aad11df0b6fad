import pino from 'pino';
import type { CredentialStore } from '../sdk/contract.js';
import { settingsSchema } from '../sdk/manifest.js';
import { type QuickBooksConnector, quickbooksConnector } from './index.js';
import type { QuickBooksSandbox } from './sandbox/index.js';

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
  sb: QuickBooksSandbox,
  overrides: Record<string, unknown> = {},
  credentials: CredentialStore | undefined = new MemoryCredentials(),
): QuickBooksConnector {
  const settings = settingsSchema(quickbooksConnector.manifest.connectionFields).parse({
    ...sb.settings(),
    timeoutMs: 5000,
    // Tests knock again after a short backoff instead of Intuit's minute.
    throttleWaitSeconds: 0,
    ...overrides,
  });
  return quickbooksConnector.create(settings, {
    connection: 'qbo',
    logger,
    ...(credentials ? { credentials } : {}),
  }) as QuickBooksConnector;
}
