// graphile-worker dedup by jobKey: 100 adds while no worker runs; then adds while the keyed job is running.

import { Logger, makeWorkerUtils, runMigrations } from 'graphile-worker';
import { budget, createDb, dropDb, sleep, spawnChild } from './common.mjs';

const db = await createDb('qbench_gw_dedup');
let kid;
budget(58000, async () => {
  kid?.child.kill('SIGKILL');
  await dropDb(db.name);
});
const logger = new Logger(() => () => {});
await runMigrations({ connectionString: db.url, logger });
const u = await makeWorkerUtils({ connectionString: db.url, logger });
const stored = async (key) =>
  (
    await u.withPgClient((c) =>
      c.query('select count(*)::int n from graphile_worker.jobs where key = $1', [key]),
    )
  ).rows[0].n;
const out = {};

// 1. 100 x addJob with the same jobKey, no worker running (default jobKeyMode = replace)
for (let v = 0; v < 100; v++) await u.addJob('keyed', { key: 'A', v }, { jobKey: 'A' });
out.A_stored_after_100_adds = await stored('A');
// 1b. same with unsafe_dedupe
for (let v = 0; v < 100; v++)
  await u.addJob('keyed', { key: 'U', v }, { jobKey: 'U', jobKeyMode: 'unsafe_dedupe' });
out.U_stored_after_100_adds_unsafe_dedupe = await stored('U');
// 1c. one addJobs() batch holding 100 specs with the same jobKey
try {
  await u.addJobs(
    Array.from({ length: 100 }, (_, v) => ({ identifier: 'keyed', payload: { key: 'AB', v }, jobKey: 'AB' })),
  );
  out.AB_stored_after_addJobs_batch = await stored('AB');
} catch (e) {
  out.AB_addJobs_batch_error = e.message.slice(0, 120);
}

kid = spawnChild('./gw_child.mjs', { DB: db.url, MODE: 'keyed', CONC: '4' });
await kid.waitFor((m) => m.type === 'ready');
await sleep(1500);
const runs = (key) => kid.msgs.filter((m) => m.type === 'run' && m.key === key).map((m) => m.v);
out.A_runs = runs('A');
out.U_runs = runs('U');
out.AB_runs = runs('AB');

// 2. add while the keyed job is running (handler takes 1.5 s), default mode and unsafe_dedupe
// D: same as B but the job also has a queueName (serial queue) -> re-run waits for the running one
for (const [key, mode, queueName] of [
  ['B', undefined],
  ['C', 'unsafe_dedupe'],
  ['D', undefined, 'serial:D'],
]) {
  await u.addJob('keyed', { key, v: 0, ms: 1500 }, { jobKey: key, jobKeyMode: mode, queueName });
  await kid.waitFor((m) => m.type === 'run' && m.key === key);
  for (let v = 1; v <= 5; v++)
    await u.addJob('keyed', { key, v }, { jobKey: key, jobKeyMode: mode, queueName });
}
await sleep(3500);
out.B_runs_added_while_running_replace = runs('B');
out.C_runs_added_while_running_unsafe_dedupe = runs('C');
out.D_runs_added_while_running_replace_with_queueName = runs('D');
const at = (key) =>
  kid.msgs
    .filter((m) => m.type === 'run' && m.key === key)
    .map((m) => Math.round(m.at - kid.msgs.find((x) => x.type === 'run' && x.key === key).at));
out.B_run_offsets_ms = at('B');
out.D_run_offsets_ms = at('D');
kid.child.send('stop');
await kid.exited;
console.log(JSON.stringify({ bench: 'dedup', engine: 'gw', ...out }));
await u.release();
await dropDb(db.name);
process.exit(0);
