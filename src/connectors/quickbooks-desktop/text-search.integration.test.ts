import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type QbdEnvironment, startQbdEnvironment } from '../../../test/support/qbd-environment.js';
import type { EntityName } from '../../model/index.js';
import type { ReadQuery, SourceItem } from '../sdk/contract.js';
import { isLedgerlinkError } from '../sdk/errors.js';
import type { CustomerRecord, InvoiceRecord } from './sandbox/company.js';

// The SYNC Uploader's search box (§6): customers by the start of their account reference (the
// AccountNumber, else the FullName), items by the start of their FullName (NameFilter StartsWith),
// invoices by their customer's reference (EntityFilter with the customers' ListIDs).

describe('QuickBooks Desktop text search: the start of the customer reference or item name', () => {
  let env: QbdEnvironment;
  const read = async (entity: EntityName, search: string, extra: Partial<ReadQuery> = {}) => {
    const out: SourceItem[] = [];
    for await (const page of env.connector.read(entity, {
      pageSize: 5,
      filters: { search: [search] },
      ...extra,
    }))
      out.push(...page);
    return out.map((i) => i.id).sort();
  };
  const customers = () => [...env.sandbox.company.customers.values()];
  const numberOf = (c: CustomerRecord) => c.AccountNumber ?? c.Name;
  const customersStarting = (t: string) =>
    customers()
      .filter((c) => numberOf(c).toLowerCase().startsWith(t.toLowerCase()))
      .map((c) => c.ListID)
      .sort();
  const invoicesOf = (ids: readonly string[]) =>
    [...env.sandbox.company.invoices.values()]
      .filter((i) => ids.includes(i.CustomerListID))
      .map((i) => i.TxnID)
      .sort();
  const sent = (name: string, from: number) =>
    env.sandbox.processor.received.slice(from).filter((r) => r.name === name);

  beforeAll(async () => {
    env = await startQbdEnvironment({ customers: 24, products: 20, invoices: 40 });
    // Names a person may type: a quote, an ampersand, angle brackets (escaped in the XML).
    const c = env.sandbox.company;
    const t = c.now();
    const obrien: CustomerRecord = {
      ListID: c.newListId(t),
      TimeCreated: t,
      TimeModified: t,
      EditSequence: String(t / 1000),
      Name: "O'Brien & <Sons>",
      IsActive: true,
      Balance: '0.00',
    };
    c.customers.set(obrien.ListID, obrien);
    const item = [...c.items.values()][5]!;
    const rd = { ...item, ListID: c.newListId(t), Name: "R&D 'Kit' <1>" };
    c.items.set(rd.ListID, rd);
    const first = [...c.invoices.values()][0]!;
    const inv: InvoiceRecord = {
      ...first,
      TxnID: c.newTxnId(t),
      CustomerListID: obrien.ListID,
      RefNumber: c.refNumber(),
    };
    c.invoices.set(inv.TxnID, inv);
  });
  afterAll(async () => {
    expect(env.sandbox.processor.violations).toEqual([]);
    await env.close();
  });

  it('search: only customers whose account reference (AccountNumber, else FullName) starts with the text', async () => {
    const gen = customersStarting('GEN000');
    expect(gen.length).toBeGreaterThan(3);
    expect(await read('customer', 'gen000')).toEqual(gen);
    // A1 Design is A1D001: found by its account number, which no qbXML filter knows.
    const a1 = customers().find((c) => c.AccountNumber === 'A1D001')!;
    expect(await read('customer', 'A1D')).toEqual([a1.ListID]);
    // "Customer 0005" has the account number GEN0005: only those without one are found by name.
    const byName = customersStarting('Customer 00');
    expect(byName.length).toBeGreaterThan(0);
    expect(byName.length).toBeLessThan(customers().filter((c) => c.Name.startsWith('Customer 00')).length);
    expect(await read('customer', 'customer 00')).toEqual(byName);
    expect(await read('customer', 'ZZZ')).toEqual([]);
  });

  it('search: only items whose FullName starts with the text, asked with NameFilter StartsWith', async () => {
    const from = env.sandbox.processor.received.length;
    const expected = [...env.sandbox.company.items.values()]
      .map((i) => i.Name)
      .filter((n) => n.startsWith('GEN-ITEM-001'))
      .sort();
    expect(expected.length).toBeGreaterThan(3);
    expect(await read('product', 'gen-item-001')).toEqual(expected);
    const asked = sent('ItemQueryRq', from)[0]!.body;
    expect(asked.NameFilter).toEqual({ MatchCriterion: 'StartsWith', Name: 'gen-item-001' });
  });

  it("search: only invoices whose customer's reference starts with the text, asked with EntityFilter ListIDs", async () => {
    const from = env.sandbox.processor.received.length;
    const gen = customersStarting('GEN');
    const expected = invoicesOf(gen);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(env.sandbox.company.invoices.size);
    expect(await read('invoice', 'gen')).toEqual(expected);
    const queries = sent('InvoiceQueryRq', from).filter((q) => q.body.EntityFilter);
    expect(queries.length).toBeGreaterThan(0);
    expect((queries[0]!.body.EntityFilter as { ListID: string[] }).ListID.sort()).toEqual(gen);
    expect(await read('invoice', 'A1D001')).toEqual(invoicesOf(customersStarting('A1D001')));
    expect(await read('invoice', 'NOBODY')).toEqual([]);
  });

  it('search: a quote, an ampersand and angle brackets in the text are escaped in the qbXML', async () => {
    const obrien = customersStarting("O'Brien");
    expect(obrien).toHaveLength(1);
    expect(await read('customer', "o'brien & <")).toEqual(obrien);
    expect(await read('invoice', "O'Brien & <Sons>")).toEqual(invoicesOf(obrien));
    expect(invoicesOf(obrien)).toHaveLength(1);
    expect(await read('product', "R&D 'Kit' <")).toEqual(["R&D 'Kit' <1>"]);
  });

  it('search: the text narrows a change window and ids, never widens them', async () => {
    const all = customersStarting('GEN');
    const since = new Date(
      Math.min(
        ...customers()
          .filter((c) => c.AccountNumber === 'GEN0013')
          .map((c) => c.TimeModified),
      ),
    ).toISOString();
    const recent = customers()
      .filter((c) => c.TimeModified >= Date.parse(since) && all.includes(c.ListID))
      .map((c) => c.ListID)
      .sort();
    expect(recent.length).toBeGreaterThan(0);
    expect(recent.length).toBeLessThan(all.length);
    expect(await read('customer', 'GEN', { since })).toEqual(recent);
    expect(await read('invoice', 'GEN', { since: new Date(Date.now() + 3600_000).toISOString() })).toEqual(
      [],
    );
    const a1 = customersStarting('A1D');
    expect(await read('customer', 'GEN', { ids: [...a1, all[0]!] })).toEqual([all[0]]);
  });

  it('search: another filter name is refused naming the filters QuickBooks Desktop has', async () => {
    const e = await read('customer', 'x', { filters: { status: ['Active'] } }).catch((x: unknown) => x);
    expect(isLedgerlinkError(e) && e.message).toMatch(/no "status" filter.*search/);
  });
});
