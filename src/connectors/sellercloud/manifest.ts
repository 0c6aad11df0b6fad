import type { BatchFilter, ConnectorManifest } from '../sdk/manifest.js';

const dates = (title: string): BatchFilter => ({ name: 'dates', title, kind: 'dates' });
const ids = (title: string, header: string): BatchFilter => ({
  name: 'ids',
  title,
  kind: 'ids',
  idFileHeader: header,
});

/**
 * SellerCloud (order and inventory management): orders, customers and products with their stock per
 * warehouse read; customers and orders written; shipments written as tracking per package, payments
 * as manual payments on an order (FACTS.md).
 */
export const sellercloudManifest: ConnectorManifest = {
  name: 'sellercloud',
  title: 'SellerCloud',
  triggers: ['poll', 'batch'],
  // 10,800 requests an hour per user and IP, every endpoint counted ("REST API Rate Limiting").
  rateLimit: { requestsPerSecond: 3, concurrency: 4 },
  connectionFields: [
    {
      name: 'server',
      title: 'Server',
      type: 'string',
      required: true,
      description:
        'the server id of your team (https://api.sellercloud.com/api/server-by-team/?team=…), or the whole REST URL',
    },
    { name: 'username', title: 'Username', type: 'string', required: true },
    { name: 'password', title: 'Password', type: 'secret', required: true },
    {
      name: 'companyId',
      title: 'Company ID',
      type: 'integer',
      default: 1,
      description: 'the company new customers and orders are created in',
    },
    {
      name: 'channel',
      title: 'Order channel',
      type: 'integer',
      default: 0,
      description: 'channel of created orders: 0 Local_Store, 6 Website, 21 Wholesale',
    },
    { name: 'currency', title: 'Currency', type: 'string', default: 'USD' },
    {
      name: 'taxCode',
      title: 'Tax code of order tax',
      type: 'string',
      default: 'SALESTAX',
      description:
        'SellerCloud gives each order one tax total; it becomes one tax line under this code, which the taxClass value map turns into the ERP’s tax',
    },
    { name: 'pageSize', title: 'Records per request (pageSize, at most 50)', type: 'integer', default: 50 },
    { name: 'timeoutMs', title: 'Request timeout (ms)', type: 'integer', default: 30_000 },
  ],
  entities: {
    salesOrder: {
      read: {
        cursorField: 'CreatedOn',
        filters: [dates('Created between'), ids('Specific orders', 'OrderID')],
        columns: [
          { name: 'number', title: 'Order', path: 'number', type: 'text' },
          { name: 'orderDate', title: 'Date', path: 'orderDate', type: 'date' },
          { name: 'customer', title: 'Customer', path: 'customerNumber', type: 'text' },
          { name: 'total', title: 'Total', path: 'orderTotal', type: 'money' },
        ],
      },
      write: { naturalKey: 'our order number as OrderSourceOrderID', updatableFields: [] },
    },
    customer: {
      read: {
        cursorField: 'LastModifiedOn',
        filters: [dates('Modified between'), ids('Specific customers', 'UserID')],
        columns: [
          { name: 'number', title: 'Customer ID', path: 'number', type: 'text' },
          { name: 'name', title: 'Name', path: 'name', type: 'text' },
          { name: 'email', title: 'E-mail', path: 'email', type: 'text' },
        ],
      },
      write: { naturalKey: 'e-mail', updatableFields: ['name', 'email', 'type'] },
    },
    product: {
      read: {
        cursorField: 'LastUpdated',
        filters: [dates('Updated between'), ids('Specific products', 'SKU')],
        columns: [
          { name: 'sku', title: 'SKU', path: '$id', type: 'text' },
          { name: 'name', title: 'Name', path: 'name', type: 'text' },
          { name: 'price', title: 'Price', path: 'listPrice', type: 'money' },
        ],
      },
    },
    shipment: {
      write: { naturalKey: 'the order and its tracking numbers', updatableFields: ['trackingNumbers'] },
    },
    invoice: {
      write: {
        naturalKey: 'the order and the invoice number (a note on the order)',
        updatableFields: ['status', 'balance'],
      },
    },
    payment: {
      write: { naturalKey: 'none: a manual payment is written once', updatableFields: [] },
    },
  },
};
