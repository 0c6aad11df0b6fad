import { describe, expect, it } from 'vitest';
import { backoffMs, forLog, parseRetryAfter, statusToError } from './http.js';
import { redactUrl } from './redact.js';

describe('HTTP client helpers', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('0.5')).toBe(500);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });

  it('backs off exponentially with jitter, never beyond the cap', () => {
    expect(backoffMs(0, 250, 30_000, () => 0)).toBe(125);
    expect(backoffMs(3, 250, 30_000, () => 1)).toBe(2000);
    expect(backoffMs(20, 250, 30_000, () => 1)).toBe(30_000);
  });

  it('classifies statuses into retry categories', () => {
    expect(statusToError(429)).toEqual({ code: 'rate_limit', category: 'rate_limited' });
    expect(statusToError(401).category).toBe('config');
    expect(statusToError(503).category).toBe('transient');
    expect(statusToError(400).category).toBe('rejected');
  });

  it('logs exchanges with secrets redacted and large bodies cut', () => {
    const logged = forLog({
      method: 'POST',
      url: redactUrl('http://x/token?client_secret=abc&page=2'),
      requestBody: { username: 'u', password: 'p', nested: { access_token: 't' }, note: 'x'.repeat(20_000) },
      responseBody: { refresh_token: 'r', ok: true },
      status: 200,
      durationMs: 1,
      attempt: 0,
    });
    expect(logged.request).not.toMatch(/"p"|abc|"t"/);
    expect(logged.request).toContain('client_secret=%5Bredacted%5D');
    expect(logged.request.length).toBeLessThan(17_000);
    expect(JSON.parse(logged.response)).toEqual({
      status: 200,
      body: { refresh_token: '[redacted]', ok: true },
    });
  });
});
