import type { FastifyRequest } from 'fastify';
import type { SessionWithUser, Store } from '../../store/index.js';
import { findApiToken } from './api-tokens.js';
import { readCookie, SESSION_COOKIE } from './cookies.js';
import type { Role } from './roles.js';
import { findSession } from './sessions.js';

/** Who is calling, and how they proved it. */
export interface Caller {
  username: string;
  role: Role;
  via: 'session' | 'token';
}

export type Identified =
  | { caller: Caller; session?: SessionWithUser }
  /** `staleCookie`: a session cookie was sent that names no live session, so the answer clears it. */
  | { caller?: undefined; message: string; staleCookie?: boolean };

const sessions = new WeakMap<FastifyRequest, SessionWithUser>();

/** The session a request was authenticated by, if it was by cookie (logout, /me and the CSRF check need it). */
export const sessionOf = (req: FastifyRequest): SessionWithUser | undefined => sessions.get(req);

/**
 * An `Authorization: Bearer` API token, else the session cookie. Other Authorization schemes are left
 * alone (a proxy's Basic authentication in front of Ledgerlink must not hide the cookie).
 */
export async function identify(store: Store, req: FastifyRequest, now = new Date()): Promise<Identified> {
  const auth = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (auth) {
    const token = await findApiToken(store, auth[1]!, now);
    if (!token) return { message: 'the API token is not valid: it was revoked, or is mistyped' };
    return { caller: { username: token.username, role: token.effectiveRole, via: 'token' } };
  }
  const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
  if (!cookie)
    return {
      message: 'log in first (POST /api/auth/login), or send an API token as Authorization: Bearer ll_…',
    };
  const session = await findSession(store, cookie, now);
  if (session === 'expired') return { message: 'the session has ended; log in again', staleCookie: true };
  if (!session) return { message: 'the session is not valid (logged out?); log in again', staleCookie: true };
  sessions.set(req, session);
  return { caller: { username: session.username, role: session.role, via: 'session' }, session };
}
