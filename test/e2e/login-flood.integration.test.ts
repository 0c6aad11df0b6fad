import { performance } from 'node:perf_hooks';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/index.js';
import { type ApiServer, startApiServer, TEST_PASSWORD, usersWithTokens } from '../support/api-server.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

/** A caller on its own loopback address (Linux routes all of 127.0.0.0/8 to lo). */
const from = (address: string) => new Agent({ localAddress: address, connections: 4 });

const login = (url: string, agent: Agent, username: string, password: string) =>
  fetch(`${url}/api/auth/login`, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });

/**
 * Login under attack, with the server's default limits, over real HTTP on loopback: one address is
 * held to its allowance, and a spray of guesses from many addresses neither stalls the event loop
 * (the hashes run on libuv's threads, a few at a time) nor locks anyone but the account guessed at.
 */
describe('logins under attack', () => {
  let tdb: TestDatabase;
  let store: Store;
  let server: ApiServer;
  let url: string;

  beforeAll(async () => {
    tdb = await createTestDatabase('sqlite');
    store = await openStore(tdb.url);
    server = await startApiServer({ store });
    url = server.url;
    await usersWithTokens(store, [
      ['victim', 'viewer'],
      ['bystander', 'viewer'],
    ]);
  });
  afterAll(async () => {
    await server.close();
    await store.close();
    await tdb.drop();
  });

  it('one address gets 20 attempts a minute, then 429 with Retry-After before any password is checked', async () => {
    const agent = from('127.0.0.9');
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      const r = await login(url, agent, `someone-${i}`, 'not the password');
      statuses.push(r.status);
      if (i < 20) await r.arrayBuffer();
      else {
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(await r.json()).toEqual({
          error: {
            code: 'rate_limited',
            message: expect.stringMatching(
              /^more than 20 login attempts a minute from 127\.0\.0\.9; try again in \d+ s$/,
            ),
          },
        });
      }
    }
    expect(statuses).toEqual([...Array(20).fill(401), 429]);
    // Another address is not held back by it.
    const other = from('127.0.0.10');
    expect((await login(url, other, 'bystander', TEST_PASSWORD)).status).toBe(200);
    await Promise.all([agent.close(), other.close()]);
  });

  it('30 logins a second for 10 s from 30 addresses: the event loop stays free (hashes run beside it), /health answers, and only the account guessed at locks', async () => {
    const attackers = Array.from({ length: 30 }, (_, i) => from(`127.0.1.${i + 1}`));
    const probe = from('127.0.0.1');
    const answers = new Map<number, number>();
    const health: number[] = [];
    const sends: Array<Promise<void>> = [];
    const started = Date.now();
    // The server runs in this process: how busy its event loop is over the 10 s says whether the
    // hashes run on it (each ~70 ms, 30 a second: busy all the time) or beside it.
    const loopBefore = performance.eventLoopUtilization();
    let n = 0;
    // 30 a second, spread evenly; most names are made up, every tenth guesses at the victim. Sent by
    // the clock, not by timer ticks: on a loaded machine a tick comes late, and the ones due go out
    // together, so 10 s hold 300 attempts whatever the timers do.
    const send = () => {
      const agent = attackers[n % attackers.length]!;
      const username = n % 10 === 0 ? 'victim' : `guess-${n}`;
      n++;
      sends.push(
        login(url, agent, username, `wrong ${n}`).then(async (r) => {
          await r.arrayBuffer();
          answers.set(r.status, (answers.get(r.status) ?? 0) + 1);
        }),
      );
    };
    const timer = setInterval(() => {
      const due = Math.min(300, Math.floor(((Date.now() - started) * 30) / 1000));
      while (n < due) send();
    }, 1000 / 30);
    while (Date.now() - started < 10_000) {
      const t = performance.now();
      const r = await fetch(`${url}/health`, { dispatcher: probe });
      await r.arrayBuffer();
      health.push(performance.now() - t);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    clearInterval(timer);
    while (n < 300) send();
    await Promise.all(sends);
    const loop = performance.eventLoopUtilization(loopBefore);

    health.sort((a, b) => a - b);
    const p99 = health[Math.floor(health.length * 0.99)]!;
    const p50 = health[Math.floor(health.length * 0.5)]!;
    console.info(
      `login flood: ${n} attempts in 10 s, answers ${JSON.stringify(Object.fromEntries(answers))}; /health over ${health.length} probes p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms; event loop busy ${(loop.utilization * 100).toFixed(0)} % of the time`,
    );
    expect(n).toBe(300);
    // Every attempt was refused as a guess, a lock or a limit; none failed on our side.
    expect([...answers.keys()].every((s) => s === 401 || s === 429)).toBe(true);
    // p99 < 50 ms holds on a quiet machine (11.6 ms measured) but a shared, loaded one decides wall
    // times by itself; what the code decides is that the loop is free. bcryptjs on the loop kept it
    // busy all the time (300 hashes of ~70 ms in 10 s); on libuv's threads it was busy 53 % of the
    // time beside a second copy of the suite and 71 % beside two, the loop's own work stretched by the
    // wait for a core; still short of the hashes' 100 %.
    expect(loop.utilization).toBeLessThan(0.9);
    expect(health.length).toBeGreaterThan(10);
    // Only the account guessed at carries failures or a lock (how many of its 30 guesses were checked
    // depends on the machine: past a short queue they are answered 429 unchecked); the bystander none.
    const victim = (await store.users.get('victim'))!;
    expect(victim.locked_until !== null || victim.failed_logins > 0).toBe(true);
    expect((await store.users.get('bystander'))?.locked_until).toBeNull();
    expect((await login(url, from('127.0.2.1'), 'bystander', TEST_PASSWORD)).status).toBe(200);
    await Promise.all([...attackers, probe].map((a) => a.close()));
  });
});
