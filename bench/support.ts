import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { stringify } from 'yaml';
import { MAGENTO_SANDBOX } from '../src/connectors/magento/sandbox/index.js';
import { sandboxRegistry } from '../src/connectors/sandboxes.js';

/**
 * What the benchmark sections share: the built `ledgerlink` command run as child processes (so a
 * sandbox's or a worker's CPU is never counted as the measured process's), their start and stop, the
 * Magento sandbox's call records, and the one JSON line each section prints.
 */
export const CLI = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'src', 'cli', 'main.js');
export const quiet = pino({ level: 'silent' });
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const children = new Set<ChildProcess>();
// Whatever happens to a section (an error, the orchestrator's SIGTERM), nothing it started outlives it.
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
process.on('SIGTERM', () => process.exit(143));

/** Gives up on the whole section after `seconds`: every process it started stops with it. */
export function deadline(seconds: number): void {
  setTimeout(() => {
    process.stderr.write(`bench: gave up after ${seconds} s\n`);
    process.exit(1);
  }, seconds * 1000).unref();
}

const stderrTails = new WeakMap<ChildProcess, string>();

/** The built `ledgerlink` command; its stderr is kept (the last 4 KB), not shown, unless asked for. */
export function spawnCli(args: readonly string[], env: Record<string, string> = {}): ChildProcess {
  // BENCH_PROFILE=<dir>: each Ledgerlink process writes a CPU profile there when it exits.
  const profile = process.env.BENCH_PROFILE
    ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE]
    : [];
  const child = spawn(process.execPath, [...profile, CLI, ...args], {
    env: { ...process.env, LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  child.stderr!.on('data', (d) => stderrTails.set(child, `${stderrTails.get(child) ?? ''}${d}`.slice(-4096)));
  return child;
}

/**
 * A sandbox started with options the command does not take (service protection, throttle windows),
 * in a process of its own (bench/sandbox-process.ts): its CPU is not the measured process's.
 */
export async function startSandboxProcess(
  system: 'dynamics' | 'quickbooks' | 'accurate',
  options: Record<string, unknown> = {},
): Promise<Sandbox & { settings: Record<string, unknown> }> {
  const script = join(fileURLToPath(new URL('.', import.meta.url)), 'sandbox-process.js');
  const child = spawn(process.execPath, [script, system, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  child.stderr!.on('data', (d) => stderrTails.set(child, `${stderrTails.get(child) ?? ''}${d}`.slice(-4096)));
  const { url, settings } = await started<{ url: string; settings: Record<string, unknown> }>(child);
  return { url, settings, child };
}

/** The last lines a child wrote to stderr: why it failed, when it did. */
export const stderrOf = (child: ChildProcess): string => stderrTails.get(child) ?? '';

/** The JSON a `--json` command prints once it is up. */
export function started<T = Record<string, unknown>>(child: ChildProcess, timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`not started within ${timeoutMs} ms`)), timeoutMs);
    child.stdout!.on('data', (d) => {
      out += d;
      try {
        const value = JSON.parse(out) as T;
        clearTimeout(timer);
        resolve(value);
      } catch {
        // not all of it yet
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before starting: ${stderrOf(child)}`));
    });
  });
}

/** SIGTERM, and SIGKILL if it is still there 10 s later; resolves once it has gone. */
export function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface Sandbox {
  url: string;
  child: ChildProcess;
}

/** `ledgerlink sandbox <system> --port 0 --json …` in a process of its own. */
export async function startSandbox(system: 'acumatica' | 'magento', args: string[] = []): Promise<Sandbox> {
  const child = spawnCli(['sandbox', system, '--port', '0', '--json', ...args]);
  const { url } = await started<{ url: string }>(child);
  return { url, child };
}

/** A session cookie of the Acumatica sandbox (its login), for a bench that changes records as a person would. */
export async function acumaticaCookie(url: string): Promise<string> {
  // Loaded here, not at the top: the other sections never load the sandbox's code (their RSS is measured).
  const { sandboxSessionCookie } = await import('../src/connectors/acumatica/sandbox/login.js');
  return sandboxSessionCookie(url);
}

export interface CallRecord {
  method: string;
  path: string;
  status: number;
  at: number;
  arrivedAt: number;
}

/** Every call the sandbox answered, or those after the first `since`. */
export async function callsOf(sandbox: Sandbox, since = 0): Promise<CallRecord[]> {
  const res = await fetch(`${sandbox.url}/_sandbox/calls?list=1&since=${since}`);
  return ((await res.json()) as { list: CallRecord[] }).list;
}

/**
 * A count of the sandbox's calls that `match`, for a bench that polls while the run it measures
 * lasts: each poll reads only the calls since the last, so polling costs the same at the end of a
 * long run as at its start (reading the whole log ten times a second took CPU from the run).
 */
export function callCounter(sandbox: Sandbox, match: (c: CallRecord) => boolean): () => Promise<number> {
  let seen = 0;
  let matched = 0;
  return async () => {
    const fresh = await callsOf(sandbox, seen);
    seen += fresh.length;
    matched += fresh.filter(match).length;
    return matched;
  };
}

/** Every customer the Magento sandbox holds, through its API, as a shop's admin would list them. */
export async function magentoCustomers(
  magento: Sandbox,
  pageSize = 100_000,
): Promise<{ total: number; emails: string[] }> {
  const res = await fetch(
    `${magento.url}/rest/V1/customers/search?searchCriteria[pageSize]=${pageSize}&searchCriteria[currentPage]=1`,
    { headers: { authorization: `Bearer ${MAGENTO_SANDBOX.accessToken}` } },
  );
  if (!res.ok) throw new Error(`Magento customer search answered ${res.status}`);
  const body = (await res.json()) as { total_count: number; items: Array<{ email: string }> };
  return { total: body.total_count, emails: body.items.map((c) => c.email.toLowerCase()) };
}

/** A configuration with the two sandboxes as connections and the given flows. */
export function writeConfig(
  path: string,
  o: {
    database: string;
    acumatica: Sandbox;
    magento: Sandbox;
    flows: Record<string, Record<string, unknown>>;
    magentoRateLimit?: Record<string, number>;
  },
): void {
  writeFileSync(
    path,
    stringify({
      database: o.database,
      connections: {
        acumatica: {
          connector: 'acumatica',
          settings: { ...sandboxRegistry.acumatica!.settings(o.acumatica), timeoutMs: 10_000 },
        },
        magento: {
          connector: 'magento',
          settings: { ...sandboxRegistry.magento!.settings(o.magento), timeoutMs: 10_000 },
          ...(o.magentoRateLimit ? { rateLimit: o.magentoRateLimit } : {}),
        },
      },
      flows: o.flows,
    }),
  );
}

/** Peak RSS and CPU of a running process, from /proc (Linux): how a child's own cost is read. */
export function procStats(pid: number): { peakRssMb: number; cpuSeconds: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { peakRssMb: Math.round(hwm / 1024), cpuSeconds: ticks / 100 };
  } catch {
    return undefined;
  }
}

/** Prints the section's one JSON line, with this process's own peak RSS and CPU. */
export function report(figures: Record<string, unknown>): void {
  const u = process.resourceUsage();
  console.log(
    JSON.stringify({
      ...figures,
      process: {
        peakRssMb: Math.round(u.maxRSS / 1024),
        cpuSeconds: (u.userCPUTime + u.systemCPUTime) / 1e6,
      },
    }),
  );
}

export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}
