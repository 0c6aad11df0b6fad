// biome-ignore-all lint/correctness/noComponentHookFactories: SDO's COM members are PascalCase, not React components
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SalesOrder } from '../../model/index.js';
import type { Sage50Connector } from './connector.js';
import { HostedWriter } from './sandbox/writer.js';
import { type ComFactory, SDO_LEDGER_INVOICE, type SdoEngine, SdoWriter } from './sdo-writer.js';
import { readSettings } from './settings.js';
import { connect, hostedFor } from './test-support.js';

const GBP = (amount: string) => ({ amount, currency: 'GBP' });
const order = (
  number: string,
  customerNumber = 'A1D001',
  takenBy = 'LitwareInc Administrator',
): SalesOrder => ({
  number,
  status: 'ready',
  customerNumber,
  guest: false,
  contactName: 'Jim Thomas',
  contactPhone: '01742 876 234',
  takenBy,
  orderDate: '2026-01-12',
  currency: 'GBP',
  lines: [
    { lineNumber: 1, sku: 'VID003', quantity: '3', unit: 'Each', unitPrice: GBP('55'), total: GBP('165') },
    {
      lineNumber: 2,
      sku: 'test Product',
      writeIn: true,
      description: 'test Product',
      quantity: '3',
      unit: 'Each',
      unitPrice: GBP('33'),
      total: GBP('99'),
    },
  ],
  taxLines: [],
  taxTotal: GBP('0'),
  orderTotal: GBP('264'),
  updatedAt: '2026-01-12T10:00:00.000Z',
});

/** SDO as COM shows it to winax, recording what Ledgerlink sets; `refuse` makes Update fail. */
function fakeSdo() {
  const posted: Array<{
    type: number;
    header: Record<string, unknown>;
    items: Array<Record<string, unknown>>;
  }> = [];
  const seen = { progId: '', connect: [] as unknown[], refuse: '', connectOk: true, disconnected: 0 };
  let next = 41;
  const engine: SdoEngine = {
    LastError: { Text: '' },
    Workspaces: {
      Add: () => ({
        Connect: (...args: unknown[]) => {
          seen.connect = args;
          if (!seen.connectOk) engine.LastError = { Text: 'Invalid user name or password' };
          return seen.connectOk;
        },
        Disconnect: () => {
          seen.disconnected++;
        },
        CreateObject: () => {
          const doc = {
            type: 0,
            header: {} as Record<string, unknown>,
            items: [] as Array<Record<string, unknown>>,
          };
          return {
            set Type(v: number) {
              doc.type = v;
            },
            get Type() {
              return doc.type;
            },
            Header: (name: string) => ({
              set Value(v: unknown) {
                doc.header[name] = v;
              },
              get Value() {
                return doc.header[name];
              },
            }),
            Items: {
              Add: () => {
                const item: Record<string, unknown> = {};
                doc.items.push(item);
                return {
                  Fields: {
                    Item: (name: string) => ({
                      set Value(v: unknown) {
                        item[name] = v;
                      },
                      get Value() {
                        return item[name];
                      },
                    }),
                  },
                };
              },
            },
            GetNextNumber: () => next++,
            Update: () => {
              if (seen.refuse) {
                engine.LastError = { Text: seen.refuse };
                return false;
              }
              posted.push(doc);
              return true;
            },
          };
        },
      }),
    },
  };
  const factory: ComFactory = (progId) => {
    seen.progId = progId;
    return engine;
  };
  return { factory, posted, seen };
}

/**
 * The SDO writer against SDO's object model (a recording fake of its COM objects; the real one runs
 * only on the Sage machine): the plan both writers share, posted through InvoicePost field by field.
 */
