import { Decimal } from 'decimal.js';
import type { EntityName } from '../model/index.js';
import { decimalsEqual } from '../model/money.js';

/** One field that differs between the two systems; `path` names a line by its SKU ("lines[ITEM1].quantity"). */
export interface FieldDiff {
  path: string;
  source: unknown;
  target: unknown;
}

/**
 * What a reconciliation compares per entity, besides the flow's owned fields: what identifies the
 * record and the money and quantities both systems keep. Names, addresses and statuses are each
 * system's own business (set on create, changed there); comparing them would report drift nobody
 * can act on.
 */
const COMPARED: Partial<Record<EntityName, readonly string[]>> = {
  customer: ['email', 'creditLimit', 'onHold'],
  product: ['sku', 'listPrice'],
  salesOrder: ['currency', 'lines', 'orderTotal'],
  invoice: ['currency', 'lines', 'total'],
  payment: ['currency', 'amount'],
  shipment: ['lines'],
};
/** What a line is compared on; a line is matched by its SKU (the nth line with it), else by position. */
const LINE_FIELDS = ['sku', 'quantity', 'unitPrice', 'total'];

export function comparedFields(entity: EntityName, owned: readonly string[]): string[] {
  return [...new Set([...(COMPARED[entity] ?? []), ...owned])];
}

const DECIMAL = /^-?\d+(\.\d+)?$/;
const isMoney = (v: unknown): v is { amount: string; currency: string } =>
  typeof v === 'object' && v !== null && 'amount' in v && 'currency' in v;

/** Equal as values: amounts as decimals ("10.5" = "10.50"), e-mails without regard to case. */
function same(field: string, a: unknown, b: unknown): boolean {
  if (isMoney(a) && isMoney(b))
    return a.currency === b.currency && decimalsEqual(String(a.amount), String(b.amount));
  if (isMoney(a) !== isMoney(b)) return false;
  if (typeof a === 'string' && typeof b === 'string') {
    if (DECIMAL.test(a) && DECIMAL.test(b)) return decimalsEqual(a, b);
    return field === 'email' ? a.trim().toLowerCase() === b.trim().toLowerCase() : a === b;
  }
  if (typeof a === 'number' || typeof b === 'number')
    return DECIMAL.test(String(a)) && DECIMAL.test(String(b)) && new Decimal(String(a)).equals(String(b));
  return JSON.stringify(a) === JSON.stringify(b);
}

type Line = Record<string, unknown>;

/** Lines keyed by SKU and occurrence ("ITEM1", "ITEM1#2"), or by position when a line has no SKU. */
function keyedLines(lines: readonly Line[]): Map<string, Line> {
  const seen = new Map<string, number>();
  const out = new Map<string, Line>();
  lines.forEach((l, i) => {
    const sku = typeof l.sku === 'string' && l.sku ? l.sku : undefined;
    if (!sku) {
      out.set(`#${i + 1}`, l);
      return;
    }
    const n = (seen.get(sku) ?? 0) + 1;
    seen.set(sku, n);
    out.set(n === 1 ? sku : `${sku}#${n}`, l);
  });
  return out;
}

/**
 * The fields that differ, comparing only what both sides show: a field the target does not give
 * back (absent) cannot be compared and is not drift. Lines only in one system are differences.
 */
export function diffRecords(
  fields: readonly string[],
  source: Record<string, unknown>,
  target: Record<string, unknown>,
): FieldDiff[] {
  const out: FieldDiff[] = [];
  for (const field of fields) {
    const a = source[field];
    const b = target[field];
    if (a === undefined || b === undefined) continue;
    if (field === 'lines' && Array.isArray(a) && Array.isArray(b)) {
      const left = keyedLines(a as Line[]);
      const right = keyedLines(b as Line[]);
      for (const key of new Set([...left.keys(), ...right.keys()])) {
        const l = left.get(key);
        const r = right.get(key);
        if (!l || !r) {
          out.push({ path: `lines[${key}]`, source: l ?? null, target: r ?? null });
          continue;
        }
        for (const f of LINE_FIELDS)
          if (l[f] !== undefined && r[f] !== undefined && !same(f, l[f], r[f]))
            out.push({ path: `lines[${key}].${f}`, source: l[f], target: r[f] });
      }
      continue;
    }
    if (!same(field, a, b)) out.push({ path: field, source: a, target: b });
  }
  return out;
}

/** A value for people and for files: money as "12.50 USD", a line as its SKU and quantity. */
export function shown(v: unknown): string {
  if (v === null || v === undefined) return '(none)';
  if (isMoney(v)) return `${v.amount} ${v.currency}`;
  if (typeof v === 'object') {
    const l = v as Line;
    if ('sku' in l || 'quantity' in l)
      return `${String(l.sku ?? 'line')} × ${String(l.quantity ?? '?')}${isMoney(l.unitPrice) ? ` at ${shown(l.unitPrice)}` : ''}`;
    return JSON.stringify(v);
  }
  return String(v);
}

/** Where each entity keeps its day and its amount, for the totals per day and currency. */
export const TOTALS: Partial<Record<EntityName, { day: string; amount?: string }>> = {
  invoice: { day: 'invoiceDate', amount: 'total' },
  salesOrder: { day: 'orderDate', amount: 'orderTotal' },
  payment: { day: 'paymentDate', amount: 'amount' },
  shipment: { day: 'shipmentDate' },
};
