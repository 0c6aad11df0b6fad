import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usersWithTokens } from '../../../test/support/api-server.js';
import { connectorContractSuite } from '../../../test/support/connector-contract-suite.js';
import { type QbdEnvironment, startQbdEnvironment } from '../../../test/support/qbd-environment.js';
import { type EntityName, entitySchemas, SalesOrder } from '../../model/index.js';
import type { SourceItem, WriteResult } from '../sdk/contract.js';
import { qbxmlRequest } from './qbxml.js';
import { QBD_SANDBOX, WebConnectorClient } from './sandbox/index.js';
import { SOAP_BODY_LIMIT } from './service.js';
import { parseSoapResult, soapCall } from './soap.js';

async function collect(it: AsyncIterable<SourceItem[]>): Promise<{ items: SourceItem[]; pages: number }> {
  const items: SourceItem[] = [];
  let pages = 0;
  for await (const page of it) {
    pages++;
    items.push(...page);
  }
  return { items, pages };
}

const data = (i: SourceItem) => i.data as Record<string, unknown>;

connectorContractSuite({
  name: 'quickbooks-desktop (through the Web Connector)',
  readable: ['customer', 'product', 'invoice'],
  // Writes create only: records already in QuickBooks are never changed (the manual's §7.1), so the
  // suite's "updates only the owned field" cannot apply; creates are tested below.
  writable: [],
  async start(count) {
    const env = await startQbdEnvironment({ customers: count, products: count, invoices: count });
    // check() judges the Web Connector's last session: let it poll once.
    await until(() => env.sandbox.webConnector.sessions.length > 0);
    let other = 0;
    const extra: WebConnectorClient[] = [];
    return {
      connector: env.connector,
      makeConnector(overrides) {
        // Another connection, whose Web Connector logs in with what the sandbox knows.
        const name = `qbd-${++other}`;
        const c = env.connect(name, overrides);
        const wc = new WebConnectorClient(
          {
            url: env.soapUrl(name),
            username: QBD_SANDBOX.username,
            password: QBD_SANDBOX.password,
            intervalMs: 100,
          },
          env.sandbox.processor,
        );
        extra.push(wc);
        const check = c.check.bind(c);
        c.check = async () => {
          await wc.runSession();
          return check();
        };
        return c;
      },
      async close() {
        for (const wc of extra) await wc.stop();
        expect(env.sandbox.processor.violations, 'qbXML that departs from the schema').toEqual([]);
        await env.close();
      },
    };
  },
  sample: () => ({}),
  change: (_e, record) => ({ record, field: 'name' }),
  readBack: async () => ({}),
  unownedField: () => 'name',
  badCredentials: { password: 'not-the-password' },
});

