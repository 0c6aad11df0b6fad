import type { RateLimit } from '../sdk/manifest.js';

/**
 * accurate.id "Batasan Pemanggilan API" (FACTS.md): at most 8 calls a second and 8 in flight. Kept
 * per database (the connection), the budget the runtime shares between processes.
 */
export const ACCURATE_RATE_LIMIT: RateLimit = { requestsPerSecond: 8, concurrency: 8 };
