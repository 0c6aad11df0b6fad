import { existsSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { readEnv } from '../../config/env.js';
import { CONFIG_TEMPLATE } from '../../config/template.js';
import { output, reportError, UsageError } from '../output.js';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('Write a commented ledgerlink.yaml to start from')
    .option('-c, --config <file>', 'where to write it')
    .option('--force', 'overwrite an existing file')
    .option('--json', 'machine-readable output')
    .action((o: { config?: string; force?: boolean; json?: boolean }) => {
      const out = output(o.json === true);
      try {
        const path = o.config ?? readEnv().LEDGERLINK_CONFIG;
        if (existsSync(path) && !o.force)
          throw new UsageError(`${path} already exists; use --force to overwrite it`);
        writeFileSync(path, CONFIG_TEMPLATE, { mode: 0o600 });
        out.result({ written: path });
        out.line(
          `wrote ${path}. Next: start the sandboxes (ledgerlink sandbox acumatica, ledgerlink sandbox magento), then ledgerlink doctor.`,
        );
      } catch (e) {
        process.exitCode = reportError(e, out.json);
      }
    });
}
