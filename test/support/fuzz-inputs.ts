import fc from 'fast-check';

/**
 * The inputs of the fuzz suite (fuzz.ts): strings no form would send, bodies shaped like each
 * connector's webhooks and then broken, spreadsheets bent byte by byte, JSON shaped by a route's own
 * schema so that validation lets some of it through to the handler.
 */

/** Strings that have broken parsers, stores and URLs before: NUL, lone surrogates, quotes, paths. */
export const NASTY = [
  '',
  ' ',
  '\u0000',
  'C\u00000001',
  '\uD800',
  '\uDFFF',
  'a\uD83D',
  '🙂🙂🙂',
  'é',
  'ﬁ',
  '\u202Eevil',
  '\uFEFF',
  '\t\r\n',
  '%',
  '%00',
  '%zz',
  '%2F',
  "'",
  "O'Brien",
  '"',
  '\\',
  '/',
  '../..',
  '?x=1',
  '#',
  '&',
  '+',
  '*',
  '_',
  ';',
  '$filter',
  "1' or '1'='1",
  'null',
  'undefined',
  'true',
  '__proto__',
  'constructor',
  'toString',
  '${LEDGERLINK_ADMIN_PASSWORD}',
  '$${x}',
  '${secret:password}',
  '<x/>',
  ']]>',
  '0',
  '-1',
  '1e20',
  '1e400',
  '-0',
  'NaN',
  'Infinity',
  '0x10',
  '2147483648',
  '9007199254740993',
  ' 1',
  '1.5',
  '2026-02-30',
  '2026-01-01T00:00:00',
  '2026-01-01T00:00:00Z',
  '9999-12-31',
  '0000-00-00',
] as const;

/** A string from anywhere in Unicode (lone surrogates included), a nasty one, or a huge one. */
export const weirdString = (maxHuge = 200_000): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
    { weight: 4, arbitrary: fc.constantFrom(...NASTY) },
    {
      weight: 1,
      arbitrary: fc.integer({ min: Math.min(257, maxHuge), max: maxHuge }).map((n) => 'Z'.repeat(n)),
    },
  );

/** Any JSON scalar or a small structure, weird strings included. */
export const weirdJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: weirdString(20_000) },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, 0, -1, 1e308, 2 ** 53 + 1) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

/** A deterministic generator of bytes from a seed (so a failing case replays with its bytes). */
export function noise(seed: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; byte: number }
  | { op: 'insert'; at: number; bytes: number[] }
  | { op: 'delete'; at: number; length: number }
  | { op: 'truncate'; at: number };

