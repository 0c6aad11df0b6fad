import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from './http.js';
import { stoppingSignal, stopWaiting } from './stopping.js';

/**
 * A stopping process waits for nothing: a request sleeping before its retry (here a 503 asking for
 * 20 s) gives up as soon as the process begins to stop, so the page in hand — and the worker — end
 * within one request instead of minutes. (This file has a process of its own: stopping is for good.)
 */
describe('a stopping process', () => {
  let server: Server;
  let url: string;
  let calls = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      calls++;
      res.writeHead(503, { 'retry-after': '20', 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('stops waiting for a retry at once, and waits for none after', async () => {
    const client = new HttpClient({ baseUrl: url, systemName: 'Test', maxBackoffMs: 60_000, maxRetries: 4 });
    const started = Date.now();
    const pending = client.request({ method: 'GET', path: 'x' });
    setTimeout(stopWaiting, 300);
    await expect(pending).rejects.toMatchObject({ category: 'transient', httpStatus: 503 });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(stoppingSignal().aborted).toBe(true);
    // After: one try, no wait.
    const again = Date.now();
    await expect(client.request({ method: 'GET', path: 'y' })).rejects.toMatchObject({ httpStatus: 503 });
    expect(Date.now() - again).toBeLessThan(1_000);
    expect(calls).toBe(2);
  });
});
