import type { Command } from 'commander';
import type { ReadQuery } from '../../connectors/sdk/contract.js';
import type { RunResult } from '../../engine/engine.js';
import { parseFilterDate, readIdsFile } from '../../engine/ids-file.js';
import type { FieldChange, PreviewRow } from '../../engine/outcome.js';
import type { ScanResult } from '../../engine/scan.js';
import { textFilterValue } from '../../engine/text-filter.js';
import type { Context } from '../../runtime/context.js';
import { openContext } from '../../runtime/context.js';
import { EXIT, type Output, output, reportError, table, UsageError } from '../output.js';
import { ProgressBar } from '../progress.js';
import { batchAll } from './batch-all.js';

interface BatchOptions {
  load?: boolean;
  dryRun?: boolean;
  scan?: boolean;
  processAll?: boolean;
  process?: string;
  since?: string;
  until?: string;
  ids?: string;
  idsFile?: string;
  filter?: string[];
  incremental?: boolean;
  between?: string;
  wait: boolean;
  maxWait: string;
  json?: boolean;
  config?: string;
}

const splitIds = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** Builds the read query from the filters, validating each against the source's declared batch filters. */
async function buildQuery(ctx: Context, flowName: string, o: BatchOptions): Promise<ReadQuery> {
  const flow = ctx.engine.flow(flowName);
  const source = ctx.config.connections.get(flow.source)!.definition.manifest;
  const filters = source.entities[flow.entity]?.read?.filters ?? [];
  const query: ReadQuery = {};
  if (o.since) query.since = parseFilterDate(o.since, '--since');
  if (o.until) query.until = parseFilterDate(o.until, '--until', true);
  if (query.since && query.until && query.since > query.until)
    throw new UsageError('--since is after --until');
  const ids = new Set<string>();
  for (const id of o.ids ? splitIds(o.ids) : []) ids.add(id);
  if (o.idsFile) {
    // The records' own ids (an invoice screen also has a list of customers, with its own header).
    const own =
      filters.find((f) => f.kind === 'ids' && f.name === 'ids') ?? filters.find((f) => f.kind === 'ids');
    const header = own?.idFileHeader ?? 'ID';
    for (const id of await readIdsFile(o.idsFile, header)) ids.add(id);
  }
  if (o.process) for (const id of splitIds(o.process)) ids.add(id);
  if (ids.size) query.ids = [...ids];
  for (const f of o.filter ?? []) {
    const m = /^([A-Za-z][\w]*)=(.+)$/.exec(f);
    if (!m) throw new UsageError(`--filter "${f}" must look like name=value1,value2`);
    // A pick list, a text to match the start of a field, or an ID list other than the records' own
    // (an invoice's customers).
    const byValues = (d: (typeof filters)[number]) =>
      d.kind === 'values' || d.kind === 'text' || (d.kind === 'ids' && d.name !== 'ids');
    const decl = filters.find((d) => d.name === m[1] && byValues(d));
    if (!decl) {
      const known = filters.filter(byValues).map((d) => d.name);
      throw new UsageError(
        `${source.title} has no "${m[1]}" filter for ${flow.entity} records${known.length ? `; it has: ${known.join(', ')}` : ''}`,
      );
    }
    if (decl.kind === 'text') {
      // The text is taken whole: a comma may be part of what a name starts with.
      let text: string | undefined;
      try {
        text = textFilterValue(decl, [m[2]!], `--filter ${m[1]}`);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      if (text !== undefined) query.filters = { ...query.filters, [m[1]!]: [text] };
      continue;
    }
    query.filters = { ...query.filters, [m[1]!]: splitIds(m[2]!) };
  }
  return query;
}

function printResult(out: Output, r: RunResult, ms: number): void {
  const c = r.counts;
  out.line(`${r.flow}: run ${r.runId} ${r.status.replaceAll('_', ' ')} in ${(ms / 1000).toFixed(1)} s`);
  out.line(
    `  read ${c.read} · created ${c.created} · updated ${c.updated} · unchanged ${c.unchanged} · skipped ${c.skipped} · waiting ${c.waiting} · failed ${c.failed}`,
  );
  if (r.message) out.line(`  ${r.message}`);
  const failed = r.outcomes.filter((o) => o.status === 'failed' || o.status === 'aborted');
  if (failed.length) {
    out.line('');
    out.line(
      table(
        ['record', 'status', 'reason'],
        failed.slice(0, 20).map((o) => [o.label, o.status, o.reason]),
        100,
      ),
    );
    if (failed.length > 20)
      out.line(`… and ${failed.length - 20} more: ledgerlink log --status failed --flow ${r.flow}`);
  }
}

function printScan(out: Output, scan: ScanResult): void {
  out.result(scan);
  const money = (m?: { amount: string; currency: string }) => (m ? `${m.amount} ${m.currency}` : '');
  out.line(`${scan.flow}: ${scan.records.length} records`);
  out.line(
    table(
      ['record', 'would', 'reason'],
      scan.records.map((r) => [r.label, r.plan, r.reason]),
      90,
    ),
  );
  for (const need of scan.needs) {
    out.line(
      `\n${need.entity} records they need (${need.flow ?? 'no flow brings them'}): ${need.ids.length}`,
    );
    if (need.rows.length)
      out.line(
        table(
          ['record', 'would', 'reason'],
          need.rows.map((r) => [r.label, r.plan, r.reason]),
          90,
        ),
      );
  }
  out.line(`\nlines: ${scan.lines.length}`);
  if (scan.lines.length)
    out.line(
      table(
        ['record', 'customer', 'product', 'description', 'unit price', 'unit', 'quantity'],
        scan.lines.map((l) => [
          l.record,
          l.customer,
          l.writeIn ? '(write-in)' : l.sku,
          l.description,
          money(l.unitPrice),
          l.unit,
          l.quantity,
        ]),
        120,
      ),
    );
}

/** A value as a person reads it: money as "amount currency", nothing as "(empty)". */
function shown(v: unknown): string {
  if (v === null || v === undefined || v === '') return '(empty)';
  if (typeof v === 'object' && !Array.isArray(v) && 'amount' in v && 'currency' in v) {
    const m = v as { amount: unknown; currency: unknown };
    return `${String(m.amount)} ${String(m.currency)}`;
  }
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

const changeLine = (c: FieldChange): string =>
  c.oldKnown
    ? `${c.field}: ${shown(c.old)} → ${shown(c.new)}${c.from === 'last written' ? ' (old: as last written)' : ''}`
    : `${c.field}: (old value not known) → ${shown(c.new)}${c.note ? ` — ${c.note}` : ''}`;

/** A dry run: each record, what processing would do to it and why, and for an update each field old → new. */
function printDryRun(out: Output, flow: string, rows: readonly PreviewRow[]): void {
  const plan: Record<string, number> = {};
  for (const r of rows) plan[r.plan] = (plan[r.plan] ?? 0) + 1;
  out.result({
    flow,
    dryRun: true,
    count: rows.length,
    plan,
    rows: rows.map((r) => ({
      sourceId: r.sourceId,
      label: r.label,
      plan: r.plan,
      targetId: r.targetId,
      currentState: r.currentState,
      ...(r.reason && r.plan !== 'update' ? { reason: r.reason } : {}),
      ...(r.waitingOn ? { waitingOn: r.waitingOn } : {}),
      ...(r.changes ? { changes: r.changes } : {}),
    })),
  });
  out.line(`${flow}: dry run — nothing is written`);
  for (const r of rows) {
    const who = r.label === r.sourceId ? r.sourceId : `${r.label} (${r.sourceId})`;
    const target = r.targetId ? ` → ${r.targetId}` : '';
    if (r.plan === 'update') {
      out.line(`  ${who}: update${target}`);
      for (const c of r.changes ?? []) out.line(`      ${changeLine(c)}`);
    } else if (r.plan === 'wait')
      out.line(`  ${who}: wait${r.waitingOn ? ` on ${r.waitingOn}` : ''}${r.reason ? ` — ${r.reason}` : ''}`);
    else out.line(`  ${who}: ${r.plan}${target}${r.reason ? ` — ${r.reason}` : ''}`);
  }
  out.line(
    `\n${rows.length} records would be: ${
      Object.entries(plan)
        .map(([k, v]) => `${k} ${v}`)
        .join(' · ') || 'nothing selected'
    }`,
  );
}

const sum = (results: RunResult[], key: 'created' | 'updated'): number =>
  results.reduce((n, r) => n + r.counts[key], 0);

export function registerBatch(program: Command): void {
  program
    .command('batch [flow]')
    .description(
      'Load (preview) or process the records a filter selects: the batch screens of the seeds, for schedulers and scripts. Without a flow: run every enabled flow once (or those --between two connections), what changed since each last ran, in dependency order; the exit code says whether anything failed',
    )
    .option('--load', 'preview what processing would do to each record; writes nothing')
    .option(
      '--dry-run',
      'what processing would do to each record (create, update, unchanged, skip and why, wait and on what, fail and why) and, for updates, each field old → new; writes nothing anywhere',
    )
    .option(
      '--scan',
      'like --load, and also every customer and product the records need (and what would happen to each) and every line; writes nothing',
    )
    .option('--process-all', 'process every selected record')
    .option('--process <ids>', 'process only these source ids (comma-separated), e.g. from a Load')
    .option('--since <date>', 'records modified at or after (YYYY-MM-DD or ISO date-time with zone)')
    .option('--until <date>', 'records modified at or before (a bare date includes the whole day)')
    .option('--ids <ids>', 'specific source ids, comma-separated')
    .option(
      '--ids-file <file>',
      'Excel (.xlsx) or CSV file of ids: first column, first row the header the source names (e.g. Customer)',
    )
    .option(
      '--filter <name=values...>',
      'a filter of the source, e.g. customerClass=RETAIL,WHOLESALE, an ID list such as customer=C000001 on invoices, or the start of a reference such as search=AB',
    )
    .option('--incremental', "read only what changed since the flow's cursor, and move it")
    .option('--between <a,b>', 'without a flow: only the flows between these two connections, either way')
    .option('--no-wait', 'do not wait for automatic retries of transient failures before exiting')
    .option('--max-wait <seconds>', 'longest wait for automatic retries', '120')
    .option('--json', 'machine-readable output')
    .option('-c, --config <file>', 'configuration file')
    .action(async (flowName: string | undefined, o: BatchOptions) => {
      const out = output(o.json === true);
      let ctx: Context | undefined;
      try {
        if (flowName === undefined) {
          if (
            o.load ||
            o.dryRun ||
            o.processAll ||
            o.process !== undefined ||
            o.ids ||
            o.idsFile ||
            o.filter ||
            o.since ||
            o.until
          )
            throw new UsageError(
              'name a flow to filter, load or process; without one, batch runs every enabled flow',
            );
          ctx = await openContext(o.config ? { configPath: o.config } : {});
          const controller = new AbortController();
          const onSignal = () => controller.abort();
          process.once('SIGINT', onSignal);
          process.exitCode = await batchAll(ctx, o, out, controller.signal, (r, ms) =>
            printResult(out, r, ms),
          );
          process.off('SIGINT', onSignal);
          return;
        }
        if (o.between !== undefined)
          throw new UsageError('--between runs every flow between two connections: leave out the flow');
        // A dry run previews a processing: alone (every selected record), with --process-all, or with
        // --process <ids>; never with a Load or a Scan, which are previews already.
        const modes = [o.load, o.scan, o.processAll, o.process !== undefined].filter(Boolean).length;
        if (o.dryRun ? o.load || o.scan || modes > 1 : modes !== 1)
          throw new UsageError(
            o.dryRun
              ? '--dry-run goes alone or with --process-all or --process <ids>, not with --load or --scan'
              : 'choose one of --load, --scan, --dry-run, --process-all or --process <ids>',
          );
        if (o.dryRun && o.incremental)
          throw new UsageError('--dry-run previews what the filters select; leave out --incremental');
        ctx = await openContext(o.config ? { configPath: o.config } : {});
        const query = await buildQuery(ctx, flowName, o);
        if (o.scan) {
          printScan(out, await ctx.engine.scan(flowName, query));
          process.exitCode = EXIT.ok;
          return;
        }
        if (o.dryRun) {
          printDryRun(out, flowName, await ctx.engine.dryRun(flowName, query));
          process.exitCode = EXIT.ok;
          return;
        }
        if (o.load) {
          const rows = await ctx.engine.preview(flowName, query);
          const plan: Record<string, number> = {};
          for (const r of rows) plan[r.plan] = (plan[r.plan] ?? 0) + 1;
          out.result({ flow: flowName, count: rows.length, plan, rows });
          out.line(
            table(
              ['record', 'sync state', 'target id', 'would', 'reason'],
              rows.map((r) => [r.label, r.currentState ?? 'new', r.targetId, r.plan, r.reason]),
              80,
            ),
          );
          out.line(
            `\n${rows.length} records: ${
              Object.entries(plan)
                .map(([k, v]) => `${k} ${v}`)
                .join(' · ') || 'nothing selected'
            }`,
          );
          process.exitCode = EXIT.ok;
          return;
        }
        const onTerminal = !out.json && process.stderr.isTTY === true;
        const bar = new ProgressBar(flowName, onTerminal);
        const controller = new AbortController();
        const onSignal = () => controller.abort();
        process.once('SIGINT', onSignal);
        const started = Date.now();
        const result = await ctx.engine.run(flowName, {
          trigger: 'batch',
          query,
          incremental: o.incremental === true,
          countFirst: onTerminal,
          onProgress: (p) => bar.update(p),
          signal: controller.signal,
        });
        bar.done();
        let retries: RunResult[] = [];
        if (o.wait && result.status !== 'failed') {
          retries = await ctx.engine.settle(
            flowName,
            Date.now() + Number(o.maxWait) * 1000,
            controller.signal,
          );
        }
        process.off('SIGINT', onSignal);
        const states = await ctx.store.records.countByState(flowName);
        const stillFailing = (states.failed ?? 0) + (states.aborted ?? 0);
        out.result({ ...result, retries: retries.map(({ outcomes: _o, ...r }) => r), states });
        printResult(out, result, Date.now() - started);
        if (retries.length)
          out.line(
            `  automatic retries: created ${sum(retries, 'created')} · updated ${sum(retries, 'updated')}; records still failing: ${stillFailing}`,
          );
        if (result.status === 'failed') process.exitCode = EXIT.error;
        else process.exitCode = result.counts.failed > 0 && stillFailing > 0 ? EXIT.recordFailures : EXIT.ok;
      } catch (e) {
        process.exitCode = reportError(e, out.json);
      } finally {
        await ctx?.close();
      }
    });
}
