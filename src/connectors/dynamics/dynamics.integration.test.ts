import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorContractSuite } from '../../../test/support/connector-contract-suite.js';
import type { EntityName, SalesOrder } from '../../model/index.js';
import { isWritten } from '../sdk/contract.js';
import { settingsSchema } from '../sdk/manifest.js';
import { type DynamicsConnector, dynamicsConnector } from './index.js';
import { DYNAMICS_SANDBOX, type DynamicsSandbox, startDynamicsSandbox } from './sandbox/index.js';

const logger = pino({ level: 'silent' });

function connect(sb: DynamicsSandbox, overrides: Record<string, unknown> = {}): DynamicsConnector {
  const settings = settingsSchema(dynamicsConnector.manifest.connectionFields).parse({
    url: sb.url,
    tenantId: DYNAMICS_SANDBOX.tenantId,
    clientId: DYNAMICS_SANDBOX.clientId,
    clientSecret: DYNAMICS_SANDBOX.clientSecret,
    authority: sb.authority,
    invoiceNumberField: 'new_invoicenumber',
    webhookKey: DYNAMICS_SANDBOX.webhookKey,
    timeoutMs: 5000,
    ...overrides,
  });
  return dynamicsConnector.create(settings, { connection: 'dynamics', logger }) as DynamicsConnector;
}

let n = 0;
const now = () => new Date().toISOString();
const customer = (number: string, extra: Record<string, unknown> = {}) => ({
  number,
  name: `Customer ${number}`,
  email: `${number.toLowerCase()}@example.co.uk`,
  status: 'active',
  onHold: false,
  currency: 'GBP',
  creditLimit: { amount: '2500', currency: 'GBP' },
  annualRevenue: { amount: '12000.5', currency: 'GBP' },
  contacts: [
    {
      firstName: 'Ann',
      lastName: `Person${number}`,
      email: 'ann@example.co.uk',
      phone: '0113 496 0000',
      isPrimary: true,
    },
  ],
  addresses: [{ kind: 'main', line1: 'Unit 34', city: 'Hebburn', postalCode: 'NE31 1VB', country: 'GB' }],
  updatedAt: now(),
  ...extra,
});
const product = (sku: string, extra: Record<string, unknown> = {}) => ({
  sku,
  name: `Item ${sku}`,
  status: 'active',
  listPrice: { amount: '10.5', currency: 'GBP' },
  standardCost: { amount: '6.25', currency: 'GBP' },
  unit: 'Each',
  stock: [],
  updatedAt: now(),
  ...extra,
});

const sample = (entity: EntityName, i: number): Record<string, unknown> => {
  n++;
  return entity === 'customer' ? customer(`N${i}X${n}`) : product(`NEWSKU${i}X${n}`);
};

connectorContractSuite({
  name: 'dynamics (Dataverse Web API v9.2)',
  readable: ['customer', 'product', 'salesOrder'],
  writable: ['customer', 'product'],
  async start(count) {
    const sb = await startDynamicsSandbox({
      customers: count,
      products: count,
      orders: count,
      manual: false,
      seed: 7,
    });
    return {
      kit: sb.kit,
      connector: connect(sb),
      makeConnector: (o) => connect(sb, o),
      close: () => sb.close(),
    };
  },
  sample,
  change: (entity, record) =>
    entity === 'customer'
      ? { record: { ...record, creditLimit: { amount: '7777.25', currency: 'GBP' } }, field: 'creditLimit' }
      : { record: { ...record, listPrice: { amount: '99.95', currency: 'GBP' } }, field: 'listPrice' },
  async readBack(entity, connector, id) {
    const [item] = await connector.get(entity, [id]);
    return item?.data as Record<string, unknown>;
  },
  unownedField: () => 'name',
  badCredentials: { clientSecret: 'wrong' },
});

