import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import v8 from 'node:v8';
import vm from 'node:vm';
import fc from 'fast-check';
import pino, { type Logger } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { isConfigError, loadConfigText } from '../../src/config/load.js';
import { CONFIG_TEMPLATE } from '../../src/config/template.js';
import { signedContent } from '../../src/connectors/magento/webhook.js';
import { MemoryConnector } from '../../src/connectors/memory/index.js';
import { connectorRegistry } from '../../src/connectors/registry.js';
import { SANDBOX_PUSH_SECRET, sandboxRegistry } from '../../src/connectors/sandboxes.js';
import { WEBHOOK_BODY_LIMIT } from '../../src/connectors/sdk/contract.js';
import { Engine } from '../../src/engine/engine.js';
import { type Flow, flowDefaults } from '../../src/engine/flow.js';
import { type Context, openContext } from '../../src/runtime/context.js';
import { EmbeddedQueue } from '../../src/runtime/queue/embedded.js';
import { type Service, startService } from '../../src/runtime/service.js';
import { REFUSED_EXCERPT_BYTES, WEBHOOK_TASK } from '../../src/runtime/webhooks.js';
import { Worker } from '../../src/runtime/worker.js';
import { createUser } from '../../src/server/auth/accounts.js';
import { createApiToken } from '../../src/server/auth/api-tokens.js';
import { openStore, type Store } from '../../src/store/index.js';
import { startApiServer } from './api-server.js';
import { createTestDatabase, type TestDatabase } from './databases.js';
import { type SyncEnvironment, startSyncEnvironment } from './environment.js';
import {
  acumaticaPush,
  anyContentType,
  encoding,
  extraHeaders,
  fromSchema,
  inUrl,
  jsonBody,
  magentoWebhook,
  memoryDelivery,
  mutate,
  mutations,
  noise,
  paramValue,
  randomBody,
  type Schema,
  weirdJson,
  weirdString,
} from './fuzz-inputs.js';
import { idsXlsx, inlineRow, lastRowBomb, sheetXlsx, workbookParts, zip } from './xlsx.js';

/**
 * The fuzz suite (security hardening): every public input of one running service, over real HTTP on
 * loopback — webhook bodies per connector (forged and authentic), ID-file uploads, the configuration
 * file and its API, every GET's query and path parameters, every POST/PUT/PATCH/DELETE's JSON body.
 * The invariants hold for every case: no 5xx, every 4xx is {error: {code, message}} with a message,
 * the service keeps answering, its memory stays bounded; after the run the worker drains the inbox
 * and no job, run or record failed with an internal error. `runs` cases in all, split by SHARES; a
 * smaller share runs again against PostgreSQL. FUZZ_SEED=<n> replays a run (each target prints its seed),
 * FUZZ_SHRINK=1 shrinks a failure to a small input, FUZZ_DEBUG=1 prints every refusal.
 */

/** How the cases are split between the targets (the PostgreSQL pass takes POSTGRES_SHARE of them first). */
const SHARES = {
  'hooks acumatica forged': 0.04,
  'hooks acumatica authentic': 0.1,
  'hooks magento forged': 0.04,
  'hooks magento authentic': 0.1,
  'hooks memory forged': 0.03,
  'hooks memory authentic': 0.08,
  'ids-file uploads': 0.12,
  'config text': 0.15,
  'config through the API': 0.05,
  'API query and path parameters': 0.15,
  'API bodies': 0.14,
} as const;
type TargetName = keyof typeof SHARES;
const POSTGRES_SHARE = 0.1;

/**
 * Growth of the resident set over its level once the service is up that counts as unbounded, once
 * garbage is collected. The largest inputs are single bodies of 8 MB and workbooks that unpack to
 * 20 MB; over 10,000 cases the peaks sampled reach 100-230 MB, most of it V8's heap grown under the
 * garbage of many cases (a collection gives it back). Longer runs drift higher (40,000 cases: about
 * 300 MB, the collected heap flat at 90-110 MB): FUZZ_RSS_BOUND_MB raises the bound for them. A leak
 * shows in HEAP_BOUND_MB.
 */
const RSS_BOUND_MB = Number(process.env.FUZZ_RSS_BOUND_MB ?? 300);
/** Growth of the heap, garbage collected, over the whole pass: what a leak would show as. */
const HEAP_BOUND_MB = 100;
/** A request that takes longer is a hang. */
const CASE_TIMEOUT_MS = 20_000;
/** How long the worker may take to drain the inbox after the cases (it takes well under a second). */
const DRAIN_MS = 30_000;
const ADMIN = 'fuzz-admin';
const MEMORY_SECRET = 'memory-webhook-secret';
const FLOW = 'acumatica-magento.customers';

type Refusal = { code: string; message: string; problems?: unknown };
interface Answer {
  status: number;
  text: string;
  json: { error?: Refusal; id?: number } & Record<string, unknown>;
}

