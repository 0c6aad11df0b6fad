import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { isIdsFileError } from '../../engine/ids-file.js';
import { type ReconcileReport, reconcilePeriod } from '../../engine/reconcile.js';
import { shown } from '../../engine/reconcile-compare.js';
import { reconcileCsv, reconcileXlsx } from '../../engine/reconcile-export.js';
import { type Context, openContext } from '../../runtime/context.js';
import { EXIT, type Output, output, reportError, table, UsageError } from '../output.js';

interface Options {
  from?: string;
  to?: string;
  json?: boolean;
  out?: string;
  config?: string;
}

function printReport(out: Output, r: ReconcileReport): void {
  const c = r.counts;
  out.line(
    `${r.flow}: ${r.sourceTitle} → ${r.targetTitle}, ${r.since} to ${r.until} — reconcile reads both systems and writes nothing`,
  );
  out.line(
    `${c.source} in ${r.sourceTitle} (${c.notSent} not sent by the flow), ${c.target} on ${r.targetTitle}, ${c.matched} matching`,
  );
  for (const n of r.notes) out.line(`note: ${n}`);
  out.line(
    c.drift === 0
      ? `0 drift${c.accepted ? ` (${c.accepted} accepted)` : ''}`
      : `${c.drift} ${c.drift === 1 ? 'finding' : 'findings'} of drift${c.accepted ? `, ${c.accepted} accepted` : ''}:`,
  );
  for (const f of r.findings) {
    out.line(`  ${f.accepted ? `[accepted by ${f.accepted.by}] ` : ''}${f.kind}: ${f.message}`);
    for (const d of f.diffs) out.line(`      ${d.path}: ${shown(d.source)} → ${shown(d.target)}`);
    if (!f.accepted && f.actions.length) out.line(`      actions: ${f.actions.join(', ')}`);
  }
  if (r.totals.length) {
    out.line();
    out.line(
      table(
        [
          'day',
          'currency',
          `${r.sourceTitle} #`,
          `${r.sourceTitle} amount`,
          `${r.targetTitle} #`,
          `${r.targetTitle} amount`,
          '',
        ],
        r.totals.map((t) => [
          t.day,
          t.currency,
          t.source.count,
          t.source.amount,
          t.target.count,
          t.target.amount,
          t.differs ? 'differs' : '',
        ]),
      ),
    );
  }
}

export function registerReconcile(program: Command): void {
  program
    .command('reconcile <flow>')
    .description(
      'Compare both systems of a flow over a period, record by record through the link table: records on one side only, linked records that differ (field by field, money as decimals), totals per day and currency on each side. Reads only. Exit code 0: no drift; 1: drift found (or an error, printed as one)',
    )
    .option(
      '--from <date>',
      'start of the period (YYYY-MM-DD or ISO date-time with zone; default 7 days ago)',
    )
    .option('--to <date>', 'end of the period (a bare date includes the whole day; default now)')
    .option('--json', 'machine-readable output: the whole report')
    .option('--out <file>', 'also write the findings and totals to a .csv or .xlsx file')
    .option('-c, --config <file>', 'configuration file')
    .action(async (flowName: string, o: Options) => {
      const out = output(o.json === true);
      let ctx: Context | undefined;
      try {
        if (o.out && !/\.(csv|xlsx)$/i.test(o.out))
          throw new UsageError('--out: the file must end in .csv or .xlsx');
        let period: { since: string; until: string };
        try {
          period = reconcilePeriod(o.from, o.to);
        } catch (e) {
          if (isIdsFileError(e)) throw new UsageError(e.message);
          throw e;
        }
        ctx = await openContext(o.config ? { configPath: o.config } : {});
        const report = await ctx.engine.reconcile(flowName, period);
        if (o.out)
          writeFileSync(o.out, /\.xlsx$/i.test(o.out) ? await reconcileXlsx(report) : reconcileCsv(report));
        out.result(report);
        printReport(out, report);
        if (o.out) out.line(`written to ${o.out}`);
        process.exitCode = report.counts.drift > 0 ? EXIT.error : EXIT.ok;
      } catch (e) {
        process.exitCode = reportError(e, out.json);
      } finally {
        await ctx?.close();
      }
    });
}
