import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/support/databases.js';
import { openDatabase, openStore } from '../../store/index.js';
import { migrate } from '../../store/migrate.js';
import { GraphileQueue } from './graphile.js';

const logger = pino({ level: 'silent' });

/**
 * Two processes starting together on a fresh PostgreSQL store (two `serve`, or a serve and its
 * workers) once failed with "migrating the store … failed: relation graphile_worker.known_crontabs
 * does not exist": one read the catalog for its own migrations while the other created and renamed
 * the queue's tables. Here one side brings the queue's schema up while the other migrates the store
 * again and again (a store already up to date still reads the catalog each time), on fresh databases.
 */
describe('the store and the queue migrated at once on a fresh PostgreSQL database', () => {
  it('neither trips over the other', async () => {
    const failures: string[] = [];
    for (let round = 0; round < 4; round++) {
      const db = await createTestDatabase('postgres');
      const store = await openStore(db.url);
      const other = openDatabase(db.url);
      try {
        let queueReady = false;
        const queueSide = GraphileQueue.open(store, db.url, logger).then(async (q) => {
          queueReady = true;
          await q.close();
        });
        const storeSide = (async () => {
          let passes = 0;
          while (!queueReady && passes < 200) {
            passes++;
            await migrate(other).catch((e: unknown) => failures.push(`round ${round + 1}: ${String(e)}`));
          }
          return passes;
        })();
        await queueSide;
        expect(await storeSide).toBeGreaterThan(0);
      } finally {
        await other.destroy();
        await store.close();
        await db.drop();
      }
    }
    expect(failures).toEqual([]);
  });
});
