/**
 * Errors are data: a code a program can branch on, a retry category the engine acts on, and a
 * message a person can act on. Recognised by the `ledgerlinkError` field, never by instanceof, so
 * that two copies of this module (or an error that crossed a worker boundary as JSON) still match.
 */
export type RetryCategory =
  /** Network fault, timeout, 5xx: try again later with backoff. */
  | 'transient'
  /** The target asked us to slow down; honour retryAfterMs. Never counts as a record failure. */
  | 'rate_limited'
  /** Bad credentials, wrong URL, missing mapping: nothing succeeds until a person fixes config. */
  | 'config'
  /** The target refused this record's data: retrying the same data fails again. */
  | 'rejected';

export type ErrorCode =
  | 'connection'
  | 'timeout'
  | 'server'
  | 'rate_limit'
  | 'auth'
  | 'config'
  | 'not_found'
  | 'invalid_data'
  | 'missing_field'
  | 'duplicate'
  | 'conflict'
  | 'too_large'
  | 'parse'
  | 'unmapped_value'
  | 'waiting_dependency';

export interface ErrorData {
  code: ErrorCode;
  category: RetryCategory;
  message: string;
  /** Milliseconds the remote system asked us to wait (Retry-After). */
  retryAfterMs?: number;
  /** HTTP status of the response that caused the error, when there was one. */
  httpStatus?: number;
}

export class LedgerlinkError extends Error implements ErrorData {
  readonly ledgerlinkError = true as const;
  readonly code: ErrorCode;
  readonly category: RetryCategory;
  readonly retryAfterMs?: number;
  readonly httpStatus?: number;

  constructor(data: ErrorData, options?: { cause?: unknown }) {
    super(data.message, options);
    this.name = 'LedgerlinkError';
    this.code = data.code;
    this.category = data.category;
    if (data.retryAfterMs !== undefined) this.retryAfterMs = data.retryAfterMs;
    if (data.httpStatus !== undefined) this.httpStatus = data.httpStatus;
  }

  toData(): ErrorData {
    return errorData(this);
  }
}

export function isLedgerlinkError(e: unknown): e is LedgerlinkError {
  return typeof e === 'object' && e !== null && (e as { ledgerlinkError?: unknown }).ledgerlinkError === true;
}

export function errorData(e: ErrorData): ErrorData {
  const out: ErrorData = { code: e.code, category: e.category, message: e.message };
  if (e.retryAfterMs !== undefined) out.retryAfterMs = e.retryAfterMs;
  if (e.httpStatus !== undefined) out.httpStatus = e.httpStatus;
  return out;
}

/** Turns anything thrown into ErrorData; unknown exceptions count as transient (a bug or an outage). */
export function toErrorData(e: unknown): ErrorData {
  if (isLedgerlinkError(e)) return errorData(e);
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'server', category: 'transient', message };
}

export const rejected = (code: ErrorCode, message: string, httpStatus?: number): LedgerlinkError =>
  new LedgerlinkError(
    httpStatus === undefined
      ? { code, category: 'rejected', message }
      : { code, category: 'rejected', message, httpStatus },
  );

export const configError = (message: string, code: ErrorCode = 'config'): LedgerlinkError =>
  new LedgerlinkError({ code, category: 'config', message });

export const isRetryable = (e: ErrorData): boolean =>
  e.category === 'transient' || e.category === 'rate_limited';
