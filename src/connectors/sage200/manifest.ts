import type { ConnectorManifest } from '../sdk/manifest.js';
import { API_BASE, AUDIENCE, AUTHORIZE_URL, SCOPE, TOKEN_URL } from './settings.js';

/**
 * Sage 200 Professional / Extra (and Sage MMS where its REST API is present), API v1. Customers,
 * products (with their Standard price band price) and posted sales invoices are read from it; CRM
 * orders are written to it as SOP sales orders, created only, and their number goes back to the CRM.
 */
export const sage200Manifest: ConnectorManifest = {
  name: 'sage200',
  title: 'Sage 200',
  triggers: ['poll', 'batch'],
  // Sage publishes no request limit for the Sage 200 API (FACTS.md ⚠): a modest default, overridable.
  rateLimit: { requestsPerMinute: 300, concurrency: 4 },
  connectionFields: [
    {
      name: 'siteId',
      title: 'Site (X-Site)',
      type: 'string',
      required: true,
      description: 'the Sage 200 site id; GET /sites lists the sites your Sage ID may use',
    },
    {
      name: 'companyId',
      title: 'Company (X-Company)',
      type: 'string',
      required: true,
      description: 'the company id within the site, as /sites lists it',
    },
    { name: 'clientId', title: 'Client ID', type: 'string', required: true },
    { name: 'clientSecret', title: 'Client secret', type: 'secret', required: true },
    { name: 'baseUrl', title: 'API base URL', type: 'url', default: API_BASE },
    { name: 'authorizeUrl', title: 'Sage ID authorization endpoint', type: 'url', default: AUTHORIZE_URL },
    { name: 'tokenUrl', title: 'Sage ID token endpoint', type: 'url', default: TOKEN_URL },
    { name: 'audience', title: 'Token audience', type: 'string', default: AUDIENCE },
    { name: 'scope', title: 'Scopes', type: 'string', default: SCOPE },
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
      description: 'the product code an order line without a product is booked on (sage.defaultproduct)',
    },
    {
      name: 'warehouse',
      title: 'Warehouse of order lines',
      type: 'string',
      default: 'HOME',
      description: 'the name of the warehouse SOP order lines are taken from',
    },
    { name: 'defaultCurrency', title: 'Base currency', type: 'string', default: 'GBP' },
    {
      name: 'homeCountry',
      title: 'Home country',
      type: 'string',
      default: 'GB',
      description: 'the two-letter country of addresses that name none',
    },
    { name: 'pageSize', title: 'Records per request ($top)', type: 'integer', default: 100 },
    { name: 'timeoutMs', title: 'Request timeout (ms)', type: 'integer', default: 30_000 },
  ],
  entities: {
    customer: {
      read: {
        cursorField: 'date_time_updated',
        filters: [
          { name: 'dates', title: 'Last updated between', kind: 'dates' },
          { name: 'ids', title: 'Specific customers', kind: 'ids', idFileHeader: 'reference' },
        ],
        columns: [
          { name: 'number', title: 'A/C', path: '$id', type: 'text' },
          { name: 'name', title: 'Name', path: 'name', type: 'text' },
          { name: 'updatedAt', title: 'Last Updated', path: '$updatedAt', type: 'datetime' },
        ],
      },
    },
    product: {
      read: {
        cursorField: 'date_time_updated',
        filters: [
          { name: 'dates', title: 'Last updated between', kind: 'dates' },
          { name: 'ids', title: 'Specific products', kind: 'ids', idFileHeader: 'code' },
        ],
        columns: [
          { name: 'sku', title: 'Product code', path: '$id', type: 'text' },
          { name: 'name', title: 'Name', path: 'name', type: 'text' },
          { name: 'price', title: 'Price', path: 'listPrice', type: 'money' },
          { name: 'updatedAt', title: 'Last Updated', path: '$updatedAt', type: 'datetime' },
        ],
      },
    },
    invoice: {
      read: {
        cursorField: 'date_time_updated',
        filters: [
          { name: 'dates', title: 'Last updated between', kind: 'dates' },
          { name: 'ids', title: 'Specific invoices', kind: 'ids', idFileHeader: 'id' },
        ],
        columns: [
          { name: 'number', title: 'Ref', path: 'number', type: 'text' },
          { name: 'date', title: 'Date', path: 'invoiceDate', type: 'date' },
          { name: 'customer', title: 'A/C', path: 'customerNumber', type: 'text' },
          { name: 'total', title: 'Gross', path: 'total', type: 'money' },
          { name: 'updatedAt', title: 'Last Updated', path: '$updatedAt', type: 'datetime' },
        ],
      },
    },
    salesOrder: {
      // A CRM order becomes a SOP order once; it is never changed from here afterwards.
      write: {
        naturalKey: 'the CRM order number as the SOP order’s customer document number',
        updatableFields: [],
      },
    },
  },
};