/** Mutations at relative positions (0..1 of the length), so one list bends any file. */
export const mutations: fc.Arbitrary<Array<Mutation & { where: number }>> = fc.array(
  fc.oneof(
    fc.record({
      op: fc.constant('flip' as const),
      at: fc.constant(0),
      bit: fc.nat(7),
      where: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
    fc.record({
      op: fc.constant('set' as const),
      at: fc.constant(0),
      byte: fc.nat(255),
      where: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
    fc.record({
      op: fc.constant('insert' as const),
      at: fc.constant(0),
      bytes: fc.array(fc.nat(255), { minLength: 1, maxLength: 16 }),
      where: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
    fc.record({
      op: fc.constant('delete' as const),
      at: fc.constant(0),
      length: fc.integer({ min: 1, max: 64 }),
      where: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
    fc.record({
      op: fc.constant('truncate' as const),
      at: fc.constant(0),
      where: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  ),
  { minLength: 1, maxLength: 4 },
);

export function mutate(data: Buffer, list: ReadonlyArray<Mutation & { where: number }>): Buffer {
  let b = Buffer.from(data);
  for (const m of list) {
    const at = Math.min(b.length, Math.floor(m.where * b.length));
    switch (m.op) {
      case 'flip':
        if (at < b.length) b[at] = b[at]! ^ (1 << m.bit);
        break;
      case 'set':
        if (at < b.length) b[at] = m.byte;
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.length)]);
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
    }
  }
  return b;
}

/** A JSON text, sometimes bent byte by byte afterwards (then usually no longer JSON). */
export const jsonBody = (value: fc.Arbitrary<unknown>): fc.Arbitrary<Buffer> =>
  fc
    .tuple(
      value,
      fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: mutations }),
    )
    .map(([v, m]) => {
      const text = Buffer.from(JSON.stringify(v) ?? 'undefined');
      return m ? mutate(text, m) : text;
    });

/** Bytes that are not any format: noise, text, or nothing. */
export const randomBody: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a)),
  fc.string({ unit: 'binary', maxLength: 512 }).map((s) => Buffer.from(s)),
  fc.tuple(fc.integer(), fc.integer({ min: 0, max: 300_000 })).map(([s, n]) => noise(s, n)),
  fc.constant(Buffer.alloc(0)),
);

/** A row of an Acumatica generic inquiry: key columns (some prefixed, some in other cases) and noise. */
const ACUMATICA_COLUMNS = [
  'OrderNbr',
  'SOOrder_OrderNbr',
  'ordernbr',
  'OrderType',
  'ShipmentNbr',
  'ReferenceNbr',
  'Type',
  'DocType',
  'CustomerID',
  'BAccount_CustomerID',
  'InventoryID',
  'LastModifiedDateTime',
  'LastModified',
  'Status',
] as const;

const acumaticaRow = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.dictionary(
      fc.oneof(fc.constantFrom(...ACUMATICA_COLUMNS), fc.string({ maxLength: 12 })),
      fc.oneof(
        weirdJson,
        fc.constantFrom('SO', 'IN', 'INV', 'PMT', 'Invoice', 'Payment', 'C000001', '2026-01-01T00:00:00Z'),
      ),
      { maxKeys: 6 },
    ),
  },
  { weight: 1, arbitrary: weirdJson },
);

export const ACUMATICA_QUERIES = [
  'LL-SalesOrders',
  'LL-Shipments',
  'LL-SalesInvoices',
  'LL-Payments',
  'LL-Customers',
  'LL-StockItems',
] as const;

