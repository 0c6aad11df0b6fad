// pg-boss child process. Env: DB, MODE, QUEUE, CONC (work() loops), BATCH (batchSize), POLL (pollingIntervalSeconds),
// SUPERVISE, SCHEDULE, MAINT (maintenanceIntervalSeconds)
import PgBoss from 'pg-boss';
import { now, sleep } from './common.mjs';

const MODE = process.env.MODE;
const Q = process.env.QUEUE || 'job';
const counts = new Map();
let n = 0,
  t0 = null,
  t1 = null;

const boss = new PgBoss({
  connectionString: process.env.DB,
  supervise: process.env.SUPERVISE === '1',
  schedule: process.env.SCHEDULE === '1',
  migrate: false,
  ...(process.env.MAINT ? { maintenanceIntervalSeconds: Number(process.env.MAINT) } : {}),
  ...(process.env.CRON_MON ? { cronMonitorIntervalSeconds: Number(process.env.CRON_MON) } : {}),
});
boss.on('error', (e) => {
  if (!/unique|duplicate/i.test(e.message)) console.error('pgb child error', e.message);
});
await boss.start();

const handle = async (job) => {
  const s = now();
  if (t0 === null) t0 = s;
  if (MODE === 'crash') {
    process.send({ type: 'start', at: s, pid: process.pid, id: job.id });
    await sleep(Number(process.env.SLEEP_MS || 60000));
    return;
  }
  if (MODE === 'cron') {
    process.send({ type: 'tick', at: Date.now(), pid: process.pid });
    return;
  }
  if (MODE === 'keyed') {
    process.send({ type: 'run', q: job.name, key: job.data.key, v: job.data.v, at: s });
    await sleep(Number(job.data.ms || 0));
    return;
  }
  await sleep(0);
  counts.set(job.data.i, (counts.get(job.data.i) || 0) + 1);
  n++;
  t1 = now();
  if (MODE === 'latency') process.send({ type: 'lat', d: s - job.data.t });
};

const opts = { batchSize: Number(process.env.BATCH || 1) };
if (process.env.POLL) opts.pollingIntervalSeconds = Number(process.env.POLL);
for (const q of Q.split(','))
  for (let k = 0; k < Number(process.env.CONC || 1); k++) {
    await boss.work(q, opts, async (jobs) => {
      await Promise.all(jobs.map(handle));
    });
  }

const prog = setInterval(() => process.send({ type: 'progress', n }), 50);
process.send({ type: 'ready', pid: process.pid });
process.on('message', async (m) => {
  if (m === 'stop') {
    clearInterval(prog);
    await boss.stop({ graceful: false, wait: false });
    process.send({ type: 'done', n, t0, t1, counts: [...counts] }, () => process.exit(0));
  }
});
