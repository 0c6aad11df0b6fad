import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccurateSandbox, startAccurateSandbox } from '../../src/connectors/accurate/sandbox/index.js';
import { type IsellerSandbox, startIsellerSandbox } from '../../src/connectors/iseller/sandbox/index.js';
import { sandboxRegistry } from '../../src/connectors/sandboxes.js';
import type { Context } from '../../src/runtime/context.js';
import { UPKEEP_TASK, Worker } from '../../src/runtime/worker.js';
import { buildServer } from '../../src/server/app.js';
import { type E2eContext, openE2eContext } from '../support/e2e-context.js';
import { openBooks, WAREHOUSE } from '../support/pos-day.js';

const logger = pino({ level: 'silent' });

async function until<T>(probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Accurate's deliveries are checked against its own log: the hourly upkeep reads webhook-history.do
 * and takes in what never reached the inbox. Two goods receipts are entered in Accurate; the first's
 * delivery arrives, the second's is lost on the way. The upkeep finds it in the history, the inbox's
 * job raises iSeller's stock for it, and the sender's late retry of it is a duplicate.
 */
describe.each(['sqlite', 'postgres'] as const)('Accurate webhook history on %s', (dialect) => {
  let pos: IsellerSandbox;
  let books: AccurateSandbox;
  let env: E2eContext;
  let ctx: Context;
  let app: FastifyInstance;
  let url: string;
  let worker: Worker;

  beforeAll(async () => {
    pos = await startIsellerSandbox({});
    books = await startAccurateSandbox({});
    openBooks(books);
    env = await openE2eContext({
      dialect,
      connections: {
        iseller: { connector: 'iseller', settings: sandboxRegistry.iseller!.settings(pos as never) },
        accurate: { connector: 'accurate', settings: sandboxRegistry.accurate!.settings(books as never) },
      },
      flows: { 'accurate-iseller.purchases': { syncMode: 'realtime' } },
    });
    ctx = env.ctx;
    app = await buildServer({ ctx, version: 'test' });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
    worker = new Worker(ctx.queue, () => ctx.engine, logger);
    await worker.start();
  }, 120_000);
  afterAll(async () => {
    await worker?.stop();
    await app?.close();
    await env?.close();
    await pos?.close();
    await books?.close();
  });

  const stock = (sku: string, outlet: string) => pos.data.productBySku(sku)!.stock.get(outlet)!;
  const inbox = async () =>
    (await ctx.store.inbox.list({ connection: 'accurate', limit: 50 })).map((r) => ({
      ...r,
      headers: (typeof r.headers === 'string' ? JSON.parse(r.headers) : r.headers) as Record<string, string>,
    }));

  it('a delivery lost on the way is taken in from webhook-history.do; its late retry is a duplicate', async () => {
    const before = [stock('KOPI-250', 'KMG'), stock('TEH-100', 'BSD')];
    const arrives = books.store.receiveGoods('RI-H-0001', 'V-001', '14/03/2025', [
      { itemNo: 'KOPI-250', quantity: 12, warehouseName: WAREHOUSE.KMG! },
    ]);
    const lost = books.store.receiveGoods('RI-H-0002', 'V-001', '14/03/2025', [
      { itemNo: 'TEH-100', quantity: 7, warehouseName: WAREHOUSE.BSD! },
    ]);
    const first = books.delivery('RECEIVE_ITEM', [Number(arrives.id)]);
    const second = books.delivery('RECEIVE_ITEM', [Number(lost.id)]);
    const post = (d: typeof first) =>
      fetch(`${url}/hooks/accurate`, {
        method: 'POST',
        headers: { ...d.headers, 'content-type': 'application/json' },
        body: d.rawBody,
      });
    expect((await post(first)).status).toBe(202);
    await until(async () => (stock('KOPI-250', 'KMG') === before[0]! + 12 ? true : undefined));
    // The second never came: only the history knows of it.
    expect(stock('TEH-100', 'BSD')).toBe(before[1]);

    await ctx.queue.add({
      task: UPKEEP_TASK,
      payload: { connection: 'accurate' },
      jobKey: 'upkeep:accurate',
    });
    worker.poke();
    await until(async () => (stock('TEH-100', 'BSD') === before[1]! + 7 ? true : undefined));
    const rows = await until(async () => {
      const r = await inbox();
      return r.length === 2 && r.every((x) => x.status === 'processed') ? r : undefined;
    });
    // The recovered one says where it came from; both are verified deliveries of the inbox.
    const recovered = rows.find((r) => r.headers['x-ledgerlink-source'] !== undefined);
    expect(recovered?.headers['x-ledgerlink-source']).toBe('accurate webhook-history.do');
    expect(rows.every((r) => Boolean(r.verified))).toBe(true);
    const state = JSON.parse((await ctx.store.cursors.get('upkeep:accurate'))!) as Record<string, string>;
    expect(state.activeUntil).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Date.parse(state.historyTo!)).toBeGreaterThan(Date.now() - 60_000);

    // Accurate retries the lost delivery after all: the inbox has it, nothing moves twice.
    const late = await post(second);
    expect(late.status).toBe(200);
    expect(await late.json()).toMatchObject({ duplicate: true });
    // The next round (a second later: windows end on whole seconds) finds nothing missing.
    await new Promise((r) => setTimeout(r, 1100));
    await ctx.queue.add({
      task: UPKEEP_TASK,
      payload: { connection: 'accurate' },
      jobKey: 'upkeep:accurate',
    });
    worker.poke();
    await until(async () => {
      const s = JSON.parse((await ctx.store.cursors.get('upkeep:accurate'))!) as Record<string, string>;
      return s.historyTo !== state.historyTo ? true : undefined;
    });
    expect((await inbox()).length).toBe(2);
    expect([stock('KOPI-250', 'KMG'), stock('TEH-100', 'BSD')]).toEqual([before[0]! + 12, before[1]! + 7]);
  }, 60_000);
});
