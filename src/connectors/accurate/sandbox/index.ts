import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createSandboxKit, type SandboxKit, type SandboxOptions } from '../../sdk/sandbox-kit.js';
import { fromAccurateDateTime, toAccurateDateTime } from '../dates.js';
import { ACCURATE_SANDBOX, SandboxAccount } from './account.js';
import { save } from './documents.js';
import { filterRows, pick, QueryError } from './list-query.js';
import { accurateValidator } from './spec.js';
import { DbStore, DOCS, type Doc, type Rec, type SeedOptions, SHOP, seed } from './store.js';

export { ACCURATE_SANDBOX } from './account.js';
export { DbStore, SHOP } from './store.js';

/** The account host lives below this prefix, the database's host below DATA_PREFIX (both on one port). */
export const ACCOUNT_PREFIX = '/account';
export const DATA_PREFIX = '/accurate';
/** The largest sp.pageSize answered (FACTS.md ⚠: larger is cut to it). */
export const SANDBOX_MAX_PAGE = 100;
export const WEBHOOK_SECRET = 'accurate-sandbox-webhook-secret';

export interface AccurateSandboxOptions extends SandboxOptions, SeedOptions {
  /** Calls in flight at once per database (accurate.id: 8); beyond it 429. */
  maxInFlight?: number;
  accessTokenTtlSec?: number;
}

export interface AccurateSandbox {
  url: string;
  kit: SandboxKit;
  store: DbStore;
  account: SandboxAccount;
  /** Every data call's path, query and the auth headers it carried. */
  requests: Array<{
    method: string;
    path: string;
    query: Record<string, string>;
    session?: string;
    signed: boolean;
  }>;
  /** Most data calls ever in flight at once. */
  peakInFlight: number;
  /**
   * The database's sessions end (as `account.expireSessions()`) once `calls` more data calls whose
   * path contains `match` have been answered with success: a session that dies in the middle of a run.
   */
  expireSessionsAfter(calls: number, match?: string): void;
  /** A webhook delivery as Accurate would POST it for records of a type (FACTS.md ⚠ body). */
  delivery(
    type: string,
    ids: number[],
    action?: 'WRITE' | 'DELETE',
  ): { headers: Record<string, string>; rawBody: string };
  settings(mode?: 'oauth2' | 'apiToken'): Record<string, unknown>;
  close(): Promise<void>;
}

type Req = FastifyRequest & { fault?: boolean; inFlight?: boolean };
const envelope = (s: boolean, d: unknown, extra: Record<string, unknown> = {}) => ({ s, d, ...extra });
/** Kinds list.do and detail.do answer (every DOC but the chart of accounts, which the connector never reads). */
const READABLE = new Set<string>(DOCS.filter((d) => d !== 'glaccount'));
const WRITABLE = new Set<string>([
  'customer',
  'sales-invoice',
  'sales-return',
  'sales-receipt',
  'item-transfer',
  'item-adjustment',
]);

/**
 * One Accurate Online database in a process: the account host (OAuth, open-db, API tokens, webhook
 * renewal) and the data host (list.do with filters and paging, detail.do, save.do, bulk-save.do with
 * each record's own outcome, item stock), 8 calls a second and 8 in flight (429 beyond), sessions that
 * tests can end, and every request and answer checked against the published spec.
 */
