import type { FastifyRequest } from 'fastify';
import { SESSION_LIFETIME_MS } from './sessions.js';

export const SESSION_COOKIE = 'ledgerlink_session';

/** One cookie's value from the Cookie header (the first, if a client sends the name twice). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(value.replace(/^"(.*)"$/, '$1'));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Secure unless the request came over plain HTTP. The embedded default serves http://127.0.0.1,
 * where a Secure cookie is not sent back by most clients, so a login there would never stick;
 * anything that came over TLS — to us, or to a proxy saying X-Forwarded-Proto: https — gets a Secure
 * cookie. That header is not trusted for anything else: a client that forges it only makes its own
 * cookie stricter.
 */
export function cameOverHttps(req: FastifyRequest): boolean {
  if ((req.raw.socket as { encrypted?: boolean }).encrypted) return true;
  const forwarded = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim().toLowerCase();
  return first === 'https';
}

/**
 * HttpOnly: page scripts never see it. SameSite=Strict: no other site's page can make a browser send
 * it. It lives as long as the session can (the store decides when it really ends).
 */
export function sessionCookie(req: FastifyRequest, token: string): string {
  return cookie(req, token, Math.floor(SESSION_LIFETIME_MS / 1000));
}

export function clearedSessionCookie(req: FastifyRequest): string {
  return cookie(req, '', 0);
}

const cookie = (req: FastifyRequest, value: string, maxAge: number): string =>
  `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${cameOverHttps(req) ? '; Secure' : ''}`;
