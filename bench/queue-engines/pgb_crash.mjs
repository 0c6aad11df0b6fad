// pg-boss crash recovery: worker A takes a 60 s job and is SIGKILLed; worker B (supervising) should re-run it
// once the job's expireIn passes and a maintenance run marks it failed -> retry (retryLimit default 2).
// Defaults: expireIn 15 min, maintenanceIntervalSeconds 120. Here: expireInSeconds=EXPIRE (3), maintenance every 1 s.

import PgBoss from 'pg-boss';
import { budget, createDb, dropDb, now, spawnChild } from './common.mjs';

const db = await createDb('qbench_pgb_crash');
const kids = [];
budget(58000, async () => {
  for (const k of kids) k.child.kill('SIGKILL');
  await dropDb(db.name);
});
const EXPIRE = Number(process.env.EXPIRE || 3);
const boss = new PgBoss({ connectionString: db.url, supervise: false, schedule: false });
boss.on('error', (e) => console.error(e.message));
await boss.start();
await boss.createQueue('crash', { expireInSeconds: EXPIRE });

const A = spawnChild('./pgb_child.mjs', { DB: db.url, MODE: 'crash', QUEUE: 'crash', POLL: '0.5' });
kids.push(A);
await A.waitFor((m) => m.type === 'ready');
await boss.send('crash', {});
const startA = await A.waitFor((m) => m.type === 'start');
A.child.kill('SIGKILL');
const tKill = now();
const B = spawnChild('./pgb_child.mjs', {
  DB: db.url,
  MODE: 'crash',
  QUEUE: 'crash',
  POLL: '0.5',
  SLEEP_MS: '0',
  SUPERVISE: '1',
  MAINT: '1',
});
kids.push(B);
await B.waitFor((m) => m.type === 'ready');
const startB = await B.waitFor((m) => m.type === 'start', 30000).catch(() => null);
const job = await boss.getJobById('crash', startA.id);
B.child.send('stop');
await B.exited;
console.log(
  JSON.stringify({
    bench: 'crash',
    engine: 'pgb',
    expireInSeconds: EXPIRE,
    maintenanceIntervalSeconds: 1,
    kill_to_rerun_ms: startB ? Math.round(startB.at - tKill) : null,
    kill_to_rerun_after_A_started_ms: startB ? Math.round(startB.at - startA.at) : null,
    same_job_id: startB?.id === startA.id,
    job_state_now: job?.state,
    retry_count: job?.retryCount,
  }),
);
await boss.stop({ graceful: false, wait: false });
await dropDb(db.name);
process.exit(0);
