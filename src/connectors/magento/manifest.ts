import type { ConnectorManifest, EntityCapability } from '../sdk/manifest.js';
import { DEFAULT_SECRET_HEADER } from './settings.js';

/**
 * A document the ERP creates and Magento records against an order (shipment, invoice, payment):
 * created once, never changed afterwards from here.
 */
const createOnly = (naturalKey: string): EntityCapability => ({
  write: { naturalKey, updatableFields: [] },
});

/**
 * Assumption about the store: Magento has no native customer field for the ERP account number, the
 * credit limit, the on-hold flag or the ERP customer class. Ledgerlink writes them as customer
 * attributes `erp_customer_number`, `credit_limit`, `on_hold` and `customer_class` (see
 * mappers/customer.ts), so a real store needs these attributes created (Stores › Attributes ›
 * Customer, or a data patch) before the first sync. Magento silently drops custom attributes it does
 * not know, so a missing attribute shows up as a value that never sticks, not as an error.
 */
export const magentoManifest: ConnectorManifest = {
  name: 'magento',
  title: 'Magento',
  triggers: ['poll', 'batch', 'webhook'],
  connectionFields: [
    {
      name: 'baseUrl',
      title: 'Store URL',
      type: 'url',
      required: true,
      description: 'e.g. https://shop.example.com (the REST API lives under /rest)',
    },
    {
      name: 'storeCode',
      title: 'Store view code',
      type: 'string',
      default: 'default',
      description: 'the store view reads go through; product writes always use the "all" scope',
    },
    {
      name: 'authMode',
      title: 'Authentication',
      type: 'enum',
      options: ['token', 'admin'],
      default: 'token',
      description: 'token: an integration access token; admin: an admin user name and password',
    },
    {
      name: 'accessToken',
      title: 'Integration access token',
      type: 'secret',
      required: true,
      when: { field: 'authMode', equals: ['token'] },
      description:
        'System › Extensions › Integrations › Activate; Magento 2.4.4+ also needs "Allow OAuth Access Tokens to be used as standalone Bearer tokens" (Stores › Configuration › Services › OAuth)',
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
    { name: 'storeId', title: 'Store ID of new customers', type: 'integer', default: 1 },
    { name: 'defaultGroupId', title: 'Customer group of new customers', type: 'integer', default: 1 },
    { name: 'attributeSetId', title: 'Attribute set of new products', type: 'integer', default: 4 },
    {
      name: 'baseCurrency',
      title: 'Base currency',
      type: 'string',
      default: 'USD',
      description: 'the currency of Magento prices and credit limits (Magento stores amounts without one)',
    },
    {
      name: 'stockApi',
      title: 'How stock is written',
      type: 'enum',
      options: ['source-items', 'stock-item'],
      default: 'source-items',
      description:
        'source-items: Multi-Source Inventory (Magento 2.3+ default); stock-item: the legacy stock item on the product, for stores that disabled the MSI modules',
    },
    {
      name: 'stockSource',
      title: 'Inventory source code',
      type: 'string',
      default: 'default',
      when: { field: 'stockApi', equals: ['source-items'] },
    },
    {
      name: 'stockWarehouses',
      title: 'Warehouses counted as Magento stock',
      type: 'string',
      description:
        'comma-separated canonical warehouse codes whose stock adds up to the Magento quantity; empty counts every warehouse',
    },
    {
      name: 'pageSize',
      title: 'Records per request',
      type: 'integer',
      default: 100,
      description:
        "at most the store's Maximum Page Size (300 by default) when its Web API input limits are on",
    },
    { name: 'timeoutMs', title: 'Request timeout (ms)', type: 'integer', default: 30_000 },
    {
      name: 'webhookPublicKey',
      title: 'Webhook public key',
      type: 'string',
      description:
        'the PEM public key of Stores › Settings › Configuration › Adobe Services › Webhooks (Digital Signature): deliveries must carry a valid x-adobe-commerce-webhook-signature',
    },
    {
      name: 'webhookSecret',
      title: 'Webhook token',
      type: 'secret',
      inbound: true,
      description:
        'without a public key: a shared token each webhook sends in a header (set it as a header of the webhook in Adobe Commerce)',
    },
    {
      name: 'webhookSecretHeader',
      title: 'Webhook token header',
      type: 'string',
      default: DEFAULT_SECRET_HEADER,
    },
    {
      name: 'b2bCompanies',
      title: 'Customers are B2B companies (Adobe Commerce B2B)',
      type: 'boolean',
      default: false,
      description:
        'A customer written here becomes an Adobe Commerce B2B company: its basic information, the primary contact as company admin (with the billing and shipping addresses), the other contacts as company users, the payment methods and the company role below',
    },
    {
      name: 'companyRole',
      title: 'Role of company users',
      type: 'string',
      default: 'Default User',
      description: "The company role given to every company user (the company's own role of that name)",
    },
    {
      name: 'companyPaymentMethods',
      title: 'Payment methods by payment terms',
      type: 'string',
      description:
        "terms=methods pairs, comma-separated, methods separated by | (e.g. NET30=checkmo|purchaseorder, COD=cashondelivery), or JSON: the Adobe Commerce payment methods a company may use for the ERP customer's terms; empty: the B2B configuration's methods",
    },
  ],
  entities: {
    customer: {
      read: {
        cursorField: 'updated_at',
        filters: [
          { name: 'dates', title: 'Updated between', kind: 'dates' },
          // An ID file lists e-mails (what a person has at hand); ids typed in may be Magento ids too.
          { name: 'ids', title: 'Specific customers', kind: 'ids', idFileHeader: 'Email' },
        ],
        // The admin's Customers grid.
        columns: [
          { name: 'id', title: 'ID', path: '$id', type: 'text' },
          { name: 'name', title: 'Name', path: 'name', type: 'text' },
          { name: 'email', title: 'Email', path: 'email', type: 'text' },
          { name: 'group', title: 'Group', path: 'class', type: 'text' },
          { name: 'updatedAt', title: 'Updated At', path: '$updatedAt', type: 'datetime' },
        ],
      },
      write: {
        naturalKey: 'email + website',
        updatableFields: [
          'name',
          'email',
          'class',
          'creditLimit',
          'onHold',
          'status',
          'contacts',
          'addresses',
          // b2bCompanies: the company's payment methods follow the terms.
          'terms',
        ],
      },
      webhook: true,
    },
    product: {
      read: {
        cursorField: 'updated_at',
        filters: [
          { name: 'dates', title: 'Updated between', kind: 'dates' },
          { name: 'ids', title: 'Specific products', kind: 'ids', idFileHeader: 'SKU' },
        ],
        // The admin's Products grid.
        columns: [
          { name: 'sku', title: 'SKU', path: 'sku', type: 'text' },
          { name: 'name', title: 'Name', path: 'name', type: 'text' },
          { name: 'price', title: 'Price', path: 'listPrice', type: 'money' },
          { name: 'status', title: 'Status', path: 'status', type: 'status' },
          { name: 'updatedAt', title: 'Updated At', path: '$updatedAt', type: 'datetime' },
        ],
      },
      write: {
        naturalKey: 'sku',
        updatableFields: ['name', 'description', 'status', 'listPrice', 'standardCost', 'weight', 'stock'],
      },
      webhook: true,
    },
    salesOrder: {
      read: {
        cursorField: 'updated_at',
        filters: [
          { name: 'dates', title: 'Updated between', kind: 'dates' },
          { name: 'status', title: 'Order status', kind: 'values' },
          // An ID file lists order numbers (increment ids); ids typed in may be Magento entity ids too.
          { name: 'ids', title: 'Specific orders', kind: 'ids', idFileHeader: 'IncrementId' },
        ],
        // The admin's Orders grid.
        columns: [
          { name: 'incrementId', title: 'ID', path: 'number', type: 'text' },
          { name: 'purchaseDate', title: 'Purchase Date', path: 'orderDate', type: 'date' },
          { name: 'customer', title: 'Customer Email', path: 'customerEmail', type: 'text' },
          { name: 'grandTotal', title: 'Grand Total', path: 'orderTotal', type: 'money' },
          { name: 'status', title: 'Status', path: 'status', type: 'status' },
          { name: 'updatedAt', title: 'Updated At', path: '$updatedAt', type: 'datetime' },
        ],
      },
      write: {
        naturalKey:
          'ext_order_id (the ERP order number), or increment_id for an order that came from Magento',
        // The write-back of the other direction: the ERP's number for a web order, into ext_order_id.
        updatableFields: ['externalNumber'],
      },
      webhook: true,
    },
    shipment: createOnly('order + the ERP shipment number in the shipment comment'),
    invoice: createOnly('order + the ERP invoice number in the invoice comment'),
    payment: createOnly('order + the ERP payment number in an order comment'),
  },
  // Magento has no REST rate limit by default, but each call is a full PHP bootstrap on the shop's
  // own servers: a handful in parallel keeps a small shop responsive for its shoppers.
  rateLimit: { concurrency: 8 },
};
