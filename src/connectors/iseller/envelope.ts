import type { ErrorCode, ErrorData, RetryCategory } from '../sdk/errors.js';
import { LedgerlinkError } from '../sdk/errors.js';

/**
 * iSeller answers most failures with HTTP 200, `status: false` and the reason in `error_message`
 * (every response table of PA v2). The message is all there is to classify by, so it is read for the
 * words that say what kind of failure it is; anything unrecognised is the record's data (rejected):
 * retrying the same request would meet the same refusal.
 */
const KINDS: ReadonlyArray<{ test: RegExp; code: ErrorCode; category: RetryCategory }> = [
  {
    test: /token|unauthori[sz]ed|not authori[sz]ed|access denied|forbidden|invalid client|permission/i,
    code: 'auth',
    category: 'config',
  },
  { test: /too many|rate limit|throttl/i, code: 'rate_limit', category: 'rate_limited' },
  {
    test: /timeout|timed out|temporar|try again|internal server|unavailable|maintenance/i,
    code: 'server',
    category: 'transient',
  },
  { test: /already exist|duplicate/i, code: 'duplicate', category: 'rejected' },
  { test: /not found|does not exist|unknown|no such/i, code: 'not_found', category: 'rejected' },
];

export function classifyMessage(message: string): { code: ErrorCode; category: RetryCategory } {
  const kind = KINDS.find((k) => k.test.test(message));
  return kind ? { code: kind.code, category: kind.category } : { code: 'invalid_data', category: 'rejected' };
}

/** The failure an answer with `status: false` is, named by the call and in iSeller's own words. */
export function envelopeError(call: string, body: { error_message?: unknown }): LedgerlinkError {
  const said =
    typeof body.error_message === 'string' && body.error_message.trim() ? body.error_message.trim() : '';
  const data: ErrorData = {
    ...classifyMessage(said),
    message: said
      ? `iSeller ${call} answered status false: ${said}`
      : `iSeller ${call} answered status false without a message`,
    httpStatus: 200,
  };
  return new LedgerlinkError(data);
}

/** The human message of an error body, from a non-200 answer (OAuth's error/error_description too). */
export function errorMessage(body: unknown): string | undefined {
  if (body && typeof body === 'object') {
    const o = body as Record<string, unknown>;
    if (typeof o.error_message === 'string' && o.error_message) return o.error_message;
    if (typeof o.error === 'string')
      return typeof o.error_description === 'string' ? `${o.error}: ${o.error_description}` : o.error;
    if (typeof o.message === 'string') return o.message;
  }
  return typeof body === 'string' && body ? body.slice(0, 300) : undefined;
}