/** Cases and answers of one target, by status and by refusal code. */
class Tally {
  cases = 0;
  readonly statuses = new Map<string, number>();
  readonly refusals = new Map<string, number>();
  started = performance.now();
  ms = 0;
  after?: { heapMb: number; heapTotalMb: number; rssMb: number; externalMb: number };
  /** The resident set's highest growth over the service's start while this target ran. */
  peakMb = 0;
  constructor(readonly name: string) {}
  note(status: number | string, code?: string): void {
    const s = String(status);
    this.statuses.set(s, (this.statuses.get(s) ?? 0) + 1);
    if (code !== undefined) this.refusals.set(`${s} ${code}`, (this.refusals.get(`${s} ${code}`) ?? 0) + 1);
  }
  line(): string {
    const by = (m: Map<string, number>) =>
      [...m]
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k}: ${n}`)
        .join(', ');
    const after = this.after
      ? `; RSS growth at most ${this.peakMb} MB; after it heap ${this.after.heapMb} MB (of ${this.after.heapTotalMb} MB), external ${this.after.externalMb} MB, RSS ${this.after.rssMb} MB`
      : '';
    return `${this.name}: ${this.cases} cases in ${(this.ms / 1000).toFixed(1)} s; statuses {${by(this.statuses)}}; refusals {${by(this.refusals) || 'none'}}${after}`;
  }
}

/** V8's collector, made callable here so that what memory is left after a target can be measured. */
v8.setFlagsFromString('--expose-gc');
const collect = vm.runInNewContext('gc') as () => void;

/**
 * The process's memory while the suite runs (the service runs in it): the resident set sampled every
 * 20 ms and after every case, and the heap once garbage is collected, after each target.
 */
class RssWatch {
  base = process.memoryUsage().rss;
  peak = this.base;
  /** The heap once the service is up and garbage collected, in MB. */
  baseHeapMb = 0;
  private timer?: NodeJS.Timeout;
  /** The highest sample since `mark()`. */
  recent = 0;
  mark(): void {
    this.recent = process.memoryUsage().rss;
  }
  start(): void {
    this.baseHeapMb = this.settled().heapMb;
    this.base = process.memoryUsage().rss;
    this.peak = this.base;
    this.timer = setInterval(() => this.sample(), 20);
    this.timer.unref();
  }
  sample(): number {
    const rss = process.memoryUsage().rss;
    if (rss > this.peak) this.peak = rss;
    if (rss > this.recent) this.recent = rss;
    return rss;
  }
  stop(): void {
    clearInterval(this.timer);
  }
  /** What is left once garbage is collected: the heap and the resident set, in MB. */
  settled(): { heapMb: number; heapTotalMb: number; rssMb: number; externalMb: number } {
    collect();
    const m = process.memoryUsage();
    const mb = (n: number) => Math.round(n / 1024 / 1024);
    return {
      heapMb: mb(m.heapUsed),
      heapTotalMb: mb(m.heapTotal),
      rssMb: mb(m.rss),
      externalMb: mb(m.external),
    };
  }
  get growthMb(): number {
    return (this.peak - this.base) / 1024 / 1024;
  }
}

/** The webhook intake of the memory connector (not in the product's registry): its own store and worker. */
interface MemoryIntake {
  url: string;
  store: Store;
  queue: EmbeddedQueue;
  close(): Promise<void>;
}

async function startMemoryIntake(dialect: 'sqlite' | 'postgres', logger: Logger): Promise<MemoryIntake> {
  const db: TestDatabase = await createTestDatabase(dialect);
  const store = await openStore(db.url);
  const source = new MemoryConnector('Memory source');
  source.webhookSecret = MEMORY_SECRET;
  for (const n of [1, 2, 3]) {
    source.put('customer', {
      number: `C${n}`,
      name: `Customer ${n}`,
      email: `c${n}@example.com`,
      currency: 'USD',
    });
    source.put('product', { sku: `P${n}`, name: `Product ${n}` });
  }
  const target = new MemoryConnector('Memory target');
  const connectors = { get: (n: string) => (n === 'memory' ? source : target) };
  const flows = new Map<string, Flow>(
    (['customer', 'product'] as const).map((entity) => [
      `memory-target.${entity}`,
      {
        ...flowDefaults,
        name: `memory-target.${entity}`,
        entity,
        source: 'memory',
        target: 'target',
        ownedFields: ['name'],
      },
    ]),
  );
  const queue = new EmbeddedQueue(store, logger, { pollMs: 20 });
  const engine = new Engine(store, flows, connectors, logger, new Map(), queue);
  const worker = new Worker(queue, engine, logger);
  const { app, url } = await startApiServer({
    store,
    flows: [...flows.values()],
    connectors,
    connections: new Map([['memory', {}]]),
    queue,
    engine,
    wake: () => queue.wake(),
    limits: { webhooksPerMinute: 10_000_000, webhooksPerMinutePerAddress: 10_000_000 },
  });
  await worker.start();
  return {
    url,
    store,
    queue,
    async close() {
      await app.close();
      await worker.stop();
      await store.close();
      await db.drop();
    },
  };
}

/** A route as the OpenAPI document describes it. */
interface Route {
  method: string;
  /** With {param} placeholders. */
  path: string;
  pathParams: string[];
  query: Array<{ name: string; schema: Schema }>;
  body?: Schema;
}

/** One service with the sandboxes behind it, and what the cases need to reach past access control. */
class Harness {
  env!: SyncEnvironment;
  ctx!: Context;
  svc!: Service;
  memory!: MemoryIntake;
  admin!: string;
  adminTokenId!: number;
  magentoKey!: KeyObject;
  routes: Route[] = [];
  goodConfig = '';
  readonly rss = new RssWatch();
  /** Log lines at warn and above, with the error they carry. */
  readonly logged: Array<{
    level: number;
    msg: string;
    err?: { type?: string; message?: string };
    [k: string]: unknown;
  }> = [];
  /** Hints for schema-shaped values: names the service knows, by parameter or property name. */
  hints: Record<string, string[]> = {};

  constructor(readonly dialect: 'sqlite' | 'postgres') {}

  async start(): Promise<void> {
    this.env = await startSyncEnvironment({ customers: 6, products: 3, seed: 7, dialect: this.dialect });
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.magentoKey = pair.privateKey;
    const flow = { retryBaseSeconds: 0.05, retryCapSeconds: 0.5, overlapMinutes: 1 };
    this.goodConfig = stringify({
      database: this.env.db.url,
      // The intake's limits per minute would turn the authentic cases into 429s before they reach the parser.
      server: { limits: { webhooksPerMinutePerAddress: 10_000_000, webhooksPerMinute: 10_000_000 } },
      connections: {
        acumatica: {
          connector: 'acumatica',
          settings: { ...sandboxRegistry.acumatica!.settings(this.env.acumatica), timeoutMs: 5000 },
        },
        magento: {
          connector: 'magento',
          settings: {
            ...sandboxRegistry.magento!.settings({ url: this.env.magento.url }),
            webhookPublicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
            timeoutMs: 2000,
          },
        },
      },
      flows: {
        'acumatica-magento.customers': flow,
        'acumatica-magento.products': flow,
        'magento-acumatica.customers': flow,
      },
      valueMaps: { shippingMethod: [{ acumatica: 'FLATRATE', magento: 'flatrate_flatrate' }] },
    });
    writeFileSync(this.env.configPath, this.goodConfig);
    const sink = new Writable({
      write: (chunk: Buffer, _enc, done) => {
        for (const line of chunk.toString().split('\n').filter(Boolean)) this.logged.push(JSON.parse(line));
        done();
      },
    });
    const logger = pino({ level: 'warn' }, sink);
    this.ctx = await openContext({ configPath: this.env.configPath, logger });
    this.svc = await startService(this.ctx, { host: '127.0.0.1', port: 0 });
    this.memory = await startMemoryIntake(this.dialect, logger);
    await createUser(this.ctx.store, {
      username: ADMIN,
      role: 'admin',
      password: 'correct horse battery staple',
      mustChangePassword: false,
    });
    const token = await createApiToken(this.ctx.store, { username: ADMIN, name: 'fuzz' });
    this.admin = token.token;
    this.adminTokenId = token.id;
    for (const n of [1, 2, 3])
      await createUser(this.ctx.store, {
        username: `fuzz-victim-${n}`,
        role: 'viewer',
        password: 'correct horse battery staple',
      });
    // Some records, runs and log entries, so ids in paths find something.
    const run = await this.ctx.engine.run(FLOW, { trigger: 'batch' });
    expect(run.status, run.message).toBe('succeeded');
    this.routes = await this.readRoutes();
    this.hints = {
      name: [...this.ctx.config.flows.keys(), ...this.ctx.config.connections.keys(), 'shippingMethod'],
      flow: [...this.ctx.config.flows.keys()],
      connection: [...this.ctx.config.connections.keys()],
      username: ['fuzz-victim-1', 'fuzz-victim-2', 'nobody'],
      role: ['viewer', 'operator', 'admin'],
      id: ['1', '2', '3', '5'],
      sourceId: ['C000001', 'C000002'],
      targetId: ['1', '2'],
      status: ['received', 'processed', 'failed', 'success', 'failed,skipped'],
      state: ['processed', 'failed'],
      since: ['2026-01-01', '2026-01-01T00:00:00Z'],
      until: ['2026-12-31'],
    };
    this.rss.start();
  }

  /** Every API route from the service's own OpenAPI document. */
  private async readRoutes(): Promise<Route[]> {
    const doc = (await (await fetch(`${this.svc.url}/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<
          string,
          {
            parameters?: Array<{ in: string; name: string; schema: Schema }>;
            requestBody?: { content?: Record<string, { schema?: Schema }> };
          }
        >
      >;
    };
    const routes: Route[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      if (!path.startsWith('/api/')) continue;
      for (const [method, op] of Object.entries(methods)) {
        const params = op.parameters ?? [];
        routes.push({
          method: method.toUpperCase(),
          path,
          pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
          query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema })),
          ...(op.requestBody?.content?.['application/json']?.schema
            ? { body: op.requestBody.content['application/json'].schema }
            : {}),
        });
      }
    }
    return routes;
  }

  async close(): Promise<void> {
    this.rss.stop();
    await this.svc?.stop();
    await this.memory?.close();
    await this.ctx?.close();
    await this.env?.close();
  }

  /**
   * One request, judged: never a 5xx; a 4xx is {error: {code, message}} with a message; the answer
   * comes within CASE_TIMEOUT_MS; the resident set stays within its bound.
   */
  async call(
    tally: Tally,
    r: {
      method: string;
      path: string;
      headers?: Record<string, string>;
      body?: Buffer | string;
      base?: string;
    },
  ): Promise<Answer> {
    const res = await fetch(`${r.base ?? this.svc.url}${r.path}`, {
      method: r.method,
      headers: r.headers ?? {},
      ...(r.body !== undefined ? { body: r.body } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(CASE_TIMEOUT_MS),
    });
    let text = '';
    if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) await res.body?.cancel();
    else text = await res.text();
    let json: Answer['json'] = {};
    try {
      json = JSON.parse(text) as Answer['json'];
    } catch {
      /* judged below when it matters */
    }
    const code =
      res.status >= 400 ? (typeof json.error?.code === 'string' ? json.error.code : '(no code)') : undefined;
    tally.note(res.status, code);
    if (process.env.FUZZ_DEBUG && res.status >= 400)
      console.log(tally.name, res.status, r.method, r.path.slice(0, 80), text.slice(0, 300));
    const what = `${r.method} ${r.path.slice(0, 300)}`;
    if (res.status >= 500) throw new Error(`${what} answered ${res.status}: ${text.slice(0, 1000)}`);
    if (res.status >= 400) {
      const e = json.error;
      if (typeof e !== 'object' || e === null || typeof e.code !== 'string' || !e.code)
        throw new Error(`${what}: the ${res.status} has no {error: {code}}: ${text.slice(0, 500)}`);
      if (typeof e.message !== 'string' || !e.message.trim())
        throw new Error(`${what}: the ${res.status} ${e.code} gives no reason: ${text.slice(0, 500)}`);
    }
    this.bounded(what);
    return { status: res.status, text, json };
  }

  /**
   * The resident set is within RSS_BOUND_MB of where it was once the service was up. Past it, garbage
   * is collected first: what V8 has not yet collected is not memory the service keeps.
   */
  bounded(what: string): void {
    const grown = () => (this.rss.sample() - this.rss.base) / 1024 / 1024;
    if (grown() <= RSS_BOUND_MB) return;
    collect();
    collect();
    const kept = grown();
    if (kept > RSS_BOUND_MB)
      throw new Error(`${what}: the resident set grew by ${kept.toFixed(0)} MB, garbage collected`);
  }

  /** GET /health answers 200. */
  async healthy(): Promise<void> {
    const res = await fetch(`${this.svc.url}/health`, { signal: AbortSignal.timeout(CASE_TIMEOUT_MS) });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  }

  /** Puts the configuration back as it was, if an edit landed. */
  async restoreConfig(): Promise<void> {
    if (readFileSync(this.env.configPath, 'utf8') === this.goodConfig) return;
    writeFileSync(this.env.configPath, this.goodConfig);
    await this.svc.config.reloadFromFile();
    expect(this.svc.config.problems).toEqual([]);
  }

  /** Fitting values for a parameter or property, by its name (never Object.prototype's). */
  hint(name: string): string[] {
    return Object.hasOwn(this.hints, name) ? this.hints[name]! : [];
  }

  auth(): Record<string, string> {
    return { authorization: `Bearer ${this.admin}` };
  }
}

