import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityName } from '../../model/index.js';
import type { SourceItem } from '../sdk/contract.js';
import { settingsSchema } from '../sdk/manifest.js';
import { type AcumaticaConnector, acumaticaConnector } from './index.js';
import { type AcumaticaSandbox, SANDBOX_CREDENTIALS, startAcumaticaSandbox } from './sandbox/index.js';

// The SYNC Uploader's search box (§6): "a few letters" match the start of the account or product
// reference, sent to Acumatica as startswith(Field,'text') in $filter.

const logger = pino({ level: 'silent' });

describe('Acumatica text search: the start of the Customer ID or Inventory ID', () => {
  let sb: AcumaticaSandbox;
  let c: AcumaticaConnector;

  const readAll = async (entity: EntityName, search: string): Promise<string[]> => {
    const out: SourceItem[] = [];
    for await (const page of c.read(entity, { pageSize: 5, filters: { search: [search] } }))
      out.push(...page);
    return out.map((i) => i.id).sort();
  };
  beforeAll(async () => {
    sb = await startAcumaticaSandbox({ customers: 25, products: 25, conformance: true, seed: 5 });
    // A reference with a quote in it, as a person may type one.
    const first = structuredClone(sb.customers.values().next().value!);
    first.CustomerID = { value: "O'BRIEN" };
    sb.customers.set("O'BRIEN", first);
    c = acumaticaConnector.create(
      settingsSchema(acumaticaConnector.manifest.connectionFields).parse({
        baseUrl: sb.url,
        username: SANDBOX_CREDENTIALS.username,
        password: SANDBOX_CREDENTIALS.password,
        company: SANDBOX_CREDENTIALS.company,
        timeoutMs: 5000,
      }),
      { connection: 'acumatica', logger },
    ) as AcumaticaConnector;
  });
  afterAll(async () => {
    await sb?.close();
    expect(sb.kit.violations).toEqual([]);
  });

  it('customers whose Customer ID starts with the text typed, whatever its case', async () => {
    expect(await readAll('customer', 'c00001')).toEqual(
      Array.from({ length: 10 }, (_, i) => `C0000${10 + i}`),
    );
    expect(await readAll('customer', 'C000025')).toEqual(['C000025']);
    expect(await readAll('customer', 'ZZZ')).toEqual([]);
  });

  it("stock items whose Inventory ID starts with the text; a quote in the text is escaped ('')", async () => {
    const items = [...sb.items.keys()].filter((k) => k.startsWith('ITEM0002')).sort();
    expect(items.length).toBeGreaterThan(0);
    expect(await readAll('product', 'ITEM0002')).toEqual(items);
    // Unescaped, the quote would end the literal and Acumatica would refuse the $filter.
    expect(await readAll('customer', "O'B")).toEqual(["O'BRIEN"]);
  });

  it('the text narrows the other filters (and), never widens them', async () => {
    const out: SourceItem[] = [];
    for await (const page of c.read('customer', { filters: { search: ['C00001'], status: ['Active'] } }))
      out.push(...page);
    const active = [...sb.customers.values()].filter(
      (r) => String(r.CustomerID?.value).startsWith('C00001') && r.Status?.value === 'Active',
    );
    expect(active.length).toBeGreaterThan(0);
    expect(out.map((i) => i.id).sort()).toEqual(active.map((r) => String(r.CustomerID?.value)).sort());
  });
});
