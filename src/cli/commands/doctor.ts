import type { Command } from 'commander';
import { Cron } from 'croner';
import { readEnv } from '../../config/env.js';
import { type LoadedConfig, loadConfig } from '../../config/load.js';
import { connectorRegistry } from '../../connectors/registry.js';
import { toErrorData } from '../../connectors/sdk/errors.js';
import { createLogger } from '../../runtime/context.js';
import { openStore, type Store } from '../../store/index.js';
import { EXIT, output, reportError } from '../output.js';

export interface Verdict {
  subject: string;
  check: string;
  ok: boolean;
  message: string;
}

/** The seed's "Setup diagnostics": configuration, store and every connection, each with a verdict. */
export async function diagnose(configPath: string, timeoutMs = 15_000): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  let config: LoadedConfig;
  try {
    readEnv();
    config = loadConfig(configPath, connectorRegistry);
    verdicts.push({
      subject: 'config',
      check: 'valid',
      ok: true,
      message: `${configPath}: ${config.connections.size} connections, ${config.flows.size} flows`,
    });
  } catch (e) {
    verdicts.push({ subject: 'config', check: 'valid', ok: false, message: (e as Error).message });
    return verdicts;
  }
  let store: Store | undefined;
  try {
    store = await openStore(config.database);
    const runs = await store.runs.list({ limit: 1 });
    verdicts.push({
      subject: 'store',
      check: 'open',
      ok: true,
      message: `${store.location} (${store.adapter.name}, schema up to date${runs.length ? `, last run ${runs[0]!.started_at}` : ''})`,
    });
  } catch (e) {
    verdicts.push({ subject: 'store', check: 'open', ok: false, message: (e as Error).message });
  }
  const logger = createLogger('silent');
  await Promise.all(
    [...config.connections.values()].map(async (c) => {
      // With the store's credentials, so a connection authorized by "ledgerlink authorize" checks as it runs.
      const credentials = store?.credentials.forConnection(c.name);
      const connector = c.definition.create(c.settings, {
        connection: c.name,
        logger,
        ...(credentials ? { credentials } : {}),
      });
      try {
        const results = await Promise.race([
          connector.check(),
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs).unref(),
          ),
        ]);
        for (const r of results)
          verdicts.push({ subject: c.name, check: r.name, ok: r.ok, message: r.message });
      } catch (e) {
        verdicts.push({ subject: c.name, check: 'reach', ok: false, message: toErrorData(e).message });
      } finally {
        await connector.close().catch(() => undefined);
      }
    }),
  );
  await store?.close();
  for (const f of config.flows.values()) {
    const next = f.schedule ? new Cron(f.schedule, { paused: true }).nextRun()?.toISOString() : undefined;
    verdicts.push({
      subject: f.name,
      check: 'flow',
      ok: true,
      message: `${f.enabled ? 'enabled' : 'disabled'}, ${f.source} → ${f.target}, owns ${f.ownedFields.join(', ') || 'nothing'}${next ? `, next run ${next}` : ', manual'}`,
    });
  }
  return verdicts;
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(
      'Check the configuration, the store and every connection; exits non-zero when something is wrong',
    )
    .option('--json', 'machine-readable output')
    .option('-c, --config <file>', 'configuration file')
    .action(async (o: { json?: boolean; config?: string }) => {
      const out = output(o.json === true);
      try {
        const verdicts = await diagnose(o.config ?? readEnv().LEDGERLINK_CONFIG);
        const ok = verdicts.every((v) => v.ok);
        out.result({ ok, verdicts });
        const width = Math.max(...verdicts.map((v) => v.subject.length));
        for (const v of verdicts) {
          const lines = v.message.split('\n');
          out.line(`${v.ok ? '✔' : '✘'} ${v.subject.padEnd(width)}  ${v.check.padEnd(12)} ${lines[0]}`);
          for (const l of lines.slice(1)) out.line(`  ${' '.repeat(width)}  ${' '.repeat(12)} ${l}`);
        }
        out.line(
          ok ? '\nEverything looks right.' : `\n${verdicts.filter((v) => !v.ok).length} problem(s) found.`,
        );
        process.exitCode = ok ? EXIT.ok : EXIT.error;
      } catch (e) {
        process.exitCode = reportError(e, out.json);
      }
    });
}
