import { Command, CommanderError } from 'commander';
import { registerAgent } from './commands/agent.js';
import { registerAlerts } from './commands/alerts.js';
import { registerAuthorize } from './commands/authorize.js';
import { registerBatch } from './commands/batch.js';
import { registerDemo } from './commands/demo.js';
import { registerDoctor } from './commands/doctor.js';
import { registerInit } from './commands/init.js';
import { registerLog } from './commands/log.js';
import { registerReconcile } from './commands/reconcile.js';
import { registerReplay } from './commands/replay.js';
import { registerRetry } from './commands/retry.js';
import { registerSandbox } from './commands/sandbox.js';
import { registerServe } from './commands/serve.js';
import { registerTokens } from './commands/tokens.js';
import { registerUsers } from './commands/users.js';
import { registerWorker } from './commands/worker.js';
import { EXIT } from './output.js';
import { version } from './version.js';

const program = new Command('ledgerlink')
  .description('Keeps ERP / accounting systems and the systems that sell in sync.')
  .version(version)
  .showHelpAfterError('(run ledgerlink --help for the commands)')
  .exitOverride();

registerInit(program);
registerDoctor(program);
registerAuthorize(program);
registerBatch(program);
registerLog(program);
registerRetry(program);
registerReplay(program);
registerReconcile(program);
registerAlerts(program);
registerSandbox(program);
registerServe(program);
registerWorker(program);
registerAgent(program);
registerDemo(program);
registerUsers(program);
registerTokens(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    console.error(`error: ${(e as Error).message}`);
    process.exitCode = EXIT.error;
  }
}
