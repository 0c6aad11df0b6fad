import type { ConnectorManifest } from '../sdk/manifest.js';
import { SAGE50_LISTINGS } from './listings.js';
import { SAGE50_DRIVER } from './settings.js';

/**
 * Sage 50 Accounts (UK) and Sage Instant Accounts: customers, products and posted invoices read
 * through Sage's ODBC driver (read-only), incrementally from the audit trail; CRM orders written as
 * product invoices through Sage Data Objects (or the hosted schema's writer in tests and the demo),
 * created only, their invoice number going back to the CRM.
 */
export const sage50Manifest: ConnectorManifest = {
  name: 'sage50',
  title: 'Sage 50',
  triggers: ['poll', 'batch'],
  // The Sage View's invoice items and transactions (§6), beside the entities.
  listings: SAGE50_LISTINGS,
  // A local driver, no published limit: one connection, modest pace.
  rateLimit: { requestsPerMinute: 600, concurrency: 1 },
  connectionFields: [
    {
      name: 'reach',
      title: 'Sage 50 runs',
      type: 'enum',
      options: ['local', 'agent'],
      default: 'local',
      description:
        'local: on this machine (its ODBC driver and Sage Data Objects are here); agent: on a Windows PC that runs `ledgerlink agent` for this connection',
    },
    {
      name: 'agentUrl',
      title: 'Agent address',
      type: 'url',
      required: true,
      when: { field: 'reach', equals: ['agent'] },
      description:
        'where the agent listens, e.g. https://sage-pc.example.local:7410 (http only on loopback or a tunnel)',
    },
    {
      name: 'agentToken',
      title: 'Agent token',
      type: 'secret',
      required: true,
      when: { field: 'reach', equals: ['agent'] },
      description: 'the LEDGERLINK_AGENT_TOKEN the agent was started with (at least 32 characters)',
    },
    {
      name: 'connectionString',
      title: 'ODBC connection string',
      type: 'secret',
      description:
        'a full ODBC connection string (DSN=… or DRIVER=…;UID=…;DIR=…), e.g. the manual’s sage.instant.connection; when set, the folder, user and password are not used',
    },
    {
      name: 'folder',
      title: 'Data folder (sage.folder)',
      type: 'string',
      description:
        'the company’s ACCDATA folder, e.g. C:\\ProgramData\\Sage\\Accounts\\2024\\Company.000\\ACCDATA',
    },
    { name: 'user', title: 'Sage user (sage.user)', type: 'string', default: 'manager' },
    { name: 'password', title: 'Sage password (sage.password)', type: 'secret' },
    {
      name: 'instant',
      title: 'Sage Instant Accounts (sage.instant.connection)',
      type: 'boolean',
      default: false,
      description:
        'sage.mode SAGEINSTANT: Instant Accounts has its own ODBC driver and takes no writes (the order flow stops, saying so)',
    },
    {
      name: 'driver',
      title: 'ODBC driver name',
      type: 'string',
      description: `as the ODBC administrator lists it; default "${SAGE50_DRIVER}" (Instant: "Sage Instant Accounts v30")`,
    },
    {
      name: 'writer',
      title: 'Writes through',
      type: 'enum',
      options: ['sdo', 'hosted'],
      default: 'sdo',
      description: 'sdo: Sage Data Objects on the Sage machine; hosted: the hosted test schema (sandbox)',
    },
    {
      name: 'sdoProgId',
      title: 'SDO engine ProgID',
      type: 'string',
      default: 'SDOEngine.32',
      when: { field: 'writer', equals: ['sdo'] },
      description:
        'the COM ProgID Sage Data Objects is registered under on the Sage machine (e.g. SDOEngine.32)',
    },
    {
      name: 'defaultProduct',
      title: 'Default product (sage.defaultproduct)',
      type: 'string',
      default: 'MISC',
      description: 'the stock code an order line without a product is booked on',
    },
    { name: 'taxCode', title: 'Tax code of order lines', type: 'string', default: 'T1' },
    { name: 'taxRate', title: 'Its rate (%)', type: 'string', default: '17.5' },
    { name: 'defaultCurrency', title: 'Base currency', type: 'string', default: 'GBP' },
    { name: 'homeCountry', title: 'Home country', type: 'string', default: 'GB' },
    { name: 'pageSize', title: 'Records per page', type: 'integer', default: 200 },
  ],
  entities: {
    customer: {
      read: {
        cursorField: 'RECORD_MODIFY_DATE',
        filters: [
          { name: 'dates', title: 'Last modified between', kind: 'dates' },
          { name: 'ids', title: 'Specific customers', kind: 'ids', idFileHeader: 'ACCOUNT_REF' },
          // The SYNC Uploader's search (§6): customers by the start of their account reference.
          { name: 'search', title: 'Filter by A/C starting with', kind: 'text', field: 'A/C' },
        ],
        columns: [
          { name: 'number', title: 'A/C', path: '$id', type: 'text' },
          { name: 'name', title: 'Name', path: 'name', type: 'text' },
          { name: 'updatedAt', title: 'Last Modified', path: '$updatedAt', type: 'datetime' },
        ],
      },
    },
    product: {
      read: {
        cursorField: 'RECORD_MODIFY_DATE',
        filters: [
          { name: 'dates', title: 'Last modified between', kind: 'dates' },
          { name: 'ids', title: 'Specific products', kind: 'ids', idFileHeader: 'STOCK_CODE' },
          {
            name: 'search',
            title: 'Filter by Product code starting with',
            kind: 'text',
            field: 'Product code',
          },
        ],
        columns: [
          { name: 'sku', title: 'Product code', path: '$id', type: 'text' },
          { name: 'name', title: 'Description', path: 'name', type: 'text' },
          { name: 'price', title: 'Sales price', path: 'listPrice', type: 'money' },
          { name: 'updatedAt', title: 'Last Modified', path: '$updatedAt', type: 'datetime' },
        ],
      },
    },
    invoice: {
      read: {
        cursorField: 'RECORD_MODIFY_DATE',
        filters: [
          { name: 'dates', title: 'Last modified between', kind: 'dates' },
          { name: 'ids', title: 'Specific invoices', kind: 'ids', idFileHeader: 'INVOICE_NUMBER' },
          // Invoices by the start of their customer's account reference.
          { name: 'search', title: 'Filter by A/C starting with', kind: 'text', field: 'A/C' },
        ],
        columns: [
          { name: 'number', title: 'No.', path: 'number', type: 'text' },
          { name: 'date', title: 'Date', path: 'invoiceDate', type: 'date' },
          { name: 'customer', title: 'A/C', path: 'customerNumber', type: 'text' },
          { name: 'total', title: 'Gross', path: 'total', type: 'money' },
          { name: 'updatedAt', title: 'Last Modified', path: '$updatedAt', type: 'datetime' },
        ],
      },
    },
    salesOrder: {
      write: {
        naturalKey: 'the CRM order number as the invoice’s CUST_ORDER_NUMBER',
        updatableFields: [],
      },
    },
  },
};
