import type { CatalogFlow } from '../flow-definition.js';

/**
 * The SYNC Uploader's rules between an accounting system (Sage 50 / Instant, Sage 200 / MMS,
 * QuickBooks Online or Desktop) and a CRM (Dynamics 365), written once per entity and independent of
 * which accounting system is the source: each pair's file names its two connector types and gets the
 * same flows. "§" cites the manual (seed 004). What the rules ask of a record on the CRM side (match
 * on relationship type and account number, a new account's contact, the price list item, write-in
 * lines) the CRM connector does from its settings; what they ask of the accounts (the default product
 * and income account, tax recalculated) the accounting connector does from its own.
 */
export interface AccountingCrmPair {
  /** Connector type of the accounting system (and its default connection name), e.g. `quickbooks`. */
  accounting: string;
  /** Its name in the descriptions, e.g. "QuickBooks Online". */
  accountingTitle: string;
  /** Connector type of the CRM, e.g. `dynamics`. */
  crm: string;
  crmTitle: string;
}

/** A CRM order is uploaded when its status reason is the "ready" value (the CRM connector maps it to this word). */
export const READY_TO_UPLOAD = 'ready';

/** Accounting → CRM: customers, products and invoices (§3.1, §6). */
export function accountingToCrmFlows(p: AccountingCrmPair): Record<string, CatalogFlow> {
  const name = `${p.accounting}-${p.crm}`;
  return {
    [`${name}.customers`]: {
      description: `${p.accountingTitle} customers to ${p.crmTitle} accounts, matched on relationship type and account number; a new account gets a contact that is not primary; an existing one only its credit limit, turnover and on-hold status`,
      entity: 'customer',
      sourceConnector: p.accounting,
      targetConnector: p.crm,
      // §6.1 "minimal updates": address and contacts are the CRM's once the account exists.
      ownedFields: ['creditLimit', 'annualRevenue', 'onHold'],
      // The accounts are the master of these figures, also for accounts the CRM created first.
      ownsEchoes: true,
      schedule: '*/15 * * * *',
    },
    [`${name}.products`]: {
      description: `${p.accountingTitle} products to ${p.crmTitle} products, matched by product number; a new product gets the default unit group, unit and a price list item; an existing one only its list price and standard cost`,
      entity: 'product',
      sourceConnector: p.accounting,
      targetConnector: p.crm,
      // §6.2: the unit group, unit, decimals and type set on create are never overwritten.
      ownedFields: ['listPrice', 'standardCost'],
      ownsEchoes: true,
      schedule: '*/15 * * * *',
    },
    [`${name}.invoices`]: {
      description: `${p.accountingTitle} invoices to ${p.crmTitle} invoices numbered <account>-<invoice no>, each line at its own price, lines without a CRM product as write-ins; never overwritten, credit notes not sent`,
      entity: 'invoice',
      sourceConnector: p.accounting,
      targetConnector: p.crm,
      ownedFields: [],
      // §6.3: an invoice already in the CRM is left as it is.
      neverOverwrite: true,
      conditions: [
        {
          name: 'an invoice, not a credit note',
          expression: 'type != "credit_note"',
          explain: '"it is a " & (documentType ? documentType : "credit note")',
        },
      ],
      // The customer and the products first (our dependency order); write-in lines have no sku.
      dependencies: [
        { entity: 'customer', ids: 'customerNumber' },
        { entity: 'product', ids: 'lines.sku' },
      ],
      // CRM orders uploaded in the same batch are invoices in the accounts by then: they come back
      // to the CRM as invoices in that batch, not the next.
      runsAfter: [`${p.crm}-${p.accounting}.orders`],
      schedule: '*/15 * * * *',
    },
  };
}

/** CRM → accounting: sales orders marked ready become invoices, with what they need created first (§3.2, §7). */
export function crmToAccountingFlows(p: AccountingCrmPair): Record<string, CatalogFlow> {
  const name = `${p.crm}-${p.accounting}`;
  return {
    [`${name}.customers`]: {
      description: `${p.crmTitle} accounts an uploaded order needs, created in ${p.accountingTitle} only when the account number is not there; existing ledger accounts are never touched`,
      entity: 'customer',
      sourceConnector: p.crm,
      targetConnector: p.accounting,
      ownedFields: [],
      neverOverwrite: true,
    },
    [`${name}.products`]: {
      description: `${p.crmTitle} products an uploaded order needs, created in ${p.accountingTitle} with the default income account and tax; existing ones never touched`,
      entity: 'product',
      sourceConnector: p.crm,
      targetConnector: p.accounting,
      ownedFields: [],
      neverOverwrite: true,
    },
    [`${name}.orders`]: {
      description: `${p.crmTitle} sales orders whose status reason is "ready" to ${p.accountingTitle} invoices at the order's prices (tax recalculated there); the order is then marked uploaded and gets the invoice number`,
      entity: 'salesOrder',
      sourceConnector: p.crm,
      targetConnector: p.accounting,
      ownedFields: [],
      // One invoice per order, ever: a retry finds the invoice it made.
      neverOverwrite: true,
      conditions: [
        {
          name: 'ready to upload',
          expression: `status = "${READY_TO_UPLOAD}"`,
          explain: '"its status reason is " & status',
        },
      ],
      dependencies: [
        { entity: 'customer', ids: 'customerNumber' },
        // A write-in line is booked on the accounting system's default product: nothing to sync first.
        { entity: 'product', ids: 'lines[$not(writeIn = true)].sku' },
      ],
      // The accounting invoice number goes back onto the order, with the "uploaded" status reason.
      writeBack: 'externalNumber',
      schedule: '*/15 * * * *',
    },
  };
}
