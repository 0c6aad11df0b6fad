import pino from 'pino';
import { Engine } from '../src/engine/engine.js';
import { type Flow, flowDefaults } from '../src/engine/flow.js';
import { openStore } from '../src/store/index.js';
import { databaseOf } from './databases.js';
import { CountingTarget, SyntheticSource } from './synthetic.js';

/**
 * The engine's own cost per record, with connectors that cost nothing: an initial sync of N
 * customers (plan, match, write, link rows and connector log), a no-change re-run, and, when asked,
 * an incremental no-op. Run as its own process (`node dist/bench/engine-overhead.js <dialect> <n>`)
 * so that its peak RSS is its own; prints one JSON line.
 */
export const customerFlow: Flow = {
  ...flowDefaults,
  name: 'synthetic.customers',
  entity: 'customer',
  source: 'source',
  target: 'target',
  ownedFields: ['creditLimit', 'onHold'],
};

async function measure<T>(body: () => Promise<T>) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await body();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { value, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

const dialect = (process.argv[2] ?? 'sqlite') as 'sqlite' | 'postgres';
const n = Number(process.argv[3] ?? 20_000);
const withNoop = process.argv.includes('--noop');

const db = await databaseOf(dialect);
const store = await openStore(db.url);
const source = new SyntheticSource(n);
const target = new CountingTarget();
const engine = new Engine(
  store,
  new Map([[customerFlow.name, customerFlow]]),
  { get: (c) => (c === 'source' ? source : target) },
  pino({ level: 'silent' }),
);

const initial = await measure(() => engine.run(customerFlow.name, { trigger: 'batch', incremental: true }));
if (initial.value.counts.created !== n)
  throw new Error(`initial sync created ${initial.value.counts.created} of ${n}`);
const rssAfterInitialMb = process.resourceUsage().maxRSS / 1024;

const callsBefore = target.targetCalls();
const rerun = await measure(() => engine.run(customerFlow.name, { trigger: 'batch', incremental: false }));
const rerunCalls = target.targetCalls() - callsBefore;

let noop: { seconds: number; targetCalls: number; read: number } | undefined;
if (withNoop) {
  const before = target.targetCalls();
  const r = await measure(() => engine.run(customerFlow.name, { trigger: 'schedule', incremental: true }));
  noop = { seconds: r.seconds, targetCalls: target.targetCalls() - before, read: r.value.counts.read };
}

await store.close();
await db.drop();
console.log(
  JSON.stringify({
    dialect,
    records: n,
    initial: {
      seconds: initial.seconds,
      cpuSeconds: initial.cpuSeconds,
      recordsPerSecond: n / initial.seconds,
      recordsPerCpuSecond: n / initial.cpuSeconds,
      targetCalls: callsBefore,
    },
    rerun: {
      seconds: rerun.seconds,
      recordsPerCpuSecond: n / rerun.cpuSeconds,
      targetCalls: rerunCalls,
    },
    ...(noop ? { noop } : {}),
    peakRssMb: Math.round(rssAfterInitialMb),
    process: {
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      cpuSeconds: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
    },
  }),
);
