import type { Command } from 'commander';
import type { RunResult } from '../../engine/engine.js';
import { type Context, openContext } from '../../runtime/context.js';
import { ReplayRequestError, replayWindow, requeueWindow, webhookConnections } from '../../runtime/replay.js';
import { processInbox } from '../../runtime/webhooks.js';
import { EXIT, output, reportError, table, UsageError } from '../output.js';

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description(
      'Re-process every verified webhook delivery a connection received in [--from, --to): records are re-read from the source by id, so unchanged ones write nothing and ones the target lost are written again',
    )
    .requiredOption('--connection <connection>', 'the connection that received the deliveries')
    .requiredOption(
      '--from <iso>',
      'start of the period, inclusive (e.g. 2026-12-01 or 2026-12-01T08:00:00Z)',
    )
    .requiredOption('--to <iso>', 'end of the period, exclusive')
    .option('--json', 'machine-readable output')
    .option('-c, --config <file>', 'configuration file')
    .action(async (o: { connection: string; from: string; to: string; json?: boolean; config?: string }) => {
      const out = output(o.json === true);
      let ctx: Context | undefined;
      try {
        ctx = await openContext(o.config ? { configPath: o.config } : {});
        let window: ReturnType<typeof replayWindow>;
        try {
          window = replayWindow(o, webhookConnections(ctx));
        } catch (e) {
          if (e instanceof ReplayRequestError) throw new UsageError(`--${e.field}: ${e.reason}`);
          throw e;
        }
        const { deliveries, relinked } = await requeueWindow(ctx.engine, undefined, window);
        const runs: RunResult[] = [];
        if (deliveries > 0)
          await processInbox(ctx.engine, window.connection, ctx.logger, (r) => runs.push(r));
        out.result({ ...window, deliveries, relinked, runs: runs.map(({ outcomes: _o, ...r }) => r) });
        out.line(
          `replayed ${deliveries} ${deliveries === 1 ? 'delivery' : 'deliveries'} of ${window.connection} received from ${window.from} to ${window.to}${relinked ? `; ${relinked} ${relinked === 1 ? 'record' : 'records'} the target had lost written again` : ''}`,
        );
        if (runs.length)
          out.line(
            table(
              [
                'flow',
                'run',
                'status',
                'read',
                'created',
                'updated',
                'unchanged',
                'skipped',
                'waiting',
                'failed',
              ],
              runs.map((r) => [
                r.flow,
                r.runId,
                r.status,
                r.counts.read,
                r.counts.created,
                r.counts.updated,
                r.counts.unchanged,
                r.counts.skipped,
                r.counts.waiting,
                r.counts.failed,
              ]),
            ),
          );
        const failed = runs.reduce((n, r) => n + r.counts.failed, 0);
        process.exitCode = runs.some((r) => r.status === 'failed')
          ? EXIT.error
          : failed
            ? EXIT.recordFailures
            : EXIT.ok;
      } catch (e) {
        process.exitCode = reportError(e, out.json);
      } finally {
        await ctx?.close();
      }
    });
}
