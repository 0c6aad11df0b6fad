import type { Customer, EntityName, Product } from '../../model/index.js';
import { configError } from '../sdk/errors.js';
import { INVOICE_TYPE_LABELS } from './invoice-types.js';
import type { Lookups } from './lookups.js';
import { CUSTOMER_EXPAND, customerFromAcumatica, customerToAcumatica } from './mappers/customer.js';
import type { DocumentContext } from './mappers/document.js';
import { INVOICE_EXPAND, invoiceFromAcumatica } from './mappers/invoice.js';
import { PAYMENT_EXPAND, paymentFromAcumatica } from './mappers/payment.js';
import { PRODUCT_EXPAND, productFromAcumatica, productToAcumatica } from './mappers/product.js';
import { SALES_ORDER_EXPAND, salesOrderFromAcumatica } from './mappers/sales-order.js';
import { SHIPMENT_EXPAND, shipmentFromAcumatica } from './mappers/shipment.js';
import { anyOf, literal } from './odata.js';
import { customerCustomFieldsOf, orderTypesOf, type Settings } from './settings.js';
import { type RawEntity, type RawSalesInvoice, type RawSalesOrder, type RawShipment, str } from './types.js';

/** How one canonical entity is read from (and, for some, written to) an Acumatica resource. */
export interface EntitySpec {
  resource: 'Customer' | 'StockItem' | 'SalesOrder' | 'Shipment' | 'SalesInvoice' | 'Payment';
  /** The field whose value is the source id. */
  key: string;
  /** The change stamp incremental reads follow (it differs per resource; see the manifest). */
  cursor: string;
  expand: string;
  /** Manifest filter name → Acumatica field, compared in $filter. */
  filterFields: Record<string, string>;
  /** Manifest `text` filter name → the Acumatica field whose start it matches (startswith in $filter). */
  textFields?: Record<string, string>;
  /**
   * Manifest filter name → a test on the record read, for filters on detail records, which the
   * contract-based API cannot filter on (a shipment's order types are on its Orders tab).
   */
  detailFilters?: Record<string, (raw: RawEntity, values: readonly string[]) => boolean>;
  /** Custom fields read with each record ($custom: `View.Field`, comma-separated), from the settings. */
  custom?(s: Settings): string | undefined;
  /** Always part of the filter: the order types read, the document type. */
  scope?(s: Settings): string;
  /** Reads what a page's records refer to (tax rates, ship vias) before they are mapped. */
  prepare?(rows: readonly RawEntity[], lookups: Lookups, signal?: AbortSignal): Promise<void>;
  fromRaw(raw: RawEntity, ctx: DocumentContext): Record<string, unknown>;
  toRaw?(data: unknown, fields: readonly string[] | undefined, s: Settings): RawEntity;
}

const SPECS: Partial<Record<EntityName, EntitySpec>> = {
  customer: {
    resource: 'Customer',
    key: 'CustomerID',
    cursor: 'LastModifiedDateTime',
    expand: CUSTOMER_EXPAND,
    custom: (s) => Object.values(customerCustomFieldsOf(s)).join(',') || undefined,
    filterFields: { customerClass: 'CustomerClass', status: 'Status' },
    textFields: { search: 'CustomerID' },
    fromRaw: (raw, ctx) => customerFromAcumatica(raw, ctx),
    toRaw: (data, fields) => customerToAcumatica(data as Customer, fields),
  },
  product: {
    resource: 'StockItem',
    key: 'InventoryID',
    cursor: 'LastModified',
    expand: PRODUCT_EXPAND,
    filterFields: { itemClass: 'ItemClass', itemStatus: 'ItemStatus' },
    textFields: { search: 'InventoryID' },
    fromRaw: (raw, ctx) => productFromAcumatica(raw, ctx.baseCurrency),
    toRaw: (data, fields, s) => productToAcumatica(data as Product, fields, s.defaultItemClass),
  },
  salesOrder: {
    resource: 'SalesOrder',
    key: 'OrderNbr',
    cursor: 'LastModified',
    expand: SALES_ORDER_EXPAND,
    filterFields: { orderType: 'OrderType', status: 'Status' },
    scope: (s) => anyOf('OrderType', orderTypesOf(s)),
    fromRaw: (raw, ctx) => salesOrderFromAcumatica(raw as RawSalesOrder, ctx),
  },
  shipment: {
    resource: 'Shipment',
    key: 'ShipmentNbr',
    cursor: 'LastModifiedDateTime',
    expand: SHIPMENT_EXPAND,
    filterFields: { status: 'Status' },
    detailFilters: {
      orderType: (raw, values) => {
        const wanted = new Set(values.map((v) => v.toUpperCase()));
        return ((raw as RawShipment).Orders ?? []).some((o) =>
          wanted.has((str(o.OrderType) ?? '').toUpperCase()),
        );
      },
    },
    prepare: (rows, lookups, signal) =>
      lookups.shipViaNames(
        rows.map((r) => str((r as RawShipment).ShipVia)).filter((v): v is string => !!v),
        signal,
      ),
    fromRaw: (raw, ctx) => shipmentFromAcumatica(raw as RawShipment, ctx),
  },
  invoice: {
    resource: 'SalesInvoice',
    key: 'ReferenceNbr',
    cursor: 'LastModifiedDateTime',
    expand: INVOICE_EXPAND,
    filterFields: { status: 'Status', customer: 'CustomerID' },
    textFields: { search: 'CustomerID' },
    // Every sales invoice document type: invoices, debit and credit memos, credit write-offs, cash
    // sales and returns (numbered from one sequence: ReferenceNbr names one document).
    scope: () => anyOf('Type', INVOICE_TYPE_LABELS),
    prepare: (rows, lookups, signal) =>
      lookups.taxes(
        rows
          .flatMap((r) => ((r as RawSalesInvoice).TaxDetails ?? []).map((t) => str(t.TaxID)))
          .filter((v): v is string => !!v),
        signal,
      ),
    fromRaw: (raw, ctx) => invoiceFromAcumatica(raw as RawSalesInvoice, ctx),
  },
  payment: {
    resource: 'Payment',
    key: 'ReferenceNbr',
    cursor: 'LastModifiedDateTime',
    expand: PAYMENT_EXPAND,
    filterFields: { status: 'Status' },
    scope: () => `Type eq ${literal('Payment')}`,
    fromRaw: (raw, ctx) => paymentFromAcumatica(raw, ctx),
  },
};

export function spec(entity: EntityName): EntitySpec {
  const s = SPECS[entity];
  if (!s) throw configError(`the Acumatica connector does not handle ${entity} records`);
  return s;
}
