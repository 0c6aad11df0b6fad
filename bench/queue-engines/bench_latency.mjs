// Latency: idle worker process; add one job every 5 ms, 200 times; measure add-call-start -> handler start.
// Usage: ENGINE=gw|pgb node bench_latency.mjs   (pgb knobs: PGB_POLL (default 0.5 = minimum), PGB_BATCH)

import { Logger, makeWorkerUtils, runMigrations } from 'graphile-worker';
import PgBoss from 'pg-boss';
import { budget, createDb, dropDb, now, pct, sleep, spawnChild } from './common.mjs';

const ENGINE = process.env.ENGINE || 'gw';
const COUNT = 200,
  EVERY = 5;
const db = await createDb(`qbench_${ENGINE}_lat`);
let kid;
budget(58000, async () => {
  kid?.child.kill('SIGKILL');
  await dropDb(db.name);
});

let add, close, cfg;
if (ENGINE === 'gw') {
  const logger = new Logger(() => () => {});
  await runMigrations({ connectionString: db.url, logger });
  const utils = await makeWorkerUtils({ connectionString: db.url, logger });
  add = (payload) => utils.addJob('job', payload);
  close = () => utils.release();
  kid = spawnChild('./gw_child.mjs', { DB: db.url, MODE: 'latency', CONC: '4' });
  cfg = 'concurrency=4, default pollInterval (LISTEN/NOTIFY wakes it)';
} else {
  const boss = new PgBoss({ connectionString: db.url, supervise: false, schedule: false });
  boss.on('error', (e) => console.error(e.message));
  await boss.start();
  await boss.createQueue('job');
  add = (payload) => boss.send('job', payload);
  close = () => boss.stop({ graceful: false, wait: false });
  const POLL = process.env.PGB_POLL || '0.5',
    BATCH = process.env.PGB_BATCH || '200';
  kid = spawnChild('./pgb_child.mjs', { DB: db.url, MODE: 'latency', CONC: '1', BATCH, POLL });
  cfg = `1 work() loop, batchSize=${BATCH}, pollingIntervalSeconds=${POLL}`;
}
await kid.waitFor((m) => m.type === 'ready');
await sleep(1000); // let it go idle
const addMs = [];
const start = now();
for (let i = 0; i < COUNT; i++) {
  const target = start + i * EVERY;
  const w = target - now();
  if (w > 0) await sleep(w);
  const t = now();
  await add({ i, t });
  addMs.push(now() - t);
}
const deadline = Date.now() + 15000;
while (kid.msgs.filter((m) => m.type === 'lat').length < COUNT && Date.now() < deadline) await sleep(20);
const lat = kid.msgs.filter((m) => m.type === 'lat').map((m) => m.d);
kid.child.send('stop');
await kid.exited;
const f = (x) => +x.toFixed(1);
console.log(
  JSON.stringify({
    bench: 'latency',
    engine: ENGINE,
    cfg,
    received: lat.length,
    p50_ms: f(pct(lat, 50)),
    p99_ms: f(pct(lat, 99)),
    max_ms: f(Math.max(...lat)),
    add_call_p50_ms: f(pct(addMs, 50)),
  }),
);
await close();
await dropDb(db.name);
process.exit(0);