/** Push notifications shaped like Acumatica's, with every field sometimes wrong. */
export const acumaticaPush: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      {
        Query: fc.oneof(
          { weight: 5, arbitrary: fc.constantFrom(...ACUMATICA_QUERIES) },
          { weight: 1, arbitrary: weirdJson },
        ),
        Id: fc.oneof(fc.uuid(), weirdJson),
        CompanyId: fc.constantFrom('Company', ''),
        TimeStamp: fc.oneof(fc.integer(), weirdJson),
        Inserted: fc.oneof(
          { weight: 5, arbitrary: fc.array(acumaticaRow, { maxLength: 5 }) },
          { weight: 1, arbitrary: weirdJson },
        ),
        Deleted: fc.oneof(
          { weight: 5, arbitrary: fc.array(acumaticaRow, { maxLength: 3 }) },
          { weight: 1, arbitrary: weirdJson },
        ),
        AdditionalInfo: fc.jsonValue({ maxDepth: 1 }),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

export const MAGENTO_EVENTS = [
  'observer.sales_order_save_after',
  'sales_order_save_after',
  'sales_order_delete_after',
  'observer.sales_order_shipment_save_after',
  'sales_order_invoice_save_after',
  'sales_order_creditmemo_save_after',
  'sales_order_payment_save_after',
  'observer.customer_save_after',
  'customer_save_commit_after',
  'plugin.catalog_product_save_after',
  'catalog_product_save_commit_after',
  'checkout_cart_add_product_complete',
] as const;

const magentoRecord = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record(
      {
        entity_id: weirdJson,
        id: fc.oneof(fc.integer({ min: 1, max: 50 }), weirdJson),
        order_id: weirdJson,
        parent_id: weirdJson,
        sku: fc.oneof(fc.constantFrom('SKU-1', 'WIDGET'), weirdJson),
        email: weirdJson,
        updated_at: fc.oneof(fc.constantFrom('2026-01-31 08:00:00', '2026-13-45 99:99:99'), weirdJson),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: weirdJson },
);

/** Where each event keeps its record. */
const MAGENTO_KEY = (event: string): string =>
  /shipment/.test(event)
    ? 'shipment'
    : /invoice/.test(event)
      ? 'invoice'
      : /creditmemo/.test(event)
        ? 'creditmemo'
        : /payment/.test(event)
          ? 'payment'
          : /sales_order/.test(event)
            ? 'order'
            : /customer/.test(event)
              ? 'customer'
              : 'product';

/** Adobe Commerce webhooks: {"eventName": …, "data": {"order": {…}}}, every part sometimes wrong. */
export const magentoWebhook: fc.Arbitrary<unknown> = fc.oneof(
  {
    // The record where its event keeps it, so that most reach the inbox.
    weight: 6,
    arbitrary: fc.constantFrom(...MAGENTO_EVENTS).chain((eventName) =>
      fc.record({
        eventName: fc.constant(eventName),
        data: fc.record({ [MAGENTO_KEY(eventName)]: magentoRecord }),
      }),
    ),
  },
  {
    weight: 3,
    arbitrary: fc.record(
      {
        eventName: fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...MAGENTO_EVENTS) },
          { weight: 1, arbitrary: weirdJson },
        ),
        data: fc.oneof(
          {
            weight: 6,
            arbitrary: fc.dictionary(
              fc.constantFrom(
                'order',
                'customer',
                'product',
                'shipment',
                'invoice',
                'creditmemo',
                'payment',
                'x',
              ),
              magentoRecord,
              { maxKeys: 3 },
            ),
          },
          { weight: 1, arbitrary: weirdJson },
        ),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** The memory connector's deliveries: {"id": …, "events": [{"entity": …, "id": …}]}. */
export const memoryDelivery: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      {
        id: fc.oneof(fc.uuid(), weirdJson),
        events: fc.oneof(
          {
            weight: 6,
            arbitrary: fc.array(
              fc.oneof(
                {
                  weight: 6,
                  arbitrary: fc.record(
                    {
                      entity: fc.oneof(
                        { weight: 6, arbitrary: fc.constantFrom('customer', 'product', 'salesOrder') },
                        { weight: 1, arbitrary: weirdJson },
                      ),
                      id: fc.oneof(
                        { weight: 2, arbitrary: fc.constantFrom('C1', 'C2', 'C3', 'P1') },
                        { weight: 4, arbitrary: weirdString() },
                        { weight: 1, arbitrary: weirdJson },
                      ),
                      kind: fc.oneof(fc.constantFrom('upsert', 'delete'), weirdJson),
                      occurredAt: weirdJson,
                    },
                    { requiredKeys: [] },
                  ),
                },
                { weight: 1, arbitrary: weirdJson },
              ),
              { maxLength: 5 },
            ),
          },
          { weight: 1, arbitrary: weirdJson },
        ),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** Content types a sender might claim; the intake takes the body whatever it says. */
export const anyContentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/json; charset=latin1',
  'x/y',
  '*/*',
);

/** Header names fetch lets a caller set (it owns framing and connection headers). */
const FETCH_OWNED = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'keep-alive',
  'upgrade',
  'expect',
  'te',
  'trailer',
  'content-type',
]);

/** Arbitrary extra headers: names a server might look at, and random ones, with any visible value. */
export const extraHeaders: fc.Arbitrary<Record<string, string>> = fc
  .dictionary(
    fc.oneof(
      fc.constantFrom(
        'x-ledgerlink-token',
        'x-memory-secret',
        'x-adobe-commerce-webhook-signature',
        'authorization',
        'cookie',
        'x-forwarded-for',
        'x-csrf-token',
        'content-encoding',
        'accept',
      ),
      fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
    ),
    fc.oneof(
      fc.string({
        unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
        maxLength: 60,
      }),
      fc.constantFrom('sandbox-push-secret ', 'Bearer ll_x', 'gzip', 'AAAA', '=', ''),
      fc.integer({ min: 1, max: 6000 }).map((n) => 'h'.repeat(n)),
    ),
    { maxKeys: 4 },
  )
  .map((h) => Object.fromEntries(Object.entries(h).filter(([k]) => !FETCH_OWNED.has(k))));

