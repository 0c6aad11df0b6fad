import type { Command } from 'commander';
import { EngineError } from '../../engine/errors.js';
import { type Context, openContext } from '../../runtime/context.js';
import { EXIT, output, reportError, table, UsageError } from '../output.js';

/** Resolves what a person typed (a source id such as C0042, or a record number) to sync record ids. */
async function resolve(ctx: Context, args: readonly string[], flow?: string): Promise<number[]> {
  const ids: number[] = [];
  for (const arg of args) {
    const bySource = (
      await ctx.store.records.list({ search: arg, ...(flow ? { flow } : {}), limit: 50 })
    ).rows.filter((r) => r.source_id === arg);
    if (bySource.length === 1) ids.push(bySource[0]!.id);
    else if (bySource.length > 1) {
      throw new UsageError(
        `${arg} is a record of several flows (${bySource.map((r) => r.flow).join(', ')}); add --flow`,
      );
    } else if (/^\d+$/.test(arg) && (await ctx.store.records.byId(Number(arg)))) ids.push(Number(arg));
    else
      throw new EngineError(
        'unknown_record',
        `no record "${arg}"${flow ? ` in flow ${flow}` : ''} has been synced yet`,
      );
  }
  return ids;
}

export function registerRetry(program: Command): void {
  program
    .command('retry [records...]')
    .description(
      'Retry records now (the seeds\' "sync refresh"): by source id (e.g. C0042) or record number, or --all-failed',
    )
    .option('--all-failed', 'every failed, aborted or waiting record')
    .option('--flow <flow>', 'only this flow')
    .option('--json', 'machine-readable output')
    .option('-c, --config <file>', 'configuration file')
    .action(
      async (
        records: string[],
        o: { allFailed?: boolean; flow?: string; json?: boolean; config?: string },
      ) => {
        const out = output(o.json === true);
        let ctx: Context | undefined;
        try {
          if (!o.allFailed && records.length === 0)
            throw new UsageError('name the records to retry, or use --all-failed');
          if (o.allFailed && records.length)
            throw new UsageError('use either record ids or --all-failed, not both');
          ctx = await openContext(o.config ? { configPath: o.config } : {});
          if (o.flow) ctx.engine.flow(o.flow);
          const results = o.allFailed
            ? await ctx.engine.retry({ allFailed: true, ...(o.flow ? { flow: o.flow } : {}) })
            : await ctx.engine.retry({ ids: await resolve(ctx, records, o.flow) });
          out.result({ results });
          for (const q of results) if (q.status === 'queued') out.line(q.message);
          const outcomes = results.flatMap((r) =>
            r.status === 'queued' ? [] : r.outcomes.map((x) => ({ flow: r.flow, ...x })),
          );
          if (outcomes.length === 0 && !results.some((r) => r.status === 'queued'))
            out.line('nothing to retry');
          else if (outcomes.length)
            out.line(
              table(
                ['flow', 'record', 'status', 'target', 'reason'],
                outcomes.map((x) => [x.flow, x.label, x.status, x.targetId, x.reason]),
                90,
              ),
            );
          const failed = outcomes.filter((x) => x.status === 'failed' || x.status === 'aborted').length;
          if (results.some((r) => r.status === 'failed')) process.exitCode = EXIT.error;
          else process.exitCode = failed ? EXIT.recordFailures : EXIT.ok;
        } catch (e) {
          process.exitCode = reportError(e, out.json);
        } finally {
          await ctx?.close();
        }
      },
    );
}
