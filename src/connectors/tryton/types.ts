/**
 * Records as Tryton's `search_read` / `read` return them once decoded (see json.ts): Numeric fields
 * as decimal strings, Float fields (quantities) as JSON numbers, dates as "YYYY-MM-DD", timestamps as
 * "…Z" strings (naive UTC in Tryton), Many2One fields as ids, x2Many fields as lists of ids. A dotted
 * field name asked for ("party.name") comes back under the relation's name with a dot ("party."):
 * the related record, or for an x2Many the list of related records. Only the fields Ledgerlink reads
 * are typed.
 */
export interface RawRecord {
  id: number;
  create_date?: string | null;
  write_date?: string | null;
  rec_name?: string;
  [field: string]: unknown;
}

/** The stamps of a related record, for the latest change of a record and what it holds. */
export type Stamped = Pick<RawRecord, 'id' | 'create_date' | 'write_date'>;

export interface RawCountry {
  id: number;
  code?: string | null;
}

export interface RawAddress extends RawRecord {
  party_name?: string | null;
  street?: string | null;
  postal_code?: string | null;
  city?: string | null;
  country?: number | null;
  'country.'?: RawCountry | null;
  'subdivision.'?: { id: number; code?: string | null } | null;
  invoice?: boolean | number;
  delivery?: boolean | number;
  active?: boolean | number;
}

export interface RawContactMechanism extends RawRecord {
  type?: string;
  value?: string | null;
  active?: boolean | number;
}

export interface RawParty extends RawRecord {
  code?: string | null;
  name?: string | null;
  active?: boolean | number;
  'addresses.'?: RawAddress[];
  'contact_mechanisms.'?: RawContactMechanism[];
}

export interface RawProduct extends RawRecord {
  code?: string | null;
  name?: string | null;
  description?: string | null;
  active?: boolean | number;
  list_price?: string | null;
  cost_price?: string | null;
  /** On hand in the locations of the call's context (the warehouse). */
  quantity?: number | null;
  template?: number;
  'template.'?: Stamped & {
    active?: boolean | number;
    'default_uom.'?: { id: number; symbol?: string | null } | null;
  };
}

export interface RawTax {
  id: number;
  name?: string | null;
  type?: string | null;
  /** A fraction: 0.20 is 20 %. */
  rate?: string | null;
}

export interface RawSaleLine extends RawRecord {
  type?: string;
  sequence?: number | null;
  description?: string | null;
  quantity?: number | null;
  unit_price?: string | null;
  amount?: string | null;
  product?: number | null;
  'product.'?: { id: number; code?: string | null } | null;
  'unit.'?: { id: number; symbol?: string | null } | null;
  'taxes.'?: RawTax[];
  sale?: number;
}

export interface RawSale extends RawRecord {
  number?: string | null;
  reference?: string | null;
  description?: string | null;
  state?: string;
  sale_date?: string | null;
  party?: number;
  'party.'?: { id: number; name?: string | null; email?: string | null } | null;
  'currency.'?: { id: number; code?: string | null } | null;
  'invoice_address.'?: RawAddress | null;
  'shipment_address.'?: RawAddress | null;
  untaxed_amount?: string | null;
  tax_amount?: string | null;
  total_amount?: string | null;
  'lines.'?: RawSaleLine[];
  shipments?: number[];
  invoices?: number[];
}

export interface RawMove extends RawRecord {
  state?: string;
  quantity?: number | null;
  'product.'?: { id: number; code?: string | null } | null;
  'uom.'?: { id: number; symbol?: string | null } | null;
  /** A Reference field: "sale.line,12" when a sale made the move, or null. */
  origin?: string | null;
}

export interface RawShipment extends RawRecord {
  number?: string | null;
  reference?: string | null;
  state?: string;
  effective_date?: string | null;
  planned_date?: string | null;
  customer?: number;
  'outgoing_moves.'?: RawMove[];
}

export interface RawInvoiceLine extends RawRecord {
  type?: string;
  description?: string | null;
  quantity?: number | null;
  unit_price?: string | null;
  amount?: string | null;
  'product.'?: { id: number; code?: string | null } | null;
  'unit.'?: { id: number; symbol?: string | null } | null;
  'taxes.'?: RawTax[];
  /** "sale.line,12" when a sale made the line. */
  origin?: string | null;
}

export interface RawInvoiceTax extends RawRecord {
  description?: string | null;
  base?: string | null;
  amount?: string | null;
  'tax.'?: RawTax | null;
}

export interface RawInvoice extends RawRecord {
  number?: string | null;
  reference?: string | null;
  type?: string;
  state?: string;
  invoice_date?: string | null;
  party?: number;
  'currency.'?: { id: number; code?: string | null } | null;
  untaxed_amount?: string | null;
  tax_amount?: string | null;
  total_amount?: string | null;
  amount_to_pay?: string | null;
  sales?: number[];
  'lines.'?: RawInvoiceLine[];
  'taxes.'?: RawInvoiceTax[];
  'lines_to_pay.'?: Array<{ id: number; maturity_date?: string | null }>;
}

/** The id a Reference field points to when it points to the given model: ("sale.line,12", "sale.line") → 12. */
export function referenceTo(v: string | null | undefined, model: string): number | undefined {
  if (typeof v !== 'string' || !v.startsWith(`${model},`)) return undefined;
  const id = Number(v.slice(model.length + 1));
  return Number.isInteger(id) && id > 0 ? id : undefined;
}

/** A Boolean field: PostgreSQL answers true/false, SQLite 1/0. */
export const isTrue = (v: unknown): boolean => v === true || v === 1;
export const isFalse = (v: unknown): boolean => v === false || v === 0;

/** A string field: trimmed, empty as absent. */
export const text = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() ? v.trim() : undefined;
