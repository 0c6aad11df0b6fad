import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.js';
import { MemoryConnector } from '../connectors/memory/index.js';
import { Engine } from '../engine/engine.js';
import { openStore, type Store } from '../store/index.js';
import { EmbeddedQueue } from './queue/embedded.js';
import { Scheduler } from './scheduler.js';
import { UPKEEP_TASK, Worker } from './worker.js';

/** A connection that needs care now and then: it notes the state it was given and hands on the next. */
class Cared extends MemoryConnector {
  seen: Array<string | undefined> = [];
  async upkeep(state: string | undefined) {
    this.seen.push(state);
    return { state: `round ${this.seen.length}`, message: 'cared for' };
  }
}

const logger = pino({ level: 'silent' });

async function until(probe: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Connector.upkeep (Accurate's webhook renewal): ticked by the scheduler, done by a worker, its state kept. */
describe('connection upkeep', () => {
  let tdb: TestDatabase;
  let store: Store;
  let queue: EmbeddedQueue;
  let worker: Worker;
  let scheduler: Scheduler;
  let cared: Cared;

  beforeEach(async () => {
    tdb = await createTestDatabase('sqlite');
    store = await openStore(tdb.url);
    cared = new Cared('Cared');
    queue = new EmbeddedQueue(store, logger, { pollMs: 20 });
    const engine = new Engine(store, new Map(), { get: () => cared }, logger, new Map(), queue);
    worker = new Worker(queue, engine, logger);
    scheduler = new Scheduler(store, queue, logger);
  });
  afterEach(async () => {
    scheduler.stop();
    await worker.stop();
    await store.close();
    await tdb.drop();
  });

  it('each tick queues the connection’s upkeep once; the worker hands it the state it left last time', async () => {
    await worker.start();
    // Every second here (hourly in service): two ticks, two rounds, the second given the first's state.
    scheduler.startUpkeep(['books'], '* * * * * *');
    await until(() => cared.seen.length >= 2, 5_000);
    scheduler.stop();
    expect(cared.seen.slice(0, 2)).toEqual([undefined, 'round 1']);
    expect(await store.cursors.get('upkeep:books')).toMatch(/^round \d$/);
  });

  it('a second scheduler on the same store does not queue a tick again', async () => {
    const other = new Scheduler(store, queue, logger);
    const added: Array<{ task: string; second: number }> = [];
    const add = queue.add.bind(queue);
    queue.add = async (job) => {
      added.push({ task: job.task, second: Math.floor(Date.now() / 1000) });
      return add(job);
    };
    scheduler.startUpkeep(['books'], '* * * * * *');
    other.startUpkeep(['books'], '* * * * * *');
    await until(() => added.length >= 1, 5_000);
    await new Promise((r) => setTimeout(r, 300));
    other.stop();
    scheduler.stop();
    // One job per tick (each second here) however many processes tick: never two in one second.
    expect(added.every((a) => a.task === UPKEEP_TASK)).toBe(true);
    expect(new Set(added.map((a) => a.second)).size).toBe(added.length);
  });
});
