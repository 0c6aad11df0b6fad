// pg-boss dedup by singletonKey under each queue policy; 100 sends while no worker runs, then sends while running.

import PgBoss from 'pg-boss';
import { budget, createDb, dropDb, sleep, spawnChild } from './common.mjs';

const db = await createDb('qbench_pgb_dedup');
let kid;
budget(58000, async () => {
  kid?.child.kill('SIGKILL');
  await dropDb(db.name);
});
const boss = new PgBoss({ connectionString: db.url, supervise: false, schedule: false });
boss.on('error', (e) => console.error(e.message));
await boss.start();
const POL = ['standard', 'short', 'singleton', 'stately'];
for (const p of POL) await boss.createQueue(`q_${p}`, { policy: p });
await boss.createQueue('q_throttle'); // standard policy + singletonSeconds (throttle slot)
const stored = async (q, key) =>
  (
    await boss
      .getDb()
      .executeSql('select count(*)::int n from pgboss.job where name = $1 and singleton_key = $2', [q, key])
  ).rows[0].n;
const out = {};

// 1. 100 x send() with the same singletonKey, no worker running
for (const p of POL)
  for (let v = 0; v < 100; v++) await boss.send(`q_${p}`, { key: 'A', v }, { singletonKey: 'A' });
for (let v = 0; v < 100; v++)
  await boss.send('q_throttle', { key: 'A', v }, { singletonKey: 'A', singletonSeconds: 60 });
// 1b. one insert() batch of 100 with the same singletonKey (short policy)
await boss.insert(
  Array.from({ length: 100 }, (_, v) => ({ name: 'q_short', data: { key: 'I', v }, singletonKey: 'I' })),
);
for (const q of [...POL.map((p) => `q_${p}`), 'q_throttle']) out[`${q}_stored`] = await stored(q, 'A');
out.q_short_insert_batch_stored = await stored('q_short', 'I');

const queues = [...POL.map((p) => `q_${p}`), 'q_throttle'];
kid = spawnChild('./pgb_child.mjs', {
  DB: db.url,
  MODE: 'keyed',
  QUEUE: queues.join(','),
  CONC: '1',
  BATCH: '10',
  POLL: '0.5',
});
await kid.waitFor((m) => m.type === 'ready');
await sleep(3000);
const runs = (q, key) =>
  kid.msgs.filter((m) => m.type === 'run' && m.q === q && m.key === key).map((m) => m.v);
for (const q of queues) {
  const r = runs(q, 'A');
  out[`${q}_runs_in_3s`] = r.length > 3 ? r.length : r;
}
out.q_short_insert_runs = runs('q_short', 'I');

// 2. send while the keyed job is running (1.5 s handler); 5 more sends with the same key
for (const q of queues) {
  const o = q === 'q_throttle' ? { singletonKey: 'B', singletonSeconds: 60 } : { singletonKey: 'B' };
  await boss.send(q, { key: 'B', v: 0, ms: 1500 }, o);
}
for (const q of queues)
  await kid.waitFor((m) => m.type === 'run' && m.q === q && m.key === 'B', 5000).catch(() => {});
for (const q of queues) {
  const o = q === 'q_throttle' ? { singletonKey: 'B', singletonSeconds: 60 } : { singletonKey: 'B' };
  for (let v = 1; v <= 5; v++) await boss.send(q, { key: 'B', v }, o);
}
await sleep(5000);
for (const q of queues) out[`${q}_B_runs_added_while_running`] = runs(q, 'B');
kid.child.send('stop');
await kid.exited;
console.log(JSON.stringify({ bench: 'dedup', engine: 'pgb', ...out }));
await boss.stop({ graceful: false, wait: false });
await dropDb(db.name);
process.exit(0);
