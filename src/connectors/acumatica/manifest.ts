import type { ConnectorManifest } from '../sdk/manifest.js';
import { WEB_ORDER_FIELDS } from './lifecycle-settings.js';

export const ENDPOINT_VERSIONS = ['23.200.001', '24.200.001'] as const;

// Statuses are fixed lists in Acumatica (the labels its API returns), so the pick lists come from here;
// classes and order types are the tenant's own and are read from it (connector.filterOptions).
/** Customer.Status. */
const CUSTOMER_STATUSES = ['Active', 'On Hold', 'Credit Hold', 'Inactive', 'One-Time'];
/** StockItem.ItemStatus. */
const ITEM_STATUSES = ['Active', 'No Sales', 'No Purchases', 'No Request', 'Inactive', 'Marked for Deletion'];
/** SalesOrder.Status. */
const ORDER_STATUSES = [
  'On Hold',
  'Pending Approval',
  'Rejected',
  'Open',
  'Pending Processing',
  'Awaiting Payment',
  'Credit Hold',
  'Back Order',
  'Shipping',
  'Invoiced',
  'Completed',
  'Canceled',
  'Expired',
];
/** Shipment.Status (SOShipmentStatus). */
const SHIPMENT_STATUSES = [
  'On Hold',
  'Open',
  'Confirmed',
  'Partially Invoiced',
  'Invoiced',
  'Completed',
  'Receipted',
  'Canceled',
];
/** SalesInvoice.Status and Payment.Status (ARDocStatus). */
const AR_DOCUMENT_STATUSES = [
  'On Hold',
  'Pending Approval',
  'Rejected',
  'Balanced',
  'Credit Hold',
  'Pending Processing',
  'Pending Print',
  'Pending Email',
  'Scheduled',
  'Reserved',
  'Open',
  'Closed',
  'Voided',
  'Canceled',
];

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
      name: 'customerCustomFields',
      title: 'Custom fields read with customers',
      type: 'string',
      description:
        'name=View.Field pairs, comma-separated (e.g. KNB=BAccount.UsrEnableKNB): each is read with $custom and kept as an attribute of the customer under its name, beside its Attributes',
    },
    {
      name: 'customerTypeField',
      title: 'Customer type (B2B / B2C) from',
      type: 'string',
      description:
        'the attribute (AttributeID) or custom field name whose value, B2B or B2C, is the customer’s type',
    },
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
        // The seed's Customer screen: by date, by customer classes, by specific customers.
        filters: [
          { name: 'dates', title: 'Filter by Dates', kind: 'dates' },
          { name: 'customerClass', title: 'Filter by Customer Classes', kind: 'values' },
          {
            name: 'ids',
            title: 'Filter by Specific Customer',
            kind: 'ids',
            idFileHeader: 'Customer',
            idsTitle: 'Customers',
          },
          { name: 'status', title: 'Filter by Status', kind: 'values', options: CUSTOMER_STATUSES },
          // The SYNC Uploader's search: customers by the start of their account reference.
          {
            name: 'search',
            title: 'Filter by Customer ID starting with',
            kind: 'text',
            field: 'Customer ID',
          },
        ],
        columns: [
          { name: 'customerId', title: 'Customer ID', path: '$id', type: 'text' },
          { name: 'customerName', title: 'Customer Name', path: 'name', type: 'text' },
          { name: 'customerClass', title: 'Customer Class', path: 'class', type: 'text' },
          { name: 'email', title: 'Email', path: 'email', type: 'text' },
          { name: 'creditLimit', title: 'Credit Limit', path: 'creditLimit', type: 'money' },
          { name: 'lastModified', title: 'LastModifiedDateTime', path: '$updatedAt', type: 'datetime' },
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
          { name: 'dates', title: 'Filter by Dates', kind: 'dates' },
          { name: 'itemClass', title: 'Filter by Item Classes', kind: 'values' },
          { name: 'itemStatus', title: 'Filter by Item Status', kind: 'values', options: ITEM_STATUSES },
          {
            name: 'ids',
            title: 'Filter by Specific Items',
            kind: 'ids',
            idFileHeader: 'InventoryID',
            idsTitle: 'Inventory IDs',
          },
          {
            name: 'search',
            title: 'Filter by Inventory ID starting with',
            kind: 'text',
            field: 'Inventory ID',
          },
        ],
        columns: [
          { name: 'inventoryId', title: 'Inventory ID', path: '$id', type: 'text' },
          { name: 'description', title: 'Description', path: 'name', type: 'text' },
          { name: 'defaultPrice', title: 'Default Price', path: 'listPrice', type: 'money' },
          { name: 'lastModified', title: 'LastModified', path: '$updatedAt', type: 'datetime' },
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
          { name: 'dates', title: 'Filter by Dates', kind: 'dates' },
          { name: 'orderType', title: 'Filter by Order Types', kind: 'values' },
          { name: 'status', title: 'Filter by Status', kind: 'values', options: ORDER_STATUSES },
          {
            name: 'ids',
            title: 'Filter by Specific Orders',
            kind: 'ids',
            idFileHeader: 'OrderNbr',
            idsTitle: 'Order Nbrs',
          },
        ],
        columns: [
          { name: 'orderType', title: 'Order Type', path: 'orderType', type: 'text' },
          { name: 'orderNbr', title: 'Order Nbr', path: '$id', type: 'text' },
          { name: 'status', title: 'Status', path: 'status', type: 'status' },
          { name: 'date', title: 'Date', path: 'orderDate', type: 'date' },
          { name: 'customer', title: 'Customer', path: 'customerNumber', type: 'text' },
          { name: 'orderTotal', title: 'Order Total', path: 'orderTotal', type: 'money' },
          { name: 'lastModified', title: 'LastModified', path: '$updatedAt', type: 'datetime' },
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
        // The seed's Shipment screen: by dates, by order types, by shipment (browse or type).
        filters: [
          { name: 'dates', title: 'Filter by Dates', kind: 'dates' },
          { name: 'orderType', title: 'Filter by Order Types', kind: 'values' },
          {
            name: 'ids',
            title: 'Filter by Shipment',
            kind: 'ids',
            idFileHeader: 'ShipmentNbr',
            idsTitle: 'Shipments',
          },
          { name: 'status', title: 'Filter by Status', kind: 'values', options: SHIPMENT_STATUSES },
        ],
        columns: [
          { name: 'shipmentNbr', title: 'Shipment Nbr', path: '$id', type: 'text' },
          { name: 'status', title: 'Status', path: 'status', type: 'status' },
          { name: 'shipmentDate', title: 'Shipment Date', path: 'shipmentDate', type: 'date' },
          { name: 'customer', title: 'Customer', path: 'customerNumber', type: 'text' },
          { name: 'orders', title: 'Orders', path: 'orderNumbers', type: 'text' },
          { name: 'shipVia', title: 'Ship Via', path: 'shipVia', type: 'text' },
          { name: 'lastModified', title: 'LastModifiedDateTime', path: '$updatedAt', type: 'datetime' },
        ],
      },
      webhook: true,
    },
    invoice: {
      read: {
        cursorField: 'LastModifiedDateTime',
        // The seed's Invoice screen, as written.
        filters: [
          { name: 'dates', title: 'Filter By Dates', kind: 'dates' },
          {
            name: 'status',
            title: 'Filter By Invoice Status',
            kind: 'values',
            options: AR_DOCUMENT_STATUSES,
          },
          {
            name: 'customer',
            title: 'Filter By Specific Customers',
            kind: 'ids',
            idFileHeader: 'Customer',
            idsTitle: 'Customers',
          },
          {
            name: 'ids',
            title: 'Filter By Invoice Nbr',
            kind: 'ids',
            idFileHeader: 'InvoiceNbr',
            idsTitle: 'Invoice Nbrs',
          },
          // Invoices are searched by their customer's account reference, as the SYNC Uploader does.
          { name: 'search', title: 'Filter By Customer starting with', kind: 'text', field: 'Customer' },
        ],
        columns: [
          { name: 'invoiceType', title: 'Invoice Type', path: 'documentType', type: 'text' },
          { name: 'invoiceNbr', title: 'Invoice Nbr', path: '$id', type: 'text' },
          { name: 'status', title: 'Status', path: 'status', type: 'status' },
          { name: 'invoiceDate', title: 'Invoice Date', path: 'invoiceDate', type: 'date' },
          { name: 'customer', title: 'Customer', path: 'customerNumber', type: 'text' },
          { name: 'invoiceTotal', title: 'Invoice Total', path: 'total', type: 'money' },
          { name: 'lastModified', title: 'LastModifiedDateTime', path: '$updatedAt', type: 'datetime' },
        ],
      },
      webhook: true,
    },
    payment: {
      read: {
        cursorField: 'LastModifiedDateTime',
        filters: [
          { name: 'dates', title: 'Filter by Dates', kind: 'dates' },
          { name: 'status', title: 'Filter by Status', kind: 'values', options: AR_DOCUMENT_STATUSES },
          {
            name: 'ids',
            title: 'Filter by Specific Payments',
            kind: 'ids',
            idFileHeader: 'ReferenceNbr',
            idsTitle: 'Reference Nbrs',
          },
        ],
        columns: [
          { name: 'referenceNbr', title: 'Reference Nbr', path: '$id', type: 'text' },
          { name: 'status', title: 'Status', path: 'status', type: 'status' },
          { name: 'applicationDate', title: 'Application Date', path: 'paymentDate', type: 'date' },
          { name: 'customer', title: 'Customer', path: 'customerNumber', type: 'text' },
          { name: 'paymentAmount', title: 'Payment Amount', path: 'amount', type: 'money' },
          { name: 'lastModified', title: 'LastModifiedDateTime', path: '$updatedAt', type: 'datetime' },
        ],
      },
      webhook: true,
    },
  },
  // Acumatica licences cap concurrent API requests per tenant; 4 keeps us well inside the smallest tier.
  rateLimit: { concurrency: 4 },
};
