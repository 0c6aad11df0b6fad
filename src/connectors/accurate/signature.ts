import { createHmac } from 'node:crypto';
import { toAccurateDateTime } from './dates.js';

/**
 * The API-token scheme's headers (FACTS.md): the token as a bearer, the time of the call, and the
 * HMAC-SHA256 of exactly that timestamp text keyed with the application's Signature Secret, in
 * Base64. The timestamp is `dd/MM/yyyy HH:mm:ss` in WIB (FACTS.md ⚠: the form public clients send).
 */
export function apiTokenHeaders(
  token: string,
  secret: string,
  now: Date = new Date(),
): Record<string, string> {
  const timestamp = toAccurateDateTime(now);
  return {
    authorization: `Bearer ${token}`,
    'x-api-timestamp': timestamp,
    'x-api-signature': signTimestamp(timestamp, secret),
  };
}

export function signTimestamp(timestamp: string, secret: string): string {
  return createHmac('sha256', secret).update(timestamp, 'utf8').digest('base64');
}
