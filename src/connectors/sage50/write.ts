import type { EntityName } from '../../model/index.js';
import type { TargetRecord, WriteItem, WriteResult } from '../sdk/contract.js';
import { configError } from '../sdk/errors.js';

/**
 * What writes to Sage 50. Sage 50's ODBC driver is read-only: writes go through Sage Data Objects
 * (SDO), a COM library on the Sage machine. Two implementations take the same rows with the same
 * rules: `SdoWriter` (Windows, SDO) and the hosted schema's `HostedWriter` (sandbox/writer.ts), which
 * plays Sage's part — the next invoice number, a product invoice, totals and VAT computed per line.
 * Only CRM orders are written, as product invoices, created only.
 */
export interface Sage50Writer {
  /** Invoices already made from these CRM order numbers (CUST_ORDER_NUMBER), by order number. */
  lookup(entity: EntityName, keys: readonly string[]): Promise<Map<string, TargetRecord>>;
  write(entity: EntityName, items: readonly WriteItem[]): Promise<WriteResult[]>;
  close?(): Promise<void>;
}

/**
 * Sage Data Objects — a documented stub. On Windows it would open `SageDataObject<version>.SDOEngine`,
 * `Workspaces.Add(…).Connect(folder, user, password, …)`, and post each order with
 * `CreateObject("InvoicePost")` (Header fields ACCOUNT_REF, CUST_ORDER_NUMBER, CONTACT_NAME,
 * CUST_TEL_NUMBER, TAKEN_BY, INVOICE_TYPE_CODE = product invoice; Items.Add() per line with STOCK_CODE,
 * DESCRIPTION, QTY_ORDER, UNIT_PRICE, NET_AMOUNT, TAX_CODE, TAX_AMOUNT; then GetNextNumber and
 * Update). FACTS.md keeps what is known of SDO and marks with ⚠ what is not confirmed. No COM bridge
 * is part of this build: every call refuses with a configuration error that says so.
 */
export class SdoWriter implements Sage50Writer {
  private refuse(): never {
    throw configError(
      process.platform === 'win32'
        ? 'writing to Sage 50 needs Sage Data Objects (SDO, COM), which this build does not yet drive: set writer to "hosted" only for a hosted test schema, or leave the order flow off'
        : `writing to Sage 50 needs Sage Data Objects (SDO), a COM library that runs only on the Windows machine Sage 50 is installed on, and this is ${process.platform}: run Ledgerlink there, or leave the order flow off`,
    );
  }
  async lookup(): Promise<Map<string, TargetRecord>> {
    this.refuse();
  }
  async write(): Promise<WriteResult[]> {
    this.refuse();
  }
}

/**
 * Sage Instant Accounts takes no writes from an integration: "updating Sage Accounting is possible
 * only with Sage Line 50 although updating CRM is possible from Sage Instant Accounting" (the SYNC
 * Uploader manual, seed 004 §4.4). An Instant connection reads; its order flow stops with this reason.
 */
export class InstantWriter implements Sage50Writer {
  private refuse(): never {
    throw configError(
      'Sage Instant Accounts takes no invoices from an integration (only Sage 50 Accounts does, through Sage Data Objects): leave the order flow off for this connection, or connect a Sage 50 Accounts company',
    );
  }
  async lookup(): Promise<Map<string, TargetRecord>> {
    this.refuse();
  }
  async write(): Promise<WriteResult[]> {
    this.refuse();
  }
}
