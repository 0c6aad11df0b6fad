import type { EntityName } from '../../model/index.js';
import type { TargetRecord, WriteItem, WriteResult } from '../sdk/contract.js';
import { configError, LedgerlinkError } from '../sdk/errors.js';
import {
  cut,
  type InvoicePlan,
  invoicesForOrders,
  MAX,
  onlyOrders,
  PRODUCT_INVOICE,
  writeOrders,
} from './invoice-plan.js';
import type { OdbcClient } from './odbc.js';
import type { Sage50Settings } from './settings.js';
import type { Sage50Writer } from './write.js';

/**
 * What we use of Sage Data Objects' COM object model (FACTS.md § SDO): the engine, a workspace
 * connected to the company's data folder, and InvoicePost with its Header fields and Items.
 */
export interface SdoField {
  Value: unknown;
}
export interface SdoInvoicePost {
  Type: number;
  Header(name: string): SdoField;
  Items: { Add(): { Fields: { Item(name: string): SdoField } } };
  GetNextNumber(): number;
  Update(): boolean;
}
export interface SdoWorkspace {
  Connect(folder: string, user: string, password: string, unique: string): boolean;
  CreateObject(name: 'InvoicePost'): SdoInvoicePost;
  Disconnect(): void;
}
export interface SdoEngine {
  Workspaces: { Add(name: string): SdoWorkspace };
  LastError: { Text: string; Code?: number };
}
/** Makes a COM object by its ProgID (winax on Windows; a fake in tests). */
export type ComFactory = (progId: string) => SdoEngine;

/** InvoicePost.Type for an invoice (SDO's LedgerType.sdoLedgerInvoice). */
export const SDO_LEDGER_INVOICE = 261;

/**
 * The winax package, loaded when the SDO writer first writes: COM exists only on Windows, and the
 * package is not a dependency of this build (npm install winax on the Sage machine). Loaded by a
 * name the compiler does not resolve, like odbc.
 */
async function winaxFactory(): Promise<ComFactory> {
  if (process.platform !== 'win32')
    throw configError(
      `writing to Sage 50 needs Sage Data Objects (SDO), a COM library that runs only on the Windows machine Sage 50 is installed on, and this is ${process.platform}: run Ledgerlink there, or reach it through \`ledgerlink agent\` (reach: agent), or leave the order flow off`,
    );
  try {
    const name = 'winax';
    const winax = (await import(name)) as { default?: { Object: new (id: string) => SdoEngine } };
    const ActiveX = (winax.default ?? (winax as unknown as { Object: new (id: string) => SdoEngine })).Object;
    return (progId) => new ActiveX(progId);
  } catch (e) {
    throw configError(
      `Sage Data Objects are reached through the winax package, which is not installed (${(e as Error).message}): run npm install winax in Ledgerlink's folder on this machine`,
    );
  }
}

/**
 * Sage Data Objects on the Sage machine: each CRM order is checked and worked out as the hosted
 * writer does (invoice-plan.ts: the account, the products, VAT per line), then posted with
 * InvoicePost — header (account, name and address, the CRM order number, contact, telephone and
 * owner; INVOICE_TYPE_CODE product invoice; the next invoice number from GetNextNumber) and one
 * item per line (stock code, description, quantity, unit price, net, tax code and VAT) — and
 * Update. SDO refusing is the record's failure with SDO's own words (LastError). Reads, and the
 * lookup of invoices already made from an order, go through ODBC.
 */
export class SdoWriter implements Sage50Writer {
  private workspace?: Promise<{ engine: SdoEngine; ws: SdoWorkspace }>;

  constructor(
    private readonly db: OdbcClient,
    private readonly s: Sage50Settings,
    private readonly com: () => Promise<ComFactory> = winaxFactory,
  ) {}

