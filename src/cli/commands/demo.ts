import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { isMap, parseDocument, stringify } from 'yaml';
import { readEnv } from '../../config/env.js';
import { output, reportError, UsageError } from '../output.js';
import { untilSignal } from '../signals.js';

/** What the demo writes in its directory, so it knows the directory is its own and what it held. */
const MARKER = 'demo.json';

/** Settings of a demo connection that change from one start to the next (a port taken, a new key). */
const MOVING_SETTINGS = ['baseUrl', 'webhookPublicKey'];

const DIR_HELP =
  "where the demo keeps its state — configuration (with the dashboard's edits), store, secret key, log and the sandboxes' data — from one start to the next";

/**
 * Keeps the configuration file the dashboard edited, moving only what the new start changed: the
 * systems' addresses and keys, and the port when one is asked for. Everything else — flows, value
 * maps, connections' other settings, comments — stays as the person left it.
 */
function updateConfig(
  path: string,
  connections: Record<string, { connector: string; settings: Record<string, unknown> }>,
  port: number | undefined,
): void {
  const doc = parseDocument(readFileSync(path, 'utf8'));
  if (doc.errors.length || !isMap(doc.contents))
    throw new UsageError(
      `${path} is not valid YAML (${doc.errors[0]?.message.split('\n')[0] ?? 'not a mapping'}); mend it, or start over with --fresh`,
    );
  for (const [name, c] of Object.entries(connections)) {
    if (!isMap(doc.getIn(['connections', name], true))) {
      doc.setIn(['connections', name], doc.createNode(c));
      continue;
    }
    for (const key of MOVING_SETTINGS)
      if (c.settings[key] !== undefined) doc.setIn(['connections', name, 'settings', key], c.settings[key]);
  }
  if (port !== undefined) doc.setIn(['server', 'port'], port);
  writeFileSync(path, doc.toString({ lineWidth: 0 }));
}

