import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectRoot } from '../../util/project-root.js';

/**
 * A real Vendure 3 shop (peers/vendure, its own npm project) for integration tests: installed on
 * first use, started as a child process on 127.0.0.1, and always stopped — by close(), by this
 * process's exit, or by itself when its standard input closes because this process went away.
 */
export interface VendurePeer {
  /** The Admin API endpoint. */
  url: string;
  port: number;
  /** Where the shop keeps its SQLite file. */
  dir: string;
  superadmin: { username: string; password: string };
  admin: VendureAdmin;
  /** Milliseconds per phase: install (0 when node_modules was there), start (spawn → serving), bootstrap (Vendure's own). */
  timings: { install: number; start: number; bootstrap: number };
  close(): Promise<void>;
}

export interface StartVendureOptions {
  /** A directory to keep the shop in (reused when it holds one); default a fresh temporary one, removed on close. */
  dir?: string;
  /** Default: a free port. */
  port?: number;
  installTimeoutMs?: number;
  startTimeoutMs?: number;
}

export const VENDURE_SUPERADMIN = { username: 'superadmin', password: 'ledgerlink-peer' } as const;

const PEER_DIR = join(projectRoot(), 'peers', 'vendure');
/** What a finished install leaves: npm's record of it, and the SQLite driver built for this Node. */
const INSTALLED = join(PEER_DIR, 'node_modules', '.package-lock.json');
const DRIVER = join(PEER_DIR, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
const installed = () => existsSync(INSTALLED) && existsSync(DRIVER);
const INSTALL_LOCK = join(PEER_DIR, '.install-lock');

/** The last part of a child's output, for an error a person can act on. */
const tail = (text: string, lines = 25) => text.trim().split('\n').slice(-lines).join('\n');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Runs a command to its end within a time limit; resolves with its output, rejects with the reason. */
function run(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: PEER_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else
        reject(
          new Error(
            signal === 'SIGKILL'
              ? `${cmd} ${args.join(' ')} did not finish within ${timeoutMs} ms:\n${tail(out)}`
              : `${cmd} ${args.join(' ')} failed (exit ${code}):\n${tail(out)}`,
          ),
        );
    });
  });
}

/**
 * `npm ci --prefix peers/vendure` when its node_modules is missing. Test files running at once share
 * one install: the first takes a lock directory, the others wait for it (a lock older than the time
 * limit is a crashed install's, and is taken over).
 */
async function ensureInstalled(timeoutMs: number): Promise<number> {
  if (installed()) return 0;
  const started = performance.now();
  for (;;) {
    try {
      mkdirSync(INSTALL_LOCK);
      break;
    } catch {
      if (installed()) return Math.round(performance.now() - started);
      const age = Date.now() - (existsSync(INSTALL_LOCK) ? statSync(INSTALL_LOCK).mtimeMs : Date.now());
      if (age > timeoutMs) rmSync(INSTALL_LOCK, { recursive: true, force: true });
      else await sleep(500);
    }
  }
  try {
    if (!installed())
      await run('npm', ['ci', '--prefix', PEER_DIR, '--no-audit', '--no-fund'], timeoutMs).catch(
        (e: Error) => {
          throw new Error(`could not install the Vendure test peer (peers/vendure): ${e.message}`);
        },
      );
  } finally {
    rmSync(INSTALL_LOCK, { recursive: true, force: true });
  }
  return Math.round(performance.now() - started);
}

/** Waits for the server's {"ready": true} line; rejects when it exits or takes too long. */
function ready(child: ChildProcess, output: () => string, timeoutMs: number): Promise<{ ms: number }> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Vendure did not start within ${timeoutMs} ms:\n${tail(output())}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      buffered += d.toString();
      // Whole lines only: a chunk may end in the middle of one.
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      const line = lines.find((l) => l.startsWith('{"ready":true'));
      if (!line) return;
      cleanup();
      resolve(JSON.parse(line) as { ms: number });
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`Vendure exited (code ${code}) before it served:\n${tail(output())}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

export async function startVendure(opts: StartVendureOptions = {}): Promise<VendurePeer> {
  const install = await ensureInstalled(opts.installTimeoutMs ?? 600_000);
  const port = opts.port ?? (await freePort());
  const temporary = opts.dir === undefined;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'ledgerlink-vendure-'));
  const started = performance.now();
  const child = spawn(process.execPath, ['server.mjs'], {
    cwd: PEER_DIR,
    env: {
      ...process.env,
      VENDURE_PORT: String(port),
      VENDURE_DIR: dir,
      VENDURE_DISABLE_TELEMETRY: 'true',
    },
    // stdin stays open while this process lives: the server stops when it closes.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let exited = false;
  const gone = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const close = async () => {
    process.off('exit', killOnExit);
    if (!exited) {
      child.stdin.end();
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    }
    if (temporary) rmSync(dir, { recursive: true, force: true });
  };

  let bootstrap: number;
  try {
    bootstrap = (await ready(child, () => output, opts.startTimeoutMs ?? 90_000)).ms;
  } catch (e) {
    await close();
    throw e;
  }
  const url = `http://127.0.0.1:${port}/admin-api`;
  const admin = new VendureAdmin(url, VENDURE_SUPERADMIN);
  return {
    url,
    port,
    dir,
    superadmin: { ...VENDURE_SUPERADMIN },
    admin,
    timings: { install, start: Math.round(performance.now() - started), bootstrap },
    close,
  };
}

