// Cron: two worker processes share one "* * * * *" item; count runs per wall-clock minute across both.
// Runs until the next minute boundary + 10 s, so it must start between second 10 and 45 of a minute (run.sh waits).
// gw: crontab option (known_crontabs). pgb: boss.schedule(); children use schedule:true, cronMonitorIntervalSeconds=CRON_MON (default here 5; library default 30).

import { Logger, runMigrations } from 'graphile-worker';
import PgBoss from 'pg-boss';
import { budget, createDb, dropDb, sleep, spawnChild } from './common.mjs';

const ENGINE = process.env.ENGINE || 'gw';
const sec = new Date().getSeconds();
if (sec < 10 || sec > 45) {
  console.error(`start between second 10 and 45 of a minute (now ${sec})`);
  process.exit(3);
}
const db = await createDb(`qbench_${ENGINE}_cron`);
const kids = [];
budget(58000, async () => {
  for (const k of kids) k.child.kill('SIGKILL');
  await dropDb(db.name);
});

let env, script;
if (ENGINE === 'gw') {
  await runMigrations({ connectionString: db.url, logger: new Logger(() => () => {}) });
  env = { DB: db.url, CONC: '1', CRONTAB: '* * * * * tick\n' };
  script = './gw_child.mjs';
} else {
  const boss = new PgBoss({ connectionString: db.url, supervise: false, schedule: false });
  await boss.start();
  await boss.createQueue('tick');
  await boss.schedule('tick', '* * * * *');
  await boss.stop({ graceful: false, wait: false });
  env = {
    DB: db.url,
    MODE: 'cron',
    QUEUE: 'tick',
    POLL: '0.5',
    SCHEDULE: '1',
    CRON_MON: process.env.CRON_MON || '5',
  };
  script = './pgb_child.mjs';
}
const startedAt = Date.now();
for (let k = 0; k < 2; k++) kids.push(spawnChild(script, env));
await Promise.all(kids.map((k) => k.waitFor((m) => m.type === 'ready')));
const boundary = Math.ceil(startedAt / 60000) * 60000;
await sleep(boundary + 10000 - Date.now());
for (const k of kids) k.child.send('stop');
await Promise.all(kids.map((k) => k.exited));
const ticks = kids.flatMap((k, i) =>
  k.msgs
    .filter((m) => m.type === 'tick')
    .map((m) => ({
      proc: i,
      minute: new Date(Math.floor(m.at / 60000) * 60000).toISOString().slice(11, 16),
      s_after_minute: +((m.at % 60000) / 1000).toFixed(1),
    })),
);
console.log(
  JSON.stringify({
    bench: 'cron',
    engine: ENGINE,
    started_at_second: sec,
    window: `start..${new Date(boundary).toISOString().slice(11, 16)}+10s`,
    total_runs: ticks.length,
    ticks,
  }),
);
await dropDb(db.name);
process.exit(0);
