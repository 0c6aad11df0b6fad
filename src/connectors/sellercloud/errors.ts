import type { ErrorData } from '../sdk/errors.js';

/**
 * The human message of a SellerCloud error body: ASP.NET's `Message` (with `ModelState`'s field
 * messages), the rate limit's `Error`, the token endpoint's `error_description` (FACTS.md ⚠), or a
 * bare string.
 */
export function errorMessage(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim() || undefined;
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const parts: string[] = [];
  const head = b.Message ?? b.message ?? b.Error ?? b.error_description ?? b.error;
  if (typeof head === 'string' && head) parts.push(head);
  const state = b.ModelState;
  if (state && typeof state === 'object')
    for (const [field, msgs] of Object.entries(state as Record<string, unknown>))
      for (const m of Array.isArray(msgs) ? msgs : [msgs]) parts.push(`${field}: ${String(m)}`);
  return parts.length ? parts.join('; ') : undefined;
}

/**
 * Where SellerCloud departs from HTTP norms: its endpoints answer 500 for what they refuse ("If server
 * error appears, then response will be with status code 500"), so a 500 whose message says a record
 * does not exist or is invalid is the record's problem, not an outage (FACTS.md ⚠).
 */
export function classify(status: number, body: unknown): Pick<ErrorData, 'code' | 'category'> | undefined {
  const msg = errorMessage(body) ?? '';
  if (status === 400 && /invalid_grant|password/i.test(msg)) return { code: 'auth', category: 'config' };
  if (status === 400 && /already exists|duplicate/i.test(msg))
    return { code: 'duplicate', category: 'rejected' };
  if (status === 400 && /does not exist|not found/i.test(msg))
    return { code: 'not_found', category: 'rejected' };
  if (status === 409) return { code: 'duplicate', category: 'rejected' };
  if (status >= 500 && /does not exist|not found/i.test(msg))
    return { code: 'not_found', category: 'rejected' };
  if (status >= 500 && /invalid|required|cannot be/i.test(msg))
    return { code: 'invalid_data', category: 'rejected' };
  return undefined;
}

/** Milliseconds until the rate limit's RateLimitResetTime ("REST API Rate Limiting"), if the body names it. */
export function resetWaitMs(body: unknown, now = Date.now()): number | undefined {
  const at = (body as { RateLimitResetTime?: unknown } | undefined)?.RateLimitResetTime;
  if (typeof at !== 'string') return undefined;
  const t = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(at) ? at : `${at}Z`);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}