/**
 * What `npm start` runs: seeded sandboxes of Acumatica and Magento, the API and the dashboard, the
 * scheduler and a worker, webhooks from both sandboxes — and people at work in both systems so every
 * flow has work to do. Its state is kept in --dir from one start to the next (--fresh starts over).
 * `--peers` runs the same against real Tryton and Vendure, from scratch each time.
 */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Run the product on its embedded default against seeded sandboxes (what npm start runs)')
    .option('--port <n>', 'HTTP port (default PORT or 3000)')
    .option('--json', 'print the addresses as JSON')
    .option('--dir <dir>', DIR_HELP, 'data/demo')
    .option('--fresh', 'start over: forget what an earlier start kept in --dir (users, edits, sandbox data)')
    .option(
      '--peers',
      'run against real Tryton 6.0 and Vendure 3 instead of the sandboxes (installed when missing; starts over each time)',
    )
    .option('--customers <n>', 'sample customers in the ERP (default 250; 20 with --peers)')
    .option('--products <n>', 'sample products in the ERP (default 250; 20 with --peers)')
    .option('--no-activity', 'do not change records in the systems while the demo runs')
    .option('--activity-every <seconds>', 'how often people act in the systems', '20')
    .option('--report-every <seconds>', 'how often the terminal says what synced and what failed', '60')
    .addHelpText(
      'after',
      `
State: the first start creates the user admin and prints a one-time password (or takes
LEDGERLINK_ADMIN_PASSWORD). A later start with the same --dir goes on where the last one stopped:
users, API tokens, sessions, the configuration file with the dashboard's edits, the store, the secret
key and both sandboxes' data (written every minute and when the demo stops). --fresh starts over.
The terminal says what synced and what failed; the JSON log lines go to <dir>/ledgerlink.log.`,
    )
    .action(
      async (o: {
        port?: string;
        dir: string;
        fresh?: boolean;
        peers?: boolean;
        customers?: string;
        products?: string;
        activity: boolean;
        activityEvery: string;
        reportEvery: string;
        json?: boolean;
      }) => {
        const out = output(o.json === true);
        // What was started before an error stops the demo, so the process can end.
        const started: Array<() => Promise<void>> = [];
        try {
          const every = Number(o.activityEvery);
          if (!(every > 0)) throw new UsageError('--activity-every must be a positive number of seconds');
          const reportEvery = Number(o.reportEvery);
          if (!(reportEvery > 0)) throw new UsageError('--report-every must be a positive number of seconds');
          const count = (v: string | undefined, name: string) => {
            const n = Number(v ?? (o.peers ? 20 : 250));
            if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number`);
            return n;
          };
          const customers = count(o.customers, 'customers');
          const products = count(o.products, 'products');
          const storyName = o.peers ? 'peers' : 'sandboxes';
          const configPath = join(o.dir, 'ledgerlink.yaml');
          const marker = join(o.dir, MARKER);
          const present = existsSync(o.dir) && readdirSync(o.dir).length > 0;
          if (present && !existsSync(marker) && !existsSync(configPath))
            throw new UsageError(
              `${o.dir} holds files the demo did not write; give it an empty or new --dir`,
            );
          const previous = existsSync(marker)
            ? (JSON.parse(readFileSync(marker, 'utf8')) as { story?: string })
            : undefined;
          const keep =
            !o.fresh &&
            storyName === 'sandboxes' &&
            previous?.story === 'sandboxes' &&
            existsSync(configPath);
          if (!keep) {
            if (present && !o.fresh)
              out.line(
                o.peers
                  ? `Starting over in ${o.dir}: the peers' demo always does.`
                  : `Starting over in ${o.dir}: it holds ${previous?.story === 'peers' ? "the peers' demo" : 'an earlier version of the demo'}.`,
              );
            rmSync(o.dir, { recursive: true, force: true });
          }
          mkdirSync(o.dir, { recursive: true });
          writeFileSync(marker, `${JSON.stringify({ story: storyName })}\n`);

          // Loaded here: sandboxes, peers and the server stack are heavy, and other commands never need them.
          const { default: pino } = await import('pino');
          const { connectorRegistry } = await import('../../connectors/registry.js');
          const { loadConfig } = await import('../../config/load.js');
          const { openContext, createLogger } = await import('../../runtime/context.js');
          const { startService } = await import('../../runtime/service.js');
          const { startReport } = await import('../demo/report.js');
          const env = readEnv();
          if (o.peers)
            out.line('Starting Tryton and Vendure (the first time installs them: a minute or two)…');
          const story = o.peers
            ? await (await import('../demo/peers.js')).peerStory({ customers, products, dir: o.dir })
            : await (await import('../demo/sandboxes.js')).sandboxStory({
                customers,
                products,
                stateDir: join(o.dir, 'sandboxes'),
              });
          started.push(() => story.close());
          if (keep) updateConfig(configPath, story.connections, o.port ? Number(o.port) : undefined);
          else
            writeFileSync(
              configPath,
              `# Written by "ledgerlink demo" and kept from one start to the next (with the dashboard's edits);\n# each start moves only the systems' addresses. "ledgerlink demo --fresh" starts over.\n${stringify(
                {
                  database: `sqlite:${join(o.dir, 'ledgerlink.db')}`,
                  server: {
                    host: env.HOST ?? '127.0.0.1',
                    port: o.port ? Number(o.port) : (env.PORT ?? 3000),
                  },
                  connections: story.connections,
                  flows: story.flows,
                  ...(story.valueMaps ? { valueMaps: story.valueMaps } : {}),
                },
              )}`,
            );
          // A newcomer reads the terminal and the dashboard: the JSON log lines go to a file (this
          // start's only), and the terminal gets sentences — what synced and failed, and any error.
          const logPath = join(o.dir, 'ledgerlink.log');
          const level = process.env.LOG_LEVEL ?? 'info';
          const problems = {
            write(line: string) {
              if (out.json) return void process.stderr.write(line);
              try {
                const e = JSON.parse(line) as { msg?: string; err?: { message?: string } };
                const why = e.err?.message && e.err.message !== e.msg ? ` — ${e.err.message}` : '';
                process.stderr.write(`problem: ${e.msg}${why} (details in ${logPath})\n`);
              } catch {
                process.stderr.write(line);
              }
            },
          };
          const logger = createLogger(
            level,
            pino.multistream([
              {
                level: level as 'info',
                stream: pino.destination({ dest: logPath, append: false, sync: false }),
              },
              { level: 'error', stream: problems },
            ]),
          );
          const ctx = await openContext({
            logger,
            config: loadConfig(configPath, connectorRegistry, {
              ...process.env,
              LEDGERLINK_DATABASE_URL: undefined,
            }),
          });
          started.unshift(() => ctx.close());
          // The first admin's one-time password goes to the terminal once (stderr under --json), never to the log.
          const { ensureFirstAdmin } = await import('../../server/auth/first-admin.js');
          let firstStart = false;
          await ensureFirstAdmin(ctx.store, (line) => {
            firstStart = true;
            (out.json ? process.stderr : process.stdout).write(`${line}\n`);
          });
          const svc = await startService(ctx, ctx.config.server);
          await story.started(svc);
          const stopActivity = o.activity ? story.activity(logger, every * 1000) : undefined;
          const stopReport = startReport(ctx.store, (line) => out.line(line), reportEvery * 1000);
          out.result({
            url: svc.url,
            docs: `${svc.url}/docs`,
            ...story.systems,
            config: configPath,
            store: ctx.store.location,
            log: logPath,
            kept: keep,
          });
          out.line('');
          out.line(`Ledgerlink demo running on ${svc.url}   (API documentation: ${svc.url}/docs)`);
          if (!firstStart)
            out.line(
              '  Users, tokens and sessions are kept from the last run: log in as before (--fresh starts over).',
            );
          for (const line of story.describe) out.line(line);
          out.line(`  Configuration      ${configPath}   store ${ctx.store.location}`);
          out.line(`  Log (JSON lines)   ${logPath}`);
          out.line(
            storyName === 'sandboxes'
              ? `  State              kept in ${o.dir} from one start to the next; "npm start -- --fresh" starts over`
              : `  State              ${o.dir}, made anew at each start of the peers' demo`,
          );
          out.line(`  From another terminal: npx ledgerlink log -c ${configPath} --status failed`);
          out.line('  Stop with Ctrl+C. What synced and what failed follows here.');
          await untilSignal(async () => {
            stopActivity?.();
            stopReport();
            await svc.stop();
            await ctx.close();
            try {
              await story.close();
            } catch (e) {
              process.stderr.write(`problem: stopping the systems: ${(e as Error).message}\n`);
            }
          });
        } catch (e) {
          process.exitCode = reportError(e, out.json);
          for (const stop of started) await stop().catch(() => undefined);
        }
      },
    );
}
