import type { ConnectorManifest } from '../sdk/manifest.js';
import { AUTHORIZE_URL, MINOR_VERSION, TOKEN_URL } from './settings.js';

/**
 * QuickBooks Online, Accounting API v3. Customers, products (items) and invoices are read from it;
 * customers, items and invoices made from CRM orders are written to it — created only: an existing
 * customer or item is never touched (the SYNC Uploader's rule that ledger accounts belong to the
 * accounts), and an invoice is never changed once made.
 */
export const quickbooksManifest: ConnectorManifest = {
  name: 'quickbooks',
  title: 'QuickBooks Online',
  triggers: ['poll', 'batch', 'webhook'],
  // Intuit's throttle: 500 requests a minute per company and 10 at once (FACTS.md).
  rateLimit: { requestsPerMinute: 500, concurrency: 10 },
  connectionFields: [
    {
      name: 'realmId',
      title: 'Company ID (realm)',
      type: 'string',
      description:
        'the QuickBooks company; left empty, the company chosen when the connection was authorized (Authorize… on this page, or ledgerlink authorize) is used',
    },
    { name: 'clientId', title: 'Client ID', type: 'string', required: true },
    { name: 'clientSecret', title: 'Client secret', type: 'secret', required: true },
    {
      name: 'environment',
      title: 'Environment',
      type: 'enum',
      options: ['sandbox', 'production'],
      default: 'sandbox',
      description: 'which Intuit API the keys belong to (development keys reach sandbox companies only)',
    },
    { name: 'baseUrl', title: 'API base URL override', type: 'url' },
    { name: 'authorizeUrl', title: 'Authorization endpoint', type: 'url', default: AUTHORIZE_URL },
    { name: 'tokenUrl', title: 'Token endpoint', type: 'url', default: TOKEN_URL },
    {
      name: 'minorVersion',
      title: 'API minor version',
      type: 'integer',
      default: MINOR_VERSION,
      description: 'pinned, so the shapes read never change under us',
    },
    {
      name: 'refreshToken',
      title: 'Initial refresh token',
      type: 'secret',
      description:
        'only to start from a grant made elsewhere; afterwards the rotating token lives sealed in the store',
    },
    {
      name: 'defaultProduct',
      title: 'Default product',
      type: 'string',
      default: 'MISC',
      description: 'the item an order line without a product code is booked on (sage.defaultproduct)',
    },
    {
      name: 'defaultIncomeAccount',
      title: 'Income account of new items',
      type: 'string',
      description: 'the Id of the income account new items post to (sage.defaultsalesnominal)',
    },
    {
      name: 'defaultTaxCode',
      title: 'Sales tax code',
      type: 'string',
      default: 'TAX',
      description:
        'of new items and of invoice lines (US companies: TAX or NON); QuickBooks computes the tax',
    },
    {
      name: 'defaultCurrency',
      title: 'Home currency',
      type: 'string',
      default: 'USD',
      description: 'the currency of records that name none (sync.defaultcurrency)',
    },
    {
      name: 'orderNumberCustomField',
      title: 'Invoice custom field for the CRM order number',
      type: 'string',
      description:
        'DefinitionId (1, 2 or 3) of a string custom field on sales forms; the order number always goes to the private note too',
    },
    {
      name: 'webhookVerifierToken',
      title: 'Webhook verifier token',
      type: 'secret',
      inbound: true,
      description: "the app's Webhooks › Show verifier token; deliveries are checked with it",
    },
    { name: 'pageSize', title: 'Records per query', type: 'integer', default: 100 },
    { name: 'timeoutMs', title: 'Request timeout (ms)', type: 'integer', default: 30_000 },
    {
      name: 'throttleWaitSeconds',
      title: 'Wait after ThrottleExceeded (s)',
      type: 'integer',
      default: 60,
      description: 'Intuit answers 429 without Retry-After and asks for a 60-second wait',
    },
  ],
  entities: {
    customer: {
      read: {
        cursorField: 'MetaData.LastUpdatedTime',
        filters: [
          { name: 'dates', title: 'Last updated between', kind: 'dates' },
          { name: 'ids', title: 'Specific customers', kind: 'ids', idFileHeader: 'Id' },
          // The SYNC Uploader's search: customers by the start of their account reference.
          { name: 'search', title: 'Filter by Customer starting with', kind: 'text', field: 'Customer' },
        ],
        columns: [
          { name: 'id', title: 'Id', path: '$id', type: 'text' },
          { name: 'number', title: 'Customer', path: 'number', type: 'text' },
          { name: 'name', title: 'Company', path: 'name', type: 'text' },
          { name: 'email', title: 'Email', path: 'email', type: 'text' },
          { name: 'updatedAt', title: 'Last Updated', path: '$updatedAt', type: 'datetime' },
        ],
      },
      write: { naturalKey: 'display name (the account reference)', updatableFields: [] },
      webhook: true,
    },
    product: {
      read: {
        cursorField: 'MetaData.LastUpdatedTime',
        filters: [
          { name: 'dates', title: 'Last updated between', kind: 'dates' },
          { name: 'ids', title: 'Specific products', kind: 'ids', idFileHeader: 'Name' },
          {
            name: 'search',
            title: 'Filter by Product/Service starting with',
            kind: 'text',
            field: 'Product/Service',
          },
        ],
        columns: [
          { name: 'sku', title: 'Product/Service', path: '$id', type: 'text' },
          { name: 'name', title: 'Description', path: 'name', type: 'text' },
          { name: 'price', title: 'Price', path: 'listPrice', type: 'money' },
          { name: 'updatedAt', title: 'Last Updated', path: '$updatedAt', type: 'datetime' },
        ],
      },
      write: { naturalKey: 'item name (the product code)', updatableFields: [] },
      webhook: true,
    },
    invoice: {
      read: {
        cursorField: 'MetaData.LastUpdatedTime',
        filters: [
          { name: 'dates', title: 'Last updated between', kind: 'dates' },
          { name: 'ids', title: 'Specific invoices', kind: 'ids', idFileHeader: 'Id' },
          // Invoices are searched by their customer's account reference, as the SYNC Uploader does.
          { name: 'search', title: 'Filter By Customer starting with', kind: 'text', field: 'Customer' },
        ],
        columns: [
          { name: 'number', title: 'No.', path: 'number', type: 'text' },
          { name: 'date', title: 'Date', path: 'invoiceDate', type: 'date' },
          { name: 'customer', title: 'Customer', path: 'customerName', type: 'text' },
          { name: 'total', title: 'Amount', path: 'total', type: 'money' },
          { name: 'status', title: 'Status', path: 'status', type: 'status' },
          { name: 'updatedAt', title: 'Last Updated', path: '$updatedAt', type: 'datetime' },
        ],
      },
      webhook: true,
    },
    salesOrder: {
      // A CRM order becomes a QuickBooks invoice, once; it is never changed from here afterwards.
      write: { naturalKey: 'the CRM order number noted on an invoice of the customer', updatableFields: [] },
    },
  },
};
