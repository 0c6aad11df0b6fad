import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run bench`: every section in a child process of its own (`node dist/bench/<file>.js …`,
 * printing one JSON line), so each one's peak RSS and CPU are its own; then one table of the goals
 * and where each stands, and the figures in bench-results/latest.json. BENCH_QUICK=1 makes the
 * million-record section 100,000; BENCH_ONLY=engine,workers,… runs some sections only.
 * See BENCHMARKS.md.
 */
const HERE = fileURLToPath(new URL('.', import.meta.url));
const QUICK = process.env.BENCH_QUICK === '1';
const BIG = QUICK ? 100_000 : 1_000_000;
const ONLY = process.env.BENCH_ONLY?.split(',');

// biome-ignore lint/suspicious/noExplicitAny: a section's JSON line, read field by field below
type Figures = Record<string, any>;

interface Section {
  name: string;
  file: string;
  args: string[];
  timeoutSeconds: number;
  env?: Record<string, string>;
  /** Shown in the table. */
  label?: string;
}

const SECTIONS: Section[] = [
  { name: 'engine-sqlite', file: 'engine-overhead', args: ['sqlite', '20000'], timeoutSeconds: 120 },
  { name: 'engine-postgres', file: 'engine-overhead', args: ['postgres', '20000'], timeoutSeconds: 120 },
  // Latency-bound, as workers on several machines would be: one page at a time per worker, pages of
  // 5, and Magento's allowance raised so that it does not bind (the next section shows it binding).
  {
    name: 'workers',
    file: 'workers',
    // 2,000: a run's fixed start (the first read, the first page) weighs less against its length.
    args: ['2000', '1,2,4'],
    timeoutSeconds: 900,
    env: { BENCH_WORKER_CONCURRENCY: '1', BENCH_PAGE_SIZE: '5', BENCH_MAGENTO_CONCURRENCY: '64' },
    label: '1 job per worker, pages of 5, Magento allowance 64 at once',
  },
  {
    name: 'workers-shared-allowance',
    file: 'workers',
    args: ['1000', '1,2,4'],
    timeoutSeconds: 900,
    label: '4 jobs per worker, pages of 25, Magento allowance 8 at once (its manifest), shared',
  },
  { name: 'rate-limit-sqlite', file: 'rate-limit', args: ['sqlite', '20', '15'], timeoutSeconds: 120 },
  { name: 'rate-limit-postgres', file: 'rate-limit', args: ['postgres', '20', '15'], timeoutSeconds: 120 },
  { name: 'million', file: 'engine-overhead', args: ['sqlite', String(BIG), '--noop'], timeoutSeconds: 900 },
  { name: 'webhooks', file: 'webhook-latency', args: ['200', '10'], timeoutSeconds: 300 },
  // Issue 15: invoices of the accounts into Dataverse through the invoice flow; then an unchanged re-run.
  {
    name: 'dataverse-invoices',
    file: 'dataverse-invoices',
    args: ['10000', '5', '200', '100'],
    timeoutSeconds: 600,
  },
  // Issue 15: QuickBooks Online's 500 a minute (and 40 batches a minute) with Intuit's own one-minute window.
  {
    name: 'quickbooks-throughput',
    file: 'quickbooks-throughput',
    args: ['100', '12', '2'],
    timeoutSeconds: 240,
  },
  // Issue 16: Sage 50's audit trail as the cursor: 100,000 transactions over 2,000 accounts, then none
  // new, then 1,000 new on 100 accounts, against the same batch reading the whole trail.
  {
    name: 'sage50-audit',
    file: 'sage50-audit',
    args: ['100000', '2000', '1000', '100'],
    timeoutSeconds: 600,
  },
  // Issue 17: a busy day's sales at the till into Accurate Online (8 calls a second, 8 in flight).
  { name: 'pos-sales', file: 'pos-sales', args: ['10000', '500'], timeoutSeconds: 600 },
  // Issue 19: 100 changed customers of 10,000 (Magento at 20 ms a call), side by side with a plain
  // fetch script; n8n's figures are quoted, not run.
  {
    name: 'changed-records',
    file: 'changed-records',
    args: ['10000', '100', '20'],
    timeoutSeconds: 480,
  },
].filter((s) => !ONLY || ONLY.some((o) => s.name.startsWith(o)));

/** Runs one section; its last stdout line is its figures. Stopped (SIGTERM, then SIGKILL) past its time. */
function runSection(s: Section): Promise<{ seconds: number; figures?: Figures; error?: string }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [join(HERE, `${s.file}.js`), ...s.args], {
      env: { ...process.env, ...s.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err = `${err}${d}`.slice(-4000);
    });
    const term = setTimeout(() => child.kill('SIGTERM'), s.timeoutSeconds * 1000);
    const kill = setTimeout(() => child.kill('SIGKILL'), (s.timeoutSeconds + 10) * 1000);
    child.on('close', (code) => {
      clearTimeout(term);
      clearTimeout(kill);
      const seconds = (performance.now() - t0) / 1000;
      const last = out.trim().split('\n').at(-1);
      try {
        if (code !== 0) throw new Error(`exited with ${code}`);
        resolve({ seconds, figures: JSON.parse(last ?? '') as Figures });
      } catch (e) {
        resolve({ seconds, error: `${(e as Error).message}\n${err.trim()}` });
      }
    });
  });
}

const fmt = (n: number | undefined, digits = 0) =>
  n === undefined || Number.isNaN(n)
    ? '—'
    : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

interface Goal {
  section: string;
  goal: string;
  measured: string;
  /** undefined: a figure to read, with no threshold to meet. */
  met?: boolean;
}

/** Each section's figures against the issue's goals. */
function goalsOf(name: string, f: Figures): Goal[] {
  switch (name) {
    case 'engine-sqlite':
    case 'engine-postgres': {
      const perCore = f.initial.recordsPerCpuSecond as number;
      return [
        {
          section: `1. engine overhead, ${f.dialect} (${fmt(f.records)} records)`,
          goal: '≥ 5,000 records/s per core',
          measured: `${fmt(perCore)} records/CPU-s (${fmt(f.initial.recordsPerSecond)}/s wall), RSS ${f.process.peakRssMb} MB`,
          met: perCore >= 5000,
        },
      ];
    }
    case 'workers':
    case 'workers-shared-allowance': {
      const runs = f.runs as Figures[];
      const dups = runs.reduce((n, r) => n + r.duplicates + r.createsRefused, 0);
      const incomplete = runs.filter((r) => !r.complete).map((r) => r.workers);
      const four = runs.find((r) => r.workers === 4)?.ratioToOne as number | undefined;
      const headline = name === 'workers';
      return [
        {
          section: `2. scale-out, ${fmt(f.customers)} customers, ${f.latencyMs} ms per call: ${f.label}`,
          goal: headline ? '4 workers ≥ 3.5× one' : 'the shared allowance binds (a figure)',
          measured: runs
            .map((r) => `${r.workers}w ${fmt(r.recordsPerSecond, 1)}/s ×${fmt(r.ratioToOne, 2)}`)
            .join(', '),
          ...(headline ? { met: four !== undefined && four >= 3.5 } : {}),
        },
        {
          section: '2. scale-out: duplicates on the target',
          goal: '0 duplicates, every run complete',
          measured: `${dups} duplicates or refused double creates${incomplete.length ? `; incomplete with ${incomplete.join(', ')} workers` : ''}`,
          met: dups === 0 && incomplete.length === 0,
        },
      ];
    }
    case 'rate-limit-sqlite':
    case 'rate-limit-postgres':
      return [
        {
          section: `3. rate-limit use, ${f.dialect}, ${f.allowance}/s`,
          goal: '≥ 95 % of the allowance, 0 failures',
          measured: `${fmt(f.use * 100, 1)} % (${fmt(f.achievedPerSecond, 2)}/s over ${fmt(f.spanSeconds, 1)} s), ${f.tooManyRequests} × 429, ${f.recordsFailed} failed`,
          met: f.use >= 0.95 && f.recordsFailed === 0,
        },
      ];
    case 'million':
      return [
        {
          section: `4. incremental no-op over ${fmt(f.records)} records`,
          goal: '< 1 s and 0 target calls',
          measured: `${fmt(f.noop.seconds, 3)} s, ${f.noop.targetCalls} calls (full re-run ${fmt(f.rerun.seconds, 1)} s)`,
          // BENCH_QUICK's 100,000 records are not the goal's million: a figure, not a verdict.
          ...(QUICK ? {} : { met: f.noop.seconds < 1 && f.noop.targetCalls === 0 }),
        },
        {
          section: `5. initial sync of ${fmt(f.records)} records`,
          goal: 'peak RSS < 250 MB',
          measured: `${f.peakRssMb} MB, ${fmt(f.initial.recordsPerSecond)} records/s (${fmt(f.initial.seconds, 1)} s)`,
          ...(QUICK ? {} : { met: f.peakRssMb < 250 }),
        },
      ];
    case 'webhooks':
      return [
        {
          section: `6. webhook → target write, ${f.rate} events/s`,
          goal: 'p99 < 100 ms',
          measured: `PUT p50 ${fmt(f.p50Ms)} / p90 ${fmt(f.p90Ms)} / p99 ${fmt(f.p99Ms)} / max ${fmt(f.maxMs)} ms (stages p99: intake ${fmt(f.stages?.intake.p99)}, drain ${fmt(f.stages?.drain.p99)}, first Magento call→PUT ${fmt(f.stages?.write.p99)} ms); ${f.writes}/${f.events} written at ${fmt(f.achievedRate)}/s after a ${f.warmUp?.seconds} s warm-up (its own p50 ${fmt(f.warmUp?.p50)} / p99 ${fmt(f.warmUp?.p99)} ms); load ${f.machine?.loadAtStart}→${f.machine?.loadAverage1m}; ms: ${Object.entries(
            f.histogram ?? {},
          )
            .map(([band, n]) => `${band}: ${n}`)
            .join(', ')}`,
          met: f.p99Ms < 100 && f.writes === f.events,
        },
      ];
    case 'dataverse-invoices': {
      const goal = 0.05;
      return [
        {
          section: `7. ${fmt(f.invoices)} invoices × ${f.linesPerInvoice} lines into Dataverse (${fmt(f.rows)} rows)`,
          goal: `≤ ${goal} requests per written row`,
          measured: `${fmt(f.initial.requestsPerRow, 4)} requests/row (${fmt(f.initial.requests)} requests for ${fmt(f.rows)} rows, ${fmt(f.initial.requestsPerRow / goal, 2)}× the goal), ${f.initial.counts.created}/${f.invoices} created, ${f.initial.counts.failed} failed, ${f.onTarget.invoiceLines} lines on target, ${fmt(f.initial.seconds, 1)} s`,
          met:
            f.initial.requestsPerRow <= goal &&
            f.initial.counts.created === f.invoices &&
            f.onTarget.invoices === f.invoices &&
            f.onTarget.invoiceLines === f.invoices * f.linesPerInvoice,
        },
        {
          section: '7. Dataverse invoices: unchanged re-run',
          goal: '0 write calls',
          measured: `${f.rerun.writes} writes, ${f.rerun.requests} requests in all; ${f.rerun.counts.unchanged}/${f.invoices} unchanged (${fmt(f.rerun.seconds, 1)} s)`,
          met: f.rerun.writes === 0 && f.rerun.counts.unchanged === f.invoices,
        },
      ];
    }
    case 'quickbooks-throughput':
      return [
        {
          section: `8. QuickBooks Online, ${f.allowancePerMinute}/min (${f.batchAllowancePerMinute} batches/min), ${fmt(f.windowSeconds)} s window`,
          goal: '≥ 95 % of the allowance, 0 throttling failures',
          measured: `${fmt(f.use * 100, 1)} % (${fmt(f.requestsPerMinute, 1)}/min over ${fmt(f.spanSeconds, 1)} s; busiest minute ${f.busiestMinute}/${f.allowancePerMinute}, batches ${f.busiestMinuteBatches}/${f.batchAllowancePerMinute}), ${f.tooManyRequests} × 429, ${f.failed}/${f.records} records failed`,
          met: f.use >= 0.95 && f.failed === 0,
        },
      ];
    case 'sage50-audit':
      return [
        {
          section: `9. Sage 50, ${fmt(f.transactions)} audit-trail transactions over ${fmt(f.accounts)} accounts, none new`,
          goal: '< 1 s and 0 target calls',
          measured: `${fmt(f.noop.seconds, 3)} s, ${f.noop.targetCalls} Dynamics calls, ${f.noop.counts.read} records read (${f.noop.source.rows} rows from ${f.noop.source.statements} ODBC statements, ${f.noop.source.trailRows} of them trail rows)`,
          met: f.noop.seconds < 1 && f.noop.targetCalls === 0,
        },
        {
          section: `9. Sage 50: ${fmt(f.newTransactions)} new transactions on ${f.newAccounts} accounts`,
          goal: 'cost grows with the new ones, not the trail',
          measured: `${fmt(f.added.seconds, 2)} s, ${f.added.targetCalls} Dynamics calls, ${f.added.counts.read} read, ${f.added.counts.updated} updated, ${fmt(f.added.source.trailRows)} trail rows; the same batch over the whole trail: ${fmt(f.full.seconds, 2)} s, ${f.full.targetCalls} calls, ${fmt(f.full.counts.read)} read, ${fmt(f.full.source.trailRows)} trail rows (time ×${fmt(f.ratios.secondsAddedToFull, 3)}, source rows ×${fmt(f.ratios.sourceRowsAddedToFull, 4)})`,
          met:
            f.added.source.trailRows === f.newTransactions &&
            f.added.counts.read === f.newAccounts &&
            f.ratios.secondsAddedToFull < 1,
        },
      ];
    case 'pos-sales':
      return [
        {
          section: `10. ${fmt(f.sales)} sales of a busy day into Accurate Online (${f.allowancePerSecond}/s)`,
          goal: '≤ 0.02 requests per sale, ≥ 95 % of the allowance, 0 throttling failures',
          measured: `${fmt(f.requestsPerSale, 4)} requests/sale (${f.calls} calls: ${(f.byPath as Array<[string, number]>).map(([p, n]) => `${p} ${n}`).join(', ')}), ${fmt(f.use * 100, 1)} % of the allowance (${fmt(f.requestsPerSecond, 2)}/s over ${fmt(f.spanSeconds, 1)} s), ${f.tooManyRequests} × 429, ${f.counts.created}/${f.sales} created, ${f.counts.failed} failed`,
          met:
            f.requestsPerSale <= 0.02 &&
            f.use >= 0.95 &&
            f.counts.failed === 0 &&
            f.counts.created === f.sales,
        },
      ];
    case 'changed-records': {
      const x = (r: number) => `${fmt(r, 2)}×`;
      return [
        {
          section: `11. ${fmt(f.customers)} customers to Magento (${f.latencyMs} ms a call): initial copy`,
          goal: '≤ 1.2× a plain fetch script',
          measured: `${fmt(f.initial.seconds, 1)} s, ${fmt(f.initial.calls)} calls; plain ${fmt(f.plainInitial.seconds, 1)} s, ${fmt(f.plainInitial.calls)} calls (${x(f.ratios.initialToPlain)})`,
          met: f.ratios.initialToPlain <= 1.2 && f.initial.result.created === f.customers,
        },
        {
          section: `11. ${f.changed} of them changed, incremental run`,
          goal: `≤ 1 call per changed record, ≥ 5× faster than n8n (${f.n8n.seconds} s, ${f.n8n.calls} calls)`,
          measured: `${fmt(f.incremental.seconds, 2)} s, ${f.incremental.calls} calls (${fmt(f.incremental.callsPerChanged, 2)} per record), ${x(f.ratios.n8nToIncremental)} faster than n8n; plain ${fmt(f.plainIncremental.seconds, 2)} s, ${f.plainIncremental.calls} calls (${x(f.ratios.incrementalToPlain)})`,
          met:
            f.incremental.callsPerChanged <= 1 &&
            f.ratios.n8nToIncremental >= 5 &&
            f.incremental.result.updated === f.changed,
        },
        {
          section: `11. ${f.changed} changed, one per page, in a full pass over all ${fmt(f.customers)}`,
          goal: 'a figure: every page read again',
          measured: `${fmt(f.full.seconds, 2)} s, ${f.full.calls} calls (${fmt(f.full.callsPerChanged, 2)} per record); plain ${fmt(f.plainFull.seconds, 2)} s, ${f.plainFull.calls} calls (${x(f.ratios.fullToPlain)})`,
        },
      ];
    }
    default:
      return [];
  }
}

const startedAt = new Date().toISOString();
const loadAtStart = loadavg();
const results: Record<string, { command: string; seconds: number; figures?: Figures; error?: string }> = {};
const goals: Goal[] = [];
for (const s of SECTIONS) {
  const command = `node dist/bench/${s.file}.js ${s.args.join(' ')}`;
  process.stderr.write(`bench: ${s.name}: ${command} …\n`);
  const r = await runSection(s);
  results[s.name] = { command, ...r };
  if (r.figures) goals.push(...goalsOf(s.name, { ...r.figures, label: s.label }));
  else {
    goals.push({
      section: s.name,
      goal: '(section failed)',
      measured: r.error?.split('\n')[0] ?? '',
      met: false,
    });
    process.stderr.write(`bench: ${s.name} failed after ${fmt(r.seconds)} s: ${r.error}\n`);
  }
  process.stderr.write(`bench: ${s.name} took ${fmt(r.seconds, 1)} s\n`);
}

const rows = goals.map((g) => [
  g.section,
  g.goal,
  g.measured,
  g.met === undefined ? '—' : g.met ? 'met' : 'NOT met',
]);
const header = ['section', 'goal', 'measured', 'status'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
console.log(
  `\nLedgerlink benchmarks, ${startedAt}, Node ${process.version}, ${cpus().length} CPUs, load average at start ${loadAtStart
    .map((l) => l.toFixed(1))
    .join(' ')}${QUICK ? ', BENCH_QUICK' : ''}\n`,
);
console.log(line(header));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const r of rows) console.log(line(r));
console.log('\nPeak RSS and CPU of each section process (sandboxes and workers are their own processes):');
for (const [name, r] of Object.entries(results))
  if (r.figures?.process)
    console.log(
      `  ${name.padEnd(20)} ${String(r.figures.process.peakRssMb).padStart(5)} MB  ${fmt(r.figures.process.cpuSeconds, 1).padStart(6)} CPU-s  ${fmt(r.seconds, 1).padStart(6)} s`,
    );

const dir = join(HERE, '..', '..', 'bench-results');
mkdirSync(dir, { recursive: true });
writeFileSync(
  join(dir, 'latest.json'),
  `${JSON.stringify(
    {
      startedAt,
      finishedAt: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: loadavg(),
      quick: QUICK,
      goals,
      sections: results,
    },
    null,
    2,
  )}\n`,
);
console.log(`\nfigures: ${join(dir, 'latest.json')}`);
process.exitCode = Object.values(results).some((r) => r.error) ? 1 : 0;
