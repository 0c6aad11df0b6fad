import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `ledgerlink` command. `npm test` builds first and sets LEDGERLINK_TEST_CLI=dist, so
 * the built command runs (fast start); a bare `vitest` runs it from the sources through tsx.
 */
const COMMAND =
  process.env.LEDGERLINK_TEST_CLI === 'dist'
    ? [join(ROOT, 'dist/src/cli/main.js')]
    : ['--import', 'tsx', join(ROOT, 'src/cli/main.ts')];

export function spawnCli(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
  cwd = ROOT,
): ChildProcess {
  return spawn(process.execPath, [...COMMAND, ...args], {
    cwd,
    env: { ...process.env, LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function runCli(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
  opts: { cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, env, opts.cwd);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => {
      stdout += d;
    });
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ledgerlink ${args.join(' ')} did not finish in time\n${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