/** The run's seed: FUZZ_SEED replays a whole run; else a fresh one, printed. */
const BASE_SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);

/** A target's own seed, from the run's. */
function seedOf(name: string): number {
  let h = BASE_SEED;
  for (const ch of name) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return Math.abs(h);
}

/** A long text's start and end, for messages. */
const clip = (s: string, n: number): string =>
  s.length <= n ? s : `${s.slice(0, n / 2)} …(${s.length - n} characters)… ${s.slice(-n / 2)}`;

/** Runs a property for `numRuns` cases, saying how to replay it when it fails. */
async function check<T>(
  h: Harness,
  tally: Tally,
  numRuns: number,
  arb: fc.Arbitrary<T>,
  body: (input: T) => Promise<void>,
  /** Inputs that broke the product once: run first, every time. */
  examples: T[] = [],
): Promise<void> {
  if (numRuns <= 0) return;
  const seed = seedOf(`${h.dialect} ${tally.name}`);
  tally.started = performance.now();
  h.rss.mark();
  try {
    await fc.assert(
      fc.asyncProperty(arb, async (input) => {
        tally.cases++;
        await body(input);
        if (tally.cases % 50 === 0) await h.healthy();
      }),
      {
        numRuns,
        seed,
        examples: examples.map((e) => [e] as [T]),
        endOnFailure: process.env.FUZZ_SHRINK !== '1',
        // The default report prints the whole counterexample: a megabyte of body is no help.
        reporter: (d) => {
          if (!d.failed) return;
          const cause = d.errorInstance instanceof Error ? d.errorInstance.message : String(d.errorInstance);
          throw new Error(
            `failed after ${d.numRuns} cases (seed ${d.seed}, path "${d.counterexamplePath}"): ${clip(cause, 3000)}\ncounterexample: ${clip(fc.stringify(d.counterexample), 3000)}`,
          );
        },
      },
    );
    await h.healthy();
  } catch (e) {
    console.error(
      `fuzz "${tally.name}" failed at case ${tally.cases} (fast-check seed ${seed}); replay the run with FUZZ_SEED=${BASE_SEED}, shrink it with FUZZ_SHRINK=1`,
    );
    throw e;
  } finally {
    tally.ms = performance.now() - tally.started;
    tally.peakMb = Math.max(0, Math.round((h.rss.recent - h.rss.base) / 1024 / 1024));
    tally.after = h.rss.settled();
  }
}