export async function startAccurateSandbox(opts: AccurateSandboxOptions = {}): Promise<AccurateSandbox> {
  const kit = createSandboxKit({
    name: 'accurate',
    specs: [
      { prefix: ACCOUNT_PREFIX, validator: accurateValidator() },
      { prefix: DATA_PREFIX, validator: accurateValidator() },
    ],
    conformance: opts.conformance ?? false,
    ...(opts.latencyMs ? { latencyMs: opts.latencyMs } : {}),
    requestsPerSecond: opts.requestsPerSecond ?? 8,
    authPaths: [`${ACCOUNT_PREFIX}/oauth/token`, `${ACCOUNT_PREFIX}/oauth/authorize`],
    faultBody: (status) =>
      envelope(false, [
        status === 429
          ? 'Terlalu banyak permintaan API: maksimal 8 per detik'
          : `the sandbox was told to answer ${status}`,
      ]),
  });
  kit.app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_r, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );
  const store = new DbStore();
  seed(store, opts);
  let base = '';
  const account = new SandboxAccount({
    databaseId: SHOP.databaseId,
    alias: SHOP.databaseAlias,
    host: () => base,
    accessTokenTtlSec: opts.accessTokenTtlSec ?? 3600,
  });
  account.routes(kit.app, ACCOUNT_PREFIX);
  const deliveries: Array<{
    uuid: string;
    type: string;
    databaseId: number;
    createDate: string;
    data: unknown;
  }> = [];
  let sessionExpiry: { calls: number; match: string } | undefined;
  const sb: AccurateSandbox = {
    url: '',
    kit,
    store,
    account,
    requests: [],
    peakInFlight: 0,
    expireSessionsAfter(calls, match = '') {
      sessionExpiry = { calls, match };
    },
    delivery(type, ids, action = 'WRITE') {
      const body = {
        uuid: randomUUID(),
        type,
        databaseId: SHOP.databaseId,
        // Sent now: webhook-history.do is asked by real time, not the books' clock.
        timestamp: toAccurateDateTime(new Date()),
        data: ids.map((id) => ({ id, action })),
      };
      deliveries.push({
        uuid: body.uuid,
        type,
        databaseId: SHOP.databaseId,
        createDate: body.timestamp,
        data: body.data,
      });
      return { headers: { 'x-ledgerlink-webhook-secret': WEBHOOK_SECRET }, rawBody: JSON.stringify(body) };
    },
    settings: (mode = 'oauth2') => sandboxSettings(sb.url, mode),
    close: () => kit.close(),
  };
  dataRoutes(kit.app, store, account, sb, opts.maxInFlight ?? 8);
  // Before the answer goes out, so the next call (whoever sends it) meets the ended session.
  kit.app.addHook('onSend', async (req, reply, payload) => {
    const path = req.url.split('?')[0] ?? '';
    const due = sessionExpiry;
    if (!due || reply.statusCode >= 300 || !path.startsWith(`${DATA_PREFIX}/api/`)) return payload;
    if (path.includes(due.match) && --due.calls <= 0) {
      sessionExpiry = undefined;
      account.expireSessions();
    }
    return payload;
  });
  // What was sent between `from` and `to` (at most 24 hours apart, spec), for this database and type.
  kit.app.get<{ Querystring: Record<string, string> }>(
    `${ACCOUNT_PREFIX}/api/webhook-history.do`,
    async (req, reply) => {
      if (typeof account.caller(req.headers) === 'object') {
        (req as Req).fault = true;
        return reply.code(401).send(envelope(false, ['Header Authorization tidak valid']));
      }
      const q = req.query;
      let from: number;
      let to: number;
      try {
        from = Date.parse(fromAccurateDateTime(q.from ?? ''));
        to = Date.parse(fromAccurateDateTime(q.to ?? ''));
      } catch {
        (req as Req).fault = true;
        return reply.send(envelope(false, ['Format tanggal from/to harus dd/MM/yyyy HH:mm:ss']));
      }
      if (to - from > 24 * 3600_000 || to < from) {
        (req as Req).fault = true;
        return reply.send(envelope(false, ['Rentang maksimal from-to adalah 24 jam']));
      }
      return envelope(
        true,
        deliveries.filter((d) => {
          const at = Date.parse(fromAccurateDateTime(d.createDate));
          return (
            at >= from &&
            at <= to &&
            (!q.type || d.type === q.type) &&
            (!q.databaseId || q.databaseId === String(SHOP.databaseId))
          );
        }),
      );
    },
  );
  const { url } = await kit.listen(opts);
  base = url;
  sb.url = url;
  return sb;
}

