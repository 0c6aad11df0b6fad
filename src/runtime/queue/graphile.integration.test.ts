import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases.js';
import { queueSuite } from '../../../test/support/queue-suite.js';
import { openStore, type Store } from '../../store/index.js';
import { GraphileQueue } from './graphile.js';

const logger = pino({ level: 'silent' });
/** Short, so a killed worker's job comes back within the test; production's default is 30 s. */
const LOCK_TIMEOUT_MS = 2_000;

queueSuite('graphile-worker, on PostgreSQL', async () => {
  const tdb = await createTestDatabase('postgres');
  const store = await openStore(tdb.url);
  return {
    open: () => GraphileQueue.open(store, tdb.url, logger, { lockTimeoutMs: LOCK_TIMEOUT_MS }),
    // e^1 seconds after the first failure.
    firstBackoffMs: 2_500,
    async close() {
      await store.close();
      await tdb.drop();
    },
  };
});

describe('graphile-worker: a worker killed mid-job', () => {
  let tdb: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    tdb = await createTestDatabase('postgres');
    store = await openStore(tdb.url);
  });
  afterAll(async () => {
    await store?.close();
    await tdb?.drop();
  });

  it('its job runs again on another worker within the lock timeout', async () => {
    const adder = await GraphileQueue.open(store, tdb.url, logger, { lockTimeoutMs: LOCK_TIMEOUT_MS });
    await adder.add({ task: 'crash.test', payload: { n: 1 } });
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(import.meta.dirname, '../../../test/support/queue-crash-child.ts'),
        tdb.url,
        'crash.test',
        String(LOCK_TIMEOUT_MS),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((r) => child.on('exit', r));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('the child never took the job')), 30_000);
      child.stdout!.on('data', (d: Buffer) => {
        if (String(d).includes('started')) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    child.kill('SIGKILL');
    await exited;
    const killedAt = Date.now();
    const rescuer = await GraphileQueue.open(store, tdb.url, logger, { lockTimeoutMs: LOCK_TIMEOUT_MS });
    const ran = new Promise<number>((resolve) => {
      void rescuer.work(
        {
          'crash.test': async (_p, job) => {
            resolve(job.attempt);
          },
        },
        { concurrency: 1 },
      );
    });
    const attempt = await ran;
    const after = Date.now() - killedAt;
    // Within the timeout and a sweep (half the timeout), plus the poll: well under a minute.
    expect(after).toBeLessThan(LOCK_TIMEOUT_MS * 2 + 2_000);
    expect(attempt).toBe(2);
    await rescuer.close();
    await adder.close();
    expect(await store.db.selectFrom('queue_workers').select('id').execute()).toEqual([]);
  });
});