/** Workbooks the upload cases bend: made once, by ExcelJS and by hand. */
interface Workbooks {
  valid: Buffer[];
  bombs: Buffer[];
}

async function workbooks(): Promise<Workbooks> {
  const parts = workbookParts([{ title: 'IDs', path: 'worksheets/sheet1.xml', rows: '' }]);
  const rows20mb = `${inlineRow(1, 'Customer')}${inlineRow(2, 'C1')}<row r="3">${' '.repeat(20 * 1024 * 1024)}</row>`;
  return {
    valid: [
      await idsXlsx('Customer', ['C000001', 'C000002', 'C000003']),
      await idsXlsx(
        'Customer',
        Array.from({ length: 200 }, (_, i) => `C${String(i).padStart(6, '0')}`),
      ),
      await idsXlsx('InventoryID', ['AALEGO500']),
      sheetXlsx(inlineRow(1, 'Customer') + inlineRow(2, 'C000001'), { dimension: 'A1:A2' }),
      sheetXlsx(
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>',
        {
          sharedStrings: ['<t>Customer</t>', '<r><t>C0</t></r><r><t>00001</t></r>'],
        },
      ),
    ],
    bombs: [
      await lastRowBomb(),
      sheetXlsx(inlineRow(1, 'Customer') + inlineRow(1_048_576, 'x')),
      zip([
        ...parts.filter((p) => p.name !== 'xl/worksheets/sheet1.xml'),
        {
          name: 'xl/worksheets/sheet1.xml',
          data: '',
          deflated: Buffer.from('not deflate'),
          declaredSize: 3_000_000_000,
        },
      ]),
      zip(
        workbookParts([{ title: 'IDs', path: 'worksheets/sheet1.xml', rows: rows20mb }]).map((p) =>
          p.name === 'xl/worksheets/sheet1.xml' ? { ...p, declaredSize: 2048 } : p,
        ),
      ),
      zip(
        workbookParts([{ title: 'IDs', path: 'worksheets/sheet1.xml', rows: rows20mb }]).map((p) =>
          p.name === 'xl/worksheets/sheet1.xml' ? { ...p, declaredSize: 40 * 1024 * 1024 } : p,
        ),
      ),
      zip(Array.from({ length: 1500 }, (_, i) => ({ name: `x/${i}.xml`, data: 'x' }))),
      sheetXlsx(
        `${inlineRow(1, 'Customer')}<row r="2"><c r="A2" t="str"><v>${'Z'.repeat(3_000_000)}</v></c></row>`,
      ),
      sheetXlsx(`${inlineRow(1, 'Customer')}${'<x>'.repeat(10_000)}`),
    ],
  };
}