/** A connection's settings for a sandbox at `url`: the shop's outlets map to their warehouses by name. */
export function sandboxSettings(
  url: string,
  mode: 'oauth2' | 'apiToken' = 'oauth2',
): Record<string, unknown> {
  return {
    authMode: mode,
    databaseId: String(SHOP.databaseId),
    accountUrl: `${url}${ACCOUNT_PREFIX}`,
    ...(mode === 'oauth2'
      ? {
          clientId: ACCURATE_SANDBOX.clientId,
          clientSecret: ACCURATE_SANDBOX.clientSecret,
          refreshToken: ACCURATE_SANDBOX.initialRefreshToken,
        }
      : { apiToken: ACCURATE_SANDBOX.apiToken, signatureSecret: ACCURATE_SANDBOX.signatureSecret }),
    branch: SHOP.branch,
    // The iSeller sandbox's outlet codes and payment methods (the demo pairs the two), and generic ones.
    warehouseMap: 'KMG=Outlet Kemang,SNY=Outlet Senayan,BSD=Outlet BSD,GDG=Gudang Utama',
    bankByPaymentMethod:
      'CASH=1101,CARD=1102,QRIS=1103,Cash=1101,Kartu Kredit=1102,Debit BCA=1102,GoPay=1103',
    paymentMethodMap:
      'CASH=CASH_OTHER,CARD=EDC,QRIS=QRIS,Cash=CASH_OTHER,Kartu Kredit=EDC,Debit BCA=EDC,GoPay=QRIS',
    taxName: SHOP.tax.name,
    adjustmentAccountNo: '5101',
    roundingAccountNo: '7101',
    webhookSecret: WEBHOOK_SECRET,
  };
}