async function until(ok: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

let n = 0;
const order = (patch: Record<string, unknown> = {}) => {
  n++;
  return SalesOrder.parse({
    number: `ORD-${1000 + n}-1KWBHX`,
    status: 'ready',
    customerNumber: 'A1D001',
    contactName: 'Jim Thomas',
    contactPhone: '01742 876 234',
    takenBy: 'LitwareInc Administrator',
    orderDate: '2008-05-14',
    currency: 'GBP',
    lines: [
      {
        lineNumber: 1,
        sku: 'VID003',
        description: '32mb PCI Video Card',
        quantity: '3',
        unit: 'Each',
        unitPrice: { amount: '55', currency: 'GBP' },
        total: { amount: '165', currency: 'GBP' },
      },
      {
        lineNumber: 2,
        sku: 'TAPE002',
        description: 'Adhesive Tape – Brown (50mm x 66m)',
        quantity: '22',
        unit: 'Each',
        unitPrice: { amount: '2.80', currency: 'GBP' },
        total: { amount: '61.60', currency: 'GBP' },
      },
      {
        lineNumber: 3,
        sku: 'test Product',
        writeIn: true,
        description: 'test Product',
        quantity: '3',
        unit: 'Each',
        unitPrice: { amount: '33', currency: 'GBP' },
        total: { amount: '99', currency: 'GBP' },
      },
    ],
    taxTotal: { amount: '0', currency: 'GBP' },
    orderTotal: { amount: '325.60', currency: 'GBP' },
    updatedAt: new Date().toISOString(),
    ...patch,
  });
};

describe('QuickBooks Desktop through the Web Connector', () => {
  let env: QbdEnvironment;
  let refs: { customer: Record<string, string>; product: Record<string, string> };
  const invoiceAdds = () => env.sandbox.processor.ran.filter((r) => r === 'InvoiceAddRq').length;

  beforeAll(async () => {
    env = await startQbdEnvironment({ customers: 12, products: 8, invoices: 14 });
    const a1 = [...env.sandbox.company.customers.values()].find((c) => c.AccountNumber === 'A1D001')!;
    refs = { customer: { A1D001: a1.ListID }, product: { VID003: 'VID003', TAPE002: 'TAPE002' } };
  });
  afterAll(async () => {
    expect(env.sandbox.processor.violations).toEqual([]);
    await env.close();
  });

  describe('the SOAP service', () => {
    const call = async (method: string, params: Record<string, string | number>, name = 'qbd') => {
      const res = await fetch(env.soapUrl(name), {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        body: soapCall(method, params),
      });
      expect(res.status).toBe(200);
      return parseSoapResult(await res.text()).value;
    };

    it('authenticate: the right password gets a ticket, a wrong one "nvu"', async () => {
      env.sandbox.webConnector.pause();
      await env.sandbox.webConnector.stop();
      const good = (await call('authenticate', {
        strUserName: QBD_SANDBOX.username,
        strPassword: QBD_SANDBOX.password,
      })) as string[];
      expect(good[0]).toMatch(/^[0-9a-f-]{36}$/);
      expect(good[1]).toBe('none'); // nothing queued
      const bad = (await call('authenticate', {
        strUserName: QBD_SANDBOX.username,
        strPassword: 'guess',
      })) as string[];
      expect(bad[1]).toBe('nvu');
      const checks = await env.connector.check();
      expect(checks.find((c) => !c.ok)?.message).toMatch(/refused.*password/);
    });

    it('sendRequestXML with nothing queued answers ""; receiveResponseXML says how far; closeConnection ends the ticket', async () => {
      const [ticket] = (await call('authenticate', {
        strUserName: QBD_SANDBOX.username,
        strPassword: QBD_SANDBOX.password,
      })) as string[];
      const send = {
        ticket: ticket!,
        strHCPResponse: '',
        strCompanyFileName: 'C:\\x.QBW',
        qbXMLCountry: 'US',
        qbXMLMajorVers: 13,
        qbXMLMinorVers: 0,
      };
      expect(await call('sendRequestXML', send)).toBe('');
      // Two requests queued: the first answer is part-way, the last 100.
      await env.store.mailbox.forConnection('qbd').post([
        {
          key: 'test:1',
          request: qbxmlRequest({ CustomerQueryRq: { '@_requestID': '1', MaxReturned: 1 } }),
          retrySafe: true,
        },
        {
          key: 'test:2',
          request: qbxmlRequest({ ItemQueryRq: { '@_requestID': '1', MaxReturned: 1 } }),
          retrySafe: true,
        },
      ]);
      const first = String(await call('sendRequestXML', send));
      expect(first).toContain('<CustomerQueryRq');
      const p1 = Number(
        await call('receiveResponseXML', {
          ticket: ticket!,
          response: env.sandbox.processor.process(first),
          hresult: '',
          message: '',
        }),
      );
      expect(p1).toBeGreaterThan(0);
      expect(p1).toBeLessThan(100);
      const second = String(await call('sendRequestXML', send));
      const p2 = Number(
        await call('receiveResponseXML', {
          ticket: ticket!,
          response: env.sandbox.processor.process(second),
          hresult: '',
          message: '',
        }),
      );
      expect(p2).toBe(100);
      expect(String(await call('closeConnection', { ticket: ticket! }))).toMatch(/^OK/);
      // The ticket is spent.
      expect(await call('sendRequestXML', send)).toBe('');
      const [row] = await env.store.mailbox.forConnection('qbd').find(['test:2']);
      expect(row?.status).toBe('answered');
    });

    it('getLastError after a qbXML error names QuickBooks’ status', async () => {
      const [ticket] = (await call('authenticate', {
        strUserName: QBD_SANDBOX.username,
        strPassword: QBD_SANDBOX.password,
      })) as string[];
      await env.store.mailbox.forConnection('qbd').post([
        {
          key: 'test:dup',
          request: qbxmlRequest({
            CustomerAddRq: { '@_requestID': '1', CustomerAdd: { Name: 'A1 Design' } },
          }),
        },
      ]);
      const send = {
        ticket: ticket!,
        strHCPResponse: '',
        strCompanyFileName: '',
        qbXMLCountry: 'US',
        qbXMLMajorVers: 13,
        qbXMLMinorVers: 0,
      };
      const rq = String(await call('sendRequestXML', send));
      const pct = Number(
        await call('receiveResponseXML', {
          ticket: ticket!,
          response: env.sandbox.processor.process(rq),
          hresult: '',
          message: '',
        }),
      );
      expect(pct).toBe(100);
      expect(String(await call('getLastError', { ticket: ticket! }))).toMatch(/3100.*already in use/);
      await call('closeConnection', { ticket: ticket! });
      env.sandbox.webConnector.resume();
      env.sandbox.webConnector.start();
    });

    it('refuses a body larger than the Web Connector sends, with or without its length', async () => {
      const over = Buffer.alloc(SOAP_BODY_LIMIT + 1, 0x20);
      const sized = await fetch(env.soapUrl(), {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body: over,
      });
      expect(sized.status).toBe(413);
      expect(((await sized.json()) as { error: { message: string } }).error.message).toBe(
        'the body is larger than a Web Connector call may be (at most 8 MB)',
      );
      // Chunked: counted as it streams.
      const chunked = await fetch(env.soapUrl(), {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body: new ReadableStream({
          start(c) {
            c.enqueue(new Uint8Array(over));
            c.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
      expect(chunked.status).toBe(413);
      expect(((await chunked.json()) as { error: { code: string } }).error.code).toBe('too_large');
    });
  });

  describe('the .qwc file', () => {
    it('downloads for an operator: well-formed, https or localhost AppURL, the same ids every time', async () => {
      const tokens = await usersWithTokens(env.store, [
        ['olga', 'operator'],
        ['vic', 'viewer'],
      ]);
      const get = (token?: string) =>
        fetch(`${env.api.url}/api/connections/qbd/qwc`, {
          headers: token ? { authorization: `Bearer ${token}` } : {},
        });
      expect((await get()).status).toBe(401);
      expect((await get(tokens.viewer)).status).toBe(403);
      const res = await get(tokens.operator);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="ledgerlink-qbd\.qwc"/);
      const body = await res.text();
      const qwc = new XMLParser({ parseTagValue: false }).parse(body).QBWCXML;
      expect(qwc.AppURL).toBe(env.soapUrl());
      expect(qwc.UserName).toBe(QBD_SANDBOX.username);
      expect(qwc.QBType).toBe('QBFS');
      expect(qwc.IsReadOnly).toBe('false');
      expect(qwc.Scheduler.RunEveryNMinutes).toBe('1');
      expect(qwc.OwnerID).toMatch(/^\{[0-9A-F-]{36}\}$/);
      const again = new XMLParser({ parseTagValue: false }).parse(
        await (await get(tokens.operator)).text(),
      ).QBWCXML;
      expect([again.OwnerID, again.FileID]).toEqual([qwc.OwnerID, qwc.FileID]);
      // Plain http anywhere but localhost is refused.
      const far = env.connect('qbd-far', { publicUrl: 'http://ledgerlink.example.com' });
      expect('refusal' in far.soapEndpoint.installFile()).toBe(true);
    });
  });

  describe('reads', () => {
    it('reads customers, items and invoices with iterators across pages', async () => {
      for (const [entity, count] of [
        ['customer', 12],
        ['product', 8],
        ['invoice', 14],
      ] as const) {
        const { items, pages } = await collect(env.connector.read(entity, { pageSize: 5 }));
        expect(items.length, entity).toBeGreaterThanOrEqual(count);
        expect(pages).toBeGreaterThanOrEqual(Math.ceil(count / 5));
        for (const i of items)
          expect(entitySchemas[entity as EntityName].safeParse(i.data).success, JSON.stringify(i)).toBe(true);
      }
      const continues = env.sandbox.processor.ran.filter((r) => r.endsWith('QueryRq')).length;
      expect(continues).toBeGreaterThan(8);
    });

    it('reads only what changed within the since window', async () => {
      const all = (await collect(env.connector.read('customer', { pageSize: 50 }))).items;
      const stamps = all.map((i) => i.updatedAt).sort();
      const since = stamps[stamps.length - 4]!;
      const { items } = await collect(env.connector.read('customer', { since, pageSize: 2 }));
      expect(items.map((i) => i.id).sort()).toEqual(
        all
          .filter((i) => i.updatedAt >= since)
          .map((i) => i.id)
          .sort(),
      );
    });

    it('maps the manual’s customers: A1D001 with its address and limit, ABS001 with its balance’s limit', async () => {
      const all = (await collect(env.connector.read('customer', { pageSize: 50 }))).items;
      const a1 = all.find((i) => data(i).number === 'A1D001')!;
      expect(data(a1)).toMatchObject({
        name: 'A1 Design',
        creditLimit: { amount: '1000', currency: 'GBP' },
        addresses: [
          {
            line1: '67a Station',
            city: 'Blackpool',
            region: 'Lancashire',
            postalCode: 'BP12 7HT',
            country: 'GB',
          },
        ],
      });
      expect(data(all.find((i) => data(i).number === 'ABS001')!).creditLimit).toEqual({
        amount: '4000',
        currency: 'GBP',
      });
    });

    it('customers without an account number are identified by FullName', async () => {
      const all = (await collect(env.connector.read('customer', { pageSize: 50 }))).items;
      const bakery = all.find((i) => data(i).name === 'Bolton Bakery Ltd')!;
      expect(data(bakery).number).toBe('Bolton Bakery');
      expect((await env.connector.lookup('customer', ['Bolton Bakery'])).get('Bolton Bakery')?.id).toBe(
        bakery.id,
      );
      expect((await env.connector.lookup('customer', ['A1D001'])).get('A1D001')?.id).toBe(
        refs.customer.A1D001,
      );
      expect((await env.connector.get('customer', [bakery.id, 'NO-SUCH-ID'])).map((i) => i.id)).toEqual([
        bakery.id,
      ]);
    });

    it('invoices: lines with their items, write-in lines without, tax shared to the cent', async () => {
      const { items } = await collect(env.connector.read('invoice', { pageSize: 50 }));
      for (const i of items) {
        const inv = data(i) as {
          lines: Array<{ tax: { amount: string }; total: { amount: string }; sku?: string }>;
          taxTotal: { amount: string };
          netTotal: { amount: string };
          total: { amount: string };
        };
        const tax = inv.lines.reduce((s, l) => s + Math.round(Number(l.tax.amount) * 100), 0);
        expect(tax).toBe(Math.round(Number(inv.taxTotal.amount) * 100));
        const net = inv.lines.reduce((s, l) => s + Math.round(Number(l.total.amount) * 100), 0);
        expect(net).toBe(Math.round(Number(inv.netTotal.amount) * 100));
      }
      expect(
        items.some((i) => (data(i).lines as Array<{ sku?: string }>).some((l) => l.sku === undefined)),
      ).toBe(true);
    });
  });

  describe('writes', () => {
    it('creates a customer (CustomerAdd), an item (ItemNonInventoryAdd) and an invoice from a CRM order (InvoiceAdd)', async () => {
      const [c] = await env.connector.write('customer', [
        {
          ref: 'XXX001',
          action: 'create',
          data: {
            number: 'XXX001',
            name: 'Test Customer',
            currency: 'GBP',
            onHold: false,
            status: 'active',
            contacts: [{ firstName: 'Tess', lastName: 'Tester', phone: '0161 000', isPrimary: true }],
            addresses: [
              { kind: 'main', line1: '1 Test Street', city: 'Leeds', postalCode: 'LS1 1AA', country: 'GB' },
            ],
            creditLimit: { amount: '500', currency: 'GBP' },
            updatedAt: new Date().toISOString(),
          },
        },
      ]);
      expect(c, JSON.stringify(c)).toMatchObject({ ok: true, action: 'created' });
      const created = env.sandbox.company.customerByName('XXX001')!;
      expect(created).toMatchObject({
        AccountNumber: 'XXX001',
        CompanyName: 'Test Customer',
        CreditLimit: '500.00',
      });
      expect((await env.connector.lookup('customer', ['XXX001'])).get('XXX001')?.id).toBe(created.ListID);

      const [p] = await env.connector.write('product', [
        {
          ref: 'NEWSKU',
          action: 'create',
          data: {
            sku: 'NEWSKU',
            name: 'A new thing',
            listPrice: { amount: '12.5', currency: 'GBP' },
            unit: 'Each',
            status: 'active',
            stock: [],
            updatedAt: new Date().toISOString(),
          },
        },
      ]);
      expect(p).toMatchObject({ ok: true, action: 'created', targetId: 'NEWSKU' });
      expect(env.sandbox.company.itemByName('NEWSKU')).toMatchObject({
        kind: 'ItemNonInventoryRet',
        Price: '12.50',
        IncomeAccount: 'Sales',
      });

      const o = order();
      const [inv] = await env.connector.write('salesOrder', [
        { ref: o.number, action: 'create', data: o, refs },
      ]);
      expect(inv, JSON.stringify(inv)).toMatchObject({ ok: true, action: 'created' });
      const stored = env.sandbox.company.invoices.get((inv as { targetId: string }).targetId)!;
      expect((inv as { targetNumber: string }).targetNumber).toBe(stored.RefNumber);
      expect(stored.PONumber).toBe(o.number);
      expect(stored.Memo).toContain('Jim Thomas');
      expect(stored.Memo).toContain('01742 876 234');
      expect(stored.Memo).toContain('Taken by LitwareInc Administrator');
      expect(stored.lines.map((l) => [l.Desc, l.Quantity, l.Rate])).toEqual([
        ['32mb PCI Video Card', '3', '55'],
        ['Adhesive Tape – Brown (50mm x 66m)', '22', '2.8'],
        ['test Product', '3', '33'],
      ]);
      // The write-in line is booked on the default product; the order's prices, QuickBooks' tax.
      expect(env.sandbox.company.items.get(stored.lines[2]!.ItemListID!)?.Name).toBe('MISC');
      expect(stored.Subtotal).toBe('325.60');
      // Existing records are never changed.
      const [u] = await env.connector.write('customer', [
        { ref: 'x', action: 'update', targetId: created.ListID, data: {}, fields: ['creditLimit'] },
      ]);
      expect(u).toMatchObject({ ok: true, action: 'skipped' });
    });

    it('a retry never sends a second InvoiceAdd', async () => {
      const o = order();
      const before = invoiceAdds();
      const [first] = await env.connector.write('salesOrder', [
        { ref: o.number, action: 'create', data: o, refs },
      ]);
      const [again] = await env.connector.write('salesOrder', [
        { ref: o.number, action: 'create', data: o, refs },
      ]);
      expect(first?.ok && again?.ok).toBe(true);
      expect((again as { targetId: string }).targetId).toBe((first as { targetId: string }).targetId);
      expect(invoiceAdds()).toBe(before + 1);
      expect((await env.connector.lookup('salesOrder', [o.number])).get(o.number)?.id).toBe(
        (first as { targetId: string }).targetId,
      );
    });

    it('a Web Connector that stops polling for an hour loses and duplicates nothing', async () => {
      env.sandbox.webConnector.pause();
      await env.sandbox.webConnector.stop();
      const before = invoiceAdds();
      const invoicesBefore = env.sandbox.company.invoices.size;
      const orders = [order(), order(), order()];
      const short = env.connect('qbd', { answerWaitSeconds: 1 });
      const failed = await short.write(
        'salesOrder',
        orders.map((o) => ({ ref: o.number, action: 'create' as const, data: o, refs })),
      );
      for (const r of failed) {
        expect(r.ok).toBe(false);
        const e = (r as Extract<WriteResult, { ok: false }>).error;
        expect(e.category).toBe('rate_limited');
        expect(e.message).toMatch(/queued for QuickBooks; the Web Connector has not polled since/);
      }
      // The engine retries while QuickBooks is away: the same requests, still queued once each.
      await short.write(
        'salesOrder',
        orders.map((o) => ({ ref: o.number, action: 'create' as const, data: o, refs })),
      );
      expect(await env.store.mailbox.forConnection('qbd').queued()).toBe(3);
      expect(invoiceAdds()).toBe(before);
      // An hour later the Web Connector runs again; the retries find their answers.
      env.sandbox.webConnector.resume();
      env.sandbox.webConnector.start();
      await until(() => invoiceAdds() === before + 3);
      const landed = await env.connector.write(
        'salesOrder',
        orders.map((o) => ({ ref: o.number, action: 'create' as const, data: o, refs })),
      );
      expect(landed.every((r) => r.ok && r.action === 'created')).toBe(true);
      expect(new Set(landed.map((r) => (r as { targetId: string }).targetId)).size).toBe(3);
      expect(env.sandbox.company.invoices.size).toBe(invoicesBefore + 3);
      expect(invoiceAdds()).toBe(before + 3);
      env.connect('qbd');
    });

    it('a qbXML error is a failed record with QuickBooks’ statusMessage', async () => {
      const wrong = env.connect('qbd', { defaultIncomeAccount: 'No Such Account' });
      const [r] = await wrong.write('product', [
        {
          ref: 'BADACC',
          action: 'create',
          data: {
            sku: 'BADACC',
            name: 'x',
            listPrice: { amount: '1', currency: 'GBP' },
            unit: 'Each',
            status: 'active',
            stock: [],
            updatedAt: new Date().toISOString(),
          },
        },
      ]);
      expect(r?.ok).toBe(false);
      const e = (r as Extract<WriteResult, { ok: false }>).error;
      expect(e).toMatchObject({ category: 'rejected', code: 'invalid_data' });
      expect(e.message).toMatch(
        /3140: There is an invalid reference to QuickBooks Account "No Such Account"/,
      );
      const [dup] = await env.connector.write('customer', [
        {
          ref: 'A1 Design',
          action: 'create',
          data: {
            number: 'A1 Design',
            name: 'A1 Design',
            currency: 'GBP',
            onHold: false,
            status: 'active',
            contacts: [],
            addresses: [],
            updatedAt: new Date().toISOString(),
          },
        },
      ]);
      expect((dup as Extract<WriteResult, { ok: false }>).error).toMatchObject({
        code: 'duplicate',
        category: 'rejected',
      });
      env.connect('qbd');
    });

    it('bad input is a failed record naming the field and the limit, never sent', async () => {
      const ran = env.sandbox.processor.ran.length;
      const long = order({ number: 'ORD-THIS-NUMBER-IS-FAR-TOO-LONG-FOR-PO' });
      const negative = order({ lines: [{ ...order().lines[0]!, quantity: '-2' }] });
      const noCustomer = order();
      const results = await env.connector.write('salesOrder', [
        { ref: 'long', action: 'create', data: long, refs },
        { ref: 'neg', action: 'create', data: negative, refs },
        { ref: 'nocust', action: 'create', data: noCustomer, refs: { product: refs.product } },
      ]);
      const msg = (ref: string) =>
        (results.find((r) => r.ref === ref) as Extract<WriteResult, { ok: false }>).error.message;
      expect(msg('long')).toMatch(/PONumber.*at most 25/);
      expect(msg('neg')).toMatch(/quantity -2 is negative/);
      expect(msg('nocust')).toMatch(/customer A1D001 is not in QuickBooks yet/);
      const [longSku] = await env.connector.write('product', [
        {
          ref: 'p',
          action: 'create',
          data: {
            sku: 'A-PRODUCT-CODE-LONGER-THAN-31-CHARS',
            name: 'x',
            listPrice: { amount: '1', currency: 'GBP' },
            unit: 'Each',
            status: 'active',
            stock: [],
            updatedAt: new Date().toISOString(),
          },
        },
      ]);
      expect((longSku as Extract<WriteResult, { ok: false }>).error.message).toMatch(/at most 31/);
      expect(env.sandbox.processor.ran.length).toBe(ran);
    });
  });

  it('check() names the company file, qbXML version and last poll', async () => {
    await until(async () => (await env.store.mailbox.forConnection('qbd').lastSession())?.refused === false);
    const checks = await env.connector.check();
    expect(checks.find((c) => c.name === 'web connector')?.ok).toBe(true);
    expect(checks.find((c) => c.name === 'company file')?.message).toMatch(/A1 Design Ltd\.QBW, qbXML 13\.0/);
  });
});
