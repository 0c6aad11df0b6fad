import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Customer, Product, Shipment } from '../../model/index.js';
import { projectRoot } from '../../util/project-root.js';
import * as D from './documents.js';
import { checkDocument, checkVariables, schemaOf, withCustomFields } from './graphql-check.js';
import { addressInput, customerInput } from './mappers/customer.js';
import { productInput, variantInput, variantUpdate } from './mappers/product.js';
import { customerFilter } from './read-customers.js';
import { orderFilter } from './read-orders.js';
import { productFilter } from './read-products.js';
import { DEFAULT_ORDER_STATES } from './settings.js';
import { fulfillmentMethod, MANUAL_HANDLER } from './write-shipments.js';

const published = schemaOf(
  JSON.parse(readFileSync(join(projectRoot(), 'specs', 'vendure', 'schema-admin.json'), 'utf8')),
);
// The published schema is a shop without custom fields; ours declares the two Ledgerlink keeps.
const schema = withCustomFields(published, { Order: ['erpNumber'], Customer: ['erpCustomerNumber'] });

const customer = Customer.parse({
  number: 'C0042',
  name: 'Acme Trading',
  email: 'Buyer@Acme.example',
  type: 'B2B',
  currency: 'USD',
  contacts: [{ firstName: 'Ann', lastName: 'Buyer', phone: '+1 555 0100', isPrimary: true }],
  addresses: [
    { kind: 'billing', line1: '1 Main St', city: 'Denver', region: 'CO', postalCode: '80202', country: 'US' },
    { kind: 'shipping', line1: '9 Dock Rd', city: 'Denver', postalCode: '80216', country: 'US' },
  ],
  updatedAt: '2026-01-05T10:00:00Z',
});
const product = Product.parse({
  sku: 'WID-1',
  name: 'Widget',
  description: 'A widget',
  listPrice: { amount: '19.99', currency: 'USD' },
  unit: 'EA',
  stock: [{ warehouse: 'MAIN', onHand: '7' }],
  updatedAt: '2026-01-05T10:00:00Z',
});
const window = { since: '2026-01-05T10:00:00Z', until: '2026-01-06T10:00:00Z' };

describe('GraphQL documents against the published Admin API schema (Vendure 3.5.4)', () => {
  for (const [name, doc] of Object.entries(D.DOCUMENTS)) {
    it(`${name} is a valid document`, () => {
      expect(checkDocument(schema, doc)).toEqual([]);
    });
  }

  it('the check is not vacuous: it names a wrong field, argument, fragment and variable type', () => {
    expect(checkDocument(schema, 'query { orders { items { id nope } } }')).toEqual([
      'Query.orders.items: type "Order" has no field "nope"',
    ]);
    expect(checkDocument(schema, 'query($id: String!) { order(id: $id, x: 1) { id } }')).toEqual([
      'Query.order(id): variable $id is String!, the argument takes ID!',
      'Query.order: no argument "x"',
    ]);
    expect(checkDocument(schema, 'mutation { addFulfillmentToOrder { ... on Order { id } } }')).toEqual([
      'Mutation.addFulfillmentToOrder: the required argument "input" is missing',
      'Mutation.addFulfillmentToOrder: "Order" can never be a "AddFulfillmentToOrderResult"',
    ]);
    expect(checkDocument(schema, 'query { orders { items { customer } } }')).toEqual([
      'Query.orders.items.customer: "Customer" needs a selection of fields',
    ]);
  });

  it('without the custom fields the shop declares, the order documents do not fit', () => {
    expect(checkDocument(published, D.ORDERS)).toEqual([
      'Query.orders.items.customFields: "JSON" is a leaf and takes no selection',
    ]);
  });

  it('the variables the mappers build fit the input types', () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      [D.LOGIN, { username: 'superadmin', password: 'secret' }],
      [D.CREATE_CUSTOMER, { input: customerInput(customer) }],
      [D.UPDATE_CUSTOMER, { input: { id: '7', ...customerInput(customer, ['name', 'number']) } }],
      [
        D.CREATE_CUSTOMER_ADDRESS,
        { customerId: '7', input: addressInput(customer, customer.addresses[0]!, customer.addresses) },
      ],
      [D.CREATE_PRODUCT, { input: productInput(product, { languageCode: 'en', stockWarehouses: [] }) }],
      [
        D.CREATE_PRODUCT_VARIANTS,
        { input: [variantInput(product, '3', 2, { languageCode: 'en', stockWarehouses: [] })] },
      ],
      [
        D.UPDATE_PRODUCT_VARIANTS,
        {
          input: [
            variantUpdate(product, '5', ['listPrice', 'stock', 'status', 'name'], 2, {
              languageCode: 'en',
              stockWarehouses: [],
            }),
          ],
        },
      ],
      [D.CUSTOMERS, { options: { filter: customerFilter(window, ['7', 'a@b.example']), take: 10 } }],
      [D.PRODUCT_VARIANTS, { options: { filter: productFilter(window, ['WID-1']), sort: { id: 'ASC' } } }],
      [
        D.ORDERS,
        {
          options: {
            filter: orderFilter({ ...window, filters: { status: ['Shipped'] } }, DEFAULT_ORDER_STATES, [
              '12',
              'AB12CD',
            ]),
            sort: { id: 'ASC' },
            skip: 0,
            take: 100,
          },
        },
      ],
      [D.ORDERS, { options: { filter: { _or: [{ code: { in: ['X'] } }, { erpNumber: { in: ['SO1'] } }] } } }],
      [D.SET_ORDER_CUSTOM_FIELDS, { input: { id: '12', customFields: { erpNumber: 'SO000123' } } }],
      [D.ADD_NOTE_TO_ORDER, { input: { id: '12', note: 'ERP order SO000123', isPublic: false } }],
      [
        D.ADD_FULFILLMENT_TO_ORDER,
        {
          input: {
            lines: [{ orderLineId: '3', quantity: 2 }],
            handler: {
              code: MANUAL_HANDLER,
              arguments: [
                {
                  name: 'method',
                  value: fulfillmentMethod(
                    Shipment.parse({
                      number: 'SH1',
                      status: 'Confirmed',
                      shipmentDate: '2026-01-05',
                      customerNumber: 'C1',
                      orderNumbers: ['SO1'],
                      lines: [
                        { orderNumber: 'SO1', orderLineNumber: 1, sku: 'X', quantity: '1', unit: 'EA' },
                      ],
                      updatedAt: '2026-01-05T10:00:00Z',
                    }),
                  ),
                },
                { name: 'trackingCode', value: '1Z999' },
              ],
            },
          },
        },
      ],
      [D.TRANSITION_FULFILLMENT, { id: '4', state: 'Shipped' }],
      [
        D.ADD_MANUAL_PAYMENT,
        {
          input: {
            orderId: '12',
            method: 'erp-invoice',
            transactionId: 'INV1',
            metadata: { erpInvoice: 'INV1' },
          },
        },
      ],
    ];
    for (const [doc, variables] of cases)
      expect(checkVariables(schema, doc, variables), doc.slice(0, 60)).toEqual([]);
    // And it notices a shape that does not fit.
    expect(checkVariables(schema, D.CREATE_PRODUCT_VARIANTS, { input: [{ sku: 'X', price: 1.5 }] })).toEqual([
      '$input[0].productId: required (ID!)',
      '$input[0].translations: required ([ProductVariantTranslationInput!]!)',
      '$input[0].price: 1.5 is not a "Money"',
    ]);
  });
});