  private open(): Promise<{ engine: SdoEngine; ws: SdoWorkspace }> {
    this.workspace ??= (async () => {
      const create = await this.com();
      let engine: SdoEngine;
      try {
        engine = create(this.s.sdoProgId);
      } catch (e) {
        throw configError(
          `Sage Data Objects (${this.s.sdoProgId}) could not be started: ${(e as Error).message}; is SDO installed and registered, and is Ledgerlink allowed by Third Party Activation?`,
        );
      }
      const ws = engine.Workspaces.Add('Ledgerlink');
      const ok = ws.Connect(this.s.folder, this.s.user, this.s.password, 'Ledgerlink');
      if (!ok)
        throw configError(
          `Sage Data Objects refused the data folder ${this.s.folder} for user ${this.s.user}: ${engine.LastError?.Text ?? 'no reason given'}`,
        );
      return { engine, ws };
    })().catch((e: unknown) => {
      this.workspace = undefined;
      throw e;
    });
    return this.workspace;
  }

  async lookup(entity: EntityName, keys: readonly string[]): Promise<Map<string, TargetRecord>> {
    onlyOrders(entity);
    return invoicesForOrders(this.db, keys);
  }

  write(entity: EntityName, items: readonly WriteItem[]): Promise<WriteResult[]> {
    return writeOrders(this.db, this.s, entity, items, (plan) => this.post(plan));
  }

  private async post(p: InvoicePlan): Promise<number> {
    const { engine, ws } = await this.open();
    const o = p.order;
    const post = ws.CreateObject('InvoicePost');
    post.Type = SDO_LEDGER_INVOICE;
    const number = post.GetNextNumber();
    const header: Array<[string, unknown]> = [
      ['INVOICE_NUMBER', number],
      ['INVOICE_TYPE_CODE', PRODUCT_INVOICE.code],
      ['INVOICE_DATE', o.orderDate],
      ['ACCOUNT_REF', o.customerNumber],
      ['NAME', p.customer.name],
      ...p.customer.address.map((a, i): [string, unknown] => [`ADDRESS_${i + 1}`, a]),
      ['CUST_ORDER_NUMBER', o.number],
      ['CONTACT_NAME', cut(o.contactName, MAX.contact)],
      ['CUST_TEL_NUMBER', cut(o.contactPhone, MAX.tel)],
      ['TAKEN_BY', cut(o.takenBy, MAX.takenBy)],
      ['GLOBAL_TAX_CODE', this.s.taxCode],
      // Only a department Sage has (the owner's name); otherwise Sage's default stands.
      ...(p.department ? [['GLOBAL_DEPT_NUMBER', p.department.number] as [string, unknown]] : []),
    ];
    for (const [field, value] of header) post.Header(field).Value = value;
    // SDO's amounts are doubles: each figure was worked out in decimal (invoice-plan.ts) and becomes a
    // number only here, at its 2 places, for COM.
    for (const l of p.lines) {
      const item = post.Items.Add();
      const set = (field: string, value: unknown) => {
        item.Fields.Item(field).Value = value;
      };
      set('STOCK_CODE', l.code);
      set('DESCRIPTION', l.description);
      set('QTY_ORDER', Number(l.qty.toFixed()));
      set('UNIT_PRICE', Number(l.price.toFixed()));
      set('NET_AMOUNT', Number(l.net.toFixed(2)));
      set('FULL_NET_AMOUNT', Number(l.net.toFixed(2)));
      set('TAX_CODE', this.s.taxCode);
      set('TAX_AMOUNT', Number(l.tax));
      set('NOMINAL_CODE', l.nominal);
      set('UNIT_OF_SALE', l.unit);
      if (p.department) set('DEPT_NUMBER', p.department.number);
    }
    if (!post.Update())
      throw new LedgerlinkError({
        code: 'invalid_data',
        category: 'rejected',
        message: `order ${o.number}: Sage Data Objects did not post the invoice: ${engine.LastError?.Text ?? 'no reason given'}`,
      });
    return number;
  }

  async close(): Promise<void> {
    const w = await this.workspace?.catch(() => undefined);
    this.workspace = undefined;
    w?.ws.Disconnect();
  }
}
