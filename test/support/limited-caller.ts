/**
 * One process sending requests through a connection's shared budget, for the tests that run two of
 * them on one PostgreSQL store: `node --import tsx limited-caller.ts <store url> <limit json> <count>
 * <base url> <name> [lease ms]`. It prepares, prints "ready", waits for "go" on its standard input,
 * sends `count` GETs at once (to /<name>/0, /<name>/1, …), prints a JSON summary (statuses, retries, and when it stored a pause a 429 asked for) and exits. It stops by itself after 60 seconds whatever happens.
 */
import { createInterface } from 'node:readline';
import pino from 'pino';
import { HttpClient } from '../../src/connectors/sdk/http.js';
import { SharedLimiter } from '../../src/runtime/shared-limiter.js';
import { openStore } from '../../src/store/index.js';

setTimeout(() => process.exit(3), 60_000).unref();

const [storeUrl, limitJson, count, baseUrl, name, leaseMs] = process.argv.slice(2);
const store = await openStore(storeUrl!);
const limiter = new SharedLimiter(
  store.limits,
  'counted',
  JSON.parse(limitJson!),
  pino({ level: 'warn' }),
  leaseMs ? Number(leaseMs) : undefined,
);
// When this process stored a pause the system asked for (epoch ms): the other process can only
// honour it from then on, however late a loaded machine lets this one learn of the 429.
let pausedAt: number | undefined;
const pause = limiter.pause.bind(limiter);
limiter.pause = async (ms: number) => {
  await pause(ms);
  pausedAt ??= performance.timeOrigin + performance.now();
};
const http = new HttpClient({ baseUrl: baseUrl!, systemName: 'Counter', connection: 'counted', limiter });
// The first acquire prepares the connection's rows; done here so both processes start level.
(await limiter.acquire())();
process.stdout.write('ready\n');
await new Promise<void>((resolve) => {
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (l) => {
    if (l.trim() === 'go') {
      lines.close();
      process.stdin.destroy();
      resolve();
    }
  });
});
const statuses = await Promise.all(
  Array.from({ length: Number(count) }, (_, i) =>
    http.request({ method: 'GET', path: `/${name}/${i}` }).then(
      (r) => r.status,
      (e: Error) => e.message,
    ),
  ),
);
await http.close();
await limiter.close();
await store.close();
process.stdout.write(`${JSON.stringify({ statuses, retries: http.stats.retries, pausedAt })}\n`);
