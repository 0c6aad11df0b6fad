import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes, base64url: session cookies, CSRF tokens and the body of API tokens. */
export const randomSecret = (): string => randomBytes(32).toString('base64url');

/**
 * What the store keeps of a session cookie or an API token. A plain SHA-256 is enough (no salt, no
 * cost): the input is 256 random bits, so there is nothing to guess, and the lookup stays one index hit.
 */
export const digest = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** Compares secrets without leaking, through timing, how much of a guess was right. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
