import { startAccurateSandbox } from '../src/connectors/accurate/sandbox/index.js';
import { startDynamicsSandbox } from '../src/connectors/dynamics/sandbox/index.js';
import { startQuickBooksSandbox } from '../src/connectors/quickbooks/sandbox/index.js';
import { sandboxRegistry } from '../src/connectors/sandboxes.js';

/**
 * A sandbox in a process of its own, started with options the `ledgerlink sandbox` command does not
 * take (Dataverse's service protection window, QuickBooks' throttle window): `node
 * dist/bench/sandbox-process.js <dynamics|quickbooks> '<options as JSON>'`. Prints one JSON line
 * {url, settings} once it listens, and stops on SIGTERM. Its calls are read over /_sandbox/calls.
 */
const system = process.argv[2];
const options = JSON.parse(process.argv[3] ?? '{}') as Record<string, unknown>;
const base = { host: '127.0.0.1', port: 0, ...options };

const sandbox =
  system === 'dynamics'
    ? await startDynamicsSandbox(base)
    : system === 'quickbooks'
      ? await startQuickBooksSandbox(base)
      : system === 'accurate'
        ? await startAccurateSandbox(base)
        : undefined;
if (!sandbox) {
  process.stderr.write(`no sandbox "${system}" here (dynamics, quickbooks, accurate)\n`);
  process.exit(2);
}
const settings = sandboxRegistry[system!]!.settings(sandbox);
console.log(JSON.stringify({ url: sandbox.url, settings }));
const stop = () => {
  void sandbox.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
