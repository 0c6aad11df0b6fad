import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { output, reportError, UsageError } from '../output.js';
import { untilSignal } from '../signals.js';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/** host:port, with [::1]:port for IPv6. */
function parseListen(v: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(v);
  const port = Number(m?.[3]);
  if (!m || port > 65535) throw new UsageError(`--listen ${v}: give host:port, e.g. 127.0.0.1:7410`);
  return { host: (m[1] ?? m[2])!, port };
}

function readSecretFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (e) {
    throw new UsageError(`${what} ${file}: ${(e as Error).message}`);
  }
}

/**
 * The agent for a system that runs only on its own machine (Sage 50: its ODBC driver and Sage Data
 * Objects are on the Windows PC it is installed on). Started there with that machine's configuration
 * file, it serves one connection's connector to the Ledgerlink server (`reach: agent`, `agentUrl`,
 * `agentToken` on the server's connection), which runs the flows.
 */
export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description('Serve one local connection (Sage 50 on its Windows PC) to a Ledgerlink server elsewhere')
    .requiredOption('--connection <name>', 'the connection of this machine’s configuration to serve')
    .option('-c, --config <file>', 'configuration file of this machine')
    .option('--listen <host:port>', 'address to listen on', '127.0.0.1:7410')
    .option('--token-file <file>', 'file holding the token (else LEDGERLINK_AGENT_TOKEN)')
    .option('--tls-cert <file>', 'certificate (PEM) to serve HTTPS with')
    .option('--tls-key <file>', 'its private key (PEM)')
    .option('--allow-plain-http', 'listen off loopback without TLS (behind a VPN or an SSH tunnel only)')
    .option('--json', 'print where it listens as JSON')
    .action(
      async (o: {
        connection: string;
        config?: string;
        listen: string;
        tokenFile?: string;
        tlsCert?: string;
        tlsKey?: string;
        allowPlainHttp?: boolean;
        json?: boolean;
      }) => {
        const out = output(o.json === true);
        try {
          const { readEnv } = await import('../../config/env.js');
          const env = readEnv();
          const { MIN_TOKEN_LENGTH } = await import('../../agent/protocol.js');
          const token = o.tokenFile
            ? readSecretFile(o.tokenFile, '--token-file')
            : env.LEDGERLINK_AGENT_TOKEN;
          if (!token)
            throw new UsageError(
              'the agent needs a token: set LEDGERLINK_AGENT_TOKEN or --token-file (the same value goes into the server connection’s agentToken)',
            );
          if (token.length < MIN_TOKEN_LENGTH)
            throw new UsageError(
              `the agent token is ${token.length} characters; use at least ${MIN_TOKEN_LENGTH} random ones (e.g. openssl rand -hex 32)`,
            );
          const listen = parseListen(o.listen);
          if (Boolean(o.tlsCert) !== Boolean(o.tlsKey))
            throw new UsageError('--tls-cert and --tls-key go together');
          if (!o.tlsCert && !LOOPBACK.test(listen.host) && !o.allowPlainHttp)
            throw new UsageError(
              `--listen ${o.listen} is reachable from other machines: serve HTTPS (--tls-cert, --tls-key), or pass --allow-plain-http when a VPN or SSH tunnel carries the traffic`,
            );
          const { connectorRegistry } = await import('../../connectors/registry.js');
          const { loadConfig } = await import('../../config/load.js');
          const config = loadConfig(o.config ?? env.LEDGERLINK_CONFIG, connectorRegistry);
          const conf = config.connections.get(o.connection);
          if (!conf)
            throw new UsageError(
              `no connection named "${o.connection}" in ${config.path} (it has: ${[...config.connections.keys()].join(', ') || 'none'})`,
            );
          if (conf.settings.reach === 'agent')
            throw new UsageError(
              `connection "${o.connection}" is itself reached through an agent (reach: agent): the agent serves the local connection, with reach: local`,
            );
          const { createLogger } = await import('../../runtime/context.js');
          const { ConnectorSet } = await import('../../runtime/connections.js');
          const { buildAgentServer } = await import('../../agent/serve.js');
          const { version } = await import('../version.js');
          const logger = createLogger();
          const connectors = new ConnectorSet(config.connections, logger);
          const connector = connectors.get(o.connection);
          const app = await buildAgentServer({
            connector,
            connection: o.connection,
            token,
            logger,
            version,
            ...(o.tlsCert && o.tlsKey
              ? {
                  https: {
                    cert: Buffer.from(readSecretFile(o.tlsCert, '--tls-cert')),
                    key: Buffer.from(readSecretFile(o.tlsKey, '--tls-key')),
                  },
                }
              : {}),
          });
          const url = await app.listen({ host: listen.host, port: listen.port });
          out.result({ url, connection: o.connection, connector: connector.manifest.name });
          out.line(
            `Ledgerlink agent serving "${o.connection}" (${connector.manifest.title}) on ${url}; stop with Ctrl+C`,
          );
          await untilSignal(async () => {
            process.stderr.write('stopping: closing the agent\n');
            await app.close();
            await connectors.closeAll();
            process.stderr.write('stopped\n');
          });
        } catch (e) {
          process.exitCode = reportError(e, out.json);
        }
      },
    );
}
