// Throughput: enqueue N jobs in one batch, drain with 1 worker process, then again with 2 worker processes.
// Usage: ENGINE=gw|pgb node bench_throughput.mjs   (pgb knobs: PGB_CONC, PGB_BATCH, PGB_POLL; N, PHASE_MS)

import { Logger, makeWorkerUtils, runMigrations } from 'graphile-worker';
import PgBoss from 'pg-boss';
import { budget, createDb, dropDb, exactlyOnce, now, sleep, spawnChild } from './common.mjs';

const ENGINE = process.env.ENGINE || 'gw';
const N = Number(process.env.N || 5000);
const PHASE_MS = Number(process.env.PHASE_MS || 22000);
const db = await createDb(`qbench_${ENGINE}_tp`);
const kids = [];
budget(58000, async () => {
  for (const k of kids) k.child.kill('SIGKILL');
  await dropDb(db.name);
});

let enqueue, close, purge;
if (ENGINE === 'gw') {
  const logger = new Logger(() => () => {});
  await runMigrations({ connectionString: db.url, logger });
  const utils = await makeWorkerUtils({ connectionString: db.url, logger });
  enqueue = () => utils.addJobs(Array.from({ length: N }, (_, i) => ({ identifier: 'job', payload: { i } })));
  close = () => utils.release();
  purge = () => utils.withPgClient((c) => c.query('delete from graphile_worker._private_jobs'));
} else {
  const boss = new PgBoss({ connectionString: db.url, supervise: false, schedule: false });
  boss.on('error', (e) => console.error(e.message));
  await boss.start();
  await boss.createQueue('job');
  enqueue = () => boss.insert(Array.from({ length: N }, (_, i) => ({ name: 'job', data: { i } })));
  close = () => boss.stop({ graceful: false, wait: false });
  purge = () => boss.purgeQueue('job');
}
const childEnv =
  ENGINE === 'gw'
    ? { DB: db.url, MODE: 'count', CONC: '4' }
    : {
        DB: db.url,
        MODE: 'count',
        CONC: process.env.PGB_CONC || '4',
        BATCH: process.env.PGB_BATCH || '1',
        POLL: process.env.PGB_POLL || '0.5',
      };
const script = ENGINE === 'gw' ? './gw_child.mjs' : './pgb_child.mjs';

async function phase(procs) {
  const t = now();
  await enqueue();
  const enqMs = now() - t;
  const ks = Array.from({ length: procs }, () => spawnChild(script, childEnv));
  kids.push(...ks);
  await Promise.all(ks.map((k) => k.waitFor((m) => m.type === 'ready')));
  const deadline = Date.now() + PHASE_MS;
  const last = new Map();
  while (Date.now() < deadline) {
    for (const k of ks) {
      const p = k.msgs.filter((m) => m.type === 'progress').at(-1);
      if (p) last.set(k, p.n);
    }
    if ([...last.values()].reduce((a, b) => a + b, 0) >= N) break;
    await sleep(50);
  }
  await sleep(300); // let stragglers (and any duplicate) land
  for (const k of ks) k.child.send('stop');
  const dones = await Promise.all(ks.map((k) => k.waitFor((m) => m.type === 'done', 15000)));
  const ran = dones.reduce((a, d) => a + d.n, 0);
  const t0 = Math.min(...dones.filter((d) => d.t0).map((d) => d.t0));
  const t1 = Math.max(...dones.filter((d) => d.t1).map((d) => d.t1));
  const eo = exactlyOnce(
    dones.map((d) => d.counts),
    N,
  );
  const perProc = dones.map((d) => d.n);
  const r = {
    procs,
    enqueue_ms: Math.round(enqMs),
    handler_runs: ran,
    drain_s: +((t1 - t0) / 1000).toFixed(2),
    jobs_per_s: Math.round(ran / ((t1 - t0) / 1000)),
    per_process: perProc,
    missing: eo.missing,
    duplicates: eo.dup,
  };
  await Promise.all(ks.map((k) => k.exited));
  return r;
}

const cfg =
  ENGINE === 'gw'
    ? 'concurrency=4'
    : `work() loops=${childEnv.CONC} batchSize=${childEnv.BATCH} pollingIntervalSeconds=${childEnv.POLL}`;
const r1 = await phase(1);
await purge(); // leftovers (only when a phase hit PHASE_MS) must not leak into the next phase
const r2 = await phase(2);
console.log(
  JSON.stringify({ bench: 'throughput', engine: ENGINE, cfg, N, one_process: r1, two_processes: r2 }),
);
await close();
await dropDb(db.name);
process.exit(0);
