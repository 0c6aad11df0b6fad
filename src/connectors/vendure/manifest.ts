import type { ConnectorManifest } from '../sdk/manifest.js';
import { DEFAULT_ORDER_STATES, DEFAULT_PAYMENT_METHOD } from './settings.js';

/**
 * Assumption about the shop: Vendure has no field for another system's numbers. Ledgerlink keeps
 * them in two custom fields the shop's VendureConfig must declare (check() says when one is
 * missing): `Order.erpNumber` (string) for the ERP's number of a web order, and
 * `Customer.erpCustomerNumber` (string) for the ERP's account number of a customer. The session
 * token must come back as a bearer token: authOptions.tokenMethod includes 'bearer'.
 */
export const vendureManifest: ConnectorManifest = {
  name: 'vendure',
  title: 'Vendure',
  triggers: ['poll', 'batch'],
  connectionFields: [
    {
      name: 'url',
      title: 'Admin API URL',
      type: 'url',
      required: true,
      description: 'the Admin API endpoint, e.g. https://shop.example.com/admin-api',
    },
    {
      name: 'username',
      title: 'Administrator',
      type: 'string',
      required: true,
      description:
        'an administrator whose role may read and update customers, catalog and orders (the superadmin, or a dedicated one)',
    },
    { name: 'password', title: 'Password', type: 'secret', required: true },
    {
      name: 'channelToken',
      title: 'Channel token',
      type: 'string',
      description: 'the channel to work in (Settings › Channels › token); empty: the default channel',
    },
    {
      name: 'languageCode',
      title: 'Language of names and descriptions',
      type: 'string',
      default: 'en',
    },
    {
      name: 'orderStates',
      title: 'Order states to read',
      type: 'string',
      default: DEFAULT_ORDER_STATES.join(','),
      description:
        'comma-separated; the default reads orders awaiting payment (ERP invoicing) and every placed state',
    },
    {
      name: 'stockWarehouses',
      title: 'Warehouses counted as Vendure stock',
      type: 'string',
      description:
        'comma-separated canonical warehouse codes whose stock adds up to a variant’s stock on hand; empty counts every warehouse',
    },
    {
      name: 'paymentMethod',
      title: 'Method of payments recorded from the ERP',
      type: 'string',
      default: DEFAULT_PAYMENT_METHOD,
    },
    {
      name: 'pageSize',
      title: 'Records per request',
      type: 'integer',
      default: 100,
      description: "at most the server's adminListQueryLimit (1000 by default)",
    },
    { name: 'timeoutMs', title: 'Request timeout (ms)', type: 'integer', default: 30_000 },
  ],
  entities: {
    customer: {
      read: {
        cursorField: 'updatedAt',
        filters: [
          { name: 'dates', title: 'Updated between', kind: 'dates' },
          // An ID file lists e-mails; ids typed in may be Vendure customer ids too.
          { name: 'ids', title: 'Specific customers', kind: 'ids', idFileHeader: 'Email' },
        ],
        columns: [
          { name: 'id', title: 'ID', path: '$id', type: 'text' },
          { name: 'name', title: 'Name', path: 'name', type: 'text' },
          { name: 'email', title: 'Email address', path: 'email', type: 'text' },
          { name: 'updatedAt', title: 'Updated at', path: '$updatedAt', type: 'datetime' },
        ],
      },
      write: {
        naturalKey: 'e-mail address',
        updatableFields: ['number', 'name', 'email', 'contacts', 'addresses'],
      },
    },
    product: {
      read: {
        cursorField: 'updatedAt (of the product variant)',
        filters: [
          { name: 'dates', title: 'Updated between', kind: 'dates' },
          { name: 'ids', title: 'Specific products', kind: 'ids', idFileHeader: 'SKU' },
        ],
        columns: [
          { name: 'sku', title: 'SKU', path: 'sku', type: 'text' },
          { name: 'name', title: 'Name', path: 'name', type: 'text' },
          { name: 'price', title: 'Price', path: 'listPrice', type: 'money' },
          { name: 'updatedAt', title: 'Updated at', path: '$updatedAt', type: 'datetime' },
        ],
      },
      write: { naturalKey: 'variant sku', updatableFields: ['name', 'status', 'listPrice', 'stock'] },
    },
    salesOrder: {
      read: {
        cursorField: 'updatedAt or orderPlacedAt',
        filters: [
          { name: 'dates', title: 'Updated between', kind: 'dates' },
          { name: 'status', title: 'Order state', kind: 'values' },
          // An ID file lists order codes; ids typed in may be Vendure order ids too.
          { name: 'ids', title: 'Specific orders', kind: 'ids', idFileHeader: 'Code' },
        ],
        columns: [
          { name: 'code', title: 'Code', path: 'number', type: 'text' },
          { name: 'customer', title: 'Customer', path: 'customerEmail', type: 'text' },
          { name: 'state', title: 'State', path: 'status', type: 'status' },
          { name: 'total', title: 'Total', path: 'orderTotal', type: 'money' },
          { name: 'orderPlacedAt', title: 'Placed at', path: 'orderDate', type: 'date' },
          { name: 'updatedAt', title: 'Updated at', path: '$updatedAt', type: 'datetime' },
        ],
      },
      write: {
        naturalKey:
          'code (an order that came from Vendure carries it as externalNumber), else the ERP number in the erpNumber custom field',
        // The write-back of the other direction: the ERP's number of a web order, into erpNumber.
        updatableFields: ['externalNumber'],
      },
    },
    shipment: {
      write: { naturalKey: 'order + the ERP shipment number in the fulfillment method', updatableFields: [] },
    },
    invoice: {
      write: {
        naturalKey: 'order + the ERP invoice number as the transaction id of a settled payment',
        updatableFields: [],
      },
    },
  },
  // Vendure has no rate limit of its own; a few requests at a time keep one Node process (and a
  // shop on SQLite) answering its shoppers.
  rateLimit: { concurrency: 4 },
};
