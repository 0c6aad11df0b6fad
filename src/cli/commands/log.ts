import type { Command } from 'commander';
import { parseFilterDate } from '../../engine/ids-file.js';
import { type Context, openContext } from '../../runtime/context.js';
import type { LogStatus, SyncRecord } from '../../store/index.js';
import { output, reportError, table, UsageError } from '../output.js';

const STATUSES: readonly LogStatus[] = ['success', 'failed', 'skipped', 'waiting', 'aborted', 'manual'];

export function registerLog(program: Command): void {
  program
    .command('log')
    .description('The connector log: every attempt with its status and reason')
    .option('--status <statuses>', `comma-separated: ${STATUSES.join(', ')}`)
    .option('--flow <flow>', 'only this flow')
    .option('--record <id>', 'the whole story of one record, by any id or number either system knows it by')
    .option('--run <id>', 'only this run')
    .option('--since <date>', 'entries at or after this date')
    .option('--text <text>', 'reason or id contains')
    .option('--limit <n>', 'how many entries', '50')
    .option('--json', 'machine-readable output')
    .option('-c, --config <file>', 'configuration file')
    .action(
      async (o: {
        status?: string;
        flow?: string;
        record?: string;
        run?: string;
        since?: string;
        text?: string;
        limit: string;
        json?: boolean;
        config?: string;
      }) => {
        const out = output(o.json === true);
        let ctx: Context | undefined;
        try {
          const status = o.status?.split(',').map((s) => s.trim()) as LogStatus[] | undefined;
          const bad = status?.filter((s) => !STATUSES.includes(s));
          if (bad?.length)
            throw new UsageError(
              `unknown status ${bad.map((b) => `"${b}"`).join(', ')}; use ${STATUSES.join(', ')}`,
            );
          const limit = Number(o.limit);
          if (!Number.isInteger(limit) || limit < 1)
            throw new UsageError('--limit must be a positive whole number');
          ctx = await openContext(o.config ? { configPath: o.config } : {});
          if (o.flow) ctx.engine.flow(o.flow);
          const { rows, total, about } = await ctx.store.log.list({
            ...(status ? { status } : {}),
            ...(o.flow ? { flow: o.flow } : {}),
            ...(o.record ? { record: o.record } : {}),
            ...(o.run ? { runId: Number(o.run) } : {}),
            ...(o.since ? { since: parseFilterDate(o.since, '--since') } : {}),
            ...(o.text ? { text: o.text } : {}),
            limit,
          });
          const records = o.record ? await linksOf(ctx, o.record, o.flow) : [];
          out.result({
            total,
            ...(about ? { about } : {}),
            entries: rows.map((r) => ({
              ...r,
              request: r.request ? JSON.parse(r.request) : null,
              response: r.response ? JSON.parse(r.response) : null,
            })),
            records,
          });
          for (const r of records) {
            out.line(
              `${r.flow} ${r.source_id} → ${r.target_id ?? '(not on target)'}: ${r.state}${r.error_message ? ` — ${r.error_message}` : r.reason ? ` — ${r.reason}` : ''}${r.next_attempt_at ? ` (next attempt ${r.next_attempt_at})` : ''}`,
            );
          }
          if (records.length) out.line('');
          if (about?.others.length)
            out.line(
              `The story of the ${about.entity} ${o.record}; ${o.record} also names a ${about.others.join(' and a ')}: ask for ${about.others.map((e) => `${e}:${o.record}`).join(' or ')}\n`,
            );
          out.line(
            table(
              ['id', 'time', 'flow', 'record', 'target', 'action', 'status', 'reason'],
              rows.map((r) => [
                r.id,
                r.created_at.replace('T', ' ').slice(0, 19),
                r.flow,
                withNumber(r.source_id, r.source_number),
                withNumber(r.target_id, r.target_number),
                r.action,
                r.status,
                r.reason,
              ]),
              70,
            ),
          );
          out.line(`\n${rows.length} of ${total} entries`);
        } catch (e) {
          process.exitCode = reportError(e, out.json);
        } finally {
          await ctx?.close();
        }
      },
    );
}

/** "42 (#000000042)" when a record has a number besides its id. */
const withNumber = (id: string | null, number: string | null): string | null =>
  id && number && number !== id ? `${id} (#${number})` : id;

/** The link rows of a record, under any id either system knows it by, on the system that knows it. */
async function linksOf(ctx: Context, id: string, flow?: string): Promise<SyncRecord[]> {
  const { keys } = await ctx.store.log.aliases(id);
  const on = (entity: string, connection: string) =>
    [...keys]
      .filter((k) => k.startsWith(`${entity}:${connection}:`) && !k.startsWith(`${entity}:${connection}:#`))
      .map((k) => k.slice(entity.length + connection.length + 2));
  const out = new Map<number, SyncRecord>();
  for (const name of flow ? [flow] : ctx.engine.flowNames()) {
    const f = ctx.engine.flow(name);
    for (const r of (await ctx.store.records.getMany(name, on(f.entity, f.source))).values())
      out.set(r.id, r);
    for (const r of await ctx.store.records.byTargetIds(name, on(f.entity, f.target))) out.set(r.id, r);
  }
  return [...out.values()];
}
