import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type CliResult, runCli, spawnCli } from '../support/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** The command as test/support/cli.ts runs it, but with a password piped to its standard input. */
function runWithStdin(args: readonly string[], input: string): Promise<CliResult> {
  const command =
    process.env.LEDGERLINK_TEST_CLI === 'dist'
      ? [join(ROOT, 'dist/src/cli/main.js')]
      : ['--import', 'tsx', join(ROOT, 'src/cli/main.ts')];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...command, ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'error' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** Collects a child's stdout until `pattern` matches. */
function waitFor(child: ChildProcess, pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} within ${timeoutMs} ms: ${out}`)),
      timeoutMs,
    );
    child.stdout?.on('data', (d) => {
      out += d;
      const m = out.match(pattern);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
  });
}

const oneLineError = (r: CliResult, pattern: RegExp, code = 1) => {
  expect(r.stderr.trim().split('\n'), r.stderr).toEqual([expect.stringMatching(pattern)]);
  expect(r.stderr).toMatch(/^error: /);
  expect(r.code).toBe(code);
};

describe('ledgerlink users and tokens, and the first admin of ledgerlink serve', () => {
  let dir: string;
  let config: string[];
  let serve: ChildProcess;
  let url: string;
  let firstPassword: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledgerlink-access-'));
    const configPath = join(dir, 'ledgerlink.yaml');
    writeFileSync(
      configPath,
      stringify({ database: `sqlite:${join(dir, 'store.db')}`, connections: {}, flows: {} }),
    );
    config = ['-c', configPath];
    serve = spawnCli(['serve', '--port', '0', ...config], { LEDGERLINK_ADMIN_PASSWORD: undefined });
    // The one-time password comes first, then the usual banner.
    const [, password, address] = await waitFor(
      serve,
      /first login: admin \/ (\S+) — you will be asked to change it\n[\s\S]*serving on (http:\/\/127\.0\.0\.1:\d+)/,
    );
    firstPassword = password!;
    url = address!;
  });
  afterAll(async () => {
    const exited = new Promise((r) => serve.on('exit', r));
    serve.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it('serve creates the first admin with a one-time password that must be changed first', async () => {
    expect(firstPassword).toMatch(/^\S{24}$/);
    const login = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: firstPassword }),
    });
    const session = (await login.json()) as { user: { mustChangePassword: boolean }; csrfToken: string };
    expect(session.user.mustChangePassword).toBe(true);
    const headers = {
      cookie: login.headers.get('set-cookie')!.split(';')[0]!,
      'x-csrf-token': session.csrfToken,
    };
    expect((await fetch(`${url}/api/flows`, { headers })).status).toBe(403);
    const changed = await fetch(`${url}/api/auth/password`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ current: firstPassword, next: 'the admin’s own password' }),
    });
    expect(changed.status).toBe(204);
    expect((await fetch(`${url}/api/flows`, { headers })).status).toBe(200);
  });

  it('adds users with a generated or a piped password, and refuses bad input in one line', async () => {
    const alice = await runCli(['users', 'add', 'alice', '--role', 'operator', '--json', ...config]);
    expect(alice.code, alice.stderr).toBe(0);
    expect(JSON.parse(alice.stdout)).toMatchObject({
      user: { username: 'alice', role: 'operator', mustChangePassword: true },
      password: expect.stringMatching(/^\S{24}$/),
    });
    const bob = await runWithStdin(
      ['users', 'add', 'bob', '--role', 'viewer', '--password-stdin', ...config],
      'bob’s long password\n',
    );
    expect(bob.code, bob.stderr).toBe(0);
    expect(bob.stdout).toBe('added bob (viewer)\n');
    const bobLogin = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bob', password: 'bob’s long password' }),
    });
    expect(bobLogin.status).toBe(200);

    oneLineError(
      await runCli(['users', 'add', 'bob', '--role', 'viewer', ...config]),
      /a user named "bob" already exists/,
    );
    oneLineError(
      await runCli(['users', 'add', 'carl', '--role', 'boss', ...config]),
      /"boss" is not a role; use viewer, operator, admin/,
    );
    oneLineError(
      await runCli(['users', 'add', 'carl', '--role', 'viewer', '--password-stdin', ...config]),
      /nothing was read from standard input/,
      2,
    );
    oneLineError(
      await runWithStdin(['users', 'password', 'alice', '--password-stdin', ...config], 'short\n'),
      /at least 12 characters/,
    );

    const list = await runCli(['users', 'list', '--json', ...config]);
    expect(
      (JSON.parse(list.stdout) as { users: Array<{ username: string }> }).users.map((u) => u.username),
    ).toEqual(['admin', 'alice', 'bob']);
    const text = await runCli(['users', 'list', ...config]);
    expect(text.stdout).toMatch(/alice\s+operator\s+yes/);
  });

  it('creates a token printed once, lists it without the secret, and revokes it at once', async () => {
    const created = await runCli([
      'tokens',
      'create',
      '--user',
      'bob',
      '--name',
      'monitor',
      '--json',
      ...config,
    ]);
    expect(created.code, created.stderr).toBe(0);
    const token = JSON.parse(created.stdout) as { id: number; token: string; role: string };
    expect(token).toMatchObject({ role: 'viewer', token: expect.stringMatching(/^ll_/) });
    const me = await fetch(`${url}/api/auth/me`, { headers: { authorization: `Bearer ${token.token}` } });
    expect(((await me.json()) as { user: { username: string } }).user.username).toBe('bob');
    oneLineError(
      await runCli(['tokens', 'create', '--user', 'bob', '--name', 'x', '--role', 'admin', ...config]),
      /at most the role viewer/,
    );

    const list = await runCli(['tokens', 'list', '--user', 'bob', '--json', ...config]);
    expect(JSON.parse(list.stdout)).toEqual({
      tokens: [
        expect.objectContaining({
          id: token.id,
          name: 'monitor',
          role: 'viewer',
          lastUsedAt: expect.any(String),
        }),
      ],
    });
    expect(list.stdout).not.toContain(token.token);

    expect((await runCli(['tokens', 'revoke', String(token.id), ...config])).code).toBe(0);
    expect(
      (await fetch(`${url}/api/auth/me`, { headers: { authorization: `Bearer ${token.token}` } })).status,
    ).toBe(401);
    oneLineError(await runCli(['tokens', 'revoke', String(token.id), ...config]), /no API token/);
  });

  it('resets a password (one-time, sessions end) and never removes the last admin', async () => {
    const reset = await runCli(['users', 'password', 'bob', '--json', ...config]);
    expect(reset.code, reset.stderr).toBe(0);
    const { password } = JSON.parse(reset.stdout) as { password: string };
    const login = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bob', password }),
    });
    expect(((await login.json()) as { user: { mustChangePassword: boolean } }).user.mustChangePassword).toBe(
      true,
    );

    const last = await runCli(['users', 'remove', 'admin', '--json', ...config]);
    expect(last.code).toBe(1);
    expect(JSON.parse(last.stdout)).toEqual({
      error: { code: 'last_admin', message: expect.stringMatching(/"admin" is the only admin/) },
    });
    expect((await runCli(['users', 'remove', 'bob', ...config])).stdout).toBe('removed bob\n');
    oneLineError(await runCli(['users', 'remove', 'bob', ...config]), /no user named "bob"/);
  });
});
