/**
 * A worker that takes one job and hangs in it, to be SIGKILLed by a test: it never releases what it
 * holds. Usage: node --import tsx queue-crash-child.ts <database url> <task> <lock timeout ms>
 */
import pino from 'pino';
import { GraphileQueue } from '../../src/runtime/queue/graphile.js';
import { openStore } from '../../src/store/index.js';

const [url, task, timeout] = process.argv.slice(2);
const store = await openStore(url!);
const queue = await GraphileQueue.open(store, url!, pino({ level: 'silent' }), {
  lockTimeoutMs: Number(timeout),
});
await queue.work(
  {
    [task!]: async (_p, job) => {
      process.stdout.write(`started ${job.id}\n`);
      await new Promise(() => undefined);
    },
  },
  { concurrency: 1 },
);
