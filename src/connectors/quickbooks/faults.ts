import type { ErrorCode, ErrorData } from '../sdk/errors.js';
import type { Fault, FaultError } from './types.js';

/** The Fault of an answer, wherever Intuit put it ({"Fault":…} or, on 401s, {"fault":…}). */
export function faultOf(body: unknown): Fault | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as { Fault?: Fault; fault?: Fault };
  return b.Fault ?? b.fault;
}

const errorsOf = (f: Fault): FaultError[] => f.Error ?? f.error ?? [];

/** "Stale Object Error": the SyncToken sent is not the record's latest. */
export const STALE_OBJECT = '5010';

export const faultCodes = (f: Fault | undefined): string[] =>
  f ? errorsOf(f).map((e) => String(e.code ?? '')) : [];

/** A person-readable line per error: the message, the detail, and the element it names. */
export function faultText(f: Fault): string {
  return errorsOf(f)
    .map((e) => {
      const message = e.Message ?? e.message ?? 'error';
      const detail = e.Detail ?? e.detail;
      const element = e.element ? ` (element ${e.element})` : '';
      const code = e.code ? ` [${e.code}]` : '';
      return `${message}${detail && detail !== message ? `: ${detail}` : ''}${element}${code}`;
    })
    .join('; ');
}

/** The message our errors carry for an answer's body. */
export function errorMessage(body: unknown): string | undefined {
  const f = faultOf(body);
  if (f) return faultText(f) || f.type;
  if (body && typeof body === 'object') {
    // The OAuth server answers {"error": "invalid_grant", "error_description"?: …}.
    const o = body as { error?: unknown; error_description?: unknown };
    if (typeof o.error === 'string')
      return typeof o.error_description === 'string' ? `${o.error}: ${o.error_description}` : o.error;
  }
  return typeof body === 'string' && body ? body.slice(0, 300) : undefined;
}

/**
 * Fault types to our error classes: a ValidationFault is the record's data (rejected, the element
 * named in the message), an AuthenticationFault is the connection's (config), ThrottleExceeded is a
 * rate limit (the record waits), a SystemFault is Intuit's own trouble (transient).
 */
export function classifyFault(
  status: number,
  body: unknown,
): Pick<ErrorData, 'code' | 'category'> | undefined {
  const f = faultOf(body);
  const type = (f?.type ?? '').toLowerCase();
  const codes = faultCodes(f);
  if (status === 429 || type === 'throttleexceeded' || codes.includes('3001'))
    return { code: 'rate_limit', category: 'rate_limited' };
  if (type === 'authenticationfault' || type === 'authentication' || status === 401)
    return { code: 'auth', category: 'config' };
  if (type === 'authorizationfault' || status === 403) return { code: 'auth', category: 'config' };
  if (type === 'systemfault' || status >= 500) return { code: 'server', category: 'transient' };
  if (codes.includes(STALE_OBJECT)) return { code: 'conflict', category: 'rejected' };
  if (codes.includes('6240') || codes.includes('6140')) return { code: 'duplicate', category: 'rejected' };
  if (type === 'validationfault') return { code: codeOf(codes), category: 'rejected' };
  return undefined;
}

const codeOf = (codes: string[]): ErrorCode => (codes.includes('610') ? 'not_found' : 'invalid_data');
