import { Decimal } from 'decimal.js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorContractSuite } from '../../../test/support/connector-contract-suite.js';
import { startTryton, type TrytonPeer, trytonAvailability } from '../../../test/support/peers/tryton.js';
import { type EntityName, roundMoney, type SalesOrder } from '../../model/index.js';
import { isWritten, type SourceItem, type WriteResult } from '../sdk/contract.js';
import { settingsSchema } from '../sdk/manifest.js';
import { type TrytonConnector, trytonConnector } from './index.js';

/**
 * Against a real Tryton 6.0 (Debian's packages, SQLite), started once for the file: the shared
 * connector contract for parties and products, then web orders becoming sales that Tryton confirms,
 * ships and invoices. Skipped, with the reason, where Tryton cannot be installed.
 */
const logger = pino({ level: 'silent' });
const availability = trytonAvailability();
const title = availability.ok ? 'Tryton 6.0' : `Tryton 6.0 (skipped: ${availability.reason})`;

let peer: TrytonPeer;

function connect(database: string, overrides: Record<string, unknown> = {}): TrytonConnector {
  const settings = settingsSchema(trytonConnector.manifest.connectionFields).parse({
    url: peer.url,
    database,
    username: peer.user,
    password: peer.password,
    timeoutMs: 30_000,
    ...overrides,
  });
  return trytonConnector.create(settings, { connection: 'tryton', logger }) as TrytonConnector;
}

async function all(it: AsyncIterable<SourceItem[]>): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const page of it) out.push(...page);
  return out;
}

const usd = (amount: string) => ({ amount, currency: 'USD' });

