import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type AccurateSandbox, startAccurateSandbox } from '../../src/connectors/accurate/sandbox/index.js';
import { type IsellerSandbox, startIsellerSandbox } from '../../src/connectors/iseller/sandbox/index.js';
import { type Context, openContext } from '../../src/runtime/context.js';
import { processInbox } from '../../src/runtime/webhooks.js';
import { buildServer } from '../../src/server/app.js';
import { batchBetween } from '../support/batch-run.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { openBooks, posBooksConnections, salesSides, stockSides } from '../support/pos-day.js';

/**
 * Seed 002's "Synchronize Real Time" between the two sandboxes: each sale goes as iSeller announces
 * it. The till's signed notifications reach `POST /hooks/iseller` over loopback — every one twice,
 * and in the reverse order of the sales — and the inbox's job sends each sale, its return and its
 * payments once; with the rest of the day's flows run, the day ends where a batch of it ends.
 */
describe.each(DIALECTS)('iSeller → Accurate in real time on %s', (dialect) => {
  let pos: IsellerSandbox;
  let books: AccurateSandbox;
  let db: TestDatabase;
  let ctx: Context;
  let app: FastifyInstance;
  let url: string;
  const invoices = () =>
    [...books.store.tables['sales-invoice'].values()].map((i) => String(i.number)).sort();

  beforeAll(async () => {
    pos = await startIsellerSandbox({});
    books = await startAccurateSandbox({});
    openBooks(books);
    db = await createTestDatabase(dialect);
    const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-realtime-'));
    const configPath = join(dir, 'ledgerlink.yaml');
    writeFileSync(
      configPath,
      stringify({
        database: db.url,
        connections: posBooksConnections(pos, books),
        flows: Object.fromEntries(
          [
            'accurate-iseller.products',
            'iseller-accurate.customers',
            'iseller-accurate.sales',
            'iseller-accurate.payments',
            'iseller-accurate.transfers',
            'iseller-accurate.stock-counts',
          ].map((f) => [
            f,
            // The seed's "Use Id in customer data as the mapping", on.
            f === 'iseller-accurate.customers'
              ? { syncMode: 'realtime', idMapping: 'source' }
              : { syncMode: 'realtime' },
          ]),
        ),
      }),
    );
    ctx = await openContext({ configPath });
    app = await buildServer({ ctx, version: 'test' });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
    await pos?.close();
    await books?.close();
    await db?.drop();
  });

  it('every sale announced twice and out of order lands once, with its return and payments', async () => {
    const orders = [...pos.data.orders.values()].sort((a, b) => b.order_date.localeCompare(a.order_date));
    // Stored, then acknowledged (202), the repeat as a duplicate (200).
    const answers = [];
    for (const o of [...orders, ...orders]) answers.push(await pos.emit(`${url}/hooks/iseller`, o));
    expect(answers).toEqual([...orders.map(() => 202), ...orders.map(() => 200)]);
    await processInbox(ctx.engine, 'iseller', pino({ level: 'silent' }));
    await ctx.engine.settle('iseller-accurate.sales', Date.now() + 10_000);
    await ctx.engine.settle('iseller-accurate.payments', Date.now() + 10_000);
    expect(invoices()).toEqual(['BSD-3001', 'KMG-1001', 'KMG-1002', 'KMG-1003', 'SNY-2001']);
    expect(books.store.tables['sales-return'].size).toBe(1);
    const failed = (await ctx.store.records.list({ states: ['failed', 'waiting'] })).rows;
    expect(failed.map((r) => `${r.flow} ${r.source_id}: ${r.reason ?? r.error_message}`)).toEqual([]);
  }, 120_000);

  it('Use Id in customer data as the mapping: Mark’s ID is his Accurate number; Elon and Steve, without one, are numbered by Accurate', async () => {
    const customers = [...books.store.tables.customer.values()].map((c) => [
      String(c.customerNo),
      String(c.name),
    ]);
    expect(customers).toContainEqual(['MZ-001', 'Mark Zuckeberg']);
    const numbers = customers.map(([no]) => no);
    // No iSeller internal id became a customer number (Accurate refuses them, and the seed says so).
    expect(numbers.filter((n) => /^[0-9a-f]{8}-[0-9a-f]{4}-/.test(n ?? ''))).toEqual([]);
    for (const name of ['Elon Mask', 'Steve Jobs'])
      expect(customers.find(([, n]) => n === name)?.[0], name).toMatch(/^C-\d{5}$/);
  });

  it('with the rest of the day run, it ends where a batch of it ends', async () => {
    const { failures } = await batchBetween(ctx, 'iseller,accurate', 30);
    expect(failures).toEqual([]);
    expect(Object.entries(stockSides(pos, books)).filter(([, [a, b]]) => a !== b)).toEqual([]);
    expect(salesSides(pos, books)).toEqual(['535500', '535500']);
  }, 120_000);
});
