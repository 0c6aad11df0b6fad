import type { BatchFilter, ConnectorManifest } from '../sdk/manifest.js';
import { ISELLER_LISTINGS } from './listings.js';
import { AUTHORIZE_URL, TOKEN_URL } from './settings.js';

const dates: BatchFilter = { name: 'dates', title: 'Modified between', kind: 'dates' };
const outlet: BatchFilter = { name: 'outlet', title: 'Outlets', kind: 'values', field: 'outlet_code' };
/**
 * One register's sales: with it the window (since/until) is the time the orders were made, so a
 * closed shift's orders are read by its register, opened and closed times (orders carry register_id,
 * no shift id: PA v2, FACTS.md ⚠).
 */
const register: BatchFilter = { name: 'register', title: 'Register', kind: 'values', field: 'register_id' };
const ids = (title: string, header: string): BatchFilter => ({
  name: 'ids',
  title,
  kind: 'ids',
  idFileHeader: header,
});

/**
 * iSeller (point of sale): paid orders become invoices (refunds credit notes) with a payment per
 * payment method; transfers and stock takes are read; products, customers and goods received into an
 * outlet are written. A register shift closing is announced (webhook, and polled: closedShifts). Each
 * outlet's stock now is a listing (Outlet inventories).
 */
export const isellerManifest: ConnectorManifest = {
  name: 'iseller',
  title: 'iSeller',
  triggers: ['poll', 'webhook', 'batch', 'shift-close'],
  // The stock each outlet holds now (GetOutletInventories), beside the entities.
  listings: ISELLER_LISTINGS,
  // iSeller documents no limit (FACTS.md ⚠): a modest budget, overridable per connection.
  rateLimit: { requestsPerSecond: 5, concurrency: 4 },
  connectionFields: [
    {
      name: 'authMode',
      title: 'Grant',
      type: 'enum',
      options: ['authorization_code', 'client_credentials'],
      default: 'authorization_code',
    },
    { name: 'clientId', title: 'Client ID', type: 'string', required: true },
    { name: 'clientSecret', title: 'Client secret', type: 'secret', required: true },
    { name: 'authorizeUrl', title: 'Authorization endpoint', type: 'url', default: AUTHORIZE_URL },
    { name: 'tokenUrl', title: 'Token endpoint', type: 'url', default: TOKEN_URL },
    {
      name: 'storeUrl',
      title: 'Store URL',
      type: 'url',
      description:
        'https://<store>.isellershop.com; the token answer’s resource_url is used when it names one',
    },
    {
      name: 'refreshToken',
      title: 'Initial refresh token',
      type: 'secret',
      when: { field: 'authMode', equals: ['authorization_code'] },
      description:
        'only to start from a grant made elsewhere; afterwards the token lives sealed in the store',
    },
    {
      name: 'timeZone',
      title: 'Store time zone (hours from UTC)',
      type: 'integer',
      default: 7,
      description: 'iSeller reads and answers dates in this zone (time_zone); 7 is WIB',
    },
    { name: 'currency', title: 'Store currency', type: 'string', default: 'IDR' },
    {
      name: 'walkInCustomer',
      title: 'Walk-in customer',
      type: 'string',
      default: 'UMUM',
      description: 'the customer number of a sale made without a customer',
    },
    {
      name: 'webhookVerification',
      title: 'Webhook verification',
      type: 'enum',
      options: ['signature', 'header'],
      default: 'signature',
      description:
        'signature: iSeller’s Signature and Timestamp headers, keyed with the store’s API key; header: a shared secret in a header of your choosing',
    },
    {
      name: 'webhookSecret',
      title: 'Webhook key',
      type: 'secret',
      inbound: true,
      description: 'the store’s API key (signature) or the shared secret (header)',
    },
    {
      name: 'webhookHeaderName',
      title: 'Webhook header',
      type: 'string',
      default: 'X-Ledgerlink-Token',
      when: { field: 'webhookVerification', equals: ['header'] },
    },
    { name: 'pageSize', title: 'Records per request (page_size)', type: 'integer', default: 100 },
    { name: 'timeoutMs', title: 'Request timeout (ms)', type: 'integer', default: 30_000 },
  ],
  entities: {
    invoice: {
      read: {
        cursorField: 'modified_date',
        filters: [dates, outlet, register, ids('Specific orders', 'order_id')],
        columns: [
          { name: 'number', title: 'Order', path: 'number', type: 'text' },
          { name: 'occurredAt', title: 'Date', path: 'occurredAt', type: 'datetime' },
          { name: 'outlet', title: 'Outlet', path: 'warehouse', type: 'text' },
          { name: 'customer', title: 'Customer', path: 'customerNumber', type: 'text' },
          { name: 'total', title: 'Total', path: 'total', type: 'money' },
        ],
      },
      webhook: true,
    },
    payment: {
      read: {
        cursorField: 'modified_date',
        filters: [dates, outlet, register, ids('Specific payments', 'payment')],
        columns: [
          { name: 'number', title: 'Payment', path: 'number', type: 'text' },
          { name: 'method', title: 'Method', path: 'paymentMethod', type: 'text' },
          { name: 'amount', title: 'Amount', path: 'amount', type: 'money' },
        ],
      },
      webhook: true,
    },
    stockTransfer: {
      read: {
        cursorField: 'modified_date',
        filters: [dates, outlet, ids('Specific transfers', 'transfer_id')],
        columns: [
          { name: 'number', title: 'Reference', path: 'number', type: 'text' },
          { name: 'from', title: 'From', path: 'fromWarehouse', type: 'text' },
          { name: 'to', title: 'To', path: 'toWarehouse', type: 'text' },
          { name: 'occurredAt', title: 'Date', path: 'occurredAt', type: 'datetime' },
        ],
      },
      write: {
        naturalKey: 'the document number as the iSeller transfer’s reference',
        updatableFields: [],
      },
    },
    stockCount: {
      read: {
        cursorField: 'modified_date',
        filters: [dates, outlet, ids('Specific stock takes', 'adjustment_id')],
        columns: [
          { name: 'number', title: 'Reference', path: 'number', type: 'text' },
          { name: 'outlet', title: 'Outlet', path: 'warehouse', type: 'text' },
          { name: 'occurredAt', title: 'Date', path: 'occurredAt', type: 'datetime' },
        ],
      },
    },
    product: {
      read: {
        cursorField: 'modified_date',
        filters: [dates, ids('Specific products', 'sku')],
        columns: [
          { name: 'sku', title: 'SKU', path: '$id', type: 'text' },
          { name: 'name', title: 'Name', path: 'name', type: 'text' },
          { name: 'price', title: 'Price', path: 'listPrice', type: 'money' },
        ],
      },
      write: {
        naturalKey: 'SKU',
        updatableFields: ['name', 'description', 'listPrice', 'status', 'stock'],
      },
      webhook: true,
    },
    customer: {
      read: {
        cursorField: 'modified_date',
        filters: [dates, ids('Specific customers', 'customer_id')],
        columns: [
          { name: 'number', title: 'Customer ID', path: 'number', type: 'text' },
          { name: 'name', title: 'Name', path: 'name', type: 'text' },
        ],
      },
      write: {
        naturalKey: 'customer ID (external_customer_id)',
        updatableFields: ['name', 'email', 'contacts', 'class'],
      },
    },
  },
};
