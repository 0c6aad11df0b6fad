import type { Command } from 'commander';
import type { Context } from '../../runtime/context.js';
import { isAccessError } from '../../server/auth/errors.js';
import type { Store } from '../../store/index.js';
import { EXIT, type Output, output, reportError, table, UsageError } from '../output.js';

interface Common {
  json?: boolean;
  config?: string;
}

/** Access refusals (unknown user, last admin, weak password) as one line with their own code. */
function report(e: unknown, json: boolean): number {
  if (!isAccessError(e)) return reportError(e, json);
  if (json)
    process.stdout.write(`${JSON.stringify({ error: { code: e.code, message: e.message } }, null, 2)}\n`);
  else process.stderr.write(`error: ${e.message}\n`);
  return EXIT.error;
}

/** Runs an access command on the configured store, with the usual output, errors and exit codes. */
export async function onStore(o: Common, work: (store: Store, out: Output) => Promise<void>): Promise<void> {
  const out = output(o.json === true);
  let ctx: Context | undefined;
  try {
    // Loaded here: other commands never need the store or bcrypt.
    const { openContext } = await import('../../runtime/context.js');
    ctx = await openContext(o.config ? { configPath: o.config } : {});
    await work(ctx.store, out);
  } catch (e) {
    process.exitCode = report(e, out.json);
  } finally {
    await ctx?.close();
  }
}

/** The password piped in (`--password-stdin`), without the newline `echo` adds. */
async function readPassword(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (!password) throw new UsageError('--password-stdin: nothing was read from standard input');
  return password;
}

/** The password to set: piped in, or a generated one-time password to print. */
async function choosePassword(
  fromStdin: boolean | undefined,
): Promise<{ password: string; generated: boolean }> {
  if (fromStdin) return { password: await readPassword(), generated: false };
  const { generatePassword } = await import('../../server/auth/passwords.js');
  return { password: generatePassword(), generated: true };
}

const common = (c: Command): Command =>
  c.option('--json', 'machine-readable output').option('-c, --config <file>', 'configuration file');

export function registerUsers(program: Command): void {
  const users = program
    .command('users')
    .description('People who may use the API and the dashboard, with their roles (viewer, operator, admin)');

  common(
    users
      .command('add <username>')
      .description('Add a user; they must change the password at their first login')
      .requiredOption(
        '--role <role>',
        'viewer (reads), operator (runs and fixes) or admin (also manages access)',
      )
      .option(
        '--password-stdin',
        'read the password from standard input (else one is generated and printed once)',
      ),
  ).action(async (username: string, o: Common & { role: string; passwordStdin?: boolean }) =>
    onStore(o, async (store, out) => {
      const { createUser, publicUser } = await import('../../server/auth/accounts.js');
      const { password, generated } = await choosePassword(o.passwordStdin);
      const user = await createUser(store, { username, role: o.role, password });
      out.result({ user: publicUser(user), ...(generated ? { password } : {}) });
      out.line(`added ${user.username} (${user.role})`);
      if (generated) out.line(`one-time password: ${password}   (to be changed at the first login)`);
    }),
  );

  common(users.command('list').description('Users, their roles and whether they are locked out')).action(
    async (o: Common) =>
      onStore(o, async (store, out) => {
        const { publicUser } = await import('../../server/auth/accounts.js');
        const rows = (await store.users.list()).map(publicUser);
        out.result({ users: rows });
        out.line(
          table(
            ['username', 'role', 'must change password', 'locked until', 'created'],
            rows.map((u) => [
              u.username,
              u.role,
              u.mustChangePassword ? 'yes' : '',
              u.lockedUntil,
              u.createdAt.slice(0, 19).replace('T', ' '),
            ]),
          ),
        );
      }),
  );

  common(
    users
      .command('remove <username>')
      .description('Remove a user with their sessions and API tokens (never the last admin)'),
  ).action(async (username: string, o: Common) =>
    onStore(o, async (store, out) => {
      const { removeUser } = await import('../../server/auth/accounts.js');
      await removeUser(store, username);
      out.result({ removed: username });
      out.line(`removed ${username}`);
    }),
  );

  common(
    users
      .command('password <username>')
      .description(
        "Set a user's password (they must change it at their next login); ends their sessions and lifts a lockout",
      )
      .option(
        '--password-stdin',
        'read the password from standard input (else one is generated and printed once)',
      ),
  ).action(async (username: string, o: Common & { passwordStdin?: boolean }) =>
    onStore(o, async (store, out) => {
      const { setPassword } = await import('../../server/auth/accounts.js');
      const { password, generated } = await choosePassword(o.passwordStdin);
      await setPassword(store, username, password, { mustChange: true });
      out.result({ username, ...(generated ? { password } : {}) });
      out.line(`new password set for ${username}; their sessions have ended`);
      if (generated) out.line(`one-time password: ${password}   (to be changed at the next login)`);
    }),
  );
}
