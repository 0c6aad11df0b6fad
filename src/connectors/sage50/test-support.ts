import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createTestDatabase } from '../../../test/support/databases.js';
import { settingsSchema } from '../sdk/manifest.js';
import { type Sage50Connector, sage50Connector } from './index.js';
import { type HostedSage50, startHostedSage50 } from './sandbox/index.js';

const logger = pino({ level: 'silent' });

export type Dialect = 'sqlite' | 'postgres';

/** The manual's Sage 50 data in a fresh SQLite file or PostgreSQL database, behind unixODBC. */
export async function hostedFor(
  dialect: Dialect,
  o: { generated?: number } = {},
): Promise<HostedSage50 & { drop(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-sage50-'));
    const h = await startHostedSage50({ dialect, file: join(dir, 'ACCDATA.db') }, o);
    return { ...h, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const t = await createTestDatabase('postgres');
  const h = await startHostedSage50({ dialect, database: new URL(t.url).pathname.slice(1) }, o);
  return { ...h, drop: () => t.drop() };
}

export function connect(h: HostedSage50, overrides: Record<string, unknown> = {}): Sage50Connector {
  const settings = settingsSchema(sage50Connector.manifest.connectionFields).parse({
    ...h.settings(),
    ...overrides,
  });
  return sage50Connector.create(settings, { connection: 'sage50', logger }) as Sage50Connector;
}
