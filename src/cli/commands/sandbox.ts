import type { Command } from 'commander';
import { output, reportError, UsageError } from '../output.js';
import { untilSignal } from '../signals.js';

export function registerSandbox(program: Command): void {
  program
    .command('sandbox <system>')
    .description(
      "Run a sandbox of a connected system alone (acumatica, magento), serving its real API's shapes",
    )
    .option('--port <n>', 'port (default 8081 for acumatica, 8082 for magento; 0 picks a free one)')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--seed <n>', 'seed of the sample data', '1')
    .option('--customers <n>', 'sample customers', '100')
    .option('--products <n>', 'sample products', '100')
    .option('--defects', 'include a few records a person must fix')
    .option('--conformance', 'check every request and response against the published spec')
    .option('--latency-ms <n>', 'added to every API call, to imitate a remote system', '0')
    .option(
      '--requests-per-second <n>',
      'API calls allowed per second (bursts up to that many); beyond it 429 with Retry-After (default: no limit)',
    )
    .option('--json', 'print the address as JSON')
    .action(
      async (
        system: string,
        o: {
          port?: string;
          host: string;
          seed: string;
          customers: string;
          products: string;
          defects?: boolean;
          conformance?: boolean;
          latencyMs: string;
          requestsPerSecond?: string;
          json?: boolean;
        },
      ) => {
        const out = output(o.json === true);
        try {
          const { sandboxRegistry } = await import('../../connectors/sandboxes.js');
          const entry = sandboxRegistry[system];
          if (!entry)
            throw new UsageError(
              `no sandbox named "${system}"; available: ${Object.keys(sandboxRegistry).join(', ')}`,
            );
          const nums = {
            port: o.port ?? String(entry.defaultPort),
            seed: o.seed,
            customers: o.customers,
            products: o.products,
            'latency-ms': o.latencyMs,
            ...(o.requestsPerSecond !== undefined ? { 'requests-per-second': o.requestsPerSecond } : {}),
          };
          for (const [k, v] of Object.entries(nums)) {
            if (!/^\d+$/.test(v)) throw new UsageError(`--${k} must be a whole number (got "${v}")`);
          }
          const sb = await entry.start({
            host: o.host,
            port: Number(nums.port),
            seed: Number(nums.seed),
            customers: Number(nums.customers),
            products: Number(nums.products),
            defects: o.defects === true,
            conformance: o.conformance === true,
            latencyMs: Number(nums['latency-ms']),
            ...(nums['requests-per-second']
              ? { requestsPerSecond: Number(nums['requests-per-second']) }
              : {}),
          });
          const settings = entry.settings(sb);
          out.result({ system, url: sb.url, settings });
          out.line(
            `${system} sandbox on ${sb.url} with ${nums.customers} customers and ${nums.products} products (seed ${nums.seed})`,
          );
          out.line(`connection settings: ${JSON.stringify(settings)}`);
          out.line(
            `faults: POST ${sb.url}/_sandbox/faults {"kind":"status","status":429,"retryAfterSeconds":2,"times":3}; calls: GET ${sb.url}/_sandbox/calls`,
          );
          await untilSignal(() => sb.close());
        } catch (e) {
          process.exitCode = reportError(e, out.json);
        }
      },
    );
}