/** An order as the helper reads it back. */
export interface PeerOrder {
  id: string;
  code: string;
  state: string;
  total: number;
  totalWithTax: number;
  customFields: { erpNumber: string | null };
  lines: Array<{ id: string; quantity: number; productVariant: { sku: string } }>;
  payments: Array<{
    id: string;
    amount: number;
    state: string;
    method: string;
    transactionId: string | null;
  }>;
  fulfillments: Array<{
    id: string;
    state: string;
    method: string;
    trackingCode: string | null;
    lines: Array<{ orderLineId: string; quantity: number }>;
  }>;
  history: { items: Array<{ type: string; data: Record<string, unknown> }> };
}

const ORDER = `id code state total totalWithTax customFields { erpNumber }
  lines { id quantity productVariant { sku } }
  payments { id amount state method transactionId }
  fulfillments { id state method trackingCode lines { orderLineId quantity } }
  history(options: { take: 100 }) { items { type data } }`;

/**
 * The shop's own Admin API for tests: what a merchant or the shop's checkout would do, so that the
 * connector under test meets records it did not make. Orders are placed through the draft-order API
 * (as a merchant taking a phone order does) and left in ArrangingPayment, awaiting payment.
 */
export class VendureAdmin {
  private token?: string;

  constructor(
    readonly url: string,
    private readonly credentials: { username: string; password: string },
  ) {}

