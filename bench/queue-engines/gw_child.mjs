// graphile-worker child process. Env: DB, MODE (count|latency|crash|cron|dedup), CONC, CRONTAB
import { Logger, run } from 'graphile-worker';
import { now, sleep } from './common.mjs';

const MODE = process.env.MODE;
const counts = new Map();
let n = 0,
  t0 = null,
  t1 = null;

const handle = async (payload) => {
  const s = now();
  if (t0 === null) t0 = s;
  await sleep(0); // the "same job": await 0 ms and count
  counts.set(payload.i, (counts.get(payload.i) || 0) + 1);
  n++;
  t1 = now();
  return s;
};

const taskList = {
  job: async (payload) => {
    const s = await handle(payload);
    if (MODE === 'latency') process.send({ type: 'lat', d: s - payload.t });
  },
  sleepy: async (_payload, helpers) => {
    process.send({
      type: 'start',
      at: now(),
      pid: process.pid,
      workerId: helpers.job.locked_by,
      attempts: helpers.job.attempts,
    });
    await sleep(Number(process.env.SLEEP_MS || 60000));
  },
  keyed: async (payload) => {
    process.send({ type: 'run', key: payload.key, v: payload.v, at: now() });
    await sleep(Number(payload.ms || 0));
  },
  tick: async () => {
    process.send({ type: 'tick', at: Date.now(), pid: process.pid });
  },
};

const runner = await run({
  connectionString: process.env.DB,
  concurrency: Number(process.env.CONC || 4),
  noHandleSignals: true,
  logger: new Logger(() => () => {}),
  taskList,
  ...(process.env.CRONTAB ? { crontab: process.env.CRONTAB } : {}),
});

const prog = setInterval(() => process.send({ type: 'progress', n }), 50);
process.send({ type: 'ready', pid: process.pid });
process.on('message', async (m) => {
  if (m === 'stop') {
    clearInterval(prog);
    await runner.stop();
    process.send({ type: 'done', n, t0, t1, counts: [...counts] }, () => process.exit(0));
  }
});
