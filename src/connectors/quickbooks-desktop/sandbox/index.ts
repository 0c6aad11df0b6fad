import type { FastifyReply, FastifyRequest } from 'fastify';
import { createSandboxKit, type SandboxKit, type SandboxOptions } from '../../sdk/sandbox-kit.js';
import type { CompanyFile } from './company.js';
import { QbxmlProcessor } from './processor.js';
import { type SeedOptions, seedCompany } from './seed.js';
import { WebConnectorClient } from './web-connector.js';

export { CompanyFile } from './company.js';
export { QbxmlProcessor } from './processor.js';
export { type SessionRecord, WebConnectorClient } from './web-connector.js';

/** The Web Connector's login the sandbox uses, and the connection settings that expect it. */
export const QBD_SANDBOX = {
  username: 'ledgerlink-qbwc',
  password: 'sandbox-qbwc-password',
  companyFile: 'C:\\Company\\A1 Design Ltd.QBW',
} as const;

export interface QuickBooksDesktopSandboxOptions extends SandboxOptions, Omit<SeedOptions, 'seed'> {
  /** Ledgerlink's /qbwc/<connection> address the Web Connector polls; or point it later. */
  webConnectorUrl?: string;
  username?: string;
  password?: string;
  /** Between sessions (default 200 ms: a test's "every few minutes"). */
  intervalMs?: number;
  /** After a "NoOp" (default 50 ms; the real Web Connector waits 5 s). */
  noOpPauseMs?: number;
  /** Start polling at once (default true when a URL is given). */
  autoStart?: boolean;
}

export interface QuickBooksDesktopSandbox {
  /** The control server's address (/_sandbox routes); the Web Connector itself is a client. */
  url: string;
  kit: SandboxKit;
  company: CompanyFile;
  processor: QbxmlProcessor;
  webConnector: WebConnectorClient;
  /** Points the Web Connector at Ledgerlink's /qbwc/<connection> and starts it polling. */
  pointAt(url: string): void;
  close(): Promise<void>;
}

/**
 * QuickBooks Desktop's side of the Web Connector: a company file seeded with the manual's records
 * (customers A1D001 and ABS001, a customer known by FullName only, items VID003, TAPE002, MISC and
 * XXXTEST01, a few invoices) plus generated volume, a qbXML processor answering as QuickBooks does,
 * and a Web Connector that polls Ledgerlink's SOAP service on an interval (pausable).
 */
export async function startQuickBooksDesktopSandbox(
  o: QuickBooksDesktopSandboxOptions = {},
): Promise<QuickBooksDesktopSandbox> {
  const company = seedCompany({
    ...(o.customers !== undefined ? { customers: o.customers } : {}),
    ...(o.products !== undefined ? { products: o.products } : {}),
    ...(o.invoices !== undefined ? { invoices: o.invoices } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
  });
  const processor = new QbxmlProcessor(company);
  const webConnector = new WebConnectorClient(
    {
      ...(o.webConnectorUrl ? { url: o.webConnectorUrl } : {}),
      username: o.username ?? QBD_SANDBOX.username,
      password: o.password ?? QBD_SANDBOX.password,
      companyFile: QBD_SANDBOX.companyFile,
      intervalMs: o.intervalMs ?? 200,
      noOpPauseMs: o.noOpPauseMs ?? 50,
    },
    processor,
  );
  const kit = createSandboxKit({
    name: 'quickbooks-desktop',
    specs: [],
    conformance: false,
    faultBody: (status) => ({ error: `sandbox fault ${status}` }),
  });
  // The control routes: where the Web Connector polls, pause and resume it, run a session now.
  kit.app.post('/_sandbox/web-connector', async (req: FastifyRequest, reply: FastifyReply) => {
    const body = (req.body ?? {}) as { url?: string; paused?: boolean };
    if (body.url) {
      webConnector.pointAt(body.url);
      webConnector.start();
    }
    if (body.paused === true) webConnector.pause();
    if (body.paused === false) webConnector.resume();
    return reply.send({
      url: webConnector.url ?? null,
      paused: webConnector.isPaused,
      sessions: webConnector.sessions.length,
    });
  });
  kit.app.post('/_sandbox/web-connector/session', async () => ({
    session: (await webConnector.runSession()) ?? null,
  }));
  const { url } = await kit.listen(o);
  if (o.webConnectorUrl && o.autoStart !== false) webConnector.start();
  return {
    url,
    kit,
    company,
    processor,
    webConnector,
    pointAt(target) {
      webConnector.pointAt(target);
      webConnector.start();
    },
    async close() {
      await webConnector.stop();
      await kit.close();
    },
  };
}
