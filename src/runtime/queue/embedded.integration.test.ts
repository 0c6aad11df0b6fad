import pino from 'pino';
import { createTestDatabase } from '../../../test/support/databases.js';
import { queueSuite } from '../../../test/support/queue-suite.js';
import { openStore } from '../../store/index.js';
import { EmbeddedQueue } from './embedded.js';

const logger = pino({ level: 'silent' });

queueSuite('embedded, on SQLite', async () => {
  const tdb = await createTestDatabase('sqlite');
  const store = await openStore(tdb.url);
  let n = 0;
  return {
    // Each queue is another worker (its own id) over the same jobs table.
    open: async () => new EmbeddedQueue(store, logger, { id: `worker-${++n}`, pollMs: 20 }),
    firstBackoffMs: 1_000,
    async close() {
      await store.close();
      await tdb.drop();
    },
  };
});