/** A value for a query or path parameter: a fitting one sometimes, anything often. */
export const paramValue = (fitting: readonly string[] = []): fc.Arbitrary<string> =>
  fc.oneof(
    {
      weight: fitting.length ? 3 : 0,
      arbitrary: fitting.length ? fc.constantFrom(...fitting) : fc.constant(''),
    },
    { weight: 5, arbitrary: weirdString(20_000) },
    { weight: 2, arbitrary: fc.integer().map(String) },
    { weight: 1, arbitrary: fc.double().map(String) },
  );

/** How a value goes into a URL: encoded as it should be, or raw (the URL parser encodes what it must). */
export const encoding = fc.constantFrom('encoded', 'encoded', 'encoded', 'raw') as fc.Arbitrary<
  'encoded' | 'raw'
>;

export const inUrl = (v: string, how: 'encoded' | 'raw'): string =>
  how === 'encoded' ? encodeURIComponent(v.replace(/[\uD800-\uDFFF]/g, '\uFFFD')) : v;

/** A JSON schema as the API documents its bodies (the subset the routes use). */
export interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minProperties?: number;
  maxItems?: number;
}

/**
 * Values of a schema's shape, sometimes wrong in one place: enough of them pass validation that the
 * handler behind it is fuzzed too, not only the validator.
 */
export function fromSchema(
  s: Schema | undefined,
  hints: Record<string, readonly string[]> = {},
  depth = 0,
): fc.Arbitrary<unknown> {
  if (!s || depth > 4) return weirdJson;
  const types = [s.type ?? 'any'].flat();
  const shaped: Array<fc.Arbitrary<unknown>> = [];
  if (s.enum) shaped.push(fc.constantFrom(...s.enum));
  for (const t of types) {
    switch (t) {
      case 'object': {
        const props = s.properties ?? {};
        const keys = Object.keys(props);
        const known = keys.length
          ? fc.record(
              Object.fromEntries(
                keys.map((k) => [
                  k,
                  hints[k]?.length
                    ? fc.oneof(
                        { weight: 2, arbitrary: fc.constantFrom(...hints[k]!) },
                        { weight: 1, arbitrary: fromSchema(props[k], hints, depth + 1) },
                      )
                    : fromSchema(props[k], hints, depth + 1),
                ]),
              ),
              { requiredKeys: [] },
            )
          : fc.constant({} as Record<string, unknown>);
        const extra =
          typeof s.additionalProperties === 'object'
            ? fc.dictionary(weirdString(100), fromSchema(s.additionalProperties, hints, depth + 1), {
                maxKeys: 4,
              })
            : fc.oneof(
                { weight: 6, arbitrary: fc.constant({}) },
                {
                  weight: 1,
                  arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), weirdJson, { maxKeys: 2 }),
                },
              );
        shaped.push(fc.tuple(known, extra).map(([a, b]) => ({ ...b, ...a })));
        break;
      }
      case 'array':
        shaped.push(fc.array(fromSchema(s.items, hints, depth + 1), { maxLength: 6 }));
        break;
      case 'string':
        shaped.push(weirdString(s.maxLength && s.maxLength < 20_000 ? s.maxLength + 10 : 20_000));
        break;
      case 'integer':
      case 'number':
        shaped.push(
          fc.oneof(
            fc.integer({ min: -5, max: 60 }),
            fc.constantFrom(
              s.minimum ?? 0,
              s.maximum ?? 2 ** 31,
              (s.maximum ?? 2 ** 31) + 1,
              -1,
              0,
              1.5,
              1e20,
            ),
            fc.integer(),
          ),
        );
        break;
      case 'boolean':
        shaped.push(fc.boolean());
        break;
      case 'null':
        shaped.push(fc.constant(null));
        break;
      default:
        shaped.push(weirdJson);
    }
  }
  return fc.oneof({ weight: 8, arbitrary: fc.oneof(...shaped) }, { weight: 1, arbitrary: weirdJson });
}
