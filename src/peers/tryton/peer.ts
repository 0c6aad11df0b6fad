import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TrytonClient } from '../../connectors/tryton/client.js';
import { encodeDate, encodeDecimal } from '../../connectors/tryton/json.js';
import { runWizard, setUpBusiness, type TrytonBusiness } from './setup.js';

/**
 * A real Tryton 6.0 for tests: Debian's trytond and modules, a SQLite database in a folder the
 * caller gives (or a temporary one), the server on 127.0.0.1 and a free port, and the business a
 * sale needs (see ./setup.ts). `close()` stops the server it started; nothing outlives
 * the test process.
 */

export const TRYTON_PACKAGES = [
  'tryton-server',
  'tryton-modules-party',
  'tryton-modules-product',
  'tryton-modules-sale',
  'tryton-modules-stock',
  'tryton-modules-account-invoice',
  'tryton-modules-account-product',
  'tryton-modules-company',
  'tryton-modules-currency',
  'tryton-modules-sale-shipment-cost',
] as const;

const MODULES_DIR = '/usr/lib/python3/dist-packages/trytond/modules';
const MODULES = [
  'party',
  'product',
  'sale',
  'stock',
  'account_invoice',
  'account_product',
  'company',
  'currency',
];
const TRYTOND = '/usr/bin/trytond';
const TRYTOND_ADMIN = '/usr/bin/trytond-admin';

const installed = (): boolean =>
  existsSync(TRYTOND) && existsSync(TRYTOND_ADMIN) && MODULES.every((m) => existsSync(join(MODULES_DIR, m)));

const isRoot = (): boolean => process.getuid?.() === 0;

/**
 * Whether a Tryton can run here, decided without waiting: installed, or installable (root with
 * apt-get). Tests skip with the reason when it cannot.
 */
export function trytonAvailability(): { ok: true } | { ok: false; reason: string } {
  if (installed()) return { ok: true };
  if (isRoot() && existsSync('/usr/bin/apt-get')) return { ok: true };
  return {
    ok: false,
    reason: `Tryton 6.0 is not installed and cannot be installed without root: apt-get install ${TRYTON_PACKAGES.join(' ')}`,
  };
}

export class TrytonUnavailable extends Error {
  override name = 'TrytonUnavailable';
}

function install(timings: Record<string, number>): void {
  if (installed()) return;
  if (!isRoot() || !existsSync('/usr/bin/apt-get'))
    throw new TrytonUnavailable(
      trytonAvailability().ok ? 'Tryton is missing' : (trytonAvailability() as { reason: string }).reason,
    );
  const started = Date.now();
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args: string[]) =>
    execFileSync('apt-get', args, { env, stdio: 'pipe', timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
  try {
    apt(['install', '-y', '--no-install-recommends', ...TRYTON_PACKAGES]);
  } catch {
    // A machine whose package lists were never fetched knows no tryton packages yet.
    apt(['update']);
    apt(['install', '-y', '--no-install-recommends', ...TRYTON_PACKAGES]);
  }
  timings.install = Date.now() - started;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Servers this process started. Each runs under a small shell that holds the end of a pipe from
 * this process and stops trytond when the pipe closes, so even a test process killed outright
 * leaves no server behind; the shell and trytond share a process group for a forced stop.
 */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of running) if (p.pid) process.kill(-p.pid, 'SIGKILL');
});

const SUPERVISOR = `${TRYTOND} -c "$1" & pid=$!; read _; kill $pid 2>/dev/null; wait $pid`;

