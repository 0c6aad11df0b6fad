// graphile-worker crash recovery: worker A takes a 60 s job and is SIGKILLed; does worker B pick it up?
// Default: the row stays locked until locked_at is 4 h old. Knob in 0.17: WorkerUtils.forceUnlockWorkers([workerId]).

import { Logger, makeWorkerUtils, runMigrations } from 'graphile-worker';
import { budget, createDb, dropDb, now, spawnChild } from './common.mjs';

const db = await createDb('qbench_gw_crash');
const kids = [];
budget(58000, async () => {
  for (const k of kids) k.child.kill('SIGKILL');
  await dropDb(db.name);
});
const logger = new Logger(() => () => {});
await runMigrations({ connectionString: db.url, logger });
const u = await makeWorkerUtils({ connectionString: db.url, logger });
const WAIT = Number(process.env.WAIT_MS || 10000);

const A = spawnChild('./gw_child.mjs', { DB: db.url, CONC: '1' });
kids.push(A);
await A.waitFor((m) => m.type === 'ready');
await u.addJob('sleepy', {});
const startA = await A.waitFor((m) => m.type === 'start');
A.child.kill('SIGKILL');
const _tKill = now();
const B = spawnChild('./gw_child.mjs', { DB: db.url, CONC: '1', SLEEP_MS: '0' });
kids.push(B);
await B.waitFor((m) => m.type === 'ready');
const pickedBeforeUnlock = await B.waitFor((m) => m.type === 'start', WAIT).then(
  () => true,
  () => false,
);
const row = (
  await u.withPgClient((c) => c.query('select locked_by, locked_at, attempts from graphile_worker.jobs'))
).rows[0];
const tUnlock = now();
await u.forceUnlockWorkers([startA.workerId]);
const startB = await B.waitFor((m) => m.type === 'start', 15000).catch(() => null);
B.child.send('stop');
await B.exited;
console.log(
  JSON.stringify({
    bench: 'crash',
    engine: 'gw',
    picked_up_within_ms_without_intervention: pickedBeforeUnlock
      ? 'yes'
      : `no (waited ${WAIT} ms; row still locked_by ${row.locked_by === startA.workerId ? 'dead worker' : row.locked_by})`,
    after_forceUnlockWorkers_ms: startB ? Math.round(startB.at - tUnlock) : null,
    attempts_seen_by_B: startB?.attempts,
  }),
);
await u.release();
await dropDb(db.name);
process.exit(0);
