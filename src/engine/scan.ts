import type { Money } from '../model/money.js';
import type { PreviewRow } from './outcome.js';

/** One line of a document a Scan would send (the SYNC Uploader's CRM View "invoice items"). */
export interface ScanLine {
  /** The source id of the document the line belongs to. */
  record: string;
  /** The customer the document is for, as the source knows it. */
  customer?: string;
  lineNumber?: number;
  sku?: string;
  description?: string;
  quantity?: string;
  unit?: string;
  unitPrice?: Money;
  discount?: Money;
  /** Typed without a product: booked on the target's default product. */
  writeIn?: boolean;
}

/** What a dependency flow would do with the records the scanned documents need. */
export interface ScanNeed {
  entity: string;
  /** The flow that brings them over; absent when none is configured (the documents can only wait). */
  flow?: string;
  ids: string[];
  rows: PreviewRow[];
  /** The target must have them already (a `targetKeys` dependency): the ids are all in it. */
  onTarget?: boolean;
}

/**
 * Scan (the SYNC Uploader's §7): before anything is written, every document a flow would send
 * (`records`, with the plan of each), every customer and product they need and what would happen to
 * it (`needs`: create, update, or already there), and every line they carry.
 */
export interface ScanResult {
  flow: string;
  records: PreviewRow[];
  needs: ScanNeed[];
  lines: ScanLine[];
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const money = (v: unknown): Money | undefined =>
  v && typeof v === 'object' && typeof (v as Money).amount === 'string' ? (v as Money) : undefined;

/** The lines of a canonical sales document (order or invoice), as a Scan lists them. */
export function scanLines(record: string, data: Record<string, unknown> | undefined): ScanLine[] {
  const lines = Array.isArray(data?.lines) ? (data.lines as Record<string, unknown>[]) : [];
  const customer = text(data?.customerNumber);
  return lines.map((l) => {
    const line: ScanLine = { record };
    if (customer) line.customer = customer;
    if (typeof l.lineNumber === 'number') line.lineNumber = l.lineNumber;
    const sku = text(l.sku);
    if (sku && l.writeIn !== true) line.sku = sku;
    const description = text(l.description);
    if (description) line.description = description;
    const quantity = text(l.quantity);
    if (quantity) line.quantity = quantity;
    const unit = text(l.unit);
    if (unit) line.unit = unit;
    const unitPrice = money(l.unitPrice);
    if (unitPrice) line.unitPrice = unitPrice;
    const discount = money(l.discount);
    if (discount) line.discount = discount;
    if (l.writeIn === true || !sku) line.writeIn = true;
    return line;
  });
}