describe('Dynamics 365: the manual rules on the CRM side', () => {
  let sb: DynamicsSandbox;
  let c: DynamicsConnector;
  beforeAll(async () => {
    sb = await startDynamicsSandbox({ customers: 3, products: 3 });
    c = connect(sb);
  });
  afterAll(async () => {
    await c.close();
    expect(sb.kit.violations).toEqual([]);
    await sb.close();
  });

  const account = (number: string) => sb.find('accounts', 'accountnumber', number)!;

  it('existing account: only credit limit, revenue and on-hold change', async () => {
    const before = { ...account('A1D001') };
    const contacts = sb.rows('contacts').length;
    const found = await c.lookup('customer', ['A1D001']);
    const [r] = await c.write('customer', [
      {
        ref: 'A1D001',
        action: 'update',
        targetId: found.get('A1D001')!.id,
        existing: found.get('A1D001')!,
        fields: ['creditLimit', 'annualRevenue', 'onHold', 'name', 'addresses'],
        data: customer('A1D001', {
          name: 'Renamed',
          onHold: true,
          creditLimit: { amount: '1500', currency: 'GBP' },
          annualRevenue: { amount: '6000.25', currency: 'GBP' },
        }),
      },
    ]);
    expect(r?.ok, JSON.stringify(r)).toBe(true);
    const after = account('A1D001');
    expect([after.creditlimit, after.revenue, after.creditonhold]).toEqual([1500, 6000.25, true]);
    expect([after.name, after.address1_line1, after.address1_city]).toEqual([
      before.name,
      before.address1_line1,
      before.address1_city,
    ]);
    expect(sb.rows('contacts').length).toBe(contacts);
  });

  it('new account gets an associated contact that is not primary', async () => {
    const [r] = await c.write('customer', [
      { ref: 'ABS001', action: 'create', data: customer('ABS001', { name: 'ABS Garag' }) },
    ]);
    expect(isWritten(r), JSON.stringify(r)).toBe(true);
    const a = account('ABS001');
    expect(a.customertypecode).toBe(3);
    expect(a.accountid).toBe(isWritten(r) ? r.targetId : undefined);
    expect([a.creditlimit, a.revenue, a.address1_line1, a.address1_country]).toEqual([
      2500,
      12000.5,
      'Unit 34',
      'United Kingdom',
    ]);
    const contacts = sb.rows('contacts').filter((x) => x._parentcustomerid_value === a.accountid);
    expect(contacts.map((x) => x.fullname)).toEqual(['Ann PersonABS001']);
    expect(a._primarycontactid_value ?? null).toBeNull();
  });

  it('an account number under another relationship type is refused, naming it', async () => {
    const competitor = sb.create('accounts', {
      accountnumber: 'COMP01',
      name: 'Rival Ltd',
      customertypecode: 1,
    });
    expect((await c.lookup('customer', ['COMP01'])).size).toBe(0);
    const [r] = await c.write('customer', [{ ref: 'COMP01', action: 'create', data: customer('COMP01') }]);
    expect(r?.ok).toBe(false);
    if (r && !r.ok) {
      expect(r.error.category).toBe('rejected');
      expect(r.error.message).toContain(
        `account COMP01 exists in Dynamics 365 as relationship type 1 (Competitor), id ${competitor.accountid}`,
      );
      expect(r.error.message).toContain('matches only relationship type 3');
    }
    expect(sb.rows('accounts').filter((a) => a.accountnumber === 'COMP01')).toHaveLength(1);
  });

  it('a reference longer than accountnumber allows fails asking to widen the column', async () => {
    const long = 'Smith Family Trust:Holiday Cottage Lettings';
    const [r] = await c.write('customer', [{ ref: 'x', action: 'create', data: customer(long) }]);
    expect(r?.ok).toBe(false);
    if (r && !r.ok) {
      expect(r.error.message).toMatch(
        /43 characters and the accountnumber column of account takes 20: widen the column/,
      );
      expect(r.error.code).toBe('too_large');
    }
    const verdicts = await connect(sb, { accountNumberLength: 100 }).check();
    const length = verdicts.find((v) => v.name === 'accountNumberLength');
    expect(length?.ok).toBe(false);
    expect(length?.message).toMatch(/takes 20 characters and the references need 100/);
  });

  it('new product gets unit group, unit, defaults and a price list item at 100 % of list price', async () => {
    const [r] = await c.write('product', [
      {
        ref: 'MISC',
        action: 'create',
        data: product('MISC', { listPrice: { amount: '12.34', currency: 'GBP' } }),
      },
    ]);
    expect(isWritten(r), JSON.stringify(r)).toBe(true);
    const p = sb.find('products', 'productnumber', 'MISC')!;
    expect(p._defaultuomscheduleid_value).toBe(sb.seeded.unitGroupId);
    expect(p._defaultuomid_value).toBe(sb.seeded.units['Primary Unit']);
    expect([p.quantitydecimal, p.producttypecode, p.price, p.standardcost]).toEqual([2, 1, 12.34, 6.25]);
    const items = sb.rows('productpricelevels').filter((x) => x._productid_value === p.productid);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      _pricelevelid_value: sb.seeded.priceListId,
      amount: 12.34,
      pricingmethodcode: 1,
      roundingpolicycode: 1,
      _uomid_value: sb.seeded.units['Primary Unit'],
    });
  });

  it('existing product: only list price and standard cost change; a missing price list item is created', async () => {
    const p = sb.create('products', {
      productnumber: 'NOPL01',
      name: 'No price list item',
      price: 5,
      quantitydecimal: 4,
      producttypecode: 3,
      'defaultuomscheduleid@odata.bind': `/uomschedules(${sb.seeded.unitGroupId})`,
      'defaultuomid@odata.bind': `/uoms(${sb.seeded.units['Primary Unit']})`,
    });
    const found = await c.lookup('product', ['NOPL01']);
    const [r] = await c.write('product', [
      {
        ref: 'NOPL01',
        action: 'update',
        targetId: found.get('NOPL01')!.id,
        existing: found.get('NOPL01')!,
        fields: ['listPrice', 'standardCost', 'name'],
        data: product('NOPL01', {
          name: 'Renamed',
          listPrice: { amount: '7.5', currency: 'GBP' },
          standardCost: { amount: '4', currency: 'GBP' },
        }),
      },
    ]);
    expect(r?.ok, JSON.stringify(r)).toBe(true);
    const after = sb.find('products', 'productnumber', 'NOPL01')!;
    expect([
      after.name,
      after.price,
      after.standardcost,
      after.quantitydecimal,
      after.producttypecode,
    ]).toEqual(['No price list item', 7.5, 4, 4, 3]);
    const items = sb.rows('productpricelevels').filter((x) => x._productid_value === p.productid);
    expect(items.map((i) => i.amount)).toEqual([7.5]);
  });

  const invoice = (
    number: string,
    lines: Array<Record<string, unknown>>,
    total: string,
    customerNumber = 'A1D001',
  ) => ({
    number,
    type: 'invoice',
    status: 'Open',
    invoiceDate: '2026-01-10',
    customerNumber,
    orderNumbers: [],
    currency: 'GBP',
    lines,
    taxLines: [],
    netTotal: { amount: '0', currency: 'GBP' },
    taxTotal: { amount: '0', currency: 'GBP' },
    total: { amount: total, currency: 'GBP' },
    updatedAt: now(),
  });
  const line = (
    i: number,
    sku: string | undefined,
    qty: string,
    price: string,
    tax: string,
    unit?: string,
    description?: string,
  ) => ({
    lineNumber: i,
    ...(sku ? { sku } : {}),
    ...(description ? { description } : {}),
    quantity: qty,
    ...(unit ? { unit } : {}),
    unitPrice: { amount: price, currency: 'GBP' },
    tax: { amount: tax, currency: 'GBP' },
    total: { amount: '0', currency: 'GBP' },
  });
  const refsFor = () => ({
    customer: { A1D001: String(account('A1D001').accountid) },
    product: {
      VID003: String(sb.find('products', 'productnumber', 'VID003')!.productid),
      TAPE002: String(sb.find('products', 'productnumber', 'TAPE002')!.productid),
    },
  });

  it('invoice lines carry their own price; a line without a CRM product is a write-in', async () => {
    const data = invoice(
      '82',
      [
        line(1, 'VID003', '3', '55', '28.88', 'Primary Unit', '32mb PCI Video Card'),
        line(2, 'TAPE002', '22', '2.8', '10.78', 'Primary Unit', 'Adhesive Tape'),
        line(3, 'S1', '3', '33', '17.33', undefined, 'test Product'),
      ],
      '382.59',
    );
    expect(c.naturalKey('invoice', data)).toBe('A1D001-82');
    const [r] = await c.write('invoice', [{ ref: '82', action: 'create', data, refs: refsFor() }]);
    expect(isWritten(r), JSON.stringify(r)).toBe(true);
    const inv = sb.find('invoices', 'invoicenumber', 'A1D001-82')!;
    expect([inv.name, inv._pricelevelid_value, inv._customerid_value]).toEqual([
      'A1D001-82',
      sb.seeded.priceListId,
      account('A1D001').accountid,
    ]);
    const details = sb.rows('invoicedetails').filter((d) => d._invoiceid_value === inv.invoiceid);
    const bySeq = details.sort((a, b) => Number(a.sequencenumber) - Number(b.sequencenumber));
    expect(
      bySeq.map((d) => [d.ispriceoverridden, d.priceperunit, d.quantity, d.tax, d.description ?? null]),
    ).toEqual([
      [true, 55, 3, 28.88, '32mb PCI Video Card'],
      [true, 2.8, 22, 10.78, 'Adhesive Tape'],
      [true, 33, 3, 17.33, 'test Product'],
    ]);
    expect(bySeq[2]).toMatchObject({ isproductoverridden: true, productdescription: 'test Product' });
    expect(bySeq[2]!._productid_value ?? null).toBeNull();
    // Never overwritten, never created twice.
    const again = await c.write('invoice', [{ ref: '82', action: 'create', data, refs: refsFor() }]);
    expect(again[0]).toMatchObject({ ok: true, action: 'skipped' });
    expect(sb.rows('invoices').filter((i) => i.invoicenumber === 'A1D001-82')).toHaveLength(1);
  });

  it('an unknown unit is created in the unit group', async () => {
    const data = invoice('83', [line(1, 'VID003', '2', '40', '0', 'Box of 10')], '80');
    const [r] = await c.write('invoice', [{ ref: '83', action: 'create', data, refs: refsFor() }]);
    expect(isWritten(r), JSON.stringify(r)).toBe(true);
    const unit = sb.find('uoms', 'name', 'Box of 10')!;
    expect(unit._uomscheduleid_value).toBe(sb.seeded.unitGroupId);
    const inv = sb.find('invoices', 'invoicenumber', 'A1D001-83')!;
    expect(sb.rows('invoicedetails').find((d) => d._invoiceid_value === inv.invoiceid)?._uomid_value).toBe(
      unit.uomid,
    );
  });

  it("invoice totals equal the source's to the cent", async () => {
    const data = invoice(
      '84',
      [
        line(1, 'TAPE002', '3', '0.335', '0.2', 'Primary Unit'),
        line(2, undefined, '7', '1.99', '2.44', undefined, 'Carriage'),
      ],
      '17.59',
    );
    const [r] = await c.write('invoice', [{ ref: '84', action: 'create', data, refs: refsFor() }]);
    expect(isWritten(r), JSON.stringify(r)).toBe(true);
    // 0.335 is priced at 0.34 (the pricing precision), as the source's own total has it.
    expect(sb.find('invoices', 'invoicenumber', 'A1D001-84')!.totalamount).toBe(17.59);
    expect(r && 'reason' in r ? r.reason : undefined).toBeUndefined();
    // A source total the lines do not make (a discount) is refused before anything is written.
    const off = invoice('85', [line(1, 'TAPE002', '10', '2.8', '0', 'Primary Unit')], '25.2');
    const [bad] = await c.write('invoice', [{ ref: '85', action: 'create', data: off, refs: refsFor() }]);
    expect(bad?.ok).toBe(false);
    if (bad && !bad.ok)
      expect(bad.error.message).toMatch(/would total 28.00 in Dynamics 365 .* but totals 25.2/);
    expect(sb.find('invoices', 'invoicenumber', 'A1D001-85')).toBeUndefined();
    // A negative quantity is a failed record with a reason.
    const neg = invoice('86', [line(1, 'TAPE002', '-1', '2.8', '0', 'Primary Unit')], '-2.8');
    const [negative] = await c.write('invoice', [
      { ref: '86', action: 'create', data: neg, refs: refsFor() },
    ]);
    expect(negative?.ok === false && negative.error.message).toMatch(/line 1 has a negative quantity/);
  });

  it('a ready order maps with its contact, telephone and owner; a write-in line is marked', async () => {
    const [item] = await c.get('salesOrder', ['ORD-1001-1KWBHX']);
    expect(item?.error).toBeUndefined();
    const o = item?.data as SalesOrder;
    expect(o).toMatchObject({
      number: 'ORD-1001-1KWBHX',
      status: 'ready',
      customerNumber: 'A1D001',
      customerName: 'A1 Design',
      contactName: 'Jim Thomas',
      contactPhone: '01742 876 234',
      takenBy: 'LitwareInc Administrator',
      currency: 'GBP',
      taxTotal: { amount: '56.99', currency: 'GBP' },
      orderTotal: { amount: '382.59', currency: 'GBP' },
    });
    expect(
      o.lines.map((l) => [
        l.sku,
        l.writeIn ?? false,
        l.description,
        l.quantity,
        l.unit,
        l.unitPrice.amount,
        l.total.amount,
        l.tax?.amount,
      ]),
    ).toEqual([
      ['VID003', false, '32mb PCI Video Card', '3', 'Primary Unit', '55', '165', '28.88'],
      ['TAPE002', false, 'Adhesive Tape - Brown (50mm x 66m)', '22', 'Primary Unit', '2.8', '61.6', '10.78'],
      ['WRITE-IN', true, 'test Product', '3', 'Each', '33', '99', '17.33'],
    ]);
    const [second] = await c.get('salesOrder', ['ORD-1002']);
    expect((second!.data as SalesOrder).lines[0]).toMatchObject({
      sku: 'XXXTEST01',
      unit: '25 Pack',
      quantity: '2',
    });
    // An order whose account has no number is an error naming both.
    const noNumber = sb.create('accounts', { name: 'Walk-in Trade', customertypecode: 3 });
    sb.create('salesorders', {
      ordernumber: 'ORD-1003',
      name: 'ORD-1003',
      statuscode: 200000,
      'customerid_account@odata.bind': `/accounts(${noNumber.accountid})`,
      'pricelevelid@odata.bind': `/pricelevels(${sb.seeded.priceListId})`,
      order_details: [
        {
          isproductoverridden: true,
          productdescription: 'x',
          ispriceoverridden: true,
          quantity: 1,
          priceperunit: 1,
        },
      ],
    });
    const [bad] = await c.get('salesOrder', ['ORD-1003']);
    expect(bad?.error?.message).toMatch(
      /order ORD-1003 is for account "Walk-in Trade", which has no account number/,
    );
  });

  it('write-back sets the uploaded status and the invoice number field', async () => {
    const [r] = await c.write('salesOrder', [
      {
        ref: 'ORD-1002',
        action: 'update',
        targetId: 'ORD-1002',
        fields: ['externalNumber'],
        data: { number: 'ORD-1002', externalNumber: '1042' },
      },
    ]);
    expect(r?.ok, JSON.stringify(r)).toBe(true);
    const o = sb.find('salesorders', 'ordernumber', 'ORD-1002')!;
    expect([o.statuscode, o.new_invoicenumber]).toEqual([200001, '1042']);
    const [item] = await c.get('salesOrder', ['ORD-1002']);
    expect((item!.data as SalesOrder).status).toBe('uploaded');
    const [refused] = await c.write('salesOrder', [
      { ref: 'ORD-1001-1KWBHX', action: 'update', targetId: 'ORD-1001-1KWBHX', fields: ['lines'], data: {} },
    ]);
    expect(refused?.ok === false && refused.error.message).toMatch(/only the write-back/);
  });

  it('check() reports the setup diagnostics as separate verdicts', async () => {
    const verdicts = await c.check();
    expect(verdicts.map((v) => [v.name, v.ok])).toEqual([
      ['credentials', true],
      ['priceList', true],
      ['unitGroup', true],
      ['orderStatus', true],
      ['invoiceNumberField', true],
      ['accountNumberLength', true],
    ]);
    const wrong = connect(sb, {
      priceList: 'Retail',
      readyStatus: 300000,
      invoiceNumberField: 'new_nothing',
    });
    const bad = Object.fromEntries((await wrong.check()).map((v) => [v.name, v]));
    expect(bad.priceList?.message).toMatch(/no price list "Retail"/);
    expect(bad.orderStatus?.message).toMatch(/no status reason 300000 \(readyStatus\)/);
    expect(bad.invoiceNumberField?.message).toMatch(/has no column new_nothing/);
    await wrong.close();
  });
});

