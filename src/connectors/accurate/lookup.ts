import type { TargetRecord } from '../sdk/contract.js';
import type { AccurateClient } from './client.js';
import { filterParams } from './client.js';
import type { Raw } from './types.js';
import { text } from './types.js';

/** How each written document is found by its number (spec list.do filters; FACTS.md). */
export interface Finder {
  doc: string;
  /** The list.do filter that takes several numbers at once, or `keywords` (one search a number). */
  filter: 'no' | 'number' | 'keywords';
  /** The field of a row that holds the number. */
  numberField: string;
  fields: string;
}

export const FINDERS = {
  customer: {
    doc: 'customer',
    filter: 'no',
    numberField: 'customerNo',
    fields: 'id,customerNo,name,email,transDate',
  },
  // An item by its number (what a sale's lines name: the engine asks whether Accurate has them).
  item: { doc: 'item', filter: 'no', numberField: 'no', fields: 'id,no,name' },
  'sales-invoice': { doc: 'sales-invoice', filter: 'number', numberField: 'number', fields: 'id,number' },
  'sales-receipt': { doc: 'sales-receipt', filter: 'number', numberField: 'number', fields: 'id,number' },
  'item-adjustment': { doc: 'item-adjustment', filter: 'number', numberField: 'number', fields: 'id,number' },
  // These two list.do have no number filter: their keyword search, then the exact number kept.
  'sales-return': { doc: 'sales-return', filter: 'keywords', numberField: 'number', fields: 'id,number' },
  'item-transfer': { doc: 'item-transfer', filter: 'keywords', numberField: 'number', fields: 'id,number' },
} as const satisfies Record<string, Finder>;

/**
 * Numbers one list.do filter asks for at once: a page of fresh sales is one lookup that finds none
 * (a busy day's 10,000 sales then cost ≤ 0.02 calls each, with bulk-save). 250 numbers keep the query
 * string near 8 KB, under the 16 KB of headers servers commonly take (⚠ FACTS.md: Accurate states
 * no limit of its own).
 */
const CHUNK = 250;

/**
 * Records by number, in as few list.do calls as its filters allow: number → the row (id first).
 * A customer's target id is its number (what an invoice names it by); a document's is its id.
 */
export async function findByNumber(
  client: AccurateClient,
  f: Finder,
  numbers: readonly string[],
): Promise<Map<string, Raw>> {
  const out = new Map<string, Raw>();
  const wanted = new Set(numbers);
  const take = (rows: Raw[]) => {
    for (const r of rows) {
      const n = text(r[f.numberField]);
      if (n && wanted.has(n) && !out.has(n)) out.set(n, r);
    }
  };
  if (f.filter === 'keywords') {
    for (const n of wanted) {
      const q = new URLSearchParams({ fields: f.fields, keywords: n });
      for await (const rows of client.pages<Raw>(f.doc, q, 100)) take(rows);
    }
    return out;
  }
  const all = [...wanted];
  for (let i = 0; i < all.length; i += CHUNK) {
    const chunk = all.slice(i, i + CHUNK);
    const q = filterParams(new URLSearchParams({ fields: f.fields }), f.filter, 'EQUAL', chunk);
    for await (const rows of client.pages<Raw>(f.doc, q, 100)) take(rows);
  }
  return out;
}

export const asTarget = (id: string, row: Raw): TargetRecord => ({ id, snapshot: row });
