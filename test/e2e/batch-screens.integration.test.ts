import { writeFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { sandboxRegistry } from '../../src/connectors/sandboxes.js';
import { type Context, openContext } from '../../src/runtime/context.js';
import { type Service, startService } from '../../src/runtime/service.js';
import { createUser } from '../../src/server/auth/accounts.js';
import { createApiToken } from '../../src/server/auth/api-tokens.js';
import { NOTHING_CHECKED } from '../../src/server/routes/flows.js';
import { type SyncEnvironment, startSyncEnvironment } from '../support/environment.js';

const CUSTOMERS = 'acumatica-magento.customers';
const SHIPMENTS = 'acumatica-magento.shipments';
const INVOICES = 'acumatica-magento.invoices';

async function xlsx(header: string, ids: string[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('ids');
  sheet.addRow([header]);
  for (const id of ids) sheet.addRow([id]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A person saving a document on an Acumatica screen, through its API (a credit memo, which no helper makes). */
async function saveInAcumatica(
  base: string,
  resource: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const login = await fetch(`${base}/entity/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'admin', password: 'sandbox', company: 'Company' }),
  });
  const cookie = (login.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
  const res = await fetch(`${base}/entity/Default/24.200.001/${resource}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify(body),
  });
  const saved = (await res.json()) as Record<string, unknown>;
  await fetch(`${base}/entity/auth/logout`, { method: 'POST', headers: { cookie } });
  if (!res.ok) throw new Error(`saving ${resource} answered ${res.status}: ${JSON.stringify(saved)}`);
  return saved;
}

interface RunEvent {
  id: number | null;
  status: string;
  startedBy: string | null;
  counts: { created: number; skipped: number } | null;
  total: number | null;
}

/** Reads a flow's event stream until `done` holds for the last event (or the time is up). */
async function follow(
  url: string,
  token: string,
  done: (e: RunEvent | null) => boolean,
  timeoutMs = 20_000,
): Promise<Array<RunEvent | null>> {
  const events: Array<RunEvent | null> = [];
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  try {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: ctl.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let buf = '';
    for (;;) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      buf += new TextDecoder().decode(value);
      for (const m of buf.matchAll(/event: run\ndata: (.*)\n\n/g)) events.push(JSON.parse(m[1]!));
      buf = buf.slice(buf.lastIndexOf('\n\n') + 2);
      if (events.length && done(events.at(-1)!)) break;
    }
    await reader.cancel();
  } catch (e) {
    if (!ctl.signal.aborted) throw e;
    throw new Error(`the stream did not reach the state wanted; events: ${JSON.stringify(events)}`);
  } finally {
    clearTimeout(timer);
  }
  return events;
}

/**
 * The seed's batch screens over a running service (issue 14): the columns each flow declares, the
 * invoice screen's two ID lists and their headers, pick lists read from the source, Load with nothing
 * checked refused in the seed's words, Process All only over a Load or with confirm, shipments by
 * order type and invoices of every document type, a customer found by id, and the progress of the
 * run a person started, however many other runs the flow has.
 */
describe('the batch screens’ API', () => {
  let env: SyncEnvironment;
  let ctx: Context;
  let svc: Service;
  let app: FastifyInstance;
  let token: string;
  const n: Record<string, string> = {};
  const api = (o: string | InjectOptions) =>
    app.inject({
      ...(typeof o === 'string' ? { url: o } : o),
      headers: { authorization: `Bearer ${token}`, ...(typeof o === 'string' ? {} : o.headers) },
    });
  const post = (url: string, payload: unknown) => api({ method: 'POST', url, payload: payload as object });
  const load = async (flow: string, payload: unknown) => {
    const res = await post(`/api/flows/${flow}/load`, payload);
    expect(res.statusCode, res.body).toBe(200);
    const { batchId } = res.json() as { batchId: number };
    return (await api(`/api/batches/${batchId}/rows?limit=100`)).json() as {
      total: number;
      batch: { id: number; columns: Array<{ name: string; title: string; type: string }> };
      rows: Array<{
        source_id: string;
        plan: string;
        reason: string | null;
        columns: Record<string, unknown>;
      }>;
    };
  };

  beforeAll(async () => {
    env = await startSyncEnvironment({ customers: 30, products: 5, seed: 5 });
    const sb = env.acumatica;
    // Sales documents, as people make them on Acumatica's screens.
    const o1 = sb.createSalesOrder({
      customerId: 'C000001',
      currency: 'USD',
      lines: [{ inventoryId: 'ITEM00001', qty: 2, unitPrice: '10.00' }],
    });
    n.s1 = sb.createShipment(o1);
    sb.confirmShipment(n.s1);
    n.i1 = sb.prepareInvoice(n.s1);
    sb.releaseInvoice(n.i1);
    const o2 = sb.createSalesOrder({
      customerId: 'C000002',
      currency: 'USD',
      lines: [{ inventoryId: 'ITEM00002', qty: 1, unitPrice: '1250.50' }],
    });
    n.s2 = sb.createShipment(o2);
    sb.confirmShipment(n.s2);
    n.i2 = sb.prepareInvoice(n.s2);
    const o3 = sb.createSalesOrder({
      customerId: 'C000003',
      currency: 'USD',
      lines: [{ inventoryId: 'ITEM00003', qty: 1, unitPrice: '5' }],
    });
    n.s3 = sb.createShipment(o3);
    const memo = await saveInAcumatica(sb.url, 'SalesInvoice', {
      Type: { value: 'Credit Memo' },
      CustomerID: { value: 'C000001' },
      Hold: { value: false },
      Details: [{ InventoryID: { value: 'ITEM00004' }, Qty: { value: 1 }, UnitPrice: { value: 3.5 } }],
    });
    n.memo = (memo.ReferenceNbr as { value: string }).value;

    const flow = { retryBaseSeconds: 0.05, retryCapSeconds: 0.5, overlapMinutes: 1 };
    writeFileSync(
      env.configPath,
      stringify({
        database: env.db.url,
        connections: {
          acumatica: {
            connector: 'acumatica',
            settings: { ...sandboxRegistry.acumatica!.settings(env.acumatica), timeoutMs: 5000 },
          },
          magento: {
            connector: 'magento',
            settings: { ...sandboxRegistry.magento!.settings(env.magento), timeoutMs: 2000 },
          },
        },
        flows: { [CUSTOMERS]: flow, [SHIPMENTS]: flow, [INVOICES]: flow },
      }),
    );
    ctx = await openContext({ configPath: env.configPath });
    svc = await startService(ctx, { host: '127.0.0.1', port: 0 });
    app = svc.app;
    await createUser(ctx.store, {
      username: 'anna',
      role: 'operator',
      password: 'correct horse battery',
      mustChangePassword: false,
    });
    token = (await createApiToken(ctx.store, { username: 'anna', name: 'tests' })).token;
  });
  afterAll(async () => {
    await svc?.stop();
    await ctx?.close();
    await env?.close();
  });

  it("each flow declares its grid columns and filters; the invoice screen's are the seed's, exactly", async () => {
    const flows = (await api('/api/flows')).json() as {
      flows: Array<{
        name: string;
        columns: Array<{ name: string; title: string; type: string }>;
        filters: Array<{
          name: string;
          title: string;
          kind: string;
          idFileHeader?: string;
          options?: string[];
        }>;
      }>;
    };
    const flow = (name: string) => flows.flows.find((f) => f.name === name)!;
    expect(flow(INVOICES).columns.map((c) => c.title)).toEqual([
      'Invoice Type',
      'Invoice Nbr',
      'Status',
      'Invoice Date',
      'Customer',
      'Invoice Total',
      'LastModifiedDateTime',
    ]);
    expect(flow(INVOICES).columns.find((c) => c.title === 'Invoice Total')?.type).toBe('money');
    expect(flow(INVOICES).filters.map((f) => [f.title, f.kind, f.idFileHeader])).toEqual([
      ['Filter By Dates', 'dates', undefined],
      ['Filter By Invoice Status', 'values', undefined],
      ['Filter By Specific Customers', 'ids', 'Customer'],
      ['Filter By Invoice Nbr', 'ids', 'InvoiceNbr'],
      // Not the seed's: the SYNC Uploader's search box (seed 004 §6), invoices by account reference.
      ['Filter By Customer starting with', 'text', undefined],
    ]);
    expect(flow(SHIPMENTS).filters.map((f) => f.title)).toEqual([
      'Filter by Dates',
      'Filter by Order Types',
      'Filter by Shipment',
      'Filter by Status',
    ]);
    expect(
      flow(CUSTOMERS)
        .filters.map((f) => f.title)
        .slice(0, 3),
    ).toEqual(['Filter by Dates', 'Filter by Customer Classes', 'Filter by Specific Customer']);
    expect(flow(CUSTOMERS).columns.map((c) => c.title)).toContain('Customer Name');
  });

  it('Load with nothing checked is refused in the seed’s words; an empty result is a Load of 0', async () => {
    for (const body of [{}, { filters: { status: [] } }, { ids: ['  '] }]) {
      const res = await post(`/api/flows/${INVOICES}/load`, body);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toMatch(new RegExp(`^${NOTHING_CHECKED.replace(/[[\].]/g, '\\$&')}`));
    }
    const none = await load(INVOICES, { since: '2000-01-01', until: '2000-01-02' });
    expect(none.total).toBe(0);
    const backwards = await post(`/api/flows/${INVOICES}/load`, { since: '2026-03-01', until: '2026-02-01' });
    expect(backwards.json().error.message).toBe('since (2026-03-01) is after until (2026-02-01)');
  });

  it('the invoice grid: every document type, the source’s columns with money as money, sorted on the server', async () => {
    const grid = await load(INVOICES, { since: '2000-01-01' });
    expect(grid.batch.columns.map((c) => c.name)).toEqual([
      'invoiceType',
      'invoiceNbr',
      'status',
      'invoiceDate',
      'customer',
      'invoiceTotal',
      'lastModified',
    ]);
    const byId = new Map(grid.rows.map((r) => [r.source_id, r]));
    expect([...byId.keys()].sort()).toEqual([n.i1, n.i2, n.memo].sort());
    expect(byId.get(n.i2!)!.columns).toMatchObject({
      invoiceType: 'Invoice',
      invoiceNbr: n.i2,
      status: 'Balanced',
      customer: 'C000002',
      invoiceTotal: { amount: '1250.5', currency: 'USD' },
    });
    expect(byId.get(n.i2!)!.columns.invoiceDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(byId.get(n.i2!)!.columns.lastModified).toMatch(/^\d{4}-\d{2}-\d{2}T.*Z$/);
    // A credit memo is read and shown; the flow skips it, saying why.
    expect(byId.get(n.memo!)).toMatchObject({
      plan: 'skip',
      columns: { invoiceType: 'Credit Memo', invoiceTotal: { amount: '3.5', currency: expect.any(String) } },
    });
    expect(byId.get(n.memo!)!.reason).toMatch(/it is a Credit Memo, a credit note/);

    const sorted = async (sort: string, dir: string) =>
      (
        (await api(`/api/batches/${grid.batch.id}/rows?sort=${sort}&dir=${dir}`)).json() as {
          rows: Array<{ source_id: string }>;
        }
      ).rows.map((r) => r.source_id);
    // By amount, not by text: 1250.5 > 20 > 3.5.
    expect(await sorted('invoiceTotal', 'desc')).toEqual([n.i2, n.i1, n.memo]);
    expect(await sorted('invoiceType', 'asc')).toEqual([n.memo, n.i1, n.i2]);
    const bad = await api(`/api/batches/${grid.batch.id}/rows?sort=colour`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(
      /^sort: Load \d+ has no column "colour"; it sorts by invoiceType, /,
    );
  });

  it('two ID lists on the invoice screen, each with its header: a wrong one is refused naming the expected one', async () => {
    const upload = async (filter: string, header: string, ids: string[]) =>
      api({
        method: 'POST',
        url: `/api/flows/${INVOICES}/ids-file?filename=list.xlsx&filter=${filter}`,
        headers: { 'content-type': 'application/octet-stream' },
        payload: await xlsx(header, ids),
      });
    const customers = await upload('customer', 'Customer', ['C000001', 'C000002']);
    expect(customers.json()).toEqual({
      ids: ['C000001', 'C000002'],
      count: 2,
      header: 'Customer',
      filter: 'customer',
    });
    const numbers = await upload('ids', 'InvoiceNbr', [n.i1!, n.memo!]);
    expect(numbers.json()).toMatchObject({ ids: [n.i1, n.memo], header: 'InvoiceNbr' });

    const swapped = await upload('customer', 'InvoiceNbr', ['C000001']);
    expect(swapped.statusCode).toBe(422);
    expect(swapped.json().error).toMatchObject({
      code: 'wrong_header',
      message: expect.stringMatching(/the first row must be the header "Customer".*\(found "InvoiceNbr"\)/),
    });
    const swappedBack = await upload('ids', 'Customer', [n.i1!]);
    expect(swappedBack.json().error.message).toMatch(/the first row must be the header "InvoiceNbr"/);
    const unknown = await upload('orders', 'OrderNbr', ['SO1']);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.message).toBe(
      'filter: Acumatica has no ID list "orders" for invoice records; its ID lists are customer, ids',
    );

    // Both lists at once: the invoices of those customers among those numbers.
    const both = await load(INVOICES, { filters: { customer: ['C000001', 'C000002'], ids: [n.i1, n.memo] } });
    expect(both.rows.map((r) => r.source_id).sort()).toEqual([n.i1, n.memo].sort());
    const byCustomer = await load(INVOICES, { filters: { customer: ['C000002'] } });
    expect(byCustomer.rows.map((r) => r.source_id)).toEqual([n.i2]);
    // A pick list's values as the source spells them, whatever the case typed.
    const open = await load(INVOICES, { filters: { status: ['open', 'Closed'] } });
    expect(open.rows.map((r) => r.source_id)).toEqual([n.i1]);
    const balanced = await load(INVOICES, { filters: { status: ['Balanced'], customer: ['C000002'] } });
    expect(balanced.rows.map((r) => r.source_id)).toEqual([n.i2]);
    const typo = await post(`/api/flows/${INVOICES}/load`, { filters: { status: ['Opn'] } });
    expect(typo.statusCode).toBe(400);
    expect(typo.json().error.message).toMatch(
      /^filters\.status: "Opn" is not among the values of Filter By Invoice Status \(On Hold, /,
    );
  });

  it('pick lists: classes and order types read from the source, statuses from the manifest; a Load by two classes', async () => {
    const options = async (flow: string, filter: string) =>
      api(`/api/flows/${flow}/filters/${filter}/options`);
    const classes = (await options(CUSTOMERS, 'customerClass')).json() as {
      source: string;
      options: Array<{ value: string; title?: string }>;
    };
    expect(classes).toEqual({
      filter: 'customerClass',
      source: 'source',
      options: [
        { value: 'B2B', title: 'Business customers' },
        { value: 'DEFAULT', title: 'Default customer class' },
        { value: 'RETAIL', title: 'Retail customers' },
        { value: 'WHOLESALE', title: 'Wholesale customers' },
      ],
    });
    expect((await options(SHIPMENTS, 'orderType')).json().options).toEqual([{ value: 'SO' }]);
    const statuses = (await options(INVOICES, 'status')).json();
    expect(statuses.source).toBe('manifest');
    expect(statuses.options.map((o: { value: string }) => o.value)).toEqual(
      expect.arrayContaining(['Balanced', 'Open', 'Closed', 'Voided']),
    );
    const none = await options(INVOICES, 'customer');
    expect(none.statusCode).toBe(400);
    expect(none.json().error.message).toBe(
      'filter: Acumatica has no pick list "customer" for invoice records; its pick lists are status',
    );

    // A class the tenant does not have is refused by name, like a status; case is forgiven.
    const typo = await post(`/api/flows/${CUSTOMERS}/load`, { filters: { customerClass: ['RETAL'] } });
    expect(typo.statusCode).toBe(400);
    expect(typo.json().error.message).toBe(
      'filters.customerClass: "RETAL" is not among the values Acumatica lists for Filter by Customer Classes (B2B, DEFAULT, RETAIL, WHOLESALE)',
    );
    expect((await load(CUSTOMERS, { filters: { customerClass: ['retail'] } })).total).toBe(
      [...env.acumatica.customers.values()].filter((c) => c.CustomerClass?.value === 'RETAIL').length,
    );

    const picked = ['RETAIL', 'B2B'];
    const grid = await load(CUSTOMERS, { filters: { customerClass: picked } });
    const expected = [...env.acumatica.customers.values()].filter((c) =>
      picked.includes(String(c.CustomerClass?.value)),
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(grid.total).toBe(expected.length);
    expect(new Set(grid.rows.map((r) => r.columns.customerClass))).toEqual(new Set(picked));
    expect(grid.rows[0]!.columns.customerName).toBe(
      String(env.acumatica.customers.get(grid.rows[0]!.source_id)?.CustomerName?.value),
    );
  });

  it('the search box (a text filter): records whose reference starts with the letters typed; too long or unknown is a 400', async () => {
    const customers = await load(CUSTOMERS, { filters: { search: [' c00001 '] } });
    expect(customers.rows.map((r) => r.source_id).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `C0000${10 + i}`),
    );
    const invoices = await load(INVOICES, { filters: { search: ['C000002'] } });
    expect(invoices.rows.map((r) => r.source_id)).toEqual([n.i2]);
    // It narrows the other filters.
    const both = { search: ['C000002'], status: ['Balanced'] };
    expect((await load(INVOICES, { filters: both })).rows.map((r) => r.source_id)).toEqual([n.i2]);
    expect((await load(INVOICES, { filters: { ...both, status: ['Open'] } })).total).toBe(0);

    const refused = async (flow: string, filters: Record<string, string[]>) => {
      const res = await post(`/api/flows/${flow}/load`, { filters });
      expect(res.statusCode, res.body).toBe(400);
      return res.json().error.message as string;
    };
    expect(await refused(CUSTOMERS, { search: ['C'.repeat(101)] })).toBe(
      'filters.search: the start of the Customer ID is at most 100 characters; 101 were typed',
    );
    expect(await refused(CUSTOMERS, { search: ['C1', 'C2'] })).toBe(
      'filters.search: Filter by Customer ID starting with takes one text (the start of the Customer ID), not 2',
    );
    // Unknown filters are still refused by name; shipments have no search box.
    expect(await refused(CUSTOMERS, { serach: ['C'] })).toBe(
      'filters.serach: Acumatica offers no such filter; it offers customerClass, ids, status, search',
    );
    expect(await refused(SHIPMENTS, { search: ['S'] })).toMatch(
      /^filters\.search: Acumatica offers no such filter/,
    );
    // Blank letters select nothing: the seed's words, as with nothing checked.
    expect(await refused(CUSTOMERS, { search: ['   '] })).toMatch(/^You need to check at least one/);
    // A run takes the same filter.
    const run = await post(`/api/flows/${CUSTOMERS}/runs`, { filters: { search: ['C000029'] } });
    expect(run.statusCode, run.body).toBe(202);
  });

  it('shipments by order type', async () => {
    const so = await load(SHIPMENTS, { filters: { orderType: ['SO'] } });
    expect(so.rows.map((r) => r.source_id).sort()).toEqual([n.s1, n.s2, n.s3].sort());
    expect((await load(SHIPMENTS, { filters: { orderType: ['so'], status: ['Canceled'] } })).total).toBe(0);
    // The order types offered are those the connection reads: another is refused, naming them.
    const other = await post(`/api/flows/${SHIPMENTS}/load`, { filters: { orderType: ['QT'] } });
    expect(other.statusCode).toBe(400);
    expect(other.json().error.message).toBe(
      'filters.orderType: "QT" is not among the values Acumatica lists for Filter by Order Types (SO)',
    );
  });

  it('a customer found by its id in the source, with its columns, state and what processing would do', async () => {
    const found = await api(`/api/flows/${CUSTOMERS}/source-records/C000005`);
    expect(found.statusCode).toBe(200);
    expect(found.json()).toMatchObject({
      source_id: 'C000005',
      plan: 'create',
      columns: {
        customerId: 'C000005',
        customerName: String(env.acumatica.customers.get('C000005')?.CustomerName?.value),
      },
    });
    const missing = await api(`/api/flows/${CUSTOMERS}/source-records/C999999`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.message).toBe('Acumatica has no customer C999999');
  });

  it('Process All over a Load; a run over the whole flow only with confirm: true', async () => {
    const refused = await post(`/api/flows/${CUSTOMERS}/runs`, {});
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.message).toBe(
      `confirm: a run with neither batchId (a Load) nor a filter processes every record of ${CUSTOMERS} at once; send confirm: true to do that, or Load first and send its batchId`,
    );
    const emptyFilters = await post(`/api/flows/${CUSTOMERS}/runs`, { filters: { customerClass: [] } });
    expect(emptyFilters.statusCode).toBe(400);
    const confirmed = await post(`/api/flows/${SHIPMENTS}/runs`, { confirm: true });
    expect(confirmed.statusCode).toBe(202);
    expect(confirmed.json()).toMatchObject({ queued: true, request: expect.any(String) });
    await follow(
      `${svc.url}${confirmed.json().events}`,
      token,
      (e) => !!e && !['queued', 'running'].includes(e.status),
    );
  });

  it('the progress of the run a person started: followed by its request, not by whichever run came last', async () => {
    const grid = await load(CUSTOMERS, { ids: ['C000010', 'C000011', 'C000012'] });
    const started = await post(`/api/flows/${CUSTOMERS}/runs`, { batchId: grid.batch.id });
    expect(started.statusCode).toBe(202);
    const { request, events } = started.json() as { request: string; events: string };
    expect(events).toBe(`/api/flows/${CUSTOMERS}/events?request=${request}`);
    const seen = await follow(`${svc.url}${events}`, token, (e) => e?.status === 'succeeded');
    const mine = seen.at(-1)!;
    expect(mine).toMatchObject({ status: 'succeeded', startedBy: 'anna', total: 3, counts: { created: 3 } });
    expect(seen.every((e) => e !== null && (e.id === null ? e.status === 'queued' : e.id === mine.id))).toBe(
      true,
    );

    // Another run of the flow comes after (a schedule, a webhook): the flow's latest is that one…
    const other = await ctx.engine.run(CUSTOMERS, { trigger: 'schedule', query: { ids: ['C000013'] } });
    expect(other.runId).not.toBe(mine.id);
    const latest = await follow(`${svc.url}/api/flows/${CUSTOMERS}/events`, token, (e) => e !== null);
    expect(latest.at(-1)?.id).toBe(other.runId);
    // …but the screen that started the first, reloaded, asks for it again and gets it.
    const again = await follow(`${svc.url}${events}`, token, (e) => e !== null);
    expect(again.at(-1)).toMatchObject({ id: mine.id, status: 'succeeded', startedBy: 'anna' });
    const byId = await follow(
      `${svc.url}/api/flows/${CUSTOMERS}/events?run=${mine.id}`,
      token,
      (e) => e !== null,
    );
    expect(byId.at(-1)?.id).toBe(mine.id);
    const runs = (await api(`/api/runs?flow=${CUSTOMERS}&limit=5`)).json() as {
      runs: Array<{ id: number; started_by: string | null; request: string | null }>;
    };
    expect(runs.runs.find((r) => r.id === mine.id)).toMatchObject({ started_by: 'anna', request });
    expect(runs.runs.find((r) => r.id === other.runId)?.started_by).toBeNull();
    const unknown = await follow(`${svc.url}/api/flows/${CUSTOMERS}/events?request=nope`, token, () => true);
    expect(unknown).toEqual([null]);
  });
});
