import type {} from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** A request refused by a limit: answered with its status, code, message and Retry-After when known. */
export class LimitError extends Error {
  readonly limitError = true as const;
  constructor(
    readonly statusCode: 413 | 429,
    readonly code: 'too_large' | 'rate_limited',
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'LimitError';
  }
}

export const isLimitError = (e: unknown): e is LimitError =>
  typeof e === 'object' && e !== null && (e as { limitError?: unknown }).limitError === true;

/** "5 MB", "512 KB", "900 bytes": limits as people read them. */
export function bytesText(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KB`;
  return `${n} bytes`;
}

/** The 413 of a body larger than `what` may be. */
export const tooLarge = (what: string, max: number): LimitError =>
  new LimitError(413, 'too_large', `the body is larger than ${what} may be (at most ${bytesText(max)})`);

/**
 * A per-key budget of `max` requests a minute (@fastify/rate-limit's store, so counters live in this
 * process). Returns a check for an onRequest hook: it answers 429 with Retry-After and returns true
 * when the caller is over, else returns false. Several checks may guard one route (the plugin's own
 * hook runs once per request, whatever the number of limits).
 */
export function limiter(
  app: FastifyInstance,
  o: { max: number; key: (req: FastifyRequest) => string; what: (req: FastifyRequest) => string },
): (req: FastifyRequest, reply: FastifyReply) => Promise<boolean> {
  const check = app.createRateLimit({ max: o.max, timeWindow: 60_000, keyGenerator: o.key });
  return async (req, reply) => {
    const r = await check(req);
    if (r.isAllowed || !r.isExceeded) return false;
    const seconds = Math.max(1, r.ttlInSeconds);
    reply.header('retry-after', String(seconds));
    await reply
      .code(429)
      .send({ error: { code: 'rate_limited', message: `${o.what(req)}; try again in ${seconds} s` } });
    return true;
  };
}
