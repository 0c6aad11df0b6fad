import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { Command } from 'commander';
import { type Context, openContext } from '../../runtime/context.js';
import { output, reportError, UsageError } from '../output.js';

const DEFAULT_REDIRECT = 'http://127.0.0.1:3999/oauth/callback';

/** Waits on the loopback redirect URI for the code the system sends back, checking the state. */
function awaitCode(
  redirectUri: URL,
  state: string,
  timeoutMs: number,
): Promise<{ code: string; params: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', redirectUri);
      if (url.pathname !== redirectUri.pathname) {
        res.writeHead(404).end();
        return;
      }
      const done = (status: number, text: string) => {
        res
          .writeHead(status, { 'content-type': 'text/html; charset=utf-8' })
          .end(`<!doctype html><p>${text}</p>`);
        clearTimeout(timer);
        server.close();
      };
      const error = url.searchParams.get('error');
      const code = url.searchParams.get('code');
      if (url.searchParams.get('state') !== state) {
        done(400, 'This answer does not belong to the authorization Ledgerlink started.');
        reject(new Error('the authorization answer carried the wrong state; start again'));
      } else if (error || !code) {
        done(400, `Access was not granted: ${error ?? 'no code'}.`);
        reject(
          new Error(
            `access was not granted: ${url.searchParams.get('error_description') ?? error ?? 'no code came back'}`,
          ),
        );
      } else {
        done(200, 'Ledgerlink is authorized. You can close this tab.');
        resolve({ code, params: Object.fromEntries(url.searchParams) });
      }
    });
    const timer = setTimeout(() => {
      server.close();
      reject(new Error(`no authorization arrived within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    server.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot listen on ${redirectUri.origin} for the answer: ${e.message}`));
    });
    server.listen(Number(redirectUri.port || 80), redirectUri.hostname);
  });
}

export function registerAuthorize(program: Command): void {
  program
    .command('authorize <connection>')
    .description(
      'Grant a connection access through its OAuth authorization-code flow; the refresh token is kept encrypted in the store',
    )
    .option(
      '--redirect-uri <uri>',
      'loopback address registered as a redirect URI of the connected application',
      DEFAULT_REDIRECT,
    )
    .option('--timeout <seconds>', 'how long to wait for the grant', '300')
    .option('--json', 'machine-readable output')
    .option('-c, --config <file>', 'configuration file')
    .action(
      async (name: string, o: { redirectUri: string; timeout: string; json?: boolean; config?: string }) => {
        const out = output(o.json === true);
        let ctx: Context | undefined;
        try {
          const redirect = new URL(o.redirectUri);
          if (!['127.0.0.1', 'localhost', '[::1]'].includes(redirect.hostname)) {
            throw new UsageError(
              '--redirect-uri must be a loopback address (127.0.0.1 or localhost): Ledgerlink listens there for the answer',
            );
          }
          ctx = await openContext(o.config ? { configPath: o.config } : {});
          if (!ctx.config.connections.has(name))
            throw new UsageError(
              `no connection named "${name}"; configured: ${[...ctx.config.connections.keys()].join(', ')}`,
            );
          const auth = ctx.connectors.get(name).authorization;
          if (!auth)
            throw new UsageError(
              `connection "${name}" does not use an interactive OAuth flow (for Acumatica: authMode oauth2 and oauthFlow authorization_code; QuickBooks Online always does)`,
            );
          const state = randomBytes(16).toString('hex');
          const url = auth.authorizeUrl(redirect.toString(), state);
          const code = awaitCode(redirect, state, Number(o.timeout) * 1000);
          if (out.json) process.stdout.write(`${JSON.stringify({ authorizeUrl: url })}\n`);
          out.line(
            `Open this address, sign in and allow access:\n\n  ${url}\n\nWaiting for the answer on ${redirect.origin}…`,
          );
          const answer = await code;
          await auth.complete(answer.code, redirect.toString(), answer.params);
          out.result({ authorized: name });
          out.line(
            `Connection "${name}" is authorized; its refresh token is stored encrypted in ${ctx.store.location}.`,
          );
        } catch (e) {
          process.exitCode = reportError(e, out.json);
        } finally {
          await ctx?.close();
        }
      },
    );
}
