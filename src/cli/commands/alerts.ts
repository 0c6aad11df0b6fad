import { type Command, Option } from 'commander';
import { Alerter, dashboardUrl } from '../../runtime/alerts/alerter.js';
import { type Context, openContext } from '../../runtime/context.js';
import { EXIT, output, reportError, table, UsageError } from '../output.js';

/** At most this many incidents a listing (the API caps its pages the same way). */
const MAX_LIST = 1000;

export function registerAlerts(program: Command): void {
  const alerts = program
    .command('alerts')
    .description('Alert incidents (`alerts`, `alerts list`) and evaluating the rules now (`alerts check`)');
  alerts
    .command('list', { isDefault: true })
    .description('Alert incidents, newest first: what is wrong now (open) and what ended (resolved)')
    .option('--state <state>', 'open or resolved (default: both)')
    .option('--limit <n>', `at most this many (1–${MAX_LIST})`, '50')
    .option('--json', 'machine-readable output')
    .option('-c, --config <file>', 'configuration file')
    .action(async (o: { state?: string; limit: string; json?: boolean; config?: string }) => {
      const out = output(o.json === true);
      let ctx: Context | undefined;
      try {
        if (o.state !== undefined && o.state !== 'open' && o.state !== 'resolved')
          throw new UsageError('--state: open or resolved');
        const limit = Number(o.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST)
          throw new UsageError(`--limit: a whole number from 1 to ${MAX_LIST}`);
        ctx = await openContext(o.config ? { configPath: o.config } : {});
        const { rows, total } = await ctx.store.alerts.incidents({
          ...(o.state ? { state: o.state as 'open' | 'resolved' } : {}),
          limit,
          offset: 0,
        });
        const base = dashboardUrl(ctx.config);
        const incidents = rows.map((r) => ({
          id: Number(r.id),
          rule: r.rule,
          subject: r.subject,
          summary: r.summary,
          state: r.resolved_at ? 'resolved' : 'open',
          since: r.since,
          openedAt: r.opened_at,
          resolvedAt: r.resolved_at,
          lastNotifiedAt: r.last_notified_at,
          link: `${base}${r.link}`,
        }));
        out.result({ total, incidents });
        if (!incidents.length) out.line(o.state === 'open' ? 'no open alerts' : 'no alerts');
        else
          out.line(
            table(
              ['id', 'state', 'rule', 'since', 'summary', 'link'],
              incidents.map((i) => [i.id, i.state, i.rule, i.since, i.summary, i.link]),
              80,
            ),
          );
        process.exitCode = EXIT.ok;
      } catch (e) {
        process.exitCode = reportError(e, out.json);
      } finally {
        await ctx?.close();
      }
    });

  alerts
    .command('check')
    .description(
      'Evaluate the alert rules now and send what is due (a serving process does it every alerts.checkEverySeconds)',
    )
    .option('--json', 'machine-readable output')
    .option('-c, --config <file>', 'configuration file')
    // As if it were this instant: how the tests move a clock forward without waiting hours.
    .addOption(new Option('--at <iso>').hideHelp())
    .action(async (o: { json?: boolean; config?: string; at?: string }) => {
      const out = output(o.json === true);
      let ctx: Context | undefined;
      try {
        const now = o.at ? new Date(o.at) : new Date();
        if (Number.isNaN(now.getTime())) throw new UsageError('--at: an ISO instant');
        ctx = await openContext(o.config ? { configPath: o.config } : {});
        const c = ctx;
        const alerter = new Alerter(
          c.store,
          () => c.config,
          c.logger,
          () => dashboardUrl(c.config),
        );
        const r = await alerter.check({ now });
        out.result(r);
        out.line(
          `${r.open} open ${r.open === 1 ? 'alert' : 'alerts'} (${r.opened} opened, ${r.resolved} resolved by this check); ${r.sent} ${r.sent === 1 ? 'message' : 'messages'} sent${r.failed ? `, ${r.failed} failed (tried again at the next check)` : ''}`,
        );
        for (const p of r.problems) out.line(`problem: ${p}`);
        process.exitCode = r.failed || r.problems.length ? EXIT.error : EXIT.ok;
      } catch (e) {
        process.exitCode = reportError(e, out.json);
      } finally {
        await ctx?.close();
      }
    });
}
