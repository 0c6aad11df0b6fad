import type { ConnectorManifest } from '../sdk/manifest.js';
import { ACCURATE_RATE_LIMIT } from './rate.js';
import { ACCOUNT_URL, SCOPE } from './settings.js';

const OAUTH = { field: 'authMode', equals: ['oauth2'] } as const;
const TOKEN = { field: 'authMode', equals: ['apiToken'] } as const;

/**
 * Accurate Online (Indonesian cloud accounting), public API v1. Customers, items with their stock per
 * warehouse, and stock moves entered in Accurate (item transfers, goods received, purchase invoices)
 * are read; customers, POS sales and refunds, their payments, outlet transfers and stock takes are
 * written, 100 a call.
 */
export const accurateManifest: ConnectorManifest = {
  name: 'accurate',
  title: 'Accurate Online',
  triggers: ['poll', 'webhook', 'batch'],
  rateLimit: ACCURATE_RATE_LIMIT,
  connectionFields: [
    {
      name: 'authMode',
      title: 'Authentication',
      type: 'enum',
      options: ['oauth2', 'apiToken'],
      default: 'oauth2',
    },
    {
      name: 'databaseId',
      title: 'Database id',
      type: 'string',
      required: true,
      when: OAUTH,
      description: 'the data usaha id db-list.do lists; open-db.do opens it',
    },
    { name: 'accountUrl', title: 'Account host', type: 'url', default: ACCOUNT_URL },
    { name: 'clientId', title: 'Client ID', type: 'string', required: true, when: OAUTH },
    { name: 'clientSecret', title: 'Client secret', type: 'secret', required: true, when: OAUTH },
    { name: 'scope', title: 'Scopes', type: 'string', default: SCOPE, when: OAUTH },
    {
      name: 'refreshToken',
      title: 'Initial refresh token',
      type: 'secret',
      when: OAUTH,
      description:
        'only to start from a grant made elsewhere; afterwards the token lives sealed in the store',
    },
    {
      name: 'apiToken',
      title: 'API token',
      type: 'secret',
      required: true,
      when: TOKEN,
      description: 'the aat.… token the Developer Area issued for this database',
    },
    {
      name: 'signatureSecret',
      title: 'Signature secret',
      type: 'secret',
      required: true,
      when: TOKEN,
      description: "the application's Signature Secret: signs each call's X-Api-Timestamp",
    },
    { name: 'branch', title: 'Branch', type: 'string', description: 'the branch of every document written' },
    {
      name: 'warehouseMap',
      title: 'Outlets to warehouses',
      type: 'string',
      description:
        'outlet=Accurate warehouse pairs, by commas (KMG=Outlet Kemang); an outlet not listed is the warehouse of the same name',
    },
    {
      name: 'branchByWarehouse',
      title: 'Branch per warehouse',
      type: 'string',
      description: 'warehouse=branch pairs, by commas; others take Branch',
    },
    {
      name: 'bankByPaymentMethod',
      title: 'Cash/bank account per payment method',
      type: 'string',
      description: 'method=account number pairs (CASH=1101,QRIS=1102) for sales receipts',
    },
    { name: 'defaultBankNo', title: 'Cash/bank account of other methods', type: 'string' },
    {
      name: 'paymentMethodMap',
      title: 'Payment methods',
      type: 'string',
      description:
        'method=Accurate method pairs (CARD=EDC); unnamed: the same name when Accurate has it, else OTHERS',
    },
    {
      name: 'taxName',
      title: 'Tax of taxed lines',
      type: 'string',
      description: 'as tax/list.do names it, e.g. PPN',
    },
    {
      name: 'adjustmentAccountNo',
      title: 'Stock take difference account',
      type: 'string',
      description: 'the account item adjustments from stock takes are booked to',
    },
    {
      name: 'roundingAccountNo',
      title: 'Cash rounding account',
      type: 'string',
      description:
        "the account the till's cash rounding is booked to, as an expense line of the sales invoice or return (a sale with rounding fails without it)",
    },
    {
      name: 'customerNumbers',
      title: 'Customer numbers',
      type: 'enum',
      options: ['record', 'accurate'],
      default: 'record',
      description:
        "record: the customer's own ID becomes its Accurate number (Use Id in customer data as the mapping); accurate: Accurate numbers it",
    },
    { name: 'currency', title: 'Currency', type: 'string', default: 'IDR' },
    {
      name: 'webhookHeaderName',
      title: 'Webhook header',
      type: 'string',
      default: 'X-Ledgerlink-Webhook-Secret',
    },
    {
      name: 'webhookSecret',
      title: 'Webhook secret',
      type: 'secret',
      inbound: true,
      description: 'the value the webhook URL registered in Accurate carries in the webhook header',
    },
    {
      name: 'webhookHistory',
      title: 'Check webhooks against Accurate’s history',
      type: 'boolean',
      default: true,
      description:
        'hourly, webhook-history.do is read and any delivery Accurate sent that never reached the inbox is taken in; only a token of a developer of the application may read it',
    },
    { name: 'pageSize', title: 'Records per page (sp.pageSize)', type: 'integer', default: 100 },
    { name: 'timeoutMs', title: 'Request timeout (ms)', type: 'integer', default: 30_000 },
  ],
  entities: {
    customer: {
      read: {
        cursorField: 'lastUpdate',
        filters: [{ name: 'dates', title: 'Last updated between', kind: 'dates' }],
        columns: [
          { name: 'number', title: 'Customer No', path: 'number', type: 'text' },
          { name: 'name', title: 'Name', path: 'name', type: 'text' },
          { name: 'updatedAt', title: 'Last Update', path: '$updatedAt', type: 'datetime' },
        ],
      },
      write: {
        naturalKey: 'the customer number (customerNo), or the e-mail or name of one Accurate numbers',
        updatableFields: ['name', 'email', 'addresses'],
      },
      webhook: true,
    },
    product: {
      read: {
        cursorField: 'lastUpdate',
        filters: [{ name: 'dates', title: 'Last updated between', kind: 'dates' }],
        columns: [
          { name: 'sku', title: 'Item No', path: 'sku', type: 'text' },
          { name: 'name', title: 'Name', path: 'name', type: 'text' },
          { name: 'price', title: 'Unit Price', path: 'listPrice', type: 'money' },
          { name: 'updatedAt', title: 'Last Update', path: '$updatedAt', type: 'datetime' },
        ],
      },
      webhook: true,
    },
    stockTransfer: {
      read: {
        cursorField: 'lastUpdate',
        filters: [{ name: 'dates', title: 'Last updated between', kind: 'dates' }],
        columns: [
          { name: 'number', title: 'Number', path: 'number', type: 'text' },
          { name: 'date', title: 'Date', path: 'date', type: 'date' },
          { name: 'from', title: 'From', path: 'fromWarehouse', type: 'text' },
          { name: 'to', title: 'To', path: 'toWarehouse', type: 'text' },
        ],
      },
      write: { naturalKey: 'the transfer number as the item transfer number', updatableFields: [] },
      webhook: true,
    },
    invoice: {
      write: {
        naturalKey: 'the sale number as the sales invoice (or sales return) number',
        updatableFields: [],
      },
    },
    payment: {
      write: { naturalKey: 'the payment number as the sales receipt number', updatableFields: [] },
    },
    stockCount: {
      write: { naturalKey: 'the stock take number as the item adjustment number', updatableFields: [] },
    },
  },
};
