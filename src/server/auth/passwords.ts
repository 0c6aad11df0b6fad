import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';
import { AccessError } from './errors.js';

/**
 * bcrypt's work factor: about 50–60 ms a hash on a small server. The native binding hashes on libuv's
 * thread pool, so a burst of logins never holds the event loop that answers everything else.
 */
const COST = 10;
export const MIN_PASSWORD_LENGTH = 12;
/** bcrypt reads only the first 72 bytes; a longer password would be silently cut, so it is refused. */
const MAX_PASSWORD_BYTES = 72;

/** Refuses a password too short to resist guessing, or too long for bcrypt to read whole. */
export function checkPassword(password: string): void {
  if ([...password].length < MIN_PASSWORD_LENGTH)
    throw new AccessError(
      'weak_password',
      `a password needs at least ${MIN_PASSWORD_LENGTH} characters; a few unrelated words make a good one`,
    );
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES)
    throw new AccessError('weak_password', `a password can be at most ${MAX_PASSWORD_BYTES} bytes long`);
}

/**
 * Hashes run a few at a time per process (they share libuv's thread pool with file and DNS work): a
 * burst of logins queues here, and past a short queue is answered 429 at once instead of piling up.
 */
const hashing = { slots: 2, busy: 0, waiting: [] as Array<() => void> };
const MAX_WAITING = 20;

/** How many passwords this process checks at once (server.limits.concurrentPasswordChecks). */
export function setConcurrentPasswordChecks(n: number): void {
  hashing.slots = Math.max(1, Math.floor(n));
}

async function inTurn<T>(work: () => Promise<T>): Promise<T> {
  if (hashing.busy >= hashing.slots) {
    if (hashing.waiting.length >= MAX_WAITING)
      throw new AccessError(
        'busy',
        'too many logins are being checked at this moment; try again in a second',
        1,
      );
    // The slot is handed over by the one that finishes, so `busy` never drops in between.
    await new Promise<void>((resolve) => hashing.waiting.push(resolve));
  } else hashing.busy++;
  try {
    return await work();
  } finally {
    const next = hashing.waiting.shift();
    if (next) next();
    else hashing.busy--;
  }
}

export async function hashPassword(password: string): Promise<string> {
  checkPassword(password);
  return inTurn(() => bcrypt.hash(password, COST));
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  return inTurn(() => bcrypt.compare(password, hash));
}

/** Checked against when a username is unknown, so a wrong name takes as long as a wrong password. */
let decoy: Promise<string> | undefined;
export async function spendVerifyTime(password: string): Promise<void> {
  decoy ??= bcrypt.hash(randomBytes(16).toString('hex'), COST);
  const hash = await decoy;
  await inTurn(() => bcrypt.compare(password, hash));
}

/** A one-time password: 18 random bytes, 24 characters a person can copy from a terminal. */
export const generatePassword = (): string => randomBytes(18).toString('base64url');
