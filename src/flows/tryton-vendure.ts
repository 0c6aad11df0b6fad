import type { CatalogFlow } from './flow-definition.js';
import { ORDER_DEPENDENCIES } from './rules/sales-documents.js';

/** Tryton (an ERP) and Vendure (a shop): the same story between two systems nobody here wrote. */
export const trytonVendureFlows: Readonly<Record<string, CatalogFlow>> = {
  'tryton-vendure.customers': {
    description: 'Tryton parties to Vendure customers, matched by e-mail',
    entity: 'customer',
    sourceConnector: 'tryton',
    targetConnector: 'vendure',
    ownedFields: [],
    // The ERP is the master of this data, also for records the shop created first.
    ownsEchoes: true,
    schedule: '*/15 * * * *',
  },
  'tryton-vendure.products': {
    description: 'Tryton products to Vendure product variants (price, stock), matched by SKU',
    entity: 'product',
    sourceConnector: 'tryton',
    targetConnector: 'vendure',
    ownedFields: ['listPrice', 'stock'],
    // The ERP is the master of this data, also for records the shop created first.
    ownsEchoes: true,
    schedule: '*/15 * * * *',
  },
  'vendure-tryton.orders': {
    description:
      'Vendure orders to Tryton sales, confirmed and processed so a shipment and an invoice appear; the sale number goes back to Vendure',
    entity: 'salesOrder',
    sourceConnector: 'vendure',
    targetConnector: 'tryton',
    ownedFields: [],
    neverOverwrite: true,
    dependencies: ORDER_DEPENDENCIES,
    writeBack: 'externalNumber',
    schedule: '*/5 * * * *',
  },
  'tryton-vendure.shipments': {
    description: 'Tryton customer shipments done to Vendure fulfillments, shipped, with tracking',
    entity: 'shipment',
    sourceConnector: 'tryton',
    targetConnector: 'vendure',
    ownedFields: [],
    neverOverwrite: true,
    conditions: [{ name: 'done', expression: 'status = "done"', explain: '"the shipment is " & status' }],
    dependencies: [{ entity: 'salesOrder', ids: 'orderNumbers' }],
    schedule: '*/5 * * * *',
  },
  'tryton-vendure.invoices': {
    description: 'Tryton customer invoices posted and paid, settled as payments on their Vendure orders',
    entity: 'invoice',
    sourceConnector: 'tryton',
    targetConnector: 'vendure',
    ownedFields: [],
    neverOverwrite: true,
    conditions: [
      {
        name: 'paid',
        expression: 'status = "paid"',
        explain: '"the invoice is " & status & ", " & balance.amount & " " & balance.currency & " to pay"',
      },
    ],
    dependencies: [{ entity: 'salesOrder', ids: 'orderNumbers' }],
    schedule: '*/5 * * * *',
  },
};
