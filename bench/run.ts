import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { sandboxRegistry } from '../src/connectors/sandboxes.js';
import { openContext } from '../src/runtime/context.js';

/**
 * Initial sync of N customers and N products between the sandboxes, then a no-change re-run and an
 * incremental no-op. The sandboxes run in child processes so that peak RSS is Ledgerlink's own.
 */
const N = Number(process.env.BENCH_RECORDS ?? 10_000);
const cli = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'src', 'cli', 'main.js');

function startSandbox(system: string, args: string[]): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'sandbox', system, '--port', '0', '--json', ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      try {
        resolve({ url: (JSON.parse(out) as { url: string }).url, child });
      } catch {
        /* not complete yet */
      }
    });
    child.on('exit', (code) => reject(new Error(`${system} sandbox exited with ${code}`)));
  });
}

async function calls(url: string): Promise<{ calls: number; writes: number }> {
  const res = await fetch(`${url}/_sandbox/calls`);
  return (await res.json()) as { calls: number; writes: number };
}

const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-bench-'));
const acumatica = await startSandbox('acumatica', ['--customers', String(N), '--products', String(N)]);
const magento = await startSandbox('magento', ['--customers', '0', '--products', '0']);
const configPath = join(dir, 'ledgerlink.yaml');
writeFileSync(
  configPath,
  stringify({
    database: `sqlite:${join(dir, 'bench.db')}`,
    connections: {
      acumatica: {
        connector: 'acumatica',
        settings: sandboxRegistry.acumatica!.settings({ url: acumatica.url }),
      },
      magento: { connector: 'magento', settings: sandboxRegistry.magento!.settings({ url: magento.url }) },
    },
    flows: { 'acumatica-magento.customers': {}, 'acumatica-magento.products': {} },
  }),
);
const ctx = await openContext({ configPath });
const flows = ['acumatica-magento.customers', 'acumatica-magento.products'];

async function pass(incremental: boolean) {
  const before = await calls(magento.url);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const counts = [];
  for (const f of flows) counts.push((await ctx.engine.run(f, { trigger: 'batch', incremental })).counts);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const after = await calls(magento.url);
  return {
    seconds,
    cpuSeconds,
    targetCalls: after.calls - before.calls,
    targetWrites: after.writes - before.writes,
    counts,
  };
}

const initial = await pass(true);
const rerun = await pass(false);
const incremental = await pass(true);
const rssMb = process.resourceUsage().maxRSS / 1024;
const records = 2 * N;

const rows: Array<[string, string]> = [
  ['records (customers + products)', String(records)],
  ['initial sync: records/s', (records / initial.seconds).toFixed(0)],
  ['initial sync: seconds', initial.seconds.toFixed(2)],
  ['initial sync: Magento calls per record', (initial.targetCalls / records).toFixed(3)],
  ['initial sync: Ledgerlink CPU per record (ms)', ((initial.cpuSeconds * 1000) / records).toFixed(3)],
  [
    'initial sync: share of wall time Ledgerlink was on CPU',
    `${Math.round((initial.cpuSeconds / initial.seconds) * 100)} %`,
  ],
  ['no-change full re-run: seconds', rerun.seconds.toFixed(2)],
  ['no-change full re-run: Magento calls', String(rerun.targetCalls)],
  ['no-change full re-run: Ledgerlink CPU per record (ms)', ((rerun.cpuSeconds * 1000) / records).toFixed(3)],
  ['incremental no-op: seconds', incremental.seconds.toFixed(2)],
  ['incremental no-op: Magento calls', String(incremental.targetCalls)],
  ['peak RSS of the syncing process (MB)', rssMb.toFixed(0)],
];
const width = Math.max(...rows.map(([k]) => k.length));
console.log(`\nLedgerlink benchmark (${new Date().toISOString()}, Node ${process.version})`);
for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
console.log(JSON.stringify({ records, initial, rerun, incremental, rssMb: Math.round(rssMb) }));

await ctx.close();
acumatica.child.kill('SIGTERM');
magento.child.kill('SIGTERM');
rmSync(dir, { recursive: true, force: true });
