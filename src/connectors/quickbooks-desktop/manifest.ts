import type { ConnectorManifest } from '../sdk/manifest.js';

/** Records already in the company file are never changed from here (the manual's §7.1: "never touched"). */
const createOnly = (naturalKey: string) => ({ naturalKey, updatableFields: [] as string[] });

export const quickbooksDesktopManifest: ConnectorManifest = {
  name: 'quickbooks-desktop',
  queuedReads: true,
  title: 'QuickBooks Desktop',
  // QuickBooks Desktop cannot be called: its Web Connector polls us. Reads and writes are queued and
  // answered on its next poll, so flows poll (on a schedule at least as slow as the Web Connector's).
  triggers: ['poll', 'batch'],
  connectionFields: [
    {
      name: 'username',
      title: 'Web Connector user name',
      type: 'string',
      required: true,
      description: 'the UserName of the .qwc file; the Web Connector sends it with every session',
    },
    {
      name: 'password',
      title: 'Web Connector password',
      type: 'secret',
      required: true,
      inbound: true,
      description: 'typed once into the Web Connector beside QuickBooks; it sends it to authenticate',
    },
    {
      name: 'publicUrl',
      title: 'Public address of Ledgerlink',
      type: 'url',
      description:
        'e.g. https://ledgerlink.example.com: the Web Connector polls <this>/qbwc/<connection>; it must be https (plain http only on localhost)',
    },
    {
      name: 'companyFile',
      title: 'Company file',
      type: 'string',
      description:
        'full path of the .QBW file the Web Connector opens (e.g. C:\\Company\\Books.QBW); empty: the one open in QuickBooks',
    },
    {
      name: 'runEveryMinutes',
      title: 'Web Connector schedule (minutes)',
      type: 'integer',
      default: 5,
      description: 'the .qwc asks the Web Connector to poll this often',
    },
    {
      name: 'answerWaitSeconds',
      title: 'Wait for QuickBooks (seconds)',
      type: 'integer',
      default: 60,
      description:
        'how long a read or write waits for the Web Connector to bring its answer; a write not answered by then waits and is retried, never sent twice',
    },
    {
      name: 'defaultIncomeAccount',
      title: 'Income account for new items',
      type: 'string',
      default: 'Sales',
      description: 'the FullName of the income account new non-inventory items post to',
    },
    {
      name: 'salesTaxCode',
      title: 'Sales tax code for new items',
      type: 'string',
      default: 'Tax',
      description: 'the FullName of the sales tax code new items carry (US: Tax or Non; UK: S, Z, E…)',
    },
    {
      name: 'defaultProduct',
      title: 'Default product',
      type: 'string',
      default: 'MISC',
      description:
        'the item (FullName) an order line without a product code is booked on, its description kept (sage.defaultproduct)',
    },
    {
      name: 'homeCurrency',
      title: 'Home currency',
      type: 'string',
      default: 'USD',
      description: 'the company file’s currency, for records without a CurrencyRef (sync.defaultcurrency)',
    },
    {
      name: 'country',
      title: 'Country of addresses without one',
      type: 'string',
      default: 'US',
      description: 'the ISO code given to an address whose Country QuickBooks leaves empty',
    },
    {
      name: 'qbxmlVersion',
      title: 'qbXML version',
      type: 'string',
      default: '13.0',
      description: 'the version our requests declare; the Web Connector reports what its QuickBooks supports',
    },
  ],
  entities: {
    customer: {
      read: {
        cursorField: 'TimeModified',
        filters: [
          { name: 'dates', title: 'Filter by Dates', kind: 'dates' },
          {
            name: 'ids',
            title: 'Filter by Specific Customer',
            kind: 'ids',
            idFileHeader: 'ListID',
            idsTitle: 'Customers (ListID)',
          },
          // The SYNC Uploader's search: customers by the start of their account reference.
          { name: 'search', title: 'Filter by Account starting with', kind: 'text', field: 'Account' },
        ],
        columns: [
          { name: 'listId', title: 'ListID', path: '$id', type: 'text' },
          { name: 'number', title: 'Account', path: 'number', type: 'text' },
          { name: 'name', title: 'Company', path: 'name', type: 'text' },
          { name: 'creditLimit', title: 'Credit Limit', path: 'creditLimit', type: 'money' },
          { name: 'timeModified', title: 'TimeModified', path: '$updatedAt', type: 'datetime' },
        ],
      },
      write: createOnly('AccountNumber (the customer’s Name when created here)'),
    },
    product: {
      read: {
        cursorField: 'TimeModified',
        filters: [
          { name: 'dates', title: 'Filter by Dates', kind: 'dates' },
          {
            name: 'ids',
            title: 'Filter by Specific Item',
            kind: 'ids',
            idFileHeader: 'FullName',
            idsTitle: 'Items',
          },
          { name: 'search', title: 'Filter by Item starting with', kind: 'text', field: 'Item' },
        ],
        columns: [
          { name: 'fullName', title: 'Item', path: '$id', type: 'text' },
          { name: 'name', title: 'Description', path: 'name', type: 'text' },
          { name: 'listPrice', title: 'Price', path: 'listPrice', type: 'money' },
          { name: 'timeModified', title: 'TimeModified', path: '$updatedAt', type: 'datetime' },
        ],
      },
      write: createOnly('FullName'),
    },
    invoice: {
      read: {
        cursorField: 'TimeModified',
        filters: [
          { name: 'dates', title: 'Filter by Dates', kind: 'dates' },
          {
            name: 'ids',
            title: 'Filter by Specific Invoice',
            kind: 'ids',
            idFileHeader: 'TxnID',
            idsTitle: 'Invoices (TxnID)',
          },
          // Invoices are searched by their customer's account reference, as the SYNC Uploader does.
          { name: 'search', title: 'Filter By Customer starting with', kind: 'text', field: 'Customer' },
        ],
        columns: [
          { name: 'refNumber', title: 'Invoice No.', path: 'number', type: 'text' },
          { name: 'txnDate', title: 'Date', path: 'invoiceDate', type: 'date' },
          { name: 'customer', title: 'Customer', path: 'customerName', type: 'text' },
          { name: 'total', title: 'Total', path: 'total', type: 'money' },
          { name: 'timeModified', title: 'TimeModified', path: '$updatedAt', type: 'datetime' },
        ],
      },
    },
    // A CRM order becomes an invoice in the books (the manual's §7.3).
    salesOrder: { write: createOnly('PONumber (the order number) of an invoice written from here') },
  },
};
