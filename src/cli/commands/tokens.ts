import type { Command } from 'commander';
import { table, UsageError } from '../output.js';
import { onStore } from './users.js';

interface Common {
  json?: boolean;
  config?: string;
}

const common = (c: Command): Command =>
  c.option('--json', 'machine-readable output').option('-c, --config <file>', 'configuration file');

const when = (iso: string | null): string => (iso ? iso.slice(0, 19).replace('T', ' ') : '');

export function registerTokens(program: Command): void {
  const tokens = program
    .command('tokens')
    .description('API tokens for scripts and the CLI (Authorization: Bearer ll_…)');

  common(
    tokens
      .command('create')
      .description('Create an API token for a user, with their role or a lower one; it is printed this once')
      .requiredOption('--user <username>', 'whose token it is')
      .requiredOption('--name <name>', 'what uses it (e.g. "nightly export")')
      .option('--role <role>', "viewer, operator or admin; at most the user's (default: the user's)"),
  ).action(async (o: Common & { user: string; name: string; role?: string }) =>
    onStore(o, async (store, out) => {
      const { createApiToken } = await import('../../server/auth/api-tokens.js');
      const created = await createApiToken(store, {
        username: o.user,
        name: o.name,
        ...(o.role ? { role: o.role } : {}),
      });
      out.result(created);
      out.line(`token ${created.id} for ${created.username} (${created.role}), "${created.name}":`);
      out.line('');
      out.line(`  ${created.token}`);
      out.line('');
      out.line('Keep it now: it is not stored and cannot be shown again.');
    }),
  );

  common(
    tokens
      .command('list')
      .description('API tokens, newest first (never the tokens themselves)')
      .option('--user <username>', "only this user's"),
  ).action(async (o: Common & { user?: string }) =>
    onStore(o, async (store, out) => {
      const { publicToken } = await import('../../server/auth/api-tokens.js');
      const rows = (await store.tokens.list(o.user)).map(publicToken);
      out.result({ tokens: rows });
      out.line(
        table(
          ['id', 'user', 'name', 'role', 'created', 'last used'],
          rows.map((t) => [t.id, t.username, t.name, t.role, when(t.createdAt), when(t.lastUsedAt)]),
        ),
      );
    }),
  );

  common(tokens.command('revoke <id>').description('Revoke an API token: it stops working at once')).action(
    async (id: string, o: Common) =>
      onStore(o, async (store, out) => {
        if (!/^\d+$/.test(id)) throw new UsageError(`"${id}" is not a token id; see ledgerlink tokens list`);
        if (!(await store.tokens.remove(Number(id)))) {
          const { AccessError } = await import('../../server/auth/errors.js');
          throw new AccessError('unknown_token', `no API token ${id}; see ledgerlink tokens list`);
        }
        out.result({ revoked: Number(id) });
        out.line(`revoked token ${id}`);
      }),
  );
}
