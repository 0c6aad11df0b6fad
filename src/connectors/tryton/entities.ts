import type { EntityName } from '../../model/index.js';
import { configError } from '../sdk/errors.js';
import type { Context } from './client.js';
import type { Workplace } from './company.js';
import type { Domain } from './domain.js';
import { customerFromTryton, PARTY_FIELDS, PARTY_STAMPS } from './mappers/customer.js';
import { INVOICE_FIELDS, invoiceFromTryton, invoiceSaleLines } from './mappers/invoice.js';
import type { SaleLineRef } from './mappers/line-numbers.js';
import { PRODUCT_FIELDS, PRODUCT_STAMPS, productFromTryton } from './mappers/product.js';
import { SALE_FIELDS, SALE_STAMPS, salesOrderFromTryton } from './mappers/sales-order.js';
import { SHIPMENT_FIELDS, shipmentFromTryton, shipmentSaleLines } from './mappers/shipment.js';
import type { TrytonSettings } from './settings.js';
import type { RawInvoice, RawParty, RawProduct, RawRecord, RawSale, RawShipment } from './types.js';

/** What a page's records are mapped with: the workplace and the sale lines they come from. */
export interface MapContext {
  workplace: Workplace;
  settings: TrytonSettings;
  saleLines: ReadonlyMap<number, SaleLineRef>;
}

/** How one canonical entity is read from a Tryton model. */
export interface EntitySpec {
  model: string;
  /** The record in words, for messages. */
  what: string;
  fields: readonly string[];
  /** Related records whose changes count as the record's (see windowDomain). */
  stamps: readonly string[];
  /** Manifest filter name → Tryton field. */
  filterFields: Record<string, string>;
  /** Always part of the domain: the company's documents, the customers among the parties. */
  scope?(w: Workplace, s: TrytonSettings): Domain;
  /** Added to the context of reads (the warehouse for stock quantities, inactive records). */
  context?(w: Workplace): Context;
  /** The sale lines a page refers to, read before mapping so lines carry their order and number. */
  saleLines?(rows: readonly RawRecord[]): number[];
  fromRaw(raw: RawRecord, ctx: MapContext): Record<string, unknown>;
}

const ofCompany = (w: Workplace): Domain => [['company', '=', w.companyId]];

const SPECS: Partial<Record<EntityName, EntitySpec>> = {
  customer: {
    model: 'party.party',
    what: 'party',
    fields: PARTY_FIELDS,
    stamps: PARTY_STAMPS,
    filterFields: {},
    // The companies' own parties are the business itself, not its customers.
    scope: (w, s) => [
      ['id', 'not in', w.companyPartyIds],
      ...(s.customerCategory ? [['categories.name', '=', s.customerCategory]] : []),
    ],
    context: () => ({ active_test: false }),
    fromRaw: (raw, ctx) => customerFromTryton(raw as RawParty, ctx.workplace.currency),
  },
  product: {
    model: 'product.product',
    what: 'product',
    fields: PRODUCT_FIELDS,
    stamps: PRODUCT_STAMPS,
    filterFields: {},
    // The shipping product carries an order's shipping cost; it is no product of the catalog.
    scope: (_w, s) => [['OR', ['code', '=', null], ['code', '!=', s.shippingProduct]]],
    context: (w) => ({ active_test: false, locations: [w.warehouse.id] }),
    fromRaw: (raw, ctx) =>
      productFromTryton(raw as RawProduct, {
        currency: ctx.workplace.currency,
        warehouse: ctx.workplace.warehouse.name,
      }),
  },
  salesOrder: {
    model: 'sale.sale',
    what: 'sale',
    fields: SALE_FIELDS,
    stamps: SALE_STAMPS,
    filterFields: { state: 'state' },
    scope: ofCompany,
    fromRaw: (raw, ctx) =>
      salesOrderFromTryton(raw as RawSale, {
        currency: ctx.workplace.currency,
        shippingProduct: ctx.settings.shippingProduct,
      }),
  },
  shipment: {
    model: 'stock.shipment.out',
    what: 'customer shipment',
    fields: SHIPMENT_FIELDS,
    stamps: [],
    filterFields: { state: 'state' },
    scope: ofCompany,
    saleLines: (rows) => shipmentSaleLines(rows as RawShipment[]),
    fromRaw: (raw, ctx) => shipmentFromTryton(raw as RawShipment, ctx.saleLines),
  },
  invoice: {
    model: 'account.invoice',
    what: 'customer invoice',
    fields: INVOICE_FIELDS,
    stamps: [],
    filterFields: { state: 'state' },
    scope: (w) => [['type', '=', 'out'], ...ofCompany(w)],
    saleLines: (rows) => invoiceSaleLines(rows as RawInvoice[]),
    fromRaw: (raw, ctx) =>
      invoiceFromTryton(raw as RawInvoice, {
        currency: ctx.workplace.currency,
        shippingProduct: ctx.settings.shippingProduct,
        saleLines: ctx.saleLines,
      }),
  },
};

export function spec(entity: EntityName): EntitySpec {
  const s = SPECS[entity];
  if (!s) throw configError(`the Tryton connector does not read ${entity} records`);
  return s;
}
