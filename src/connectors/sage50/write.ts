import type { EntityName } from '../../model/index.js';
import type { TargetRecord, WriteItem, WriteResult } from '../sdk/contract.js';
import { configError } from '../sdk/errors.js';

/**
 * What writes to Sage 50. Sage 50's ODBC driver is read-only: writes go through Sage Data Objects
 * (SDO), a COM library on the Sage machine. Two implementations write the same plan of each order
 * (invoice-plan.ts: the next invoice number, a product invoice, totals and VAT computed per line):
 * `SdoWriter` (sdo-writer.ts, Windows, SDO through COM) and the hosted schema's `HostedWriter`
 * (sandbox/writer.ts).
 * Only CRM orders are written, as product invoices, created only.
 */
export interface Sage50Writer {
  /** Invoices already made from these CRM order numbers (CUST_ORDER_NUMBER), by order number. */
  lookup(entity: EntityName, keys: readonly string[]): Promise<Map<string, TargetRecord>>;
  write(entity: EntityName, items: readonly WriteItem[]): Promise<WriteResult[]>;
  close?(): Promise<void>;
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
