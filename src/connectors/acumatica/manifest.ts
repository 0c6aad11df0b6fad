import type { ConnectorManifest } from '../sdk/manifest.js';
import { WEB_ORDER_FIELDS } from './lifecycle-settings.js';

export const ENDPOINT_VERSIONS = ['23.200.001', '24.200.001'] as const;

export const acumaticaManifest: ConnectorManifest = {
  name: 'acumatica',
  title: 'Acumatica',
  triggers: ['poll', 'batch', 'webhook'],
  connectionFields: [
    {
      name: 'baseUrl',
      title: 'Instance URL',
      type: 'url',
      required: true,
      description: 'e.g. https://erp.example.com/AcumaticaERP',
    },
    {
      name: 'endpointVersion',
      title: 'Default endpoint version',
      type: 'enum',
      options: ENDPOINT_VERSIONS,
      default: '24.200.001',
    },
    {
      name: 'authMode',
      title: 'Authentication',
      type: 'enum',
      options: ['cookie', 'oauth2'],
      default: 'cookie',
    },
    {
      name: 'oauthFlow',
      title: 'OAuth 2.0 flow of the connected application',
      type: 'enum',
      options: ['password', 'authorization_code'],
      default: 'password',
      description: 'authorization_code: a person grants access once with "ledgerlink authorize"',
    },
    // A user and password are needed for a session and for the resource-owner password grant.
    {
      name: 'username',
      title: 'User name',
      type: 'string',
      required: true,
      when: [
        { field: 'authMode', equals: ['cookie'] },
        { field: 'oauthFlow', equals: ['password'] },
      ],
    },
    {
      name: 'password',
      title: 'Password',
      type: 'secret',
      required: true,
      when: [
        { field: 'authMode', equals: ['cookie'] },
        { field: 'oauthFlow', equals: ['password'] },
      ],
    },
    {
      name: 'refreshToken',
      title: 'Refresh token (if obtained elsewhere)',
      type: 'secret',
      when: { field: 'oauthFlow', equals: ['authorization_code'] },
    },
    { name: 'company', title: 'Tenant (company)', type: 'string' },
    { name: 'branch', title: 'Branch', type: 'string' },
    {
      name: 'clientId',
      title: 'Connected application client ID',
      type: 'string',
      required: true,
      when: { field: 'authMode', equals: ['oauth2'] },
      description: 'e.g. 4E5C…@Company',
    },
    {
      name: 'clientSecret',
      title: 'Connected application secret',
      type: 'secret',
      required: true,
      when: { field: 'authMode', equals: ['oauth2'] },
    },
    {
      name: 'baseCurrency',
      title: 'Base currency',
      type: 'string',
      default: 'USD',
      description: 'currency of prices and costs',
    },
    { name: 'defaultItemClass', title: 'Item class for new stock items', type: 'string' },
    {
      name: 'orderTypes',
      title: 'Order types to read',
      type: 'string',
      default: 'SO',
      // Orders are read and found by OrderNbr alone: numbering sequences differ per order type, so a
      // number names one order among the types read.
      description: 'comma-separated, e.g. SO,IN; order numbers must be unique across them',
    },
    { name: 'defaultOrderType', title: 'Order type of new orders', type: 'string', default: 'SO' },
    {
      name: 'guestCustomerId',
      title: 'Customer for guest orders',
      type: 'string',
      description: 'the CustomerID web orders placed without an account are booked to',
    },
    ...WEB_ORDER_FIELDS,
    {
      name: 'webhookHeaderName',
      title: 'Push notification header name',
      type: 'string',
      default: 'X-Ledgerlink-Token',
      description: 'the Header Name of the push notification destination (type Webhook)',
    },
    {
      name: 'webhookHeaderValue',
      title: 'Push notification header value',
      type: 'secret',
      inbound: true,
      description: 'the Header Value of the destination; pushes without it are refused',
    },
    { name: 'pageSize', title: 'Records per request', type: 'integer', default: 100 },
    { name: 'timeoutMs', title: 'Request timeout (ms)', type: 'integer', default: 30_000 },
  ],
  entities: {
    customer: {
      read: {
        cursorField: 'LastModifiedDateTime',
        filters: [
          { name: 'dates', title: 'Filter by dates', kind: 'dates' },
          { name: 'customerClass', title: 'Filter by customer classes', kind: 'values' },
          { name: 'status', title: 'Filter by status', kind: 'values' },
          { name: 'ids', title: 'Filter by specific customers', kind: 'ids', idFileHeader: 'Customer' },
        ],
      },
      write: {
        naturalKey: 'CustomerID',
        updatableFields: [
          'name',
          'email',
          'class',
          'status',
          'onHold',
          'creditLimit',
          'currency',
          'contacts',
          'addresses',
        ],
      },
      webhook: true,
    },
    product: {
      read: {
        // StockItem's own change stamp; LastModifiedDateTime does not exist on 23.200.001.
        cursorField: 'LastModified',
        filters: [
          { name: 'dates', title: 'Filter by dates', kind: 'dates' },
          { name: 'itemClass', title: 'Filter by item classes', kind: 'values' },
          { name: 'itemStatus', title: 'Filter by item status', kind: 'values' },
          { name: 'ids', title: 'Filter by specific items', kind: 'ids', idFileHeader: 'InventoryID' },
        ],
      },
      write: {
        naturalKey: 'InventoryID',
        updatableFields: ['name', 'status', 'listPrice', 'standardCost', 'unit', 'weight'],
      },
      webhook: true,
    },
    salesOrder: {
      read: {
        // SalesOrder has no LastModifiedDateTime on either endpoint version.
        cursorField: 'LastModified',
        filters: [
          { name: 'dates', title: 'Filter by dates', kind: 'dates' },
          { name: 'orderType', title: 'Filter by order types', kind: 'values' },
          { name: 'status', title: 'Filter by status', kind: 'values' },
          { name: 'ids', title: 'Filter by specific orders', kind: 'ids', idFileHeader: 'OrderNbr' },
        ],
      },
      write: {
        // OrderNbr when the record knows it (externalNumber), else ExternalRef = the web order's number.
        naturalKey: 'OrderNbr or ExternalRef',
        // lifecycle, paidTotal, refundedTotal: a web order's later life (order-lifecycle.ts).
        updatableFields: ['externalNumber', 'lifecycle', 'paidTotal', 'refundedTotal'],
      },
      webhook: true,
    },
    shipment: {
      read: {
        cursorField: 'LastModifiedDateTime',
        filters: [
          { name: 'dates', title: 'Filter by dates', kind: 'dates' },
          { name: 'status', title: 'Filter by status', kind: 'values' },
          { name: 'ids', title: 'Filter by specific shipments', kind: 'ids', idFileHeader: 'ShipmentNbr' },
        ],
      },
      webhook: true,
    },
    invoice: {
      read: {
        cursorField: 'LastModifiedDateTime',
        filters: [
          { name: 'dates', title: 'Filter by dates', kind: 'dates' },
          { name: 'status', title: 'Filter by status', kind: 'values' },
          { name: 'ids', title: 'Filter by specific invoices', kind: 'ids', idFileHeader: 'InvoiceNbr' },
        ],
      },
      webhook: true,
    },
    payment: {
      read: {
        cursorField: 'LastModifiedDateTime',
        filters: [
          { name: 'dates', title: 'Filter by dates', kind: 'dates' },
          { name: 'status', title: 'Filter by status', kind: 'values' },
          { name: 'ids', title: 'Filter by specific payments', kind: 'ids', idFileHeader: 'ReferenceNbr' },
        ],
      },
      webhook: true,
    },
  },
  // Acumatica licences cap concurrent API requests per tenant; 4 keeps us well inside the smallest tier.
  rateLimit: { concurrency: 4 },
};
