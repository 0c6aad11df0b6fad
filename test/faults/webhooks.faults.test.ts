import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_PUSH_SECRET } from '../../src/connectors/sandboxes.js';
import { openContext } from '../../src/runtime/context.js';
import { openStore, type Store } from '../../src/store/index.js';
import { type SyncEnvironment, startSyncEnvironment } from '../support/environment.js';
import {
  jobsDetail,
  queueState,
  report,
  seeded,
  settled,
  shuffle,
  spawnService,
  until,
  type WorkerProcess,
} from '../support/fault-kit.js';

const FLOW = 'acumatica-magento.customers';
const CUSTOMERS = 30;
/** Customers changed once, and customers changed three times (three notifications each). */
const ONCE = 7;
const THRICE = 3;
const COPIES = 3;

interface Captured {
  headers: Record<string, string>;
  body: string;
  id: string;
  customer: string;
}

const creditLimitOf = (c: { custom_attributes?: Array<{ attribute_code: string; value: unknown }> }) =>
  Number(c.custom_attributes?.find((a) => a.attribute_code === 'credit_limit')?.value);

/**
 * Fault scenario 5: Acumatica's push notifications reach `ledgerlink serve` several times each and out
 * of order. Each is stored once in the inbox (the duplicates answered 200 "duplicate"); each changed
 * customer is written to Magento once, with its newest data — a notification of an older change
 * arriving after a newer one has been synced re-reads the customer and finds nothing to do.
 */
