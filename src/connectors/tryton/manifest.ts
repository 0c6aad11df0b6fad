import type { BatchFilter, ConnectorManifest } from '../sdk/manifest.js';

const dates: BatchFilter = { name: 'dates', title: 'Filter by dates', kind: 'dates' };
const state = (title: string): BatchFilter => ({ name: 'state', title, kind: 'values' });
/** Source ids are Tryton's record ids, so an ID file lists those under this header. */
const ids = (title: string, header: string): BatchFilter => ({
  name: 'ids',
  title,
  kind: 'ids',
  idFileHeader: header,
});

export const trytonManifest: ConnectorManifest = {
  name: 'tryton',
  title: 'Tryton',
  // Tryton 6.0 sends no webhooks: changes are found by polling write_date.
  triggers: ['poll', 'batch'],
  connectionFields: [
    {
      name: 'url',
      title: 'Server URL',
      type: 'url',
      required: true,
      description: 'where trytond listens, e.g. http://127.0.0.1:8000',
    },
    { name: 'database', title: 'Database', type: 'string', required: true },
    { name: 'username', title: 'User name', type: 'string', required: true },
    { name: 'password', title: 'Password', type: 'secret', required: true },
    {
      name: 'company',
      title: 'Company',
      type: 'string',
      description: "the company's id or name; the user's current company when empty",
    },
    {
      name: 'warehouse',
      title: 'Warehouse',
      type: 'string',
      description: 'id, code or name of the warehouse stock is read from; the first warehouse when empty',
    },
    {
      name: 'shippingProduct',
      title: 'Shipping product code',
      type: 'string',
      default: 'SHIPPING',
      description: "code of the service product an order's shipping cost is booked on",
    },
    {
      name: 'customerCategory',
      title: 'Party category of customers',
      type: 'string',
      description:
        "only parties in this category are read as customers; every party but the companies' own when empty",
    },
    {
      name: 'productCategory',
      title: 'Account category of new products',
      type: 'string',
      description:
        'id or name of the account category (accounts, customer taxes) products Ledgerlink creates get',
    },
    {
      name: 'guestCustomer',
      title: 'Party for guest orders',
      type: 'string',
      description: 'the party id web orders placed without an account are booked to',
    },
    { name: 'pageSize', title: 'Records per request', type: 'integer', default: 100 },
    { name: 'timeoutMs', title: 'Request timeout (ms)', type: 'integer', default: 30_000 },
  ],
  entities: {
    customer: {
      read: {
        cursorField: 'write_date',
        filters: [dates, ids('Filter by specific parties', 'PartyID')],
        columns: [
          { name: 'code', title: 'Code', path: 'number', type: 'text' },
          { name: 'name', title: 'Name', path: 'name', type: 'text' },
          { name: 'email', title: 'E-Mail', path: 'email', type: 'text' },
          { name: 'writeDate', title: 'Modified', path: '$updatedAt', type: 'datetime' },
        ],
      },
      write: {
        naturalKey: 'e-mail (the party’s e-mail contact mechanism)',
        updatableFields: ['name', 'email', 'status'],
      },
    },
    product: {
      read: {
        cursorField: 'write_date',
        filters: [dates, ids('Filter by specific products', 'ProductID')],
        columns: [
          { name: 'code', title: 'Code', path: 'sku', type: 'text' },
          { name: 'name', title: 'Name', path: 'name', type: 'text' },
          { name: 'listPrice', title: 'List Price', path: 'listPrice', type: 'money' },
          { name: 'writeDate', title: 'Modified', path: '$updatedAt', type: 'datetime' },
        ],
      },
      write: {
        naturalKey: 'code (the variant’s SKU)',
        updatableFields: ['name', 'status', 'listPrice', 'standardCost'],
      },
    },
    salesOrder: {
      read: {
        cursorField: 'write_date',
        filters: [dates, state('Filter by state'), ids('Filter by specific sales', 'SaleID')],
        columns: [
          { name: 'number', title: 'Number', path: 'number', type: 'text' },
          { name: 'party', title: 'Party', path: 'customerNumber', type: 'text' },
          { name: 'saleDate', title: 'Sale Date', path: 'orderDate', type: 'date' },
          { name: 'state', title: 'State', path: 'status', type: 'status' },
          { name: 'total', title: 'Total', path: 'orderTotal', type: 'money' },
          { name: 'writeDate', title: 'Modified', path: '$updatedAt', type: 'datetime' },
        ],
      },
      write: {
        naturalKey: 'reference (the web shop’s order number)',
        updatableFields: [],
      },
    },
    shipment: {
      read: {
        cursorField: 'write_date',
        filters: [dates, state('Filter by state'), ids('Filter by specific shipments', 'ShipmentID')],
        columns: [
          { name: 'number', title: 'Number', path: 'number', type: 'text' },
          { name: 'customer', title: 'Customer', path: 'customerNumber', type: 'text' },
          { name: 'effectiveDate', title: 'Effective Date', path: 'shipmentDate', type: 'date' },
          { name: 'state', title: 'State', path: 'status', type: 'status' },
          { name: 'writeDate', title: 'Modified', path: '$updatedAt', type: 'datetime' },
        ],
      },
    },
    invoice: {
      read: {
        cursorField: 'write_date',
        filters: [dates, state('Filter by state'), ids('Filter by specific invoices', 'InvoiceID')],
        columns: [
          { name: 'number', title: 'Number', path: 'number', type: 'text' },
          { name: 'party', title: 'Party', path: 'customerNumber', type: 'text' },
          { name: 'invoiceDate', title: 'Invoice Date', path: 'invoiceDate', type: 'date' },
          { name: 'state', title: 'State', path: 'status', type: 'status' },
          { name: 'total', title: 'Total', path: 'total', type: 'money' },
          { name: 'writeDate', title: 'Modified', path: '$updatedAt', type: 'datetime' },
        ],
      },
    },
  },
  // trytond serves each request on a thread; with SQLite behind it writers queue for the file, and
  // four at a time keeps them from timing out on its lock.
  rateLimit: { concurrency: 4 },
};
