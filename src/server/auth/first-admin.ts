import { EnvError } from '../../config/env.js';
import type { Store } from '../../store/index.js';
import { isAccessError } from './errors.js';
import { generatePassword, hashPassword } from './passwords.js';

export const FIRST_ADMIN = 'admin';

/**
 * On a store with no user yet, creates `admin`: with LEDGERLINK_ADMIN_PASSWORD when set (automation and
 * tests: no change asked), else with a one-time password that is printed here, once, and must be
 * changed at the first login. `print` goes to the terminal, never to the log: log lines are kept and
 * shipped, a terminal is not.
 */
export async function ensureFirstAdmin(
  store: Store,
  print: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  if ((await store.users.count()) > 0) return;
  const given = env.LEDGERLINK_ADMIN_PASSWORD;
  const password = given || generatePassword();
  let hash: string;
  try {
    hash = await hashPassword(password);
  } catch (e) {
    if (isAccessError(e))
      throw new EnvError(`bad environment variable: LEDGERLINK_ADMIN_PASSWORD: ${e.message}`);
    throw e;
  }
  // Two processes starting on one empty store: one creates the admin, and only that one prints.
  const created = await store.users.create({
    username: FIRST_ADMIN,
    role: 'admin',
    password_hash: hash,
    must_change_password: !given,
  });
  if (!created) return;
  print(
    given
      ? `first login: ${FIRST_ADMIN}, with the password in LEDGERLINK_ADMIN_PASSWORD`
      : `first login: ${FIRST_ADMIN} / ${password} — you will be asked to change it`,
  );
}