describe('fault: duplicate and reordered webhooks', () => {
  let env: SyncEnvironment;
  let store: Store;
  let capture: Server;
  let serve: WorkerProcess | undefined;
  const captured: Captured[] = [];

  beforeAll(async () => {
    env = await startSyncEnvironment({ customers: CUSTOMERS, products: 0, dialect: 'postgres', seed: 15 });
    // The initial sync, so each change below is an update of a customer Magento has.
    const ctx = await openContext({ configPath: env.configPath });
    try {
      const first = await ctx.engine.run(FLOW, { trigger: 'batch' });
      expect(first.counts.created).toBe(CUSTOMERS);
    } finally {
      await ctx.close();
    }
    store = await openStore(env.db.url);
    // Acumatica's pushes are caught here first, so the test decides how often and in which order they arrive.
    capture = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        const parsed = JSON.parse(body) as {
          Id: string;
          Inserted: Array<{ CustomerID?: string }>;
        };
        const row = parsed.Inserted[0]!;
        captured.push({
          headers: Object.fromEntries(
            Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string'),
          ),
          body,
          id: parsed.Id,
          customer: String(row.CustomerID),
        });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => capture.listen(0, '127.0.0.1', r));
    env.acumatica.addPushDestination({
      url: `http://127.0.0.1:${(capture.address() as { port: number }).port}/`,
      headerName: 'X-Ledgerlink-Token',
      headerValue: SANDBOX_PUSH_SECRET,
    });
  });
  afterAll(async () => {
    if (serve?.alive()) {
      serve.child.kill('SIGTERM');
      const timer = setTimeout(() => serve?.child.kill('SIGKILL'), 15_000);
      await serve.exited;
      clearTimeout(timer);
    }
    await new Promise((r) => capture?.close(r));
    await store?.close();
    await env?.close();
  });

  it('each delivery is stored once, each changed customer written once with its newest data', async () => {
    const started = Date.now();
    const random = seeded(5);
    const ids = [...env.acumatica.customers.keys()].sort();
    const changed = shuffle(ids, random).slice(0, ONCE + THRICE);
    const thrice = new Set(changed.slice(0, THRICE));
    for (let round = 1; round <= 3; round++) {
      for (const id of changed) {
        if (round > 1 && !thrice.has(id)) continue;
        env.acumatica.touch('customer', [id], (r) => {
          (r as { CreditLimit?: { value: number } }).CreditLimit = { value: 5_000 + round * 100 };
        });
      }
    }
    await env.acumatica.pushIdle();
    expect(captured).toHaveLength(ONCE + THRICE * 3);
    const newest = new Map<string, Captured>();
    for (const c of captured) newest.set(c.customer, c); // pushed in the order the changes were made
    const older = captured.filter((c) => newest.get(c.customer) !== c);
    expect(older).toHaveLength(THRICE * 2);

    serve = spawnService(['serve', '--port', '0', '--json'], {
      LEDGERLINK_CONFIG: env.configPath,
      LEDGERLINK_ADMIN_PASSWORD: 'not-the-point-here-1',
    });
    const { url } = (await serve.started) as { url: string };
    const writesBefore = env.magento.kit.writeCalls().length;
    const statuses: Record<string, number[]> = {};
    const deliver = async (c: Captured) => {
      const res = await fetch(`${url}/hooks/acumatica`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-ledgerlink-token': c.headers['x-ledgerlink-token'] ?? '',
        },
        body: c.body,
      });
      await res.arrayBuffer();
      statuses[c.id] = [...(statuses[c.id] ?? []), res.status];
    };
    const describeState = async () =>
      JSON.stringify({
        inbox: await store.inbox.depth(),
        queue: await queueState(store),
        detail: await jobsDetail(store),
        serve: serve?.stderr().slice(-2_000),
      });
    const processed = async () => (await store.inbox.depth()) === 0 && settled(await queueState(store));

    // First the newest change of every customer, each delivery several times, in a shuffled order…
    const first = shuffle(
      [...newest.values()].flatMap((c) => Array<Captured>(COPIES).fill(c)),
      random,
    );
    for (const c of first) await deliver(c);
    await until(processed, 30_000, 'the newest deliveries to be processed', describeState);
    // …then the older changes, arriving late, shuffled and repeated too.
    const late = shuffle(
      older.flatMap((c) => Array<Captured>(COPIES).fill(c)),
      random,
    );
    for (const c of late) await deliver(c);
    await until(processed, 30_000, 'the late deliveries to be processed', describeState);

    const inbox = await store.inbox.list();
    const writes = env.magento.kit.writeCalls().slice(writesBefore);
    const writesByPath = new Map<string, number>();
    for (const w of writes)
      writesByPath.set(`${w.method} ${w.path}`, (writesByPath.get(`${w.method} ${w.path}`) ?? 0) + 1);
    const byEmail = new Map([...env.magento.customers.values()].map((c) => [c.email, c]));
    const stale = changed.filter((id) => {
      const a = env.acumatica.customers.get(id)!;
      const m = byEmail.get(a.MainContact!.Email!.value as string);
      return !m || creditLimitOf(m) !== (a as { CreditLimit?: { value: number } }).CreditLimit?.value;
    });
    const runs = await store.runs.list({ flow: FLOW, limit: 100 });
    report('webhooks', {
      notifications: captured.length,
      deliveries: first.length + late.length,
      stored: inbox.length,
      duplicatesAnswered: Object.values(statuses)
        .flat()
        .filter((s) => s === 200).length,
      changedCustomers: changed.length,
      magentoWrites: writes.length,
      webhookRuns: runs.filter((r) => r.trigger === 'webhook').length,
      staleInMagento: stale.length,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    });

    // The inbox holds each notification once; the sender heard 202 once and 200 "duplicate" after.
    expect(inbox).toHaveLength(captured.length);
    expect(new Set(inbox.map((r) => r.dedupe_key)).size).toBe(captured.length);
    expect(inbox.every((r) => r.status === 'processed')).toBe(true);
    for (const c of captured) expect(statuses[c.id], `answers to ${c.id}`).toEqual([202, 200, 200]);
    // One write per changed customer, and the newest data in Magento.
    expect(writes).toHaveLength(changed.length);
    expect([...writesByPath.values()].every((n) => n === 1)).toBe(true);
    expect(stale).toEqual([]);
    expect(env.magento.customers.size).toBe(CUSTOMERS);
    expect(await store.records.countByState(FLOW)).toEqual({ processed: CUSTOMERS });
    expect(env.magento.kit.violations).toEqual([]);
    expect(env.acumatica.kit.violations).toEqual([]);

    serve.child.kill('SIGTERM');
    expect((await serve.exited).code).toBe(0);
  });
});
