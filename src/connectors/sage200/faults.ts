import type { ErrorData } from '../sdk/errors.js';

/**
 * The error body of the Sage 200 API. The published specs document every 400 only as "Request body
 * will include details" with no schema; Sage's guide "What makes an API request" shows
 * `{"statusCode": 400, "message": "…"}` (FACTS.md ⚠). Sage ID answers `{"error", "error_description"}`.
 */
export interface Sage200ErrorBody {
  statusCode?: number;
  message?: string;
}

export function errorMessage(body: unknown): string | undefined {
  if (body && typeof body === 'object') {
    const o = body as Record<string, unknown>;
    if (typeof o.message === 'string') return o.message;
    if (typeof o.Message === 'string') return o.Message;
    if (typeof o.error === 'string')
      return typeof o.error_description === 'string' ? `${o.error}: ${o.error_description}` : o.error;
  }
  return typeof body === 'string' && body ? body.slice(0, 300) : undefined;
}

/**
 * Statuses to our error classes: 400 is the record's data (the API names the first problem it met),
 * 401/403 the connection's credentials or site access, 404 an unknown id, 429 a rate limit, 5xx and
 * 504 (the site's tunnel not answering) Sage's own trouble.
 */
export function classify(status: number, _body: unknown): Pick<ErrorData, 'code' | 'category'> | undefined {
  if (status === 429) return { code: 'rate_limit', category: 'rate_limited' };
  if (status === 401 || status === 403) return { code: 'auth', category: 'config' };
  if (status >= 500) return { code: 'server', category: 'transient' };
  if (status === 404) return { code: 'not_found', category: 'rejected' };
  if (status === 409) return { code: 'conflict', category: 'rejected' };
  if (status === 400) return { code: 'invalid_data', category: 'rejected' };
  return undefined;
}
