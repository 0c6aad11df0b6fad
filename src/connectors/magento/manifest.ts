import type { ConnectorManifest } from '../sdk/manifest.js';

export const magentoManifest: ConnectorManifest = {
  name: 'magento',
  title: 'Magento',
  triggers: ['poll', 'batch'],
  connectionFields: [
    {
      name: 'baseUrl',
      title: 'Store URL',
      type: 'url',
      required: true,
      description: 'e.g. https://shop.example.com (REST lives under /rest)',
    },
    { name: 'storeCode', title: 'Store view code', type: 'string', default: 'default' },
    {
      name: 'authMode',
      title: 'Authentication',
      type: 'enum',
      options: ['token', 'admin'],
      default: 'token',
    },
    {
      name: 'accessToken',
      title: 'Integration access token',
      type: 'secret',
      required: true,
      when: { field: 'authMode', equals: ['token'] },
    },
    {
      name: 'username',
      title: 'Admin user name',
      type: 'string',
      required: true,
      when: { field: 'authMode', equals: ['admin'] },
    },
    {
      name: 'password',
      title: 'Admin password',
      type: 'secret',
      required: true,
      when: { field: 'authMode', equals: ['admin'] },
    },
    { name: 'websiteId', title: 'Website ID', type: 'integer', default: 1 },
    { name: 'storeId', title: 'Store ID', type: 'integer', default: 1 },
    { name: 'defaultGroupId', title: 'Customer group for new customers', type: 'integer', default: 1 },
    { name: 'attributeSetId', title: 'Attribute set for new products', type: 'integer', default: 4 },
    { name: 'baseCurrency', title: 'Base currency', type: 'string', default: 'USD' },
    { name: 'stockSource', title: 'Inventory source code', type: 'string', default: 'default' },
    {
      name: 'stockWarehouses',
      title: 'Warehouses counted as Magento stock',
      type: 'string',
      description: 'comma-separated; empty counts every warehouse',
    },
    { name: 'pageSize', title: 'Records per request', type: 'integer', default: 100 },
    { name: 'timeoutMs', title: 'Request timeout (ms)', type: 'integer', default: 30_000 },
  ],
  entities: {
    customer: {
      read: {
        cursorField: 'updated_at',
        filters: [
          { name: 'dates', title: 'Updated between', kind: 'dates' },
          { name: 'ids', title: 'Specific customers', kind: 'ids', idFileHeader: 'CustomerID' },
        ],
      },
      write: {
        naturalKey: 'email',
        updatableFields: [
          'name',
          'email',
          'class',
          'creditLimit',
          'onHold',
          'status',
          'contacts',
          'addresses',
        ],
      },
    },
    product: {
      read: {
        cursorField: 'updated_at',
        filters: [
          { name: 'dates', title: 'Updated between', kind: 'dates' },
          { name: 'ids', title: 'Specific products', kind: 'ids', idFileHeader: 'SKU' },
        ],
      },
      write: {
        naturalKey: 'SKU',
        updatableFields: ['name', 'description', 'status', 'listPrice', 'standardCost', 'weight', 'stock'],
      },
    },
  },
  rateLimit: { concurrency: 8 },
};
