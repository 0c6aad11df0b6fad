import { createSandboxKit, type SandboxKit, type SandboxOptions } from '../../sdk/sandbox-kit.js';
import { type ApiLimits, apiRoutes } from './api.js';
import { faultBody } from './faults.js';
import { AUTHORIZE_PATH, type OAuthOptions, SandboxOAuth, TOKEN_PATH } from './oauth.js';
import { CompanyStore, SANDBOX_INCOME_ACCOUNT, type SeedOptions, seed } from './store.js';
import { WebhookSender } from './webhooks.js';

export { SANDBOX_INCOME_ACCOUNT, SANDBOX_TAX_RATE } from './store.js';

export interface QuickBooksSandboxOptions extends SandboxOptions, SeedOptions, Partial<ApiLimits> {
  oauth?: Partial<OAuthOptions>;
  /** Where Intuit sends webhooks for the company's changes, and in which format. */
  webhookUrl?: string;
  webhookFormat?: 'legacy' | 'cloudevents';
}

export interface QuickBooksSandbox {
  url: string;
  kit: SandboxKit;
  store: CompanyStore;
  oauth: SandboxOAuth;
  webhooks: WebhookSender;
  /** Requests answered 429 ThrottleExceeded. */
  readonly throttled: number;
  /** The settings a connection to this sandbox needs (starting from the initial refresh token). */
  settings(): Record<string, unknown>;
  close(): Promise<void>;
}

export const QBO_SANDBOX = {
  clientId: 'sandbox-client-id',
  clientSecret: 'sandbox-client-secret',
  realmId: '9130350000000001',
  initialRefreshToken: 'sandbox-initial-refresh-token',
  verifierToken: 'sandbox-webhook-verifier-token',
} as const;

/**
 * A QuickBooks Online company in one process: Intuit's OAuth 2.0 server (authorize, token; refresh
 * tokens rotate), the Accounting API v3 (query, read, create, sparse update with SyncToken, batch,
 * CDC, CompanyInfo) with its Fault bodies and throttle, webhooks signed with the verifier token.
 * What clients send is checked against the XSDs: a payload the real API would refuse is refused with
 * the ValidationFault naming the element (and counted in `kit.violations` when conformance is on).
 */
export async function startQuickBooksSandbox(
  opts: QuickBooksSandboxOptions = {},
): Promise<QuickBooksSandbox> {
  const kit = createSandboxKit({
    name: 'quickbooks',
    specs: [],
    conformance: false,
    ...(opts.latencyMs ? { latencyMs: opts.latencyMs } : {}),
    authPaths: [TOKEN_PATH, AUTHORIZE_PATH],
    faultBody,
  });
  kit.app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    },
  );
  const store = new CompanyStore({
    name: 'Ledgerlink Sandbox Company',
    country: 'US',
    realmId: QBO_SANDBOX.realmId,
  });
  seed(store, { manualRecords: true, ...opts });
  const oauth = new SandboxOAuth({
    clientId: QBO_SANDBOX.clientId,
    clientSecret: QBO_SANDBOX.clientSecret,
    realmId: QBO_SANDBOX.realmId,
    accessTokenTtlSec: 3600,
    refreshTokenTtlSec: 8_726_400,
    previousRefreshGraceMs: 0,
    initialRefreshToken: QBO_SANDBOX.initialRefreshToken,
    ...opts.oauth,
  });
  oauth.routes(kit.app);
  const counters = apiRoutes(kit.app, store, oauth, {
    requestsPerMinute: opts.requestsPerMinute ?? 500,
    concurrency: opts.concurrency ?? 10,
    ...(opts.holdMs ? { holdMs: opts.holdMs } : {}),
    ...(opts.windowMs ? { windowMs: opts.windowMs } : {}),
    ...(opts.batchPerMinute ? { batchPerMinute: opts.batchPerMinute } : {}),
  });
  // Every payload the XSD refuses is a departure from the published data model.
  if (opts.conformance) store.violations = kit.violations;
  const webhooks = new WebhookSender({
    ...(opts.webhookUrl ? { url: opts.webhookUrl } : {}),
    verifierToken: QBO_SANDBOX.verifierToken,
    realmId: QBO_SANDBOX.realmId,
    format: opts.webhookFormat ?? 'legacy',
  });
  store.onSave = (c) => webhooks.send(c);
  const { url } = await kit.listen(opts);
  return {
    url,
    kit,
    store,
    oauth,
    webhooks,
    get throttled() {
      return counters.throttled;
    },
    settings: () => sandboxSettings(url),
    async close() {
      await webhooks.settled();
      await kit.close();
    },
  };
}

/** A connection's settings for a sandbox at `url`. */
export function sandboxSettings(url: string): Record<string, unknown> {
  return {
    realmId: QBO_SANDBOX.realmId,
    clientId: QBO_SANDBOX.clientId,
    clientSecret: QBO_SANDBOX.clientSecret,
    baseUrl: url,
    authorizeUrl: `${url}${AUTHORIZE_PATH}`,
    tokenUrl: `${url}${TOKEN_PATH}`,
    refreshToken: QBO_SANDBOX.initialRefreshToken,
    defaultIncomeAccount: SANDBOX_INCOME_ACCOUNT,
    webhookVerifierToken: QBO_SANDBOX.verifierToken,
  };
}
