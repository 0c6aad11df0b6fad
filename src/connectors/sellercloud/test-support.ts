import pino from 'pino';
import { settingsSchema } from '../sdk/manifest.js';
import { ConnectionLimiter } from '../sdk/rate-limit.js';
import { type SellerCloudConnector, sellercloudConnector } from './index.js';
import type { SellerCloudSandbox } from './sandbox/index.js';

/**
 * A connection to the sandbox. Its budget is wider than the manifest's 3 a second (a real server's
 * hourly limit) so the suite does not crawl; the rate-limit rule runs against the sandbox's own limit.
 */
export function connect(
  sb: SellerCloudSandbox,
  overrides: Record<string, unknown> = {},
  limiter = new ConnectionLimiter({ requestsPerSecond: 500, concurrency: 8 }),
): SellerCloudConnector {
  const settings = settingsSchema(sellercloudConnector.manifest.connectionFields).parse({
    ...sb.settings(),
    timeoutMs: 5000,
    ...overrides,
  });
  return sellercloudConnector.create(settings, {
    connection: 'sellercloud',
    logger: pino({ level: 'silent' }),
    limiter,
  }) as SellerCloudConnector;
}