/** Registers the suite: `runs` cases in all over the targets, then the drain check. */
export function fuzzSuite({ runs }: { runs: number }): void {
  const pgRuns = Math.round(runs * POSTGRES_SHARE);
  const all: Tally[] = [];
  const peaks: string[] = [];
  registerPass('sqlite', runs - pgRuns, all, peaks);
  registerPass('postgres', pgRuns, all, peaks);

  afterAll(() => {
    const cases = all.reduce((n, t) => n + t.cases, 0);
    const statuses = new Map<string, number>();
    const refusals = new Map<string, number>();
    for (const t of all) {
      for (const [k, n] of t.statuses) statuses.set(k, (statuses.get(k) ?? 0) + n);
      for (const [k, n] of t.refusals) refusals.set(k, (refusals.get(k) ?? 0) + n);
    }
    const by = (m: Map<string, number>) =>
      [...m]
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k}: ${n}`)
        .join(', ');
    console.info(
      `fuzz total: ${cases} cases; statuses {${by(statuses)}}; refusals {${by(refusals)}}; ${peaks.join('; ')}`,
    );
  });
}

function registerPass(dialect: 'sqlite' | 'postgres', runs: number, all: Tally[], peaks: string[]): void {
  if (runs <= 0) return;
  const shares = Object.entries(SHARES).filter(([name]) => dialect === 'sqlite' || name !== 'config text');
  const sum = shares.reduce((n, [, s]) => n + s, 0);
  // Largest remainders, so the quotas add up to exactly `runs`.
  const exact = shares.map(([name, s]) => ({ name: name as TargetName, n: (runs * s) / sum }));
  const quota = new Map(exact.map((e) => [e.name, Math.floor(e.n)]));
  let left = runs - [...quota.values()].reduce((a, b) => a + b, 0);
  for (const e of [...exact].sort((a, b) => (b.n % 1) - (a.n % 1))) {
    if (left-- <= 0) break;
    quota.set(e.name, quota.get(e.name)! + 1);
  }
  const tally = (name: TargetName) => {
    const t = new Tally(`${dialect} ${name}`);
    all.push(t);
    return t;
  };

  describe(`fuzz on ${dialect} (${[...quota.values()].reduce((a, b) => a + b, 0)} cases, FUZZ_SEED=${BASE_SEED})`, () => {
    const h = new Harness(dialect);
    let books: Workbooks;
    beforeAll(async () => {
      [books] = await Promise.all([workbooks(), h.start()]);
    });
    afterAll(async () => {
      for (const t of all.filter((t) => t.name.startsWith(`${dialect} `))) console.info(`fuzz ${t.line()}`);
      peaks.push(
        `${dialect} peak RSS growth ${h.rss.growthMb.toFixed(0)} MB (${(h.rss.peak / 1024 / 1024).toFixed(0)} MB)`,
      );
      await h.close();
    });

    /** Deliveries that broke the intake or the inbox once, per connector. */
    const HOOK_EXAMPLES: Record<'acumatica' | 'magento' | 'memory', unknown[]> = {
      acumatica: [
        // NUL in the Id (the dedupe key) and in the Query (quoted by the parse error): a 500 on PostgreSQL.
        { Query: 'LL-Customers', Id: 'nul\u0000id', Inserted: [] },
        { Query: 'LL-\u0000', Id: 'q', Inserted: [{ X: 1 }] },
        // An id no system has: its URL to Acumatica was refused 431, and the inbox job retried forever.
        { Query: 'LL-Customers', Id: 'long', Inserted: [{ CustomerID: 'Z'.repeat(20_000) }] },
        { Query: 'LL-Customers', Id: 'nul-row', Inserted: [{ CustomerID: 'C\u00000001' }] },
        { Query: 'LL-Customers', Id: 'unicode', Inserted: [{ CustomerID: 'Ç🙂\uD800' }] },
      ],
      magento: [
        { eventName: 'x\u0000', data: { order: { entity_id: 1 } } },
        { eventName: 'customer_save_after', data: { customer: { id: 'Z'.repeat(20_000) } } },
        { eventName: 'customer_save_after', data: { customer: { id: '1\u00002' } } },
      ],
      memory: [
        { id: 'nul\u0000id', events: [] },
        // null among the events: the inbox job read ev.entity of it and stopped for good.
        { id: 'null-event', events: [null] },
        { id: 'long', events: [{ entity: 'customer', id: 'Z'.repeat(20_000) }] },
        { id: 'nul-event', events: [{ entity: 'customer', id: 'C\u00001' }] },
      ],
    };

    const hooks = (
      name: TargetName,
      connection: 'acumatica' | 'magento' | 'memory',
      shape: fc.Arbitrary<unknown>,
      authentic: boolean,
    ) =>
      it(name, async () => {
        const t = tally(name);
        const body = fc.oneof(
          { weight: 6, arbitrary: jsonBody(shape) },
          { weight: 1, arbitrary: randomBody },
        );
        // Bodies around the largest this system sends (Acumatica 8 MB, Adobe Commerce 2 MB, else 1 MB).
        const limit =
          (connection === 'memory' ? undefined : h.ctx.connectors.get(connection).webhook?.maxBodyBytes) ??
          WEBHOOK_BODY_LIMIT;
        const huge = fc.integer({ min: limit - 64, max: limit + 64 }).map((n) => Buffer.alloc(n, 0x20));
        const arb = fc.record({
          body: fc.oneof({ weight: 30, arbitrary: body }, { weight: 1, arbitrary: huge }),
          type: anyContentType,
          headers: extraHeaders,
          // A forged delivery sometimes goes to a connection nobody configured.
          elsewhere: authentic
            ? fc.constant(undefined)
            : fc.oneof(
                { weight: 12, arbitrary: fc.constant(undefined) },
                { weight: 1, arbitrary: paramValue() },
              ),
        });
        await check(
          h,
          t,
          quota.get(name)!,
          arb,
          async ({ body, type, headers, elsewhere }) => {
            const sent: Record<string, string> = { ...headers, 'content-type': type };
            if (authentic) {
              // Signed as the sender would sign the text the intake reads (invalid UTF-8 becomes U+FFFD).
              if (connection === 'acumatica') sent['x-ledgerlink-token'] = SANDBOX_PUSH_SECRET;
              if (connection === 'memory') sent['x-memory-secret'] = MEMORY_SECRET;
              if (connection === 'magento')
                sent['x-adobe-commerce-webhook-signature'] = sign(
                  'sha256',
                  signedContent(body.toString('utf8')),
                  h.magentoKey,
                ).toString('base64');
            } else {
              delete sent['x-ledgerlink-token'];
              delete sent['x-memory-secret'];
            }
            const base = connection === 'memory' ? h.memory.url : h.svc.url;
            const store = connection === 'memory' ? h.memory.store : h.ctx.store;
            if (elsewhere !== undefined) {
              const r = await h.call(t, {
                method: 'POST',
                path: `/hooks/${inUrl(elsewhere, 'encoded')}`,
                headers: sent,
                body,
                base,
              });
              if (!['acumatica', 'magento', 'memory', ''].includes(elsewhere))
                expect([404, 413, 414, 431], r.text).toContain(r.status);
              return;
            }
            const [before] = await store.inbox.list({ connection, limit: 1 });
            const r = await h.call(t, {
              method: 'POST',
              path: `/hooks/${connection}`,
              headers: sent,
              body,
              base,
            });
            // Node refuses a header section over 16 KB (431) before any route sees it; fetch adds a few.
            const headerBytes = Object.entries(sent).reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
            if (headerBytes > 16 * 1024) {
              expect(r.status, r.text).toBe(431);
              return;
            }
            if (r.status === 431 && headerBytes > 15 * 1024) return;
            if (body.length > limit) {
              expect(r.status, r.text).toBe(413);
              return;
            }
            if (!authentic) {
              expect(r.status, r.text).toBe(401);
              // Kept for the webhook log, but only an excerpt of what was sent.
              const [row] = await store.inbox.list({
                connection,
                limit: 1,
                excerpt: REFUSED_EXCERPT_BYTES + 1,
              });
              expect(row && row.id !== before?.id, 'the refused delivery is in the webhook log').toBe(true);
              expect(row!.verified).toBe(0);
              expect(row!.status).toBe('rejected');
              expect(row!.body_length).toBeLessThanOrEqual(REFUSED_EXCERPT_BYTES);
              expect(row!.body_bytes).toBe(Buffer.byteLength(body.toString('utf8')));
              return;
            }
            expect(r.status, `an authentic delivery is not refused as forged: ${r.text}`).not.toBe(401);
            expect([200, 202, 400], r.text).toContain(r.status);
          },
          HOOK_EXAMPLES[connection].map((v) => ({
            body: Buffer.from(JSON.stringify(v)),
            type: 'application/json',
            headers: {},
            elsewhere: undefined,
          })),
        );
      });

    hooks('hooks acumatica forged', 'acumatica', acumaticaPush, false);
    hooks('hooks acumatica authentic', 'acumatica', acumaticaPush, true);
    hooks('hooks magento forged', 'magento', magentoWebhook, false);
    hooks('hooks magento authentic', 'magento', magentoWebhook, true);
    hooks('hooks memory forged', 'memory', memoryDelivery, false);
    hooks('hooks memory authentic', 'memory', memoryDelivery, true);

    it('ids-file uploads', async () => {
      const name: TargetName = 'ids-file uploads';
      const t = tally(name);
      const csvText = fc
        .tuple(
          fc.oneof(
            fc.constantFrom('Customer', 'customer', '\uFEFFCustomer', '"Customer"', 'Customer,Name'),
            weirdString(300),
          ),
          fc.array(fc.oneof(weirdString(400), fc.constantFrom('C000001', '"C0,1"', '"unclosed', '', ' ')), {
            maxLength: 40,
          }),
          fc.constantFrom('\n', '\r\n', '\r'),
        )
        .map(([head, lines, eol]) => Buffer.from([head, ...lines].join(eol)));
      const manyLines = fc
        .integer({ min: 99_990, max: 100_010 })
        .map((n) => Buffer.from(`Customer\n${Array.from({ length: n }, (_, i) => `C${i}`).join('\n')}\n`));
      const file = fc.oneof(
        { weight: 3, arbitrary: randomBody },
        {
          weight: 6,
          arbitrary: fc
            .tuple(fc.nat(), mutations)
            .map(([i, m]) => mutate(books.valid[i % books.valid.length]!, m)),
        },
        { weight: 2, arbitrary: fc.nat().map((i) => books.valid[i % books.valid.length]!) },
        { weight: 2, arbitrary: fc.nat().map((i) => books.bombs[i % books.bombs.length]!) },
        {
          weight: 1,
          arbitrary: fc
            .tuple(fc.nat(), mutations)
            .map(([i, m]) => mutate(books.bombs[i % books.bombs.length]!, m)),
        },
        { weight: 5, arbitrary: csvText },
        { weight: 1, arbitrary: manyLines },
        {
          weight: 1,
          arbitrary: fc
            .integer({ min: 5 * 1024 * 1024 - 16, max: 5 * 1024 * 1024 + 16 })
            .map((n) => noise(n, n)),
        },
      );
      const filename = fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom('ids.xlsx', 'ids.csv', 'IDs 2026.xlsx', 'ids.CSV') },
        {
          weight: 2,
          arbitrary: fc
            .tuple(
              fc.oneof(fc.constantFrom('ids', 'a b', '../../etc/passwd', ''), weirdString(300)),
              fc.constantFrom(
                '.xlsx',
                '.csv',
                '.txt',
                '.XLSX',
                '.Csv',
                '.xls',
                '',
                '.xlsx.exe',
                '.csv\u0000',
              ),
            )
            .map(([b, e]) => b + e),
        },
      );
      const arb = fc.record({
        file,
        filename,
        how: encoding,
        flow: fc.oneof(
          { weight: 6, arbitrary: fc.constant(FLOW) },
          { weight: 1, arbitrary: paramValue(h.hints.flow ?? []) },
        ),
        type: fc.oneof(
          { weight: 8, arbitrary: fc.constant('application/octet-stream') },
          {
            weight: 1,
            arbitrary: fc.constantFrom('application/json', 'text/csv', 'multipart/form-data; boundary=x'),
          },
        ),
        // Which ID list the file is for, when the route takes one (the flow's own ids by default).
        filter: fc.oneof(
          { weight: 4, arbitrary: fc.constant(undefined) },
          { weight: 1, arbitrary: fc.constantFrom('ids', 'customer', 'status') },
          { weight: 1, arbitrary: weirdString(300) },
        ),
      });
      await check(h, t, quota.get(name)!, arb, async ({ file, filename, how, flow, type, filter }) => {
        const r = await h.call(t, {
          method: 'POST',
          path: `/api/flows/${inUrl(flow, 'encoded')}/ids-file?filename=${inUrl(filename, how)}${filter === undefined ? '' : `&filter=${inUrl(filter, how)}`}`,
          headers: { ...h.auth(), 'content-type': type },
          body: file,
        });
        if (r.status === 200) expect(Array.isArray(r.json.ids)).toBe(true);
      });
    });

    if (dialect === 'sqlite')
      it('config text', async () => {
        const name: TargetName = 'config text';
        const t = tally(name);
        const tokens = fc.constantFrom(
          'a:',
          ' ',
          '\n',
          '- ',
          '&x ',
          '*x',
          '!!str ',
          '!!binary ',
          '!!set',
          '!!omap',
          '!!map',
          '!!timestamp ',
          '!custom ',
          '<<: *x',
          '<<: ',
          '{',
          '}',
          '[',
          ']',
          ',',
          '"',
          "'",
          '|',
          '>',
          '#',
          '${',
          '${X:-',
          '$${',
          '}',
          '?',
          ':',
          'connections:',
          'flows:',
          'server:',
          'valueMaps:',
          'limits:',
          'database: ',
          'connector: acumatica',
          'connector: magento',
          'settings:',
          'baseUrl: ',
          'conditions:',
          'expression: ',
          'schedule: ',
          'dependencies:',
          'ids: ',
          'rateLimit:',
          '  ',
          '---\n',
          '...\n',
          '%YAML 1.2\n',
          '%TAG ! tag:x,2000:\n',
          'null',
          '~',
          '1e999',
          '-0',
          '0x1F',
          '.nan',
          '.inf',
          '__proto__:',
          'constructor:',
          'acumatica-magento.customers:',
          '\t',
          '\u0000',
          '\uFEFF',
          '\uD800',
        );
        const text = fc.oneof(
          { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 400 }) },
          {
            weight: 4,
            arbitrary: fc
              .array(fc.oneof(tokens, fc.string({ maxLength: 8 })), { maxLength: 80 })
              .map((a) => a.join('')),
          },
          {
            weight: 4,
            arbitrary: fc
              .tuple(
                fc.nat(CONFIG_TEMPLATE.length),
                fc.nat(200),
                fc.oneof(tokens, fc.string({ unit: 'binary', maxLength: 20 })),
              )
              .map(([at, del, ins]) => CONFIG_TEMPLATE.slice(0, at) + ins + CONFIG_TEMPLATE.slice(at + del)),
          },
          {
            weight: 2,
            arbitrary: fc
              .tuple(fc.constantFrom(CONFIG_TEMPLATE, h.goodConfig), mutations)
              .map(([base, m]) => mutate(Buffer.from(base), m).toString('utf8')),
          },
          { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => stringify(v)) },
        );
        const env = fc.dictionary(
          fc.constantFrom('ACUMATICA_URL', 'X', 'HOME', 'PORT', 'LEDGERLINK_DATABASE_URL'),
          weirdString(100),
          {
            maxKeys: 3,
          },
        );
        // An alias without its anchor, and an alias bomb: ReferenceErrors out of the yaml library.
        const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]']
          .concat(
            [...'bcdefghi'].map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(', ')}]`),
          )
          .join('\n');
        const examples: Array<[string, Record<string, string>]> = [
          ['<<: *x', {}],
          [bomb, {}],
          // A flow named with NUL loaded, and PostgreSQL refused its row at the next start or reload.
          [
            h.goodConfig.replace(
              '\nflows:\n',
              '\nflows:\n  "x\\0y": { entity: customer, source: acumatica, target: magento }\n',
            ),
            {},
          ],
        ];
        await check(
          h,
          t,
          quota.get(name)!,
          fc.tuple(text, env),
          async ([text, env]) => {
            try {
              loadConfigText(text, 'ledgerlink.yaml', connectorRegistry, env);
              t.note('loaded');
            } catch (e) {
              if (!isConfigError(e)) throw e;
              expect(e.issues.length).toBeGreaterThan(0);
              for (const issue of e.issues) expect(typeof issue === 'string' && issue.length > 0).toBe(true);
              t.note('ConfigError', e.code);
            }
            h.bounded('loadConfigText');
          },
          examples,
        );
      });

    it('config through the API', async () => {
      const name: TargetName = 'config through the API';
      const t = tally(name);
      const flows = [...h.ctx.config.flows.keys()];
      const fields = (c: string) =>
        h.ctx.config.connections.get(c)!.definition.manifest.connectionFields.map((f) => f.name);
      const cronish = fc.oneof(
        fc.constantFrom(
          '*/15 * * * *',
          '0 3 * * *',
          '* * * * * *',
          '61 * * * *',
          '@daily',
          '',
          'not cron',
          '0 0 31 2 *',
        ),
        weirdString(100),
      );
      const jsonataish = fc.oneof(
        fc.constantFrom(
          'true',
          'creditLimit.amount > 0',
          '$count(lines) > 0',
          '"${X}"',
          '(',
          '$x(',
          '[1..3]',
          'a.b.c',
          '**',
        ),
        weirdString(200),
      );
      const flowPatch = fc.record(
        {
          enabled: fc.oneof(fc.boolean(), weirdJson),
          syncMode: fc.oneof(fc.constantFrom('realtime', 'scheduled', 'manual', 'shift-close'), weirdJson),
          schedule: fc.oneof(cronish, fc.constant(null)),
          ownedFields: fc.oneof(
            fc.array(fc.oneof(fc.constantFrom('creditLimit', 'name', 'email', '*'), weirdString(50)), {
              maxLength: 4,
            }),
            weirdJson,
          ),
          conditions: fc.oneof(
            fc.array(
              fc.record(
                { name: weirdString(50), expression: jsonataish, explain: jsonataish },
                { requiredKeys: ['name', 'expression'] },
              ),
              {
                maxLength: 3,
              },
            ),
            weirdJson,
          ),
          idMapping: fc.oneof(fc.constantFrom('source', 'target'), weirdJson),
        },
        { requiredKeys: [] },
      );
      const edit = fc.oneof(
        fc.record({
          kind: fc.constant('flow' as const),
          name: paramValue(flows),
          body: fc.oneof({ weight: 5, arbitrary: flowPatch }, { weight: 1, arbitrary: weirdJson }),
        }),
        fc.constantFrom('acumatica', 'magento').chain((c) =>
          fc.record({
            kind: fc.constant('connection' as const),
            name: fc.oneof({ weight: 5, arbitrary: fc.constant(c) }, { weight: 1, arbitrary: paramValue() }),
            body: fc.oneof(
              {
                weight: 5,
                arbitrary: fc.record({
                  settings: fc.dictionary(
                    fc.oneof(fc.constantFrom(...fields(c)), weirdString(40)),
                    fc.oneof(weirdString(300), fc.integer(), fc.boolean(), fc.constant(null)),
                    { maxKeys: 4 },
                  ),
                }),
              },
              { weight: 1, arbitrary: weirdJson },
            ),
          }),
        ),
        fc.record({
          kind: fc.constant('value map' as const),
          name: fc.oneof(fc.constantFrom('shippingMethod', 'fuzzMap', 'x'), paramValue()),
          body: fc.oneof(
            {
              weight: 5,
              arbitrary: fc.record({
                rows: fc.array(
                  fc.dictionary(
                    fc.oneof(
                      fc.constantFrom('acumatica', 'magento', 'nowhere', '__proto__', 'constructor'),
                      weirdString(30),
                    ),
                    weirdString(100),
                    { maxKeys: 3 },
                  ),
                  { maxLength: 4 },
                ),
              }),
            },
            { weight: 1, arbitrary: weirdJson },
          ),
        }),
      );
      const prefix = {
        flow: '/api/flows/',
        connection: '/api/connections/',
        'value map': '/api/value-maps/',
      };
      await check(h, t, quota.get(name)!, edit, async (e) => {
        try {
          const r = await h.call(t, {
            method: 'PUT',
            path: prefix[e.kind] + inUrl(e.name, 'encoded'),
            headers: { ...h.auth(), 'content-type': 'application/json' },
            body: JSON.stringify(e.body) ?? 'null',
          });
          if (r.status === 200) {
            // The edit is what runs now, and the service still answers.
            expect((await h.call(t, { method: 'GET', path: '/api/flows', headers: h.auth() })).status).toBe(
              200,
            );
          }
        } finally {
          await h.restoreConfig();
        }
      });
    });

    it('API query and path parameters', async () => {
      const name: TargetName = 'API query and path parameters';
      const t = tally(name);
      const gets = h.routes.filter((r) => r.method === 'GET');
      expect(gets.length).toBeGreaterThan(10);
      const arb = fc.nat(gets.length - 1).chain((i) => {
        const route = gets[i]!;
        return fc.record({
          route: fc.constant(route),
          path: fc.tuple(
            ...route.pathParams.map((p) => fc.tuple(fc.constant(p), paramValue(h.hint(p)), encoding)),
          ),
          query: fc.array(
            fc
              .oneof(
                {
                  weight: 6,
                  arbitrary: route.query.length
                    ? fc.constantFrom(...route.query.map((q) => q.name))
                    : fc.constant('x'),
                },
                { weight: 1, arbitrary: weirdString(50) },
              )
              .chain((k) => fc.tuple(fc.constant(k), paramValue(h.hint(k)), encoding)),
            { maxLength: 4 },
          ),
        });
      });
      // Mostly the admin's token, so that access control hides no handler; sometimes any credentials at all.
      const credentials = fc.oneof(
        { weight: 8, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: extraHeaders },
      );
      const get = (path: string) => gets.find((r) => r.path === path)!;
      const examples = [
        // Ajv coerced these to Infinity, which passed integer, minimum and maximum (a 500 on PostgreSQL).
        { route: get('/api/runs/{id}'), path: [['id', '1e999', 'raw']], query: [], who: undefined },
        { route: get('/api/log'), path: [], query: [['offset', 'Infinity', 'raw']], who: undefined },
        { route: get('/api/records'), path: [], query: [['limit', '-Infinity', 'raw']], who: undefined },
        // Address and headers over 16 KB: Node's own 431, in Fastify's shape.
        { route: get('/api/log'), path: [], query: [['text', 'Z'.repeat(20_000), 'raw']], who: undefined },
      ] as Array<{
        route: Route;
        path: Array<[string, string, 'encoded' | 'raw']>;
        query: Array<[string, string, 'encoded' | 'raw']>;
        who: Record<string, string> | undefined;
      }>;
      await check(
        h,
        t,
        quota.get(name)!,
        fc.tuple(arb, credentials).map(([a, who]) => ({ ...a, who })),
        async ({ route, path, query, who }) => {
          let p = route.path;
          for (const [param, value, how] of path) p = p.replace(`{${param}}`, () => inUrl(value, how));
          const qs = query.map(([k, v, how]) => `${inUrl(k, how)}=${inUrl(v, how)}`).join('&');
          await h.call(t, { method: 'GET', path: qs ? `${p}?${qs}` : p, headers: who ?? h.auth() });
        },
        examples,
      );
    });

    it('API bodies', async () => {
      const name: TargetName = 'API bodies';
      const t = tally(name);
      const bigBodies = [1024 * 1024 - 16, 1024 * 1024 + 16, 4 * 1024 * 1024, 8 * 1024 * 1024 + 16].map((n) =>
        Buffer.from(`{"pad":"${'x'.repeat(n - 10)}"}`),
      );
      const changes = h.routes.filter(
        (r) => r.method !== 'GET' && r.method !== 'HEAD' && r.method !== 'OPTIONS',
      );
      expect(changes.length).toBeGreaterThan(10);
      const arb = fc.nat(changes.length - 1).chain((i) => {
        const route = changes[i]!;
        return fc.record({
          route: fc.constant(route),
          path: fc.tuple(
            ...route.pathParams.map((p) => fc.tuple(fc.constant(p), paramValue(h.hint(p)), encoding)),
          ),
          body: fc.oneof(
            {
              weight: 8,
              arbitrary: fromSchema(route.body, h.hints).map((v) => ({
                type: 'application/json',
                text: JSON.stringify(v) ?? 'null',
              })),
            },
            {
              weight: 2,
              arbitrary: fc
                .jsonValue({ maxDepth: 3 })
                .map((v) => ({ type: 'application/json', text: JSON.stringify(v) })),
            },
            {
              weight: 2,
              arbitrary: fc
                .string({ unit: 'binary', maxLength: 200 })
                .map((text) => ({ type: 'application/json', text })),
            },
            {
              weight: 1,
              arbitrary: fc.tuple(anyContentType, weirdString(2000)).map(([type, text]) => ({ type, text })),
            },
            { weight: 1, arbitrary: fc.constant({ type: 'application/json', text: '' }) },
            {
              weight: 1,
              arbitrary: fc.constant({ type: '', text: undefined as string | Buffer | undefined }),
            },
            {
              // Bodies of megabytes, made once: around the 1 MB of most routes, under and over the 8 MB of some.
              weight: 1,
              arbitrary: fc.constantFrom(...bigBodies).map((b) => ({ type: 'application/json', text: b })),
            },
          ),
        });
      });
      const route = (method: string, path: string) =>
        changes.find((r) => r.method === method && r.path === path)!;
      const examples = [
        // An id of Infinity reached PostgreSQL as a bigint.
        {
          route: route('DELETE', '/api/tokens/{id}'),
          path: [['id', 'Infinity', 'raw']],
          body: { type: '', text: undefined },
        },
        // An id that no URL to the source can hold: the source's 431 was answered 502.
        {
          route: route('POST', '/api/flows/{name}/load'),
          path: [['name', FLOW, 'encoded']],
          body: { type: 'application/json', text: JSON.stringify({ ids: ['Z'.repeat(20_000)] }) },
        },
        // A token's name holding NUL: PostgreSQL's text refused it with a 500.
        {
          route: route('POST', '/api/tokens'),
          path: [],
          body: { type: 'application/json', text: '{"name": "\\u0000", "role": "viewer"}' },
        },
        {
          route: route('PUT', '/api/records/{id}/data'),
          path: [['id', '1', 'encoded']],
          body: { type: 'application/json', text: '{"data": {"creditLimit": 1e400}}' },
        },
      ] as Array<{
        route: Route;
        path: Array<[string, string, 'encoded' | 'raw']>;
        body: { type: string; text: string | Buffer | undefined };
      }>;
      await check(
        h,
        t,
        quota.get(name)!,
        arb,
        async ({ route, path, body }) => {
          let p = route.path;
          for (const [param, value, how] of path) {
            let v = value;
            // Never the suite's own admin or its token: the run needs them (a throwaway user stands in).
            if (param === 'username' && v.trim().toLowerCase() === ADMIN) v = 'fuzz-victim-1';
            if (param === 'id' && route.path.startsWith('/api/tokens/') && Number(v) === h.adminTokenId)
              v = '999999';
            p = p.replace(`{${param}}`, () => inUrl(v, how));
          }
          try {
            await h.call(t, {
              method: route.method,
              path: p,
              headers: { ...h.auth(), ...(body.type ? { 'content-type': body.type } : {}) },
              ...(body.text !== undefined ? { body: body.text } : {}),
            });
          } finally {
            await h.restoreConfig();
          }
        },
        examples,
      );
    });

    it(
      'the service drains what it took in: no delivery stuck, no job, run or record failed inside',
      async () => {
        const end = Date.now() + DRAIN_MS;
        const depth = async () =>
          (await h.ctx.store.inbox.depth()) +
          (await h.memory.store.inbox.depth()) +
          (await h.ctx.queue.pending([WEBHOOK_TASK])) +
          (await h.memory.queue.pending([WEBHOOK_TASK]));
        let left = await depth();
        while (left > 0 && Date.now() < end) {
          h.ctx.queue.wake();
          h.memory.queue.wake();
          await new Promise((r) => setTimeout(r, 200));
          left = await depth();
        }
        await h.healthy();
        // Errors thrown inside (a TypeError, a database refusing a value) rather than a connected system's answer.
        // A job that failed counts too (the embedded queue logs it with its Error; graphile-worker, on
        // PostgreSQL, as text): the jobs here are the fuzzed deliveries' and runs', none should fail.
        const internal = h.logged.filter(
          (l) =>
            (l.err && l.err.type !== 'LedgerlinkError') ||
            (l.queue === 'graphile-worker' && /^Failed task/.test(l.msg)),
        );
        const summary = new Map<string, number>();
        for (const l of h.logged) {
          const k = `${l.msg}${l.err ? ` (${l.err.type}: ${String(l.err.message).slice(0, 120)})` : ''}`;
          summary.set(k, (summary.get(k) ?? 0) + 1);
        }
        console.info(
          `fuzz ${dialect} log at warn and above: ${[...summary].map(([k, n]) => `${n}× ${k}`).join(' | ') || 'nothing'}`,
        );
        // What the deliveries became: the authentic ones with odd ids went through the engine too.
        const counts = async (store: Store) => {
          const db = store.db;
          const inbox = await db
            .selectFrom('webhook_inbox')
            .select(['connection', 'status', (eb) => eb.fn.countAll<number>().as('n')])
            .groupBy(['connection', 'status'])
            .execute();
          const runs = await db
            .selectFrom('runs')
            .select(['trigger', 'status', (eb) => eb.fn.countAll<number>().as('n')])
            .groupBy(['trigger', 'status'])
            .execute();
          const records = await db
            .selectFrom('sync_records')
            .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
            .groupBy('state')
            .execute();
          return [
            `inbox {${inbox.map((r) => `${r.connection} ${r.status}: ${r.n}`).join(', ')}}`,
            `runs {${runs.map((r) => `${r.trigger} ${r.status}: ${r.n}`).join(', ')}}`,
            `records {${records.map((r) => `${r.state}: ${r.n}`).join(', ')}}`,
          ].join('; ');
        };
        console.info(`fuzz ${dialect} service: ${await counts(h.ctx.store)}`);
        console.info(`fuzz ${dialect} memory intake: ${await counts(h.memory.store)}`);
        expect(internal.map((l) => `${l.msg}: ${l.err?.type}: ${l.err?.message}`)).toEqual([]);
        const heap = h.rss.settled().heapMb;
        console.info(
          `fuzz ${dialect} heap: ${h.rss.baseHeapMb} MB once the service was up, ${heap} MB after the cases`,
        );
        expect(heap - h.rss.baseHeapMb, 'heap growth over the pass (MB)').toBeLessThan(HEAP_BOUND_MB);
        expect(left, `deliveries or webhook jobs still waiting after ${DRAIN_MS / 1000} s`).toBe(0);
      },
      DRAIN_MS + 30_000,
    );
  });
}