async function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) {
    running.delete(p);
    return;
  }
  const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
  p.stdin?.end();
  const inTime = await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]);
  if (!inTime && p.pid) {
    try {
      process.kill(-p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await Promise.race([exited, sleep(2_000)]);
  }
  running.delete(p);
}

/** Whether a process exists and is not a zombie. */
function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** trytond's own process: the supervising shell's child. */
function trytondPid(shell: number | undefined): number | undefined {
  if (!shell) return undefined;
  try {
    const child = readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8').trim().split(/\s+/)[0];
    return child ? Number(child) : undefined;
  } catch {
    return undefined;
  }
}

const tail = (file: string): string => {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
};

export interface PartyInput {
  name: string;
  email?: string;
  phone?: string;
  street?: string;
  city?: string;
  postalCode?: string;
  /** A country code the peer created (US, GB, DE, FR, ID). */
  country?: string;
}

export interface ProductInput {
  code: string;
  name: string;
  listPrice: string;
  costPrice?: string;
  /** The account category: goods (20 % tax), services (no tax), or none (Tryton cannot invoice it). */
  category?: 'goods' | 'services' | null;
  type?: 'goods' | 'service';
}

/** Calls as the admin, for tests that act in Tryton as a person would. */
export class TrytonRpc {
  constructor(
    readonly client: TrytonClient,
    readonly business: TrytonBusiness,
  ) {}

  call<T = unknown>(model: string, method: string, ...args: unknown[]): Promise<T> {
    return this.client.model<T>(model, method, args);
  }

  async create(model: string, values: Array<Record<string, unknown>>): Promise<number[]> {
    return this.call<number[]>(model, 'create', values);
  }

  async createParty(p: PartyInput): Promise<number> {
    const mechanisms = [
      ...(p.email ? [{ type: 'email', value: p.email }] : []),
      ...(p.phone ? [{ type: 'phone', value: p.phone }] : []),
    ];
    const address: Record<string, unknown> = {
      street: p.street ?? '1 Main Street',
      invoice: true,
      delivery: true,
    };
    if (p.city) address.city = p.city;
    if (p.postalCode) address.postal_code = p.postalCode;
    const country = this.business.countries[p.country ?? 'US'];
    if (country) address.country = country;
    const [id] = await this.create('party.party', [
      {
        name: p.name,
        addresses: [['create', [address]]],
        ...(mechanisms.length ? { contact_mechanisms: [['create', mechanisms]] } : {}),
      },
    ]);
    return id!;
  }

  /** A salable product (template and variant); returns the variant's id. */
  async createProduct(p: ProductInput): Promise<number> {
    const category =
      p.category === null
        ? undefined
        : p.category === 'services'
          ? this.business.servicesCategoryId
          : this.business.goodsCategoryId;
    const [template] = await this.create('product.template', [
      {
        name: p.name,
        type: p.type ?? 'goods',
        salable: true,
        default_uom: this.business.unitUomId,
        sale_uom: this.business.unitUomId,
        list_price: encodeDecimal(p.listPrice),
        ...(category !== undefined ? { account_category: category } : {}),
        products: [
          [
            'create',
            [{ suffix_code: p.code, ...(p.costPrice ? { cost_price: encodeDecimal(p.costPrice) } : {}) }],
          ],
        ],
      },
    ]);
    const [product] = await this.call<number[]>('product.product', 'search', [['template', '=', template]]);
    return product!;
  }

  /** Counts the products into the warehouse's storage with a confirmed inventory. */
  async setStock(quantities: ReadonlyArray<[product: number, quantity: number]>): Promise<void> {
    const [inventory] = await this.create('stock.inventory', [
      {
        location: this.business.storageId,
        date: encodeDate(new Date().toISOString().slice(0, 10)),
        lines: [['create', quantities.map(([product, quantity]) => ({ product, quantity }))]],
      },
    ]);
    await this.call('stock.inventory', 'confirm', [inventory]);
  }

  /** What a warehouse does with a waiting customer shipment: assign, pick, pack, done. */
  async shipOut(shipment: number, reference?: string): Promise<void> {
    if (reference) await this.call('stock.shipment.out', 'write', [shipment], { reference });
    const assigned = await this.call<boolean>('stock.shipment.out', 'assign_try', [shipment]);
    if (!assigned) throw new Error(`Tryton could not assign shipment ${shipment}: not enough stock`);
    for (const step of ['pick', 'pack', 'done']) await this.call('stock.shipment.out', step, [shipment]);
  }

  async postInvoice(invoice: number): Promise<void> {
    await this.call('account.invoice', 'post', [invoice]);
  }

  /** Pays a posted invoice in full (or the amount given) in cash, through the Pay wizard. */
  async payInvoice(invoice: number, amount?: string): Promise<void> {
    const context = { active_model: 'account.invoice', active_id: invoice, active_ids: [invoice] };
    await runWizard(
      this.client,
      'account.invoice.pay',
      async (execute) => {
        const start = await execute('start');
        const proposed = start.view?.defaults ?? {};
        const data = {
          start: {
            amount: encodeDecimal(amount ?? String(proposed.amount)),
            currency: proposed.currency,
            description: `Payment of invoice ${invoice}`,
            payment_method: this.business.paymentMethodId,
            date: encodeDate(String(proposed.date)),
          },
        };
        const next = await execute('choice', data);
        // A part payment asks how to treat the rest: keep it open.
        if (next.view?.state === 'ask') await execute('pay', { ...data, ask: { type: 'partial' } });
      },
      context,
    );
  }
}

export interface TrytonPeer {
  url: string;
  database: string;
  user: string;
  password: string;
  business: TrytonBusiness;
  rpc: TrytonRpc;
  /** Milliseconds per phase: install (when it ran), init, start, setup. */
  timings: Record<string, number>;
  /** The server's resident memory, in MB. */
  rssMb(): number | undefined;
  /**
   * A new database served by the same server: a copy of the set-up database as it was before any
   * test wrote to it (the same business, no parties or products of the tests).
   */
  freshDatabase(name: string): string;
  /** Calls as the admin on another database of the server (a fresh one). */
  rpcFor(database: string): TrytonRpc;
  close(): Promise<void>;
}

const ADMIN_PASSWORD = 'ledgerlink-admin';

export async function startTryton(opts: { dir?: string; port?: number } = {}): Promise<TrytonPeer> {
  const timings: Record<string, number> = {};
  install(timings);
  const ownDir = !opts.dir;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'ledgerlink-tryton-'));
  const dbDir = join(dir, 'db');
  const pristineDir = join(dir, 'pristine');
  mkdirSync(dbDir, { recursive: true });
  mkdirSync(pristineDir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const database = 'ledgerlink';
  const config = join(dir, 'trytond.conf');
  writeFileSync(
    config,
    ['[database]', 'uri = sqlite://', `path = ${dbDir}`, '', '[web]', `listen = 127.0.0.1:${port}`, ''].join(
      '\n',
    ),
  );
  const passFile = join(dir, 'admin-password');
  writeFileSync(passFile, `${ADMIN_PASSWORD}\n`, { mode: 0o600 });
  // trytond's SQLite backend opens <path>/<database>.sqlite, which must exist before it is initialised.
  writeFileSync(join(dbDir, `${database}.sqlite`), '');

  let started = Date.now();
  try {
    // Installing the modules takes about a minute on a quiet machine; on two busy shared cores (two
    // copies of the suite side by side) it took over three, so the limit is generous.
    execFileSync(
      TRYTOND_ADMIN,
      [
        '-c',
        config,
        '-d',
        database,
        '--all',
        '-u',
        'sale',
        '--activate-dependencies',
        '--email',
        'admin@example.com',
      ],
      { env: { ...process.env, TRYTONPASSFILE: passFile }, stdio: 'pipe', timeout: 600_000 },
    );
  } catch (e) {
    const err = e as { stderr?: Buffer; code?: string; signal?: string };
    if (err.code === 'ETIMEDOUT' || err.signal)
      throw new Error(
        `trytond-admin did not finish installing the modules within 10 minutes (stopped by ${err.signal ?? 'the timeout'})`,
      );
    throw new Error(`trytond-admin failed: ${err.stderr?.toString().split('\n').slice(-8).join('\n') ?? e}`);
  }
  timings.init = Date.now() - started;

  started = Date.now();
  const log = join(dir, 'trytond.log');
  const out = openSync(log, 'a');
  const server = spawn('/bin/sh', ['-c', SUPERVISOR, 'sh', config], {
    stdio: ['pipe', out, out],
    detached: true,
  });
  // The server holds its own copy of the log's descriptor.
  closeSync(out);
  running.add(server);
  const url = `http://127.0.0.1:${port}`;
  const closeAll = async () => {
    await stop(server);
    if (ownDir) rmSync(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (server.exitCode !== null || (Date.now() - started > 2_000 && !alive(trytondPid(server.pid))))
        throw new Error(`trytond stopped before it answered:\n${tail(log)}`);
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ id: 0, method: 'common.server.version', params: [] }),
          signal: AbortSignal.timeout(1_000),
        });
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline)
        throw new Error(`trytond did not answer on ${url} within 30 s:\n${tail(log)}`);
      await sleep(100);
    }
    timings.start = Date.now() - started;

    started = Date.now();
    const clients: TrytonClient[] = [];
    const admin = (db: string) => {
      const c = new TrytonClient({
        url,
        database: db,
        username: 'admin',
        password: ADMIN_PASSWORD,
        timeoutMs: 60_000,
      });
      clients.push(c);
      return c;
    };
    const client = admin(database);
    const business = await setUpBusiness(client);
    timings.setup = Date.now() - started;
    // Committed and idle: the file is the set-up database, kept aside for fresh copies.
    copyFileSync(join(dbDir, `${database}.sqlite`), join(pristineDir, 'business.sqlite'));

    return {
      url,
      database,
      user: 'admin',
      password: ADMIN_PASSWORD,
      business,
      rpc: new TrytonRpc(client, business),
      timings,
      rssMb() {
        try {
          const pid = trytondPid(server.pid);
          const kb = pid
            ? /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
            : undefined;
          return kb ? Math.round(Number(kb) / 1024) : undefined;
        } catch {
          return undefined;
        }
      },
      freshDatabase(name: string) {
        if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`not a database name: ${name}`);
        copyFileSync(join(pristineDir, 'business.sqlite'), join(dbDir, `${name}.sqlite`));
        return name;
      },
      rpcFor: (db: string) => new TrytonRpc(admin(db), business),
      async close() {
        await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
        await closeAll();
      },
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
