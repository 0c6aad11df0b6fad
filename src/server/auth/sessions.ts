import type { SessionWithUser, Store } from '../../store/index.js';
import { digest, randomSecret } from './secrets.js';

/** A session ends 7 days after login however busy, or after 12 hours without a request. */
export const SESSION_LIFETIME_MS = 7 * 24 * 3600_000;
export const SESSION_IDLE_MS = 12 * 3600_000;
/** last_seen_at is written at most this often, so reading pages does not mean writing the store. */
export const TOUCH_EVERY_MS = 60_000;

export interface NewSession {
  /** Goes into the cookie; the store keeps only its digest. */
  token: string;
  id: string;
  csrfToken: string;
  expiresAt: string;
}

/** Starts a session for a user who just logged in; sessions that ended are swept on the way. */
export async function startSession(store: Store, username: string, now = new Date()): Promise<NewSession> {
  await store.sessions.prune(now.toISOString(), new Date(now.getTime() - SESSION_IDLE_MS).toISOString());
  const token = randomSecret();
  const session = {
    id: digest(token),
    username,
    csrf_token: randomSecret(),
    created_at: now.toISOString(),
    last_seen_at: now.toISOString(),
    expires_at: new Date(now.getTime() + SESSION_LIFETIME_MS).toISOString(),
  };
  await store.sessions.create(session);
  return { token, id: session.id, csrfToken: session.csrf_token, expiresAt: session.expires_at };
}

/** The live session a cookie's token names; `expired` (and gone from the store) when it ended. */
export async function findSession(
  store: Store,
  token: string,
  now = new Date(),
): Promise<SessionWithUser | 'expired' | undefined> {
  const session = await store.sessions.find(digest(token));
  if (!session) return undefined;
  const lastSeen = Date.parse(session.last_seen_at);
  if (Date.parse(session.expires_at) <= now.getTime() || lastSeen + SESSION_IDLE_MS <= now.getTime()) {
    await store.sessions.remove(session.id);
    return 'expired';
  }
  if (now.getTime() - lastSeen >= TOUCH_EVERY_MS) {
    await store.sessions.touch(session.id, now.toISOString());
    session.last_seen_at = now.toISOString();
  }
  return session;
}
