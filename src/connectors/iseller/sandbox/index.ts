import type { FastifyReply, FastifyRequest } from 'fastify';
import { createSandboxKit, type SandboxKit, type SandboxOptions } from '../../sdk/sandbox-kit.js';
import { signIsellerBody } from '../webhook.js';
import { type Answer, type Body, calls, shown } from './api.js';
import { AUTHORIZE_PATH, SandboxOAuth, TOKEN_PATH } from './oauth.js';
import { type SeedOptions, StoreData, seed } from './store.js';

export { StoreData, wib } from './store.js';

/** Where the sandbox serves the store (resource_url): below the OAuth host, so calls must follow it. */
export const STORE_PATH = '/stores/toko-ledgerlink';

export const ISELLER_SANDBOX = {
  clientId: 'iseller-sandbox-client',
  clientSecret: 'iseller-sandbox-secret',
  initialRefreshToken: 'iseller-sandbox-initial-refresh-token',
  /** The store's API key: it signs the webhook notifications. */
  apiKey: 'iseller-sandbox-api-key',
} as const;

export interface IsellerSandboxOptions extends SandboxOptions, SeedOptions {
  accessTokenTtlSec?: number;
}

export interface IsellerSandbox {
  url: string;
  kit: SandboxKit;
  data: StoreData;
  oauth: SandboxOAuth;
  /** Every API call by name, with its body, in order (tests read the paging and filters sent). */
  requests: Array<{ call: string; body: Body }>;
  /** The next call of that name answers HTTP 200 with status false and this message. */
  failNext(call: string, message: string): void;
  /** Closes a register's open shift at `at` (UTC ISO), with its totals from the orders made in it. */
  closeShift(register: string, at: string): string;
  /** POSTs a notification to `url` as iSeller does: the record as body, Timestamp and Signature headers. */
  emit(url: string, record: unknown, o?: { apiKey?: string; timestamp?: string }): Promise<number>;
  settings(): Record<string, unknown>;
  close(): Promise<void>;
}

/**
 * An iSeller store in one process: the OAuth host (token answers name the store's URL), the Public API
 * v2 (form POSTs under /api/v2) and the ERP API (JSON under /api/v3) below STORE_PATH, every answer in
 * iSeller's envelope (`status`, `error_message`, HTTP 200 even when refusing), `has_next_item`
 * paging, 401 for a missing or ended token (⚠), and webhook notifications signed as the adapter guide
 * says. Faults from the sandbox kit are answered in the same envelope.
 */
export async function startIsellerSandbox(opts: IsellerSandboxOptions = {}): Promise<IsellerSandbox> {
  const kit = createSandboxKit({
    name: 'iseller',
    specs: [],
    conformance: false,
    ...(opts.latencyMs ? { latencyMs: opts.latencyMs } : {}),
    ...(opts.requestsPerSecond ? { requestsPerSecond: opts.requestsPerSecond } : {}),
    authPaths: [TOKEN_PATH, AUTHORIZE_PATH],
    faultBody: (status) => ({ status: false, error_message: `the sandbox was told to answer ${status}` }),
  });
  kit.app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    },
  );
  const data = new StoreData();
  seed(data, opts);
  let base = '';
  const oauth = new SandboxOAuth(
    {
      clientId: ISELLER_SANDBOX.clientId,
      clientSecret: ISELLER_SANDBOX.clientSecret,
      ttlSec: opts.accessTokenTtlSec ?? 1_209_599,
      initialRefreshToken: ISELLER_SANDBOX.initialRefreshToken,
    },
    () => `${base}${STORE_PATH}`,
  );
  oauth.routes(kit.app);
  const requests: IsellerSandbox['requests'] = [];
  const failures = new Map<string, string[]>();
  const now = () => new Date().toISOString();
  const handlers = calls(data, now);

  const serve = async (req: FastifyRequest<{ Params: { call: string } }>, reply: FastifyReply) => {
    if (!oauth.valid(req.headers.authorization))
      return reply
        .code(401)
        .send({ status: false, error_message: 'Unauthorized: the access token is missing or has expired' });
    const { call } = req.params;
    const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Body;
    requests.push({ call, body });
    const envelope = (a: Answer) =>
      'refuse' in a && typeof a.refuse === 'string'
        ? { status: false, error_message: a.refuse, time: now() }
        : { ...a, status: true, error_message: null, time: now() };
    const queued = failures.get(call);
    if (queued?.length) return envelope({ refuse: queued.shift()! });
    const handler = handlers[call.charAt(0).toLowerCase() + call.slice(1)];
    if (!handler) return envelope({ refuse: `Unknown API ${call}` });
    return envelope(handler(body));
  };
  kit.app.post<{ Params: { call: string } }>(`${STORE_PATH}/api/v2/:call`, serve);
  kit.app.post<{ Params: { call: string } }>(`${STORE_PATH}/api/v3/:call`, serve);
  kit.app.get<{ Params: { call: string } }>(`${STORE_PATH}/api/v1/:call`, serve);
  kit.app.post<{ Body: { call?: string; message?: string } }>('/_sandbox/iseller/fail-next', async (req) => {
    failNext(String(req.body?.call), String(req.body?.message));
    return { ok: true };
  });

  function failNext(call: string, message: string): void {
    failures.set(call, [...(failures.get(call) ?? []), message]);
  }

  const { url } = await kit.listen(opts);
  base = url;
  return {
    url,
    kit,
    data,
    oauth,
    requests,
    failNext,
    closeShift(register, at) {
      const shift = [...data.shifts.values()].find((s) => s.register_id === register && !s.closed_date);
      if (!shift) throw new Error(`register ${register} has no open shift`);
      const orders = [...data.orders.values()].filter(
        (o) => o.register_id === register && o.order_date >= shift.open_date && o.order_date <= at,
      );
      const payments = new Map<string, number>();
      for (const o of orders)
        for (const t of o.transactions ?? [])
          if (t.type === 'sale')
            payments.set(
              t.payment_type_name ?? '',
              (payments.get(t.payment_type_name ?? '') ?? 0) + Number(t.amount),
            );
      shift.closed_date = at;
      shift.modified_date = at;
      shift.total_order_count = orders.length;
      shift.total_sales_amount = orders.reduce((s, o) => s + Number(o.total_amount), 0);
      shift.total_refund_amount = orders
        .flatMap((o) => o.refunds)
        .reduce((s, r) => s + Number(r.refund_amount), 0);
      shift.payments = [...payments].map(([payment_type_name, amount]) => ({ payment_type_name, amount }));
      return shift.register_shift_id;
    },
    async emit(target, record, o = {}) {
      const raw = JSON.stringify(shown(record, 7));
      const timestamp = o.timestamp ?? new Date().toISOString();
      const res = await fetch(target, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          Timestamp: timestamp,
          Signature: signIsellerBody(o.apiKey ?? ISELLER_SANDBOX.apiKey, raw, timestamp),
        },
        body: raw,
      });
      await res.arrayBuffer();
      return res.status;
    },
    settings: () => sandboxSettings(url),
    close: () => kit.close(),
  };
}

/** A connection's settings for a sandbox at `url` (authorization code, from the initial refresh token). */
export function sandboxSettings(url: string): Record<string, unknown> {
  return {
    clientId: ISELLER_SANDBOX.clientId,
    clientSecret: ISELLER_SANDBOX.clientSecret,
    authorizeUrl: `${url}${AUTHORIZE_PATH}`,
    tokenUrl: `${url}${TOKEN_PATH}`,
    refreshToken: ISELLER_SANDBOX.initialRefreshToken,
    webhookSecret: ISELLER_SANDBOX.apiKey,
  };
}
