import type { ApiTokenRow, ApiTokenWithUser, Store } from '../../store/index.js';
import { AccessError } from './errors.js';
import { atLeast, isRole, lower, ROLES, type Role } from './roles.js';
import { digest, randomSecret } from './secrets.js';
import { TOUCH_EVERY_MS } from './sessions.js';

/** Every API token starts so; it tells a leaked one apart in logs and secret scanners. */
export const TOKEN_PREFIX = 'll_';

/** A token as the API and the CLI list it: never the token or its digest. */
export interface PublicToken {
  id: number;
  username: string;
  name: string;
  role: Role;
  createdAt: string;
  lastUsedAt: string | null;
}

export const publicToken = (t: ApiTokenRow): PublicToken => ({
  id: Number(t.id),
  username: t.username,
  name: t.name,
  role: t.role,
  createdAt: t.created_at,
  lastUsedAt: t.last_used_at,
});

/**
 * Issues a token for a user, with their role or a lower one — never more than `limit` (the role of
 * whoever asks for it). The token is returned this once; the store keeps its digest.
 */
export async function createApiToken(
  store: Store,
  t: { username: string; name: string; role?: string },
  limit?: Role,
): Promise<PublicToken & { token: string }> {
  const user = await store.users.get(t.username);
  if (!user) throw new AccessError('unknown_user', `no user named "${t.username}"`);
  const max = limit ? lower(user.role, limit) : user.role;
  const role = t.role ?? max;
  if (!isRole(role))
    throw new AccessError('invalid_request', `"${role}" is not a role; use ${ROLES.join(', ')}`);
  if (!atLeast(max, role))
    throw new AccessError('forbidden', `a token can have at most the role ${max}, not ${role}`);
  if (!t.name.trim()) throw new AccessError('invalid_request', 'a token needs a name that says what uses it');
  const token = `${TOKEN_PREFIX}${randomSecret()}`;
  const row = await store.tokens.create({
    username: t.username,
    name: t.name,
    token_hash: digest(token),
    role,
  });
  return { ...publicToken(row), token };
}

/** The token a bearer credential names, with the role it acts with: its own, capped by its user's. */
export async function findApiToken(
  store: Store,
  token: string,
  now = new Date(),
): Promise<(ApiTokenWithUser & { effectiveRole: Role }) | undefined> {
  if (!token.startsWith(TOKEN_PREFIX)) return undefined;
  const row = await store.tokens.byHash(digest(token));
  if (!row) return undefined;
  if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) >= TOUCH_EVERY_MS)
    await store.tokens.touch(Number(row.id), now.toISOString());
  return { ...row, effectiveRole: lower(row.role, row.user_role) };
}
