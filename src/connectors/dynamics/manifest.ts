import type { ConnectorManifest } from '../sdk/manifest.js';

export const dynamicsManifest: ConnectorManifest = {
  name: 'dynamics',
  title: 'Dynamics 365',
  triggers: ['poll', 'batch', 'webhook'],
  connectionFields: [
    {
      name: 'url',
      title: 'Environment URL',
      type: 'url',
      required: true,
      description: 'e.g. https://contoso.crm11.dynamics.com (Power Platform admin center → Environment URL)',
    },
    { name: 'tenantId', title: 'Directory (tenant) ID', type: 'string', required: true },
    {
      name: 'clientId',
      title: 'Application (client) ID',
      type: 'string',
      required: true,
      description: 'an app registration added to the environment as an application user with a security role',
    },
    { name: 'clientSecret', title: 'Client secret', type: 'secret', required: true },
    {
      name: 'authority',
      title: 'Authority',
      type: 'url',
      description: 'default https://login.microsoftonline.com/<tenant ID>; set only for a sovereign cloud',
    },
    {
      name: 'customerTypeCode',
      title: 'Relationship type of customer accounts (crm.customertypecode)',
      type: 'integer',
      default: 3,
      description: 'accounts match only with this customertypecode (3 Customer, 10 Supplier…)',
    },
    {
      name: 'unitGroup',
      title: 'Unit group of new products (product.defaultschedule)',
      type: 'string',
      default: 'Default Unit',
    },
    {
      name: 'defaultUnit',
      title: 'Default unit of new products (product.defaultunits)',
      type: 'string',
      default: 'Primary Unit',
    },
    {
      name: 'priceList',
      title: 'Price list (product.pricelevel)',
      type: 'string',
      default: 'Default Price List',
      description: 'products get a price list item on it at 100 % of list price; invoices use it',
    },
    {
      name: 'quantityDecimal',
      title: 'Decimals supported on new products (product.quantitydecimal)',
      type: 'integer',
      default: 2,
    },
    {
      name: 'productTypeCode',
      title: 'Product type of new products (product.producttypecode)',
      type: 'integer',
      default: 1,
    },
    {
      name: 'roundingPolicyCode',
      title: 'Rounding policy of new price list items (product.roundingpolicycode)',
      type: 'integer',
      default: 1,
    },
    {
      name: 'defaultCurrency',
      title: 'Default currency (sync.defaultcurrency)',
      type: 'string',
      default: 'GBP',
    },
    {
      name: 'invoiceNumberField',
      title: 'Sales order column for the invoice number (sync.invoice.field)',
      type: 'string',
      description: 'logical name of a text column on salesorder, e.g. new_invoicenumber; empty: none',
    },
    {
      name: 'readyStatus',
      title: 'Status reason of orders ready for the accounts (sync.invoicestatus.get)',
      type: 'integer',
      default: 200000,
    },
    {
      name: 'uploadedStatus',
      title: 'Status reason of uploaded orders (sync.invoicestatus.set)',
      type: 'integer',
      default: 200001,
    },
    {
      name: 'accountNumberLength',
      title: 'Account number length the source needs',
      type: 'integer',
      default: 20,
      description:
        "doctor checks that account.accountnumber takes this many characters: 20 (Dataverse's default) holds Sage's 8-character references; QuickBooks full names need more, e.g. 100 (§4.2.2)",
    },
    {
      name: 'webhookHeaderName',
      title: 'Webhook header name',
      type: 'string',
      default: 'x-ledgerlink-key',
      description: 'the key of the webhook registration (authentication HttpHeader)',
    },
    {
      name: 'webhookKey',
      title: 'Webhook header value',
      type: 'secret',
      inbound: true,
      description: 'the value of that header; deliveries without it are refused',
    },
    {
      name: 'changeTracking',
      title: 'Read changes by change tracking',
      type: 'boolean',
      default: true,
      description:
        "incremental runs ask Dataverse what changed since the last run's delta link instead of reading by Modified On; the tables read (accounts, products, salesorders) need Track changes turned on",
    },
    { name: 'pageSize', title: 'Records per page (odata.maxpagesize)', type: 'integer', default: 500 },
    { name: 'batchSize', title: 'Operations per $batch request', type: 'integer', default: 1000 },
    { name: 'timeoutMs', title: 'Request timeout (ms)', type: 'integer', default: 60_000 },
  ],
  entities: {
    customer: {
      read: {
        cursorField: 'modifiedon',
        filters: [
          { name: 'dates', title: 'Filter by Modified On', kind: 'dates' },
          {
            name: 'ids',
            title: 'Filter by Account Number',
            kind: 'ids',
            idFileHeader: 'accountnumber',
            idsTitle: 'Account Numbers',
          },
          // The SYNC Uploader's search: accounts by the start of their account number.
          {
            name: 'search',
            title: 'Filter by Account Number starting with',
            kind: 'text',
            field: 'Account Number',
          },
        ],
        columns: [
          { name: 'accountnumber', title: 'Account Number', path: '$id', type: 'text' },
          { name: 'name', title: 'Account Name', path: 'name', type: 'text' },
          { name: 'email', title: 'Email', path: 'email', type: 'text' },
          { name: 'creditlimit', title: 'Credit Limit', path: 'creditLimit', type: 'money' },
          { name: 'revenue', title: 'Annual Revenue', path: 'annualRevenue', type: 'money' },
          { name: 'modifiedon', title: 'Modified On', path: '$updatedAt', type: 'datetime' },
        ],
      },
      write: {
        naturalKey: 'accountnumber (with customertypecode = the relationship type setting)',
        // The manual's §6.1: only these change on an existing account; address and contacts never.
        updatableFields: ['creditLimit', 'annualRevenue', 'onHold'],
      },
      webhook: true,
    },
    product: {
      read: {
        cursorField: 'modifiedon',
        filters: [
          { name: 'dates', title: 'Filter by Modified On', kind: 'dates' },
          {
            name: 'ids',
            title: 'Filter by Product ID',
            kind: 'ids',
            idFileHeader: 'productnumber',
            idsTitle: 'Product IDs',
          },
          {
            name: 'search',
            title: 'Filter by Product ID starting with',
            kind: 'text',
            field: 'Product ID',
          },
        ],
        columns: [
          { name: 'productnumber', title: 'Product ID', path: '$id', type: 'text' },
          { name: 'name', title: 'Name', path: 'name', type: 'text' },
          { name: 'price', title: 'List Price', path: 'listPrice', type: 'money' },
          { name: 'standardcost', title: 'Standard Cost', path: 'standardCost', type: 'money' },
          { name: 'unit', title: 'Default Unit', path: 'unit', type: 'text' },
          { name: 'modifiedon', title: 'Modified On', path: '$updatedAt', type: 'datetime' },
        ],
      },
      write: {
        naturalKey: 'productnumber',
        // §6.2: list price and standard cost only; the defaults set on create are never overwritten.
        updatableFields: ['listPrice', 'standardCost'],
      },
      webhook: true,
    },
    salesOrder: {
      read: {
        cursorField: 'modifiedon',
        // The CRM View (§7): orders by status reason, by account, by order.
        filters: [
          { name: 'dates', title: 'Filter by Modified On', kind: 'dates' },
          {
            name: 'status',
            title: 'Filter by Status Reason',
            kind: 'values',
            options: ['ready', 'uploaded'],
          },
          {
            name: 'customer',
            title: 'Filter by Account Number',
            kind: 'ids',
            idFileHeader: 'accountnumber',
            idsTitle: 'Account Numbers',
          },
          {
            name: 'product',
            title: 'Filter by Product ID',
            kind: 'ids',
            idFileHeader: 'productnumber',
            idsTitle: 'Product IDs',
          },
          {
            name: 'ids',
            title: 'Filter by Order',
            kind: 'ids',
            idFileHeader: 'ordernumber',
            idsTitle: 'Orders',
          },
          // Orders are searched by their account's number, as the SYNC Uploader does.
          {
            name: 'search',
            title: 'Filter By Account starting with',
            kind: 'text',
            field: 'Account Number',
          },
        ],
        columns: [
          { name: 'ordernumber', title: 'Order ID', path: '$id', type: 'text' },
          { name: 'status', title: 'Status Reason', path: 'status', type: 'status' },
          { name: 'account', title: 'Account', path: 'customerNumber', type: 'text' },
          { name: 'customerName', title: 'Customer', path: 'customerName', type: 'text' },
          { name: 'contact', title: 'Contact', path: 'contactName', type: 'text' },
          { name: 'orderDate', title: 'Date', path: 'orderDate', type: 'date' },
          { name: 'totalamount', title: 'Total Amount', path: 'orderTotal', type: 'money' },
          { name: 'modifiedon', title: 'Modified On', path: '$updatedAt', type: 'datetime' },
        ],
      },
      write: {
        naturalKey: 'ordernumber',
        // The write-back after the accounting invoice exists: status reason and invoice number column.
        updatableFields: ['externalNumber'],
      },
      webhook: true,
    },
    invoice: {
      write: {
        naturalKey: 'invoicenumber (<account number>-<invoice number>)',
        // An existing invoice is never overwritten (§6.3).
        updatableFields: [],
      },
    },
  },
  // Service protection limits: 6,000 requests per user per 5 minutes (20/s) and 52 concurrent requests.
  rateLimit: { requestsPerSecond: 20, concurrency: 52 },
};
