import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { TestDatabase } from './databases.js';

const run = promisify(execFile);

/**
 * A PostgreSQL cluster of the test's own — initdb'd into a temp dir, trust auth, on a free loopback
 * port with its socket in that dir — so a test may stop and restart the server without touching the
 * machine's shared one (other suites use it). As root, the server runs as the `postgres` OS user
 * (initdb refuses root). `destroy()` stops it and deletes the dir.
 */
export interface PrivatePostgres {
  port: number;
  dir: string;
  /** A connection URL of database `db` on this cluster. */
  url(db?: string): string;
  /** A fresh database on the cluster (dropping it is left to `destroy`). */
  createDatabase(name: string): Promise<TestDatabase>;
  /** Fast shutdown (sessions cut, as on a restart or failover). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stop, stay down `downMs`, start again. */
  restart(downMs?: number): Promise<void>;
  /** The server's log so far (for failure messages). */
  log(): string;
  destroy(): Promise<void>;
}

/** The newest PostgreSQL's bin dir (Debian's layout), or PG_BIN. */
export function findPostgresBin(): string | undefined {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv && existsSync(join(fromEnv, 'initdb'))) return fromEnv;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

async function postgresUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const { stdout: uid } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = findPostgresBin();
  if (!bin)
    throw new Error(
      'no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin; set PG_BIN',
    );
  const owner = await postgresUser();
  const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-pg-'));
  const data = join(dir, 'data');
  const sock = join(dir, 'sock');
  const logFile = join(dir, 'server.log');
  mkdirSync(sock);
  if (owner) for (const d of [dir, sock]) chownSync(d, owner.uid, owner.gid);
  // As root, every server command runs as the postgres user.
  const pgRun = (tool: string, args: string[], timeout = 60_000) =>
    owner
      ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args], { timeout })
      : run(join(bin, tool), args, { timeout });

  const port = await freePort();
  try {
    await pgRun('initdb', [
      '-D',
      data,
      '-A',
      'trust',
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--no-sync',
      '--no-locale',
    ]);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${(e as { stderr?: string }).stderr ?? (e as Error).message}`);
  }
  const options = [
    `-p ${port}`,
    `-k ${sock}`,
    "-c listen_addresses='127.0.0.1'",
    // A test cluster: durability is not what is tested, speed on two shared cores is welcome.
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=100',
  ].join(' ');
  const url = (db = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${db}`;
  let running = false;

  const cluster: PrivatePostgres = {
    port,
    dir,
    url,
    async start() {
      try {
        await pgRun('pg_ctl', ['-D', data, '-l', logFile, '-o', options, '-w', '-t', '60', 'start']);
      } catch (e) {
        throw new Error(`pg_ctl start failed: ${(e as { stderr?: string }).stderr ?? ''}\n${cluster.log()}`);
      }
      running = true;
    },
    async stop() {
      await pgRun('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
      running = false;
    },
    async restart(downMs = 3_000) {
      await cluster.stop();
      await new Promise((r) => setTimeout(r, downMs));
      await cluster.start();
    },
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-5_000) : ''),
    async createDatabase(name) {
      const c = new pg.Client({ connectionString: url() });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE ${name}`);
      } finally {
        await c.end();
      }
      return { dialect: 'postgres', url: url(name), drop: async () => undefined };
    },
    async destroy() {
      if (running) {
        await pgRun('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '30', 'stop']).catch(
          () => undefined,
        );
        running = false;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await cluster.start();
  } catch (e) {
    await cluster.destroy();
    throw e;
  }
  return cluster;
}
