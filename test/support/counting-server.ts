import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingServer {
  url: string;
  /** When each request arrived (performance.now() of this process), in order. */
  arrivals: number[];
  /** The most requests it held at once. */
  mostAtOnce: number;
  /** When it answered its one 429, if it was asked to. */
  refusedAt?: number;
  close(): Promise<void>;
}

/**
 * A small HTTP server that counts what reaches it, as a rate-limited system would: every request is
 * held `holdMs` before its 200, and the first request for `tooManyPath` is answered 429 with Retry-After.
 */
export async function startCountingServer(o: {
  holdMs: number;
  tooManyPath?: string;
  retryAfterSeconds?: number;
}): Promise<CountingServer> {
  let inFlight = 0;
  const counted: CountingServer = {
    url: '',
    arrivals: [],
    mostAtOnce: 0,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  const server: Server = createServer((req, res) => {
    counted.arrivals.push(performance.now());
    const n = counted.arrivals.length;
    const refuse = req.url === o.tooManyPath && counted.refusedAt === undefined;
    if (refuse) counted.refusedAt = Number.NaN;
    inFlight++;
    counted.mostAtOnce = Math.max(counted.mostAtOnce, inFlight);
    req.resume();
    setTimeout(() => {
      inFlight--;
      if (refuse) {
        counted.refusedAt = performance.now();
        res.writeHead(429, {
          'retry-after': String(o.retryAfterSeconds ?? 1),
          'content-type': 'application/json',
        });
        res.end('{"message":"slow down"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"n":${n}}`);
    }, o.holdMs);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  counted.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return counted;
}

/** The most arrivals inside any window of `windowMs`. */
export function busiestWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (j < sorted.length && sorted[j]! < sorted[i]! + windowMs) j++;
    most = Math.max(most, j - i);
  }
  return most;
}
