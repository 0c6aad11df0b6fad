/**
 * Records as Accurate's list.do and detail.do answer them. The spec has no response schemas
 * (FACTS.md): these are the save.do field names, which the "Penggunaan API" examples show coming
 * back; readers also take the nested form (`warehouse.name`, `item.no`) some answers use ⚠.
 */
export type Raw = Record<string, unknown>;

export interface AccCustomer extends Raw {
  id: number;
  customerNo?: string;
  name?: string;
  email?: string;
  mobilePhone?: string;
  billStreet?: string;
  billCity?: string;
  billProvince?: string;
  billZipCode?: string;
  billCountry?: string;
  suspended?: boolean;
  transDate?: string;
  lastUpdate?: string;
}

export interface AccItem extends Raw {
  id: number;
  no?: string;
  name?: string;
  itemType?: string;
  unitPrice?: number;
  unit1Name?: string;
  suspended?: boolean;
  lastUpdate?: string;
}

export interface AccStockRow extends Raw {
  id?: number;
  no?: string;
  quantity?: number;
}

export interface AccDocLine extends Raw {
  itemNo?: string;
  quantity?: number;
  itemUnitName?: string;
  warehouseName?: string;
  receiveItemNumber?: string;
}

export interface AccDocument extends Raw {
  id: number;
  number?: string;
  transDate?: string;
  lastUpdate?: string;
  detailItem?: AccDocLine[];
}

export interface AccWarehouse extends Raw {
  id: number;
  name: string;
  suspended?: boolean;
}

/** One record's outcome inside a bulk-save answer (FACTS.md ⚠: in request order). */
export interface BulkOutcome {
  s: boolean;
  d: unknown;
  r?: { id?: number; number?: string; customerNo?: string; [k: string]: unknown };
}

/** A value at a path, for answers that nest (`warehouse.name`) or flatten (`warehouseName`). */
export function field(row: Raw | undefined, flat: string, ...nested: string[][]): unknown {
  if (!row) return undefined;
  if (row[flat] !== undefined && row[flat] !== null) return row[flat];
  for (const path of nested) {
    let cur: unknown = row;
    for (const seg of path) cur = cur && typeof cur === 'object' ? (cur as Raw)[seg] : undefined;
    if (cur !== undefined && cur !== null) return cur;
  }
  return undefined;
}

export const text = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : undefined;
