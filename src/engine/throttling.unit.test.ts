import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { MemoryConnector } from '../connectors/memory/index.js';
import { LedgerlinkError } from '../connectors/sdk/errors.js';
import { openStore, type Store } from '../store/index.js';
import { Engine } from './engine.js';
import { type Flow, flowDefaults } from './flow.js';

const T0 = '2026-01-01T00:00:00.000Z';
const customer = (n: number) => ({
  number: `C${String(n).padStart(4, '0')}`,
  name: `Customer ${n}`,
  email: `c${n}@example.com`,
  currency: 'USD',
  addresses: [{ kind: 'main', line1: `${n} Main St`, city: 'Springfield', country: 'US' }],
});
const slowDown = {
  code: 'rate_limit',
  category: 'rate_limited',
  httpStatus: 429,
  retryAfterMs: 5_000,
} as const;

/** A target that asks us to slow down: the records wait for the window it named, never fail. */
describe('throttling in the engine', () => {
  let tdb: TestDatabase;
  let store: Store;
  let source: MemoryConnector;
  let target: MemoryConnector;
  let engine: Engine;
  const flow: Flow = {
    ...flowDefaults,
    name: 'a-b.customers',
    entity: 'customer',
    source: 'a',
    target: 'b',
    ownedFields: ['name'],
    pageSize: 10,
  };

  beforeEach(async () => {
    tdb = await createTestDatabase('sqlite');
    store = await openStore(tdb.url);
    source = new MemoryConnector('Source');
    target = new MemoryConnector('Target');
    engine = new Engine(
      store,
      new Map([[flow.name, flow]]),
      { get: (n) => (n === 'a' ? source : target) },
      pino({ level: 'silent' }),
    );
    for (let i = 1; i <= 4; i++) source.put('customer', customer(i), T0);
  });
  afterEach(async () => {
    await store.close();
    await tdb.drop();
  });

  it('a 429 on a write: the record waits for Retry-After, with its attempts untouched', async () => {
    target.writeFaults.push({ ...slowDown, message: 'Target answered 429' });
    const before = Date.now();
    const r = await engine.run(flow.name, { trigger: 'manual' });
    expect(r.status).toBe('succeeded');
    expect(r.counts).toMatchObject({ created: 3, waiting: 1, failed: 0 });
    const row = (await store.records.get(flow.name, 'C0001'))!;
    expect(row).toMatchObject({ state: 'waiting', attempts: 0, error_category: 'rate_limited' });
    expect(row.reason).toMatch(/Target answered 429; waiting for the rate limit/);
    expect(Date.parse(row.next_attempt_at!) - before).toBeGreaterThanOrEqual(5_000);
    const log = await store.log.list({ sourceId: 'C0001' });
    expect(log.rows.map((l) => l.status)).toEqual(['waiting']);
  });

  it('a 429 while looking records up: every record of the page waits', async () => {
    target.down = new LedgerlinkError({ ...slowDown, message: 'Target answered 429' });
    const r = await engine.run(flow.name, { trigger: 'manual' });
    expect(r.counts).toMatchObject({ waiting: 4, failed: 0 });
    expect(await store.records.countByState(flow.name)).toEqual({ waiting: 4 });
  });
});