  async gql<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    if (!this.token && !query.includes('login(')) await this.login();
    const res = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    const token = res.headers.get('vendure-auth-token');
    if (token) this.token = token;
    const body = (await res.json()) as { data?: T; errors?: Array<{ message: string }> };
    if (body.errors?.length) throw new Error(`Vendure: ${body.errors.map((e) => e.message).join('; ')}`);
    return body.data as T;
  }

  private async login(): Promise<void> {
    await this.gql(
      'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { __typename } }',
      { u: this.credentials.username, p: this.credentials.password },
    );
    if (!this.token) throw new Error('Vendure sent no session token for the superadmin login');
  }

  /** A product with one variant: price without tax in minor units, stock on hand. Returns the variant id. */
  async createProduct(p: { sku: string; name: string; price: number; stock: number }): Promise<string> {
    const { createProduct } = await this.gql<{ createProduct: { id: string } }>(
      'mutation($i: CreateProductInput!) { createProduct(input: $i) { id } }',
      {
        i: {
          translations: [{ languageCode: 'en', name: p.name, slug: `${p.name}-${p.sku}`, description: '' }],
        },
      },
    );
    const { createProductVariants } = await this.gql<{ createProductVariants: Array<{ id: string }> }>(
      'mutation($i: [CreateProductVariantInput!]!) { createProductVariants(input: $i) { id } }',
      {
        i: [
          {
            productId: createProduct.id,
            sku: p.sku,
            price: p.price,
            stockOnHand: p.stock,
            translations: [{ languageCode: 'en', name: p.name }],
          },
        ],
      },
    );
    return createProductVariants[0]!.id;
  }

  /** A customer as the shop's sign-up makes one. Returns its id. */
  async createCustomer(c: { email: string; firstName: string; lastName: string }): Promise<string> {
    const { createCustomer } = await this.gql<{ createCustomer: { id?: string; message?: string } }>(
      `mutation($i: CreateCustomerInput!) { createCustomer(input: $i) {
        ... on Customer { id } ... on ErrorResult { message } } }`,
      { i: { firstName: c.firstName, lastName: c.lastName, emailAddress: c.email } },
    );
    if (!createCustomer.id) throw new Error(`Vendure refused the customer: ${createCustomer.message}`);
    return createCustomer.id;
  }

  async variantId(sku: string): Promise<string> {
    const { productVariants } = await this.gql<{ productVariants: { items: Array<{ id: string }> } }>(
      'query($s: String!) { productVariants(options: { filter: { sku: { eq: $s } } }) { items { id } } }',
      { s: sku },
    );
    const id = productVariants.items[0]?.id;
    if (!id) throw new Error(`Vendure has no variant ${sku}`);
    return id;
  }

  /**
   * An order through the draft-order API: its lines, the customer, a shipping address in the
   * default zone, the fixed-price shipping method, then ArrangingPayment. `settle` adds a manual
   * payment for the whole amount, which makes it PaymentSettled (placed and paid).
   */
  async placeOrder(o: {
    customerId: string;
    lines: Array<{ sku: string; quantity: number }>;
    settle?: boolean;
  }): Promise<PeerOrder> {
    const draft = await this.gql<{ createDraftOrder: { id: string } }>(
      'mutation { createDraftOrder { id } }',
    );
    const orderId = draft.createDraftOrder.id;
    const refused = (r: { errorCode?: string; message?: string }, step: string) => {
      if (r.errorCode) throw new Error(`Vendure refused ${step}: ${r.message}`);
    };
    for (const line of o.lines) {
      const r = await this.gql<{ addItemToDraftOrder: { errorCode?: string; message?: string } }>(
        `mutation($o: ID!, $i: AddItemToDraftOrderInput!) { addItemToDraftOrder(orderId: $o, input: $i) {
          ... on ErrorResult { errorCode message } } }`,
        { o: orderId, i: { productVariantId: await this.variantId(line.sku), quantity: line.quantity } },
      );
      refused(r.addItemToDraftOrder, `line ${line.sku}`);
    }
    const c = await this.gql<{ setCustomerForDraftOrder: { errorCode?: string; message?: string } }>(
      `mutation($o: ID!, $c: ID!) { setCustomerForDraftOrder(orderId: $o, customerId: $c) {
        ... on ErrorResult { errorCode message } } }`,
      { o: orderId, c: o.customerId },
    );
    refused(c.setCustomerForDraftOrder, 'the customer');
    const address = {
      fullName: 'Pat Shopper',
      streetLine1: '12 High Street',
      city: 'Leeds',
      postalCode: 'LS1 4AP',
      countryCode: 'GB',
      phoneNumber: '+44 113 496 0000',
    };
    await this.gql(
      'mutation($o: ID!, $i: CreateAddressInput!) { setDraftOrderShippingAddress(orderId: $o, input: $i) { id } }',
      {
        o: orderId,
        i: address,
      },
    );
    await this.gql(
      'mutation($o: ID!, $i: CreateAddressInput!) { setDraftOrderBillingAddress(orderId: $o, input: $i) { id } }',
      {
        o: orderId,
        i: address,
      },
    );
    const { eligibleShippingMethodsForDraftOrder: methods } = await this.gql<{
      eligibleShippingMethodsForDraftOrder: Array<{ id: string }>;
    }>('query($o: ID!) { eligibleShippingMethodsForDraftOrder(orderId: $o) { id } }', { o: orderId });
    const s = await this.gql<{ setDraftOrderShippingMethod: { errorCode?: string; message?: string } }>(
      `mutation($o: ID!, $s: ID!) { setDraftOrderShippingMethod(orderId: $o, shippingMethodId: $s) {
        ... on ErrorResult { errorCode message } } }`,
      { o: orderId, s: methods[0]!.id },
    );
    refused(s.setDraftOrderShippingMethod, 'the shipping method');
    const t = await this.gql<{ transitionOrderToState: { errorCode?: string; message?: string } }>(
      `mutation($o: ID!) { transitionOrderToState(id: $o, state: "ArrangingPayment") {
        ... on ErrorResult { errorCode message } } }`,
      { o: orderId },
    );
    refused(t.transitionOrderToState, 'the checkout');
    if (o.settle) {
      const p = await this.gql<{ addManualPaymentToOrder: { errorCode?: string; message?: string } }>(
        `mutation($i: ManualPaymentInput!) { addManualPaymentToOrder(input: $i) {
          ... on ErrorResult { errorCode message } } }`,
        { i: { orderId, method: 'card', transactionId: `shop-${orderId}`, metadata: {} } },
      );
      refused(p.addManualPaymentToOrder, 'the payment');
    }
    return this.order(orderId);
  }

  async order(id: string): Promise<PeerOrder> {
    const { order } = await this.gql<{ order: PeerOrder | null }>(
      `query($id: ID!) { order(id: $id) { ${ORDER} } }`,
      {
        id,
      },
    );
    if (!order) throw new Error(`Vendure has no order ${id}`);
    return order;
  }

  /** Moves an order through Vendure's state machine by hand (e.g. to Cancelled). */
  async transitionOrder(id: string, state: string): Promise<void> {
    const r = await this.gql<{ transitionOrderToState: { errorCode?: string; message?: string } }>(
      `mutation($o: ID!, $s: String!) { transitionOrderToState(id: $o, state: $s) {
        ... on ErrorResult { errorCode message } } }`,
      { o: id, s: state },
    );
    if (r.transitionOrderToState.errorCode)
      throw new Error(`Vendure refused ${state}: ${r.transitionOrderToState.message}`);
  }

  async variant(
    sku: string,
  ): Promise<{ id: string; price: number; stockOnHand: number; name: string; enabled: boolean }> {
    const { productVariants } = await this.gql<{
      productVariants: {
        items: Array<{ id: string; price: number; stockOnHand: number; name: string; enabled: boolean }>;
      };
    }>(
      'query($s: String!) { productVariants(options: { filter: { sku: { eq: $s } } }) { items { id price stockOnHand name enabled } } }',
      {
        s: sku,
      },
    );
    const v = productVariants.items[0];
    if (!v) throw new Error(`Vendure has no variant ${sku}`);
    return v;
  }
}
