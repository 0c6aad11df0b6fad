import type { Role, Store, UserRow } from '../../store/index.js';
import { AccessError } from './errors.js';
import { checkPassword, hashPassword, spendVerifyTime, verifyPassword } from './passwords.js';
import { above, isRole, ROLES } from './roles.js';

/** Failed logins in a row that lock an account, and for how long. */
export const MAX_FAILED_LOGINS = 10;
export const LOCK_MINUTES = 15;

/** Letters, digits and . _ @ - (an e-mail address works), starting with a letter or digit. */
export const USERNAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$';

/** A user as the API and the CLI show it: never the hash. */
export interface PublicUser {
  username: string;
  role: Role;
  mustChangePassword: boolean;
  lockedUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

export const publicUser = (u: UserRow): PublicUser => ({
  username: u.username,
  role: u.role,
  mustChangePassword: u.must_change_password === 1,
  lockedUntil: u.locked_until && u.locked_until > new Date().toISOString() ? u.locked_until : null,
  createdAt: u.created_at,
  updatedAt: u.updated_at,
});

function checkUsername(username: string): void {
  if (!new RegExp(USERNAME_PATTERN).test(username))
    throw new AccessError(
      'invalid_request',
      `"${username}" cannot be a username: use up to 64 letters, digits and . _ @ -, starting with a letter or digit`,
    );
}

export function checkRole(role: string): asserts role is Role {
  if (!isRole(role))
    throw new AccessError('invalid_request', `"${role}" is not a role; use ${ROLES.join(', ')}`);
}

async function existing(store: Store, username: string): Promise<UserRow> {
  const user = await store.users.get(username);
  if (!user) throw new AccessError('unknown_user', `no user named "${username}"`);
  return user;
}

function lockedError(username: string, until: string, now: Date): AccessError {
  const seconds = Math.max(1, Math.ceil((Date.parse(until) - now.getTime()) / 1000));
  return new AccessError(
    'account_locked',
    `the account "${username}" is locked for ${LOCK_MINUTES} minutes after ${MAX_FAILED_LOGINS} failed logins in a row; try again in ${Math.ceil(seconds / 60)} minute${seconds > 60 ? 's' : ''} (or have an admin set a new password)`,
    seconds,
  );
}

/**
 * Checks a password the way a login does: a locked account refuses even the right one, and every
 * wrong one counts towards the lock. An unknown name costs the same time as a wrong password.
 */
async function verify(
  store: Store,
  username: string,
  password: string,
  now: Date,
): Promise<UserRow | undefined> {
  const user = await store.users.get(username);
  const lockUntil = new Date(now.getTime() + LOCK_MINUTES * 60_000).toISOString();
  if (!user) {
    // The same work and the same answers as a real name's: a wrong password costs a hash, and ten in
    // a row lock the name — so neither the answer nor its timing tells which names exist.
    const locked = await store.users.unknownLock(username);
    if (locked && Date.parse(locked) > now.getTime()) throw lockedError(username, locked, now);
    await spendVerifyTime(password);
    const after = await store.users.recordUnknownFailure(username, MAX_FAILED_LOGINS, lockUntil);
    if (after === lockUntil) throw lockedError(username, lockUntil, now);
    return undefined;
  }
  if (user.locked_until && Date.parse(user.locked_until) > now.getTime())
    throw lockedError(username, user.locked_until, now);
  if (await verifyPassword(password, user.password_hash)) {
    await store.users.recordSuccess(username);
    return user;
  }
  const after = await store.users.recordFailure(username, MAX_FAILED_LOGINS, lockUntil);
  if (after?.locked_until === lockUntil) throw lockedError(username, lockUntil, now);
  return undefined;
}

/** The user a username and password name, or an AccessError saying why not. */
export async function login(
  store: Store,
  username: string,
  password: string,
  now = new Date(),
): Promise<UserRow> {
  const user = await verify(store, username, password, now);
  if (!user) throw new AccessError('invalid_credentials', 'wrong username or password');
  return user;
}

/**
 * Adds a user. A password someone else chose is one they know, so by default it must be changed at
 * the first login.
 */
export async function createUser(
  store: Store,
  u: { username: string; role: string; password: string; mustChangePassword?: boolean },
): Promise<UserRow> {
  checkUsername(u.username);
  checkRole(u.role);
  const created = await store.users.create({
    username: u.username,
    role: u.role,
    password_hash: await hashPassword(u.password),
    must_change_password: u.mustChangePassword ?? true,
  });
  if (!created) throw new AccessError('user_exists', `a user named "${u.username}" already exists`);
  return existing(store, u.username);
}

/**
 * Sets a password for someone (an admin's reset): it must be changed at the next login, the lock
 * is lifted, and every session of that user ends — but `keepSession`, when the user set it.
 */
export async function setPassword(
  store: Store,
  username: string,
  password: string,
  opts: { mustChange: boolean; keepSession?: string },
): Promise<UserRow> {
  await existing(store, username);
  await store.users.update(username, {
    password_hash: await hashPassword(password),
    must_change_password: opts.mustChange ? 1 : 0,
  });
  await store.sessions.removeForUser(username, opts.keepSession);
  return existing(store, username);
}

/** A user changes their own password, proving they know the current one. */
export async function changeOwnPassword(
  store: Store,
  username: string,
  current: string,
  next: string,
  keepSession?: string,
): Promise<void> {
  if (!(await verify(store, username, current, new Date())))
    throw new AccessError('wrong_password', 'the current password is wrong');
  checkPassword(next);
  if (next === current)
    throw new AccessError('weak_password', 'the new password must differ from the current one');
  await setPassword(store, username, next, { mustChange: false, ...(keepSession ? { keepSession } : {}) });
}

/** Changes a role; the user's tokens come down with it. Never leaves the store without an admin. */
export async function setRole(store: Store, username: string, role: string): Promise<UserRow> {
  checkRole(role);
  const result = await store.users.setRole(username, role);
  if (result === 'missing') throw new AccessError('unknown_user', `no user named "${username}"`);
  if (result === 'last_admin')
    throw new AccessError(
      'last_admin',
      `"${username}" is the only admin; make someone else an admin first, or nobody could manage access`,
    );
  await store.tokens.cap(username, role, above(role));
  return existing(store, username);
}

/** Removes a user with their sessions and tokens; never the last admin. */
export async function removeUser(store: Store, username: string): Promise<void> {
  const result = await store.users.remove(username);
  if (result === 'missing') throw new AccessError('unknown_user', `no user named "${username}"`);
  if (result === 'last_admin')
    throw new AccessError(
      'last_admin',
      `"${username}" is the only admin; make someone else an admin first, or nobody could manage access`,
    );
}
