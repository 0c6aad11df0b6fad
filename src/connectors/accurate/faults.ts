import type { ErrorData } from '../sdk/errors.js';
import { LedgerlinkError } from '../sdk/errors.js';

/**
 * Accurate's answer envelope (FACTS.md): `s` says whether it worked; on failure `d` is a list of
 * messages a person reads (Indonesian), mostly with HTTP 200 — so an `s: false` is a failure
 * whatever the status.
 */
export interface Envelope<T = unknown> {
  s: boolean;
  d: T;
  sp?: { page: number; pageSize: number; pageCount: number; rowCount: number };
  r?: unknown;
  [k: string]: unknown;
}

export const isEnvelope = (b: unknown): b is Envelope =>
  typeof b === 'object' && b !== null && typeof (b as { s?: unknown }).s === 'boolean';

/** The messages of an answer's `d` (a list of texts, a text, or objects with their own `d`). */
export function messagesOf(d: unknown): string {
  if (typeof d === 'string') return d;
  if (Array.isArray(d))
    return d
      .map((x) => (typeof x === 'string' ? x : isEnvelope(x) ? messagesOf(x.d) : JSON.stringify(x)))
      .filter(Boolean)
      .join('; ');
  if (d && typeof d === 'object') return JSON.stringify(d);
  return '';
}

export function errorMessage(body: unknown): string | undefined {
  if (isEnvelope(body)) return messagesOf(body.d) || undefined;
  if (body && typeof body === 'object') {
    const o = body as Record<string, unknown>;
    if (typeof o.error === 'string')
      return typeof o.error_description === 'string' ? `${o.error}: ${o.error_description}` : o.error;
  }
  return typeof body === 'string' && body ? body.slice(0, 300) : undefined;
}

/** A dead database session, by status or by words (FACTS.md ⚠: the exact answer is undocumented). */
export function isSessionExpired(status: number, body: unknown): boolean {
  const text = (errorMessage(body) ?? '').toLowerCase();
  const aboutSession = /session|sesi/.test(text);
  return (status === 401 && aboutSession) || (isEnvelope(body) && !body.s && aboutSession);
}

/**
 * Accurate's words to our error classes (FACTS.md ⚠ for the words): a number already used is a
 * duplicate, something not found is not_found, throttling is a rate limit, a token or signature
 * refused is configuration; anything else is the record's data, refused.
 */
export function classifyMessage(text: string): Pick<ErrorData, 'code' | 'category'> {
  const t = text.toLowerCase();
  if (/terlalu banyak|too many|rate limit|batas pemanggilan/.test(t))
    return { code: 'rate_limit', category: 'rate_limited' };
  if (/signature|token|unauthori|tidak memiliki akses|scope/.test(t))
    return { code: 'auth', category: 'config' };
  if (/sudah (ada|digunakan|dipakai)|already|duplikat|duplicate/.test(t))
    return { code: 'duplicate', category: 'rejected' };
  if (/tidak ditemukan|not found|tidak ada/.test(t)) return { code: 'not_found', category: 'rejected' };
  return { code: 'invalid_data', category: 'rejected' };
}

/** Statuses to classes; an envelope's words decide a 200 (see refusal). */
export function classify(status: number, body: unknown): Pick<ErrorData, 'code' | 'category'> | undefined {
  if (status === 429) return { code: 'rate_limit', category: 'rate_limited' };
  if (status === 401 || status === 403) return { code: 'auth', category: 'config' };
  if (status === 404) return { code: 'config', category: 'config' };
  if (status >= 500) return { code: 'server', category: 'transient' };
  if (isEnvelope(body)) return classifyMessage(messagesOf(body.d));
  return undefined;
}

/** The error an `s: false` answer is, with Accurate's own words. */
export function refusal(body: Envelope, what: string, httpStatus?: number): LedgerlinkError {
  const text = messagesOf(body.d) || 'no reason given';
  const kind = classifyMessage(text);
  return new LedgerlinkError({
    ...kind,
    message: `Accurate refused ${what}: ${text}`,
    ...(kind.category === 'rate_limited' ? { retryAfterMs: 1000 } : {}),
    ...(httpStatus !== undefined ? { httpStatus } : {}),
  });
}
