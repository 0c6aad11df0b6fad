import type { ConnectorManifest } from '../sdk/manifest.js';

export const ENDPOINT_VERSIONS = ['23.200.001', '24.200.001'] as const;

export const acumaticaManifest: ConnectorManifest = {
  name: 'acumatica',
  title: 'Acumatica',
  triggers: ['poll', 'batch'],
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
    },
  },
  // Acumatica licences cap concurrent API requests per tenant; 4 keeps us well inside the smallest tier.
  rateLimit: { concurrency: 4 },
};