describe('Dynamics 365: the Web API under load and faults', () => {
  let sb: DynamicsSandbox;
  beforeAll(async () => {
    sb = await startDynamicsSandbox({ customers: 12, products: 2, tokenLifetimeSeconds: 301 });
  });
  afterAll(async () => {
    expect(sb.kit.violations).toEqual([]);
    await sb.close();
  });

  it('429 with Retry-After is waited out, not failed', async () => {
    const c = connect(sb);
    sb.kit.injectFault({
      kind: 'status',
      status: 429,
      retryAfterSeconds: 1,
      times: 1,
      match: { path: '/accounts' },
    });
    const started = Date.now();
    const items = await c.get('customer', ['C000001']);
    expect(items.map((i) => i.id)).toEqual(['C000001']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(sb.kit.calls.filter((x) => x.status === 429)).toHaveLength(1);
    await c.close();
  });

  it('the x-ms-ratelimit headers pace requests before the service protection budget runs out', async () => {
    const tight = await startDynamicsSandbox({
      customers: 5,
      serviceProtection: { requests: 4, windowMs: 1000 },
    });
    const c = connect(tight);
    const started = Date.now();
    const got = await Promise.all(
      ['C000001', 'C000002', 'C000003', 'C000004', 'C000005'].map((id) => c.get('customer', [id])),
    );
    expect(got.flat().map((i) => i.id)).toEqual(['C000001', 'C000002', 'C000003', 'C000004', 'C000005']);
    // Five requests against four per second: the fifth waited for the window instead of meeting a 429.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(tight.kit.calls.filter((x) => x.status === 429)).toEqual([]);
    expect(c.client.budget.burstRemaining).toBeGreaterThanOrEqual(0);
    await c.close();
    await tight.close();
  });

  it('a stale etag (412) is re-read and retried once', async () => {
    const c = connect(sb);
    const found = await c.lookup('customer', ['C000002']);
    const existing = found.get('C000002')!;
    // Someone saves the account after we read it: our etag is stale.
    sb.update('accounts', existing.id, { telephone1: '0113 000 0000' });
    const [r] = await c.write('customer', [
      {
        ref: 'C000002',
        action: 'update',
        targetId: existing.id,
        existing,
        fields: ['creditLimit'],
        data: customer('C000002', { creditLimit: { amount: '4321', currency: 'GBP' } }),
      },
    ]);
    expect(r?.ok, JSON.stringify(r)).toBe(true);
    const row = sb.find('accounts', 'accountnumber', 'C000002')!;
    expect([row.creditlimit, row.telephone1]).toEqual([4321, '0113 000 0000']);
    expect(sb.kit.calls.filter((x) => x.method === 'PATCH' && x.path.includes('/accounts('))).toHaveLength(1);
    await c.close();
  });

  it('token renewed before expiry and after a 401', async () => {
    const c = connect(sb);
    const before = sb.tokensIssued();
    await c.get('customer', ['C000003']);
    await c.get('customer', ['C000003']);
    expect(sb.tokensIssued() - before).toBe(1);
    // Tokens live 301 s and msal renews 300 s before expiry (counted in whole seconds): two seconds on, it is due.
    await new Promise((r) => setTimeout(r, 2100));
    await c.get('customer', ['C000004']);
    expect(sb.tokensIssued() - before).toBe(2);
    sb.revokeTokens();
    const [item] = await c.get('customer', ['C000005']);
    expect(item?.id).toBe('C000005');
    expect(sb.tokensIssued() - before).toBe(3);
    expect(sb.kit.calls.filter((x) => x.status === 401)).toHaveLength(1);
    await c.close();
  });

  it('$batch sends a page of writes in one request', async () => {
    const c = connect(sb);
    const writesBefore = sb.kit.writeCalls().length;
    const items = Array.from({ length: 30 }, (_, i) => ({
      ref: `B${i}`,
      action: 'create' as const,
      data: customer(`BATCH${String(i).padStart(3, '0')}`),
    }));
    const results = await c.write('customer', items);
    expect(
      results.every((r) => isWritten(r)),
      JSON.stringify(results.find((r) => !r.ok)),
    ).toBe(true);
    const writes = sb.kit.writeCalls().slice(writesBefore);
    expect(writes.map((w) => `${w.method} ${w.path}`)).toEqual(['POST /api/data/v9.2/$batch']);
    expect(sb.rows('accounts').filter((a) => String(a.accountnumber).startsWith('BATCH'))).toHaveLength(30);
    // One change set per record: a refused record does not undo the others.
    const mixed = await c.write('customer', [
      { ref: 'ok', action: 'create', data: customer('BATCH100') },
      { ref: 'bad', action: 'create', data: customer('BATCH101', { name: 'x'.repeat(161) }) },
    ]);
    expect(mixed.map((r) => r.ok)).toEqual([true, false]);
    if (mixed[1] && !mixed[1].ok)
      expect(mixed[1].error.message).toMatch(/exceeded the maximum allowed length of '160'/);
    expect(sb.find('accounts', 'accountnumber', 'BATCH101')).toBeUndefined();
    await c.close();
  });

  it('change tracking returns the changes and the next delta link', async () => {
    const c = connect(sb);
    const first = await c.changes('customer');
    expect(first.changed.length).toBeGreaterThan(0);
    const row = sb.find('accounts', 'accountnumber', 'C000006')!;
    sb.update('accounts', String(row.accountid), { creditlimit: 999 });
    const next = await c.changes('customer', first.deltaLink);
    expect(next.changed.map((r) => r.accountnumber)).toEqual(['C000006']);
    expect(next.deltaLink).not.toBe(first.deltaLink);
    await c.close();
  });

  it('incremental reads follow the delta link: exactly what changed, by number; an expired link starts over', async () => {
    const c = connect(sb);
    const first = await c.changedSince('customer', undefined);
    expect(first?.ids).toContain('C000008');
    expect(first?.token).toMatch(/deltatoken=/);
    const row = sb.find('accounts', 'accountnumber', 'C000008')!;
    sb.update('accounts', String(row.accountid), { creditlimit: 1234 });
    const next = await c.changedSince('customer', first!.token);
    expect(next?.ids).toEqual(['C000008']);
    expect(await c.changedSince('customer', next!.token)).toMatchObject({ ids: [] });
    // Past the table's change tracking retention the link is refused: every row again, and a new link.
    sb.store.deltaFloor = sb.store.version + 1;
    const again = await c.changedSince('customer', next!.token);
    expect(again?.ids.length).toBe(first?.ids.length);
    sb.store.deltaFloor = 0;
    expect(await c.changedSince('customer', again!.token)).toMatchObject({ ids: [] });
    // Turned off, or a table no flow reads by it: the engine's timestamp cursor instead.
    expect(await connect(sb, { changeTracking: false }).changedSince('customer', undefined)).toBeUndefined();
    expect(await c.changedSince('invoice', undefined)).toBeUndefined();
    await c.close();
  });

  it('webhook: a wrong key is refused; a RemoteExecutionContext names its record', async () => {
    const c = connect(sb);
    const row = sb.find('accounts', 'accountnumber', 'C000007')!;
    const ctx = sb.contextFor({ set: 'accounts', id: String(row.accountid), message: 'Update', row });
    const rawBody = JSON.stringify(ctx);
    expect(c.webhook.verify({ headers: { 'x-ledgerlink-key': 'nope' }, rawBody })).toMatch(/does not carry/);
    expect(c.webhook.verify({ headers: {}, rawBody })).toMatch(/has no x-ledgerlink-key header/);
    expect(
      c.webhook.verify({ headers: { 'X-Ledgerlink-Key': DYNAMICS_SANDBOX.webhookKey }, rawBody }),
    ).toBeUndefined();
    const events = c.webhook.parse({ headers: {}, rawBody });
    expect(events).toEqual([expect.objectContaining({ entity: 'customer', id: 'C000007', kind: 'upsert' })]);
    expect(c.webhook.deliveryId({ headers: {}, rawBody })).toBe(
      `${ctx.RequestId}:Update:account:${row.accountid}`,
    );
    // Without the key column in the context, the event names the row's id, which get() also reads by.
    const bare = { ...ctx, PostEntityImages: [], InputParameters: [] };
    const [byId] = c.webhook.parse({ headers: {}, rawBody: JSON.stringify(bare) });
    expect(byId?.id).toBe(row.accountid);
    expect((await c.get('customer', [byId!.id])).map((i) => i.id)).toEqual(['C000007']);
    expect(() => c.webhook.parse({ headers: {}, rawBody: '{"x":1}' })).toThrow(/RemoteExecutionContext/);
    await c.close();
  });
});