describe('Sage 50 through Sage Data Objects', () => {
  let h: Awaited<ReturnType<typeof hostedFor>>;
  let c: Sage50Connector;
  const settings = () =>
    readSettings({
      ...h.settings(),
      folder: 'C:\\Sage\\ACCDATA',
      user: 'manager',
      password: 'pw',
      writer: 'sdo',
    });
  const create = (ref: string, o: SalesOrder) => ({ ref, action: 'create' as const, data: o });

  beforeAll(async () => {
    h = await hostedFor('sqlite');
    c = connect(h);
  }, 60_000);
  afterAll(async () => {
    await c?.close();
    await h?.close();
    await h?.drop();
  });

  it('posts a product invoice: header from the order and the account, one item per line with VAT per line', async () => {
    const sdo = fakeSdo();
    const w = new SdoWriter(c.db, settings(), async () => sdo.factory);
    const [r] = await w.write('salesOrder', [create('ORD-1', order('ORD-1'))]);
    expect(r).toMatchObject({ ok: true, action: 'created', targetId: '41' });
    expect(sdo.seen.progId).toBe('SDOEngine.32');
    expect(sdo.seen.connect).toEqual(['C:\\Sage\\ACCDATA', 'manager', 'pw', 'Ledgerlink']);
    const [doc] = sdo.posted;
    expect(doc?.type).toBe(SDO_LEDGER_INVOICE);
    expect(doc?.header).toMatchObject({
      INVOICE_NUMBER: 41,
      INVOICE_TYPE_CODE: 0,
      ACCOUNT_REF: 'A1D001',
      CUST_ORDER_NUMBER: 'ORD-1',
      CONTACT_NAME: 'Jim Thomas',
      CUST_TEL_NUMBER: '01742 876 234',
      TAKEN_BY: 'LitwareInc Administrator',
      GLOBAL_TAX_CODE: 'T1',
    });
    // The owner's name is no department of Sage's: Sage's default stands.
    expect(doc?.header).not.toHaveProperty('GLOBAL_DEPT_NUMBER');
    expect(
      doc?.items.map((i) => [
        i.STOCK_CODE,
        i.DESCRIPTION,
        i.QTY_ORDER,
        i.UNIT_PRICE,
        i.NET_AMOUNT,
        i.TAX_AMOUNT,
      ]),
    ).toEqual([
      ['VID003', 'VID003', 3, 55, 165, 28.88],
      ['MISC', 'test Product', 3, 33, 99, 17.33],
    ]);
    await w.close();
    expect(sdo.seen.disconnected).toBe(1);
  });

  it('the department is the owner’s name, only where Sage has that department (both writers)', async () => {
    const sdo = fakeSdo();
    const w = new SdoWriter(c.db, settings(), async () => sdo.factory);
    await w.write('salesOrder', [create('g', order('ORD-G', 'A1D001', 'George Holt'))]);
    expect(sdo.posted[0]?.header.GLOBAL_DEPT_NUMBER).toBe(2);
    expect(sdo.posted[0]?.items.map((i) => i.DEPT_NUMBER)).toEqual([2, 2]);
    const hosted = new HostedWriter(c.db, readSettings({ ...h.settings() }));
    const [byHolt, byAdmin] = await hosted.write('salesOrder', [
      create('h1', order('ORD-H1', 'A1D001', 'George Holt')),
      create('h2', order('ORD-H2')),
    ]);
    const dept = async (n: string | undefined) => [
      ...(await c.db.query(
        'SELECT GLOBAL_DEPT_NUMBER AS d, GLOBAL_DEPT_NAME AS name FROM INVOICE WHERE INVOICE_NUMBER = ?',
        [Number(n)],
      )),
      ...(await c.db.query(
        'SELECT DEPT_NUMBER AS d, DEPT_NAME AS name FROM INVOICE_ITEM WHERE INVOICE_NUMBER = ?',
        [Number(n)],
      )),
    ];
    expect(await dept(byHolt?.ok ? byHolt.targetId : undefined)).toEqual([
      { d: 2, name: 'George Holt' },
      { d: 2, name: 'George Holt' },
      { d: 2, name: 'George Holt' },
    ]);
    expect((await dept(byAdmin?.ok ? byAdmin.targetId : undefined)).map((r) => r.d)).toEqual([0, 0, 0]);
  });

  it('SDO refusing an invoice fails that record with SDO’s words; a missing account never reaches SDO', async () => {
    const sdo = fakeSdo();
    sdo.seen.refuse = 'The account is on hold';
    const w = new SdoWriter(c.db, settings(), async () => sdo.factory);
    const results = await w.write('salesOrder', [
      create('a', order('ORD-2')),
      create('b', order('ORD-3', 'XXX001')),
    ]);
    expect(results.map((r) => [r.ref, r.ok, r.ok ? '' : r.error.message])).toEqual([
      ['a', false, 'order ORD-2: Sage Data Objects did not post the invoice: The account is on hold'],
      ['b', false, 'order ORD-3: customer XXX001 is not a Sage 50 account'],
    ]);
    expect(sdo.posted).toEqual([]);
  });

  it('a data folder SDO refuses stops the run as a setup problem, naming the folder and SDO’s reason', async () => {
    const sdo = fakeSdo();
    sdo.seen.connectOk = false;
    const w = new SdoWriter(c.db, settings(), async () => sdo.factory);
    await expect(w.write('salesOrder', [create('a', order('ORD-4'))])).rejects.toMatchObject({
      category: 'config',
      message: expect.stringMatching(
        /refused the data folder C:\\Sage\\ACCDATA for user manager: Invalid user name/,
      ),
    });
  });

  it.skipIf(process.platform === 'win32')(
    'off Windows the SDO writer says to run on the Sage machine or through the agent',
    async () => {
      const w = new SdoWriter(c.db, settings());
      await expect(w.write('salesOrder', [create('a', order('ORD-5'))])).rejects.toMatchObject({
        category: 'config',
        message: expect.stringMatching(/Sage Data Objects.*ledgerlink agent/),
      });
    },
  );
});