describe.skipIf(!availability.ok)(title, () => {
  beforeAll(async () => {
    const started = Date.now();
    peer = await startTryton();
    // The phases, for the record: install (when it ran), init, start, setup.
    console.info(
      `Tryton peer up in ${Date.now() - started} ms: ${JSON.stringify(peer.timings)}, ${peer.rssMb()} MB resident`,
    );
  }, 900_000);
  afterAll(async () => {
    await peer?.close();
  });

  let n = 0;
  const sample = (entity: EntityName, i: number): Record<string, unknown> => {
    n++;
    const now = new Date().toISOString();
    if (entity === 'customer')
      return {
        number: `SHOP-${i}-${n}`,
        name: `New Customer ${n}`,
        email: `new${i}.${n}@example.com`,
        status: 'active',
        onHold: false,
        currency: 'USD',
        contacts: [{ firstName: 'New', lastName: `Person${n}`, phone: '+1 555 0199', isPrimary: true }],
        addresses: [
          { kind: 'main', line1: '9 Test Road', city: 'Austin', postalCode: '78701', country: 'US' },
        ],
        updatedAt: now,
      };
    return {
      sku: `NEWSKU-${i}-${n}`,
      name: `New item ${n}`,
      status: 'active',
      listPrice: usd('10.50'),
      standardCost: usd('4.25'),
      unit: 'EA',
      stock: [],
      updatedAt: now,
    };
  };

  // Sales orders are left out of the shared suite: it writes without references, and a sale needs its
  // party and products as Tryton ids. They have their own tests below. Tryton sends no webhooks.
  connectorContractSuite({
    name: 'tryton 6.0',
    readable: ['customer', 'product'],
    writable: ['customer', 'product'],
    async start(count) {
      const database = peer.freshDatabase('contract');
      const rpc = peer.rpcFor(database);
      const ids = Array.from({ length: count }, (_, i) => i + 1);
      await rpc.create(
        'party.party',
        ids.map((i) => ({
          name: `Customer ${i}`,
          contact_mechanisms: [['create', [{ type: 'email', value: `customer${i}@example.com` }]]],
          addresses: [
            ['create', [{ street: `${i} Main Street`, city: 'Austin', country: peer.business.countries.US }]],
          ],
        })),
      );
      for (const i of ids)
        await rpc.createProduct({
          code: `SKU${String(i).padStart(3, '0')}`,
          name: `Item ${i}`,
          listPrice: `${i}.25`,
        });
      return {
        connector: connect(database, { productCategory: 'Goods (VAT 20%)' }),
        makeConnector: (o) => connect(database, o),
        close: async () => undefined,
      };
    },
    sample,
    change: (entity, record) =>
      entity === 'customer'
        ? { record: { ...record, name: 'Renamed Customer' }, field: 'name' }
        : { record: { ...record, listPrice: usd('99.95') }, field: 'listPrice' },
    async readBack(entity, connector, id) {
      const [item] = await connector.get(entity, [id]);
      return item?.data as Record<string, unknown>;
    },
    unownedField: (entity) => (entity === 'customer' ? 'email' : 'name'),
    badCredentials: { password: 'wrong' },
  });

  describe('web orders become sales', () => {
    let c: TrytonConnector;
    let party: number;
    const products: Record<string, number> = {};
    let seq = 0;

    beforeAll(async () => {
      const rpc = peer.rpc;
      party = await rpc.createParty({
        name: 'Ann Adams',
        email: 'ann@example.com',
        street: '1 Main St',
        city: 'Austin',
        postalCode: '78701',
      });
      const defs = [
        { code: 'WID-1', name: 'Widget', listPrice: '19.99' },
        { code: 'GAD-2', name: 'Gadget', listPrice: '5.25' },
        { code: 'BOX-3', name: 'Box', listPrice: '12.00' },
        { code: 'NOCAT-9', name: 'Uncategorised thing', listPrice: '8.00', category: null },
      ];
      for (const d of defs) products[d.code] = await rpc.createProduct(d);
      await rpc.setStock(['WID-1', 'GAD-2', 'BOX-3', 'NOCAT-9'].map((code) => [products[code]!, 100]));
      c = connect(peer.database);
    });
    afterAll(async () => {
      await c?.close();
    });

    /** A web order of the given lines (sku, quantity, unit price), 20 % tax on the goods and the shipping. */
    const order = (lines: Array<[string, string, string]>, shipping = '7.50'): SalesOrder => {
      seq++;
      const rows = lines.map(([sku, quantity, price], i) => ({
        lineNumber: i + 1,
        sku,
        quantity,
        unit: 'EA',
        unitPrice: usd(price),
        total: usd(roundMoney(new Decimal(quantity).times(price))),
      }));
      const net = rows.reduce((s, l) => s.plus(l.total.amount), new Decimal(0)).plus(shipping);
      const tax = roundMoney(net.times('0.20'));
      const total = net.plus(tax).toFixed(2);
      return {
        number: `WEB-${Date.now()}-${seq}`,
        status: 'processing',
        customerNumber: 'SHOP-C1',
        guest: false,
        customerEmail: 'ann@example.com',
        orderDate: new Date().toISOString().slice(0, 10),
        currency: 'USD',
        lines: rows,
        shippingTotal: usd(shipping),
        taxLines: [{ code: 'TAX20', rate: '20', taxable: usd(net.toFixed(2)), tax: usd(tax) }],
        taxTotal: usd(tax),
        orderTotal: usd(total),
        updatedAt: new Date().toISOString(),
      };
    };

    const refsFor = (o: SalesOrder) => ({
      customer: { 'SHOP-C1': String(party) },
      product: Object.fromEntries(o.lines.map((l) => [l.sku, String(products[l.sku])])),
    });

    const create = async (o: SalesOrder): Promise<WriteResult> => {
      const [r] = await c.write('salesOrder', [
        { ref: o.number, action: 'create', data: o, refs: refsFor(o) },
      ]);
      return r!;
    };

    it('a sale is confirmed and processed: a shipment and an invoice appear, totals equal to the cent', async () => {
      const o = order([
        ['WID-1', '3', '19.99'],
        ['GAD-2', '2', '5.25'],
        ['BOX-3', '1', '12.00'],
      ]);
      expect(o.orderTotal.amount).toBe('107.96');
      const key = c.naturalKey('salesOrder', o)!;
      expect(key).toBe(`reference:${o.number}`);
      expect((await c.lookup('salesOrder', [key])).size).toBe(0);

      const r = await create(o);
      expect(r.ok, JSON.stringify(r)).toBe(true);
      if (!isWritten(r)) return;
      expect(r.targetNumber).toMatch(/^\d+$/);
      expect((await c.lookup('salesOrder', [key])).get(key)?.id).toBe(r.targetId);

      const [sale] = await peer.rpc.call<
        Array<{ state: string; shipments: number[]; invoices: number[]; total_amount: string }>
      >('sale.sale', 'read', [Number(r.targetId)], ['state', 'shipments', 'invoices', 'total_amount']);
      expect(sale?.state).toBe('processing');
      expect(sale?.shipments).toHaveLength(1);
      expect(sale?.invoices).toHaveLength(1);
      expect(sale?.total_amount).toBe('107.96');

      // The sale read back the other way: the order's figures, the shipping line as shippingTotal.
      const [read] = await c.get('salesOrder', [r.targetId]);
      expect(read?.error).toBeUndefined();
      expect(read?.data).toMatchObject({
        number: r.targetNumber,
        externalNumber: o.number,
        status: 'processing',
        customerNumber: String(party),
        orderTotal: usd('107.96'),
        taxTotal: usd('17.99'),
        shippingTotal: usd('7.50'),
        lines: [
          { lineNumber: 1, sku: 'WID-1', quantity: '3', total: usd('59.97') },
          { lineNumber: 2, sku: 'GAD-2', quantity: '2', total: usd('10.50') },
          { lineNumber: 3, sku: 'BOX-3', quantity: '1', total: usd('12.00') },
        ],
      });

      // The warehouse ships it; the shipment names the sale and each line's number.
      await peer.rpc.shipOut(sale!.shipments[0]!, 'TRACK-0001');
      const [shipment] = await c.get('shipment', [String(sale!.shipments[0])]);
      expect(shipment?.error).toBeUndefined();
      expect(shipment?.data).toMatchObject({
        status: 'done',
        customerNumber: String(party),
        orderNumbers: [r.targetId],
        trackingNumbers: ['TRACK-0001'],
        lines: [
          { orderNumber: r.targetId, orderLineNumber: 1, sku: 'WID-1', quantity: '3' },
          { orderNumber: r.targetId, orderLineNumber: 2, sku: 'GAD-2', quantity: '2' },
          { orderNumber: r.targetId, orderLineNumber: 3, sku: 'BOX-3', quantity: '1' },
        ],
      });

      // Posted and paid, the invoice carries Tryton's tax and nothing left to pay.
      const invoiceId = sale!.invoices[0]!;
      await peer.rpc.postInvoice(invoiceId);
      const [posted] = await c.get('invoice', [String(invoiceId)]);
      expect(posted?.data).toMatchObject({
        status: 'posted',
        orderNumbers: [r.targetId],
        netTotal: usd('89.97'),
        taxTotal: usd('17.99'),
        total: usd('107.96'),
        balance: usd('107.96'),
        taxLines: [{ rate: '20', taxable: usd('89.97'), tax: usd('17.99') }],
      });
      const invoice = posted?.data as { number: string; lines: unknown[] };
      expect(invoice.number).toMatch(/^INV\//);
      expect(invoice.lines).toHaveLength(3);
      await peer.rpc.payInvoice(invoiceId);
      const [paid] = await c.get('invoice', [String(invoiceId)]);
      expect(paid?.data).toMatchObject({ status: 'paid', balance: usd('0') });
    });

    it("a product without an account category fails the sale with Tryton's message; after the fix a retry succeeds", async () => {
      const o = order([
        ['WID-1', '1', '19.99'],
        ['NOCAT-9', '2', '8.00'],
      ]);
      const first = await create(o);
      expect(first.ok).toBe(false);
      if (first.ok) return;
      expect(first.error.category).toBe('rejected');
      expect(first.error.message).toMatch(
        new RegExp(
          `^sales order ${o.number}: Tryton sale \\d+ \\(id \\d+\\): There is no "Account Category" defined for "Uncategorised thing"\\.`,
        ),
      );
      expect(first.error.message).toMatch(/\. The sale was cancelled, so a retry makes a new one\.$/);
      // Withdrawn: the order is not found on Tryton, so the retry creates.
      expect((await c.lookup('salesOrder', [c.naturalKey('salesOrder', o)!])).size).toBe(0);

      const [template] = await peer.rpc.call<Array<{ template: number }>>(
        'product.product',
        'read',
        [products['NOCAT-9']],
        ['template'],
      );
      await peer.rpc.call('product.template', 'write', [template!.template], {
        account_category: peer.business.goodsCategoryId,
      });
      const retry = await create(o);
      expect(retry.ok, JSON.stringify(retry)).toBe(true);
    });

    it('a sale whose taxes differ from the order is refused naming the sale, and withdrawn', async () => {
      // The shop left its shipping untaxed; Tryton's shipping product carries the 20 % tax.
      const o = order([['BOX-3', '1', '12.00']], '10.00');
      o.taxTotal = usd('2.40');
      o.taxLines = [{ code: 'TAX20', rate: '20', taxable: usd('12.00'), tax: usd('2.40') }];
      o.orderTotal = usd('24.40');
      const r = await create(o);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.category).toBe('rejected');
      expect(r.error.message).toMatch(
        /^sales order WEB-[\d-]+: Tryton computed sale \d+ \(id \d+\), but its total is 26\.40 USD, the order's 24\.40; .*\. The sale was cancelled/,
      );
    });

    it('incremental reads on write_date are inclusive, and a changed address counts as a change of its party', async () => {
      const id = await peer.rpc.createParty({ name: 'Cy Clock', email: 'cy@example.com' });
      const [mine] = await c.get('customer', [String(id)]);
      const stamp = mine!.updatedAt;
      const since = async (at: string) =>
        (await all(c.read('customer', { since: at, pageSize: 50 }))).map((i) => i.id);
      expect(await since(stamp)).toContain(String(id));
      expect(await since(new Date(Date.parse(stamp) + 1).toISOString())).not.toContain(String(id));
      // until is inclusive too.
      expect((await all(c.read('customer', { since: stamp, until: stamp }))).map((i) => i.id)).toContain(
        String(id),
      );

      await new Promise((resolve) => setTimeout(resolve, 5));
      const [address] = await peer.rpc.call<number[]>('party.address', 'search', [['party', '=', id]]);
      await peer.rpc.call('party.address', 'write', [address], { city: 'Boston' });
      const after = await since(new Date(Date.parse(stamp) + 1).toISOString());
      expect(after).toContain(String(id));
      const [again] = await c.get('customer', [String(id)]);
      expect(Date.parse(again!.updatedAt)).toBeGreaterThan(Date.parse(stamp));
      // Tryton counts on its side what a read would return.
      expect(await c.count('customer', { since: stamp })).toBe(
        (await all(c.read('customer', { since: stamp }))).length,
      );
      expect(again?.data).toMatchObject({ addresses: [{ city: 'Boston' }] });
    });

    it('an expired session logs in again once, unseen by the caller', async () => {
      await c.get('customer', [String(party)]);
      const header = (await (c.client as unknown as { session: Promise<{ header: string }> }).session).header;
      // Tryton forgets the session (as after five idle minutes).
      await fetch(`${peer.url}/${peer.database}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: header },
        body: JSON.stringify({ id: 1, method: 'common.db.logout', params: [] }),
      });
      const [again] = await c.get('customer', [String(party)]);
      expect(again?.id).toBe(String(party));
      const renewed = (await (c.client as unknown as { session: Promise<{ header: string }> }).session)
        .header;
      expect(renewed).not.toBe(header);
    });
  });
});