function dataRoutes(
  app: FastifyInstance,
  store: DbStore,
  account: SandboxAccount,
  sb: AccurateSandbox,
  maxInFlight: number,
): void {
  const api = `${DATA_PREFIX}/api`;
  let inFlight = 0;
  const refuse = (req: FastifyRequest, reply: FastifyReply, status: number, message: string) => {
    (req as Req).fault = true;
    return reply.code(status).send(envelope(false, [message]));
  };

  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith(`${api}/`)) return;
    const r = req as Req;
    const who = account.caller(req.headers);
    const session = req.headers['x-session-id'] ? String(req.headers['x-session-id']) : undefined;
    sb.requests.push({
      method: req.method,
      path: (req.url.split('?')[0] ?? '').slice(api.length),
      query: Object.fromEntries(new URL(req.url, 'http://x').searchParams),
      ...(session ? { session } : {}),
      signed: who === 'apiToken',
    });
    if (typeof who === 'object') return refuse(req, reply, 401, who.reason);
    // An OAuth caller reaches the database only through a live session (FACTS.md ⚠ answer).
    if (who === 'oauth' && (!session || account.sessions.get(session) !== true))
      return refuse(req, reply, 401, 'Session tidak valid / sudah kadaluarsa, silakan buka ulang database');
    if (inFlight >= maxInFlight)
      return refuse(req, reply, 429, `Terlalu banyak permintaan API bersamaan: maksimal ${maxInFlight}`);
    inFlight++;
    r.inFlight = true;
    sb.peakInFlight = Math.max(sb.peakInFlight, inFlight);
  });
  app.addHook('onResponse', async (req) => {
    if ((req as Req).inFlight) inFlight--;
  });

  const docOf = (
    req: FastifyRequest,
    reply: FastifyReply,
    doc: string,
    set: Set<string>,
  ): Doc | undefined => {
    if (set.has(doc)) return doc as Doc;
    void refuse(req, reply, 404, 'URL API tidak tepat');
    return undefined;
  };

  app.get<{ Querystring: Record<string, string> }>(`${api}/item/list-stock.do`, async (req) => {
    const q = req.query;
    const size = Math.min(SANDBOX_MAX_PAGE, Number(q['sp.pageSize'] ?? 20));
    const page = Number(q['sp.page'] ?? 1);
    const w = q.warehouseName;
    const rows = [...store.tables.item.values()].map((i) => ({
      id: i.id,
      no: i.no,
      name: i.name,
      quantity: w
        ? store.stockOf(String(i.no), w)
        : [...(store.stock.get(String(i.no))?.values() ?? [])].reduce((a, b) => a + b, 0),
    }));
    return envelope(true, rows.slice((page - 1) * size, page * size), {
      sp: {
        page,
        pageSize: size,
        pageCount: Math.max(1, Math.ceil(rows.length / size)),
        rowCount: rows.length,
      },
    });
  });

  app.get<{ Querystring: Record<string, string> }>(`${api}/item/get-stock.do`, async (req) => {
    const { no, warehouseName } = req.query;
    if (!store.find('item', 'no', no)) return envelope(false, [`Barang "${no}" tidak ditemukan`]);
    return envelope(true, {
      itemNo: no,
      warehouseName,
      quantity: store.stockOf(String(no), String(warehouseName ?? SHOP.warehouses[0])),
    });
  });

  app.get<{ Querystring: Record<string, string> }>(`${api}/item/get-nearest-cost.do`, async (req) => {
    const item = store.find('item', 'no', req.query.itemNo);
    if (!item) return envelope(false, [`Barang "${req.query.itemNo}" tidak ditemukan`]);
    return envelope(true, Number(item.cost ?? 0));
  });

  app.get<{ Params: { doc: string }; Querystring: Record<string, string | string[]> }>(
    `${api}/:doc/list.do`,
    async (req, reply) => {
      const doc = docOf(req, reply, req.params.doc, READABLE);
      if (!doc) return reply;
      const q = req.query;
      const size = Math.min(SANDBOX_MAX_PAGE, Math.max(1, Number(q['sp.pageSize'] ?? 20)));
      const page = Math.max(1, Number(q['sp.page'] ?? 1));
      let rows: Rec[];
      try {
        rows = filterRows(doc, [...store.tables[doc].values()], q);
      } catch (e) {
        if (e instanceof QueryError) return envelope(false, [e.message]);
        throw e;
      }
      const fields = typeof q.fields === 'string' ? q.fields : undefined;
      return envelope(
        true,
        rows.slice((page - 1) * size, page * size).map((r) => pick(r, fields)),
        {
          sp: {
            page,
            pageSize: size,
            pageCount: Math.max(1, Math.ceil(rows.length / size)),
            rowCount: rows.length,
            start: (page - 1) * size,
          },
        },
      );
    },
  );

  app.get<{ Params: { doc: string }; Querystring: Record<string, string> }>(
    `${api}/:doc/detail.do`,
    async (req, reply) => {
      const doc = docOf(req, reply, req.params.doc, READABLE);
      if (!doc) return reply;
      const rec = store.tables[doc].get(Number(req.query.id));
      return rec ? envelope(true, rec) : envelope(false, [`Data dengan id ${req.query.id} tidak ditemukan`]);
    },
  );

  app.post<{ Params: { doc: string }; Body: Record<string, unknown> }>(
    `${api}/:doc/save.do`,
    async (req, reply) => {
      const doc = docOf(req, reply, req.params.doc, WRITABLE);
      if (!doc) return reply;
      const saved = save(store, doc, req.body ?? {});
      return saved.ok ? envelope(true, [saved.message], { r: saved.r }) : envelope(false, [saved.message]);
    },
  );

  app.post<{ Params: { doc: string }; Body: { data?: unknown } }>(
    `${api}/:doc/bulk-save.do`,
    async (req, reply) => {
      const doc = docOf(req, reply, req.params.doc, WRITABLE);
      if (!doc) return reply;
      const data = Array.isArray(req.body?.data) ? (req.body.data as Array<Record<string, unknown>>) : [];
      if (!data.length) return envelope(false, ['Data harus diisi']);
      if (data.length > 100) return envelope(false, ['Jumlah data maksimal 100 per permintaan']);
      // Each record is saved on its own: one refused does not undo the others (FACTS.md ⚠).
      const outcomes = data.map((b) => {
        const saved = save(store, doc, b ?? {});
        return saved.ok ? { s: true, d: saved.message, r: saved.r } : { s: false, d: [saved.message] };
      });
      return envelope(
        outcomes.every((o) => o.s),
        outcomes,
      );
    },
  );
}
